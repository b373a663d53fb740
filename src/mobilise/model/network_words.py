"""The partnership-network measures in plain words, for the CLI and the web dashboard alike."""

from __future__ import annotations

from typing import Any

from mobilise.model.presentation import significant

__all__ = ["MEASURES", "describe", "headline_sentences"]

# measure key -> (name, what it means for a partnership)
MEASURES: dict[str, tuple[str, str]] = {
    "response_rate": (
        "Response rate",
        "The share of partners on the roster who answered. Below about 70% the picture of who "
        "works with whom has gaps.",
    ),
    "density": (
        "Density",
        "The share of all possible pairs of partners who work together (either side said so). "
        "A large partnership rarely goes above 30-40%: not everyone needs to work with everyone.",
    ),
    "valued_density": (
        "Closeness of working",
        "The average level of collaboration over all possible pairs, from 0 (no one works "
        "together) to 3 (every pair fully integrated).",
    ),
    "reciprocity": (
        "Agreement on ties",
        "Of the ties reported, the share that both partners reported. Low agreement can mean "
        "partners see the same relationship differently.",
    ),
    "centralisation": (
        "Centralisation",
        "How much the ties run through a few partners (1: everything through one hub; 0: "
        "everyone equally connected). A very central network depends on its hubs staying.",
    ),
    "ei": (
        "Reach across sectors (E-I index)",
        "From -1 (every tie stays inside a sector) to +1 (every tie crosses sectors). Compare "
        "it with the value expected if partners mixed at random.",
    ),
    "assortativity": (
        "Sticking with one's own sector",
        "Above 0: partners work more with their own sector than chance would suggest; below 0: "
        "more across sectors.",
    ),
    "core_periphery": (
        "Core and periphery",
        "A core of partners who all work with each other and a periphery tied mainly to the "
        "core. The fit says how well the partnership follows that shape (1 is perfect).",
    ),
    "communities": (
        "Clusters",
        "Groups of partners who work more with each other than with the rest.",
    ),
    "k_max": (
        "Most cohesive group",
        "The largest k such that a group of partners each work with at least k others in the "
        "group.",
    ),
    "trust": (
        "Trust",
        "How far partners trust each other (reliable, share the aims, open), 1 to 4. Scores "
        "from fewer raters than the round's threshold are hidden.",
    ),
    "value": (
        "Value",
        "How much partners value each other (influence, active part, resources), 1 to 4.",
    ),
    "brokerage": (
        "Brokerage",
        "Partners who link others who do not work together directly, by the sectors on each "
        "side: coordinator, gatekeeper, representative, itinerant, liaison.",
    ),
    "constraint": (
        "Constraint",
        "Low constraint: a partner's contacts are not tied to each other, so it hears from "
        "different circles.",
    ),
}


def _share(value: Any) -> str:
    return "–" if value is None else f"{value:.0%}"


def _fig(value: Any, digits: int = 2) -> str:
    return "–" if value is None else significant(float(value), digits)


def describe(metrics: dict[str, Any]) -> list[str]:
    """One sentence per headline measure of a round."""
    out = [
        f"{metrics['respondents']} of {metrics['partners']} partners answered "
        f"({_share(metrics['response_rate'])}).",
        f"{metrics['ties']} pairs of partners work together: a density of "
        f"{_share(metrics['density'])}.",
    ]
    if metrics.get("reciprocity") is not None:
        out.append(
            f"{_share(metrics['reciprocity'])} of reported ties were reported by both sides."
        )
    if metrics.get("centralisation") is not None:
        out.append(f"Centralisation is {_fig(metrics['centralisation'])} (0 even, 1 one hub).")
    ei = metrics.get("ei")
    if ei and ei.get("index") is not None:
        side = "across" if ei["index"] > (ei.get("expected") or 0) else "within"
        p = ei.get("p_value")
        chance = f" (p = {_fig(p)} over {ei['permutations']:,} shuffles)" if p is not None else ""
        out.append(
            f"E-I index {_fig(ei['index'])} against {_fig(ei.get('expected'))} if partners mixed "
            f"at random: ties lean {side} sectors{chance}."
        )
    family = metrics.get("ei_family")
    if family and family.get("index") is not None:
        side = "more" if family["index"] > (family.get("expected") or 0) else "less"
        out.append(
            f"Across the broader families of sectors (health, councils, community, culture and "
            f"environment, academia, business, lived experience) the E-I index is "
            f"{_fig(family['index'])} against {_fig(family.get('expected'))}: ties cross between "
            f"families {side} than random mixing would give."
        )
    scores = metrics.get("scores") or {}
    if scores.get("trust") is not None:
        out.append(
            f"Average trust {_fig(scores['trust'])} and value {_fig(scores.get('value'))} out of 4."
        )
    return out


def headline_sentences(change: dict[str, Any]) -> list[str]:
    """Plain sentences for a comparison of two rounds."""
    out = [f"{change['matched']} partners answered both rounds."]
    if change.get("kept") is None:
        out.append("Too few answered both rounds to show how their ties changed.")
    else:
        out.append(
            f"Of their ties, {change['kept']} were kept, {change['new']} are new and "
            f"{change['lost']} were lost (Jaccard similarity {_fig(change.get('jaccard'))})."
        )
    if change.get("joiners"):
        out.append(
            f"{len(change['joiners'])} partners joined: "
            + ", ".join(j["name"] for j in change["joiners"])
            + "."
        )
    if change.get("leavers"):
        out.append(
            f"{len(change['leavers'])} partners left: "
            + ", ".join(j["name"] for j in change["leavers"])
            + "."
        )
    if change.get("fading"):
        out.append(f"{len(change['fading'])} ties are fading.")
    return out
