"""The partnership network of a survey round, measured; two rounds compared.

Disclosure control is applied here, where the viewer is known: a score (value, trust, and their
items) built from fewer raters than the round's ``min_raters`` is hidden unless ``admin`` is
true, and nothing returned for a non-admin names what one respondent answered — ties are shown
as pairs (tied when either side says so, at the higher level), never as who reported what;
trust and value changes between rounds only as suppressed aggregates.
"""

from __future__ import annotations

import copy
import math
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd
from sqlalchemy import func, select

from mobilise.analysis import network as net
from mobilise.analysis._checks import json_records
from mobilise.analysis.disclosure import suppress_scores, suppress_summary
from mobilise.analysis.network_change import (
    compare_rounds,
    fading_ties,
    level_label,
    suggest_introductions,
)
from mobilise.analysis.network_scores import (
    level_profile,
    network_scores,
    partner_scores,
    sector_scores,
)
from mobilise.analysis.network_structure import (
    centrality,
    communities,
    core_periphery,
    k_cores,
    sector_assortativity,
    tie_graph,
)
from mobilise.formats.partner_files import partnership_graph, read_relationships
from mobilise.model.partner_vocab import (
    ACHIEVEMENTS,
    CONTRIBUTIONS,
    DEFAULT_MIN_RATERS,
    SCORE_ITEMS,
    SECTOR_BY_CODE,
    score_means,
)
from mobilise.store.tables import partners as partners_table
from mobilise.store.tables import round_roster, survey_answers, survey_responses

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace
    from mobilise.workspace.partners import Partner

__all__ = ["NetworkService", "measure_file", "measure_graph"]

PERMUTATIONS = 1000
# Measures of a round by (workspace, round, viewer, options, data stamp): a page view does not
# recompute a network nobody has changed.
_CACHE: dict[tuple[Any, ...], dict[str, Any]] = {}
_CACHE_LOCK = threading.Lock()


def _number(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def measure_graph(
    graph: nx.DiGraph,
    *,
    min_raters: int = DEFAULT_MIN_RATERS,
    admin: bool = False,
    seed: int = 0,
    permutations: int = PERMUTATIONS,
) -> dict[str, Any]:
    """Every measure of one round's graph, as plain JSON (see the module docstring).

    With ``admin`` false, scores from fewer than ``min_raters`` raters are hidden. The E-I
    index is tested against ``permutations`` shuffles of the sectors (0: no test).
    """
    ties = tie_graph(graph)
    cores = k_cores(ties)
    n = graph.number_of_nodes()
    has_sector = n > 0 and all(graph.nodes[v].get("sector") for v in graph)
    roster = list(graph.nodes)
    respondents = [v for v in graph if graph.nodes[v].get("responded")]
    rate = net.response_rate(roster, respondents)
    out: dict[str, Any] = {
        "partners": n,
        "respondents": len(respondents),
        "response_rate": _number(rate.rate),
        "ties": ties.number_of_edges(),
        "reports": sum(1 for *_, d in graph.edges(data=True) if d.get("level") != 0),
        "density": _number(net.density(ties)),
        # valued only when every tie has a level (an edge list may give ties without one)
        "valued_density": _number(net.density(ties, valued=True))
        if ties.number_of_edges()
        and all(d.get("level") is not None for *_, d in ties.edges(data=True))
        else None,
        "reciprocity": _number(net.reciprocity(graph)) if graph.number_of_edges() else None,
        "centralisation": _number(net.freeman_centralisation(ties)) if n > 2 else None,
        "k_max": int(max(cores.tolist(), default=0)),
        "min_raters": min_raters,
        "suppressed": not admin,
    }
    # the structure is of the pairs: the undirected tie graph, built once
    cp = core_periphery(ties, seed=seed) if n > 2 else None
    parts = communities(ties, seed=seed)
    table = centrality(graph).join(cores)
    table["community"] = parts.membership
    table["core"] = cp.core if cp is not None else False
    out["core_periphery"] = (
        {
            "fit": _number(cp.fit),
            "core_size": int(cp.core.sum()),
            "core_density": _number(cp.core_density),
            "periphery_density": _number(cp.periphery_density),
            "between_density": _number(cp.between_density),
        }
        if cp is not None
        else None
    )
    out["communities"] = {
        "count": int(parts.membership.nunique()) if n else 0,
        "modularity": _number(parts.modularity),
    }
    scores = partner_scores(graph)
    if not admin:
        scores = suppress_scores(scores, k=min_raters)
    summary = network_scores(graph)
    out["scores"] = {
        k: _number(v)
        for k, v in (summary if admin else suppress_summary(summary, k=min_raters)).items()
    }
    out["levels"] = json_records(level_profile(graph, pairs=True).reset_index())
    ei = net.ei_index(ties) if has_sector else None
    if ei is not None:
        test = (
            net.ei_permutation_test(ties, permutations=permutations, seed=seed)
            if ties.number_of_edges() and permutations
            else None
        )
        out["ei"] = {
            "index": _number(ei.index),
            "expected": _number(ei.expected),
            "internal": ei.internal,
            "external": ei.external,
            "p_value": _number(test.p_value) if test is not None else None,
            "permutations": permutations if test is not None else 0,
            "groups": [
                {"group": str(group), "index": _number(value)} for group, value in ei.groups.items()
            ],
        }
        # The same across the broader families of sectors (health, local authority, community,
        # culture and environment, academic, business, lived experience): with 13 sectors most
        # ties cross a sector line anyway, families show whether they cross worlds.
        out["ei_family"] = None
        if all(graph.nodes[v].get("family") for v in graph):
            family = net.ei_index(ties, "family")
            out["ei_family"] = {
                "index": _number(family.index),
                "expected": _number(family.expected),
                "groups": [
                    {"group": str(group), "index": _number(value)}
                    for group, value in family.groups.items()
                ],
            }
        out["assortativity"] = _number(sector_assortativity(ties))
        blocks = net.block_densities(ties)
        out["blocks"] = {
            "sectors": [str(s) for s in blocks.index],
            "density": [[_number(v) for v in row] for row in blocks.to_numpy()],
        }
        by_sector = sector_scores(graph)
        if not admin:
            by_sector = suppress_scores(by_sector, k=min_raters)
        out["sector_scores"] = json_records(by_sector.reset_index())
        roles = net.brokerage(graph)  # both leave out reports of no tie (level 0)
        table = table.join(roles)
    else:
        out["ei"] = out["ei_family"] = out["assortativity"] = out["blocks"] = None
        out["sector_scores"] = []
    burt = net.constraint_and_effective_size(ties)
    table["ei"] = pd.Series(ei.nodes, dtype=float) if ei is not None else None
    table = table.join(burt).join(scores)
    table.insert(0, "name", [graph.nodes[v].get("name", v) for v in table.index])
    table.insert(1, "sector", [graph.nodes[v].get("sector") for v in table.index])
    table.insert(2, "kind", [graph.nodes[v].get("kind", "organisation") for v in table.index])
    table.insert(3, "responded", [bool(graph.nodes[v].get("responded")) for v in table.index])
    if not admin:
        # how many partners one respondent named is that respondent's own answer
        table = table.drop(columns=["in_degree", "out_degree"])
    table.index.name = "partner"
    out["partners_table"] = json_records(table.reset_index())
    return out


def measure_file(
    path: Path,
    *,
    round_: str | None = None,
    min_raters: int = DEFAULT_MIN_RATERS,
    admin: bool = True,
    repeats: str = "refuse",
) -> dict[str, Any]:
    """The measures of a relationship file (edge list, GraphML, GEXF), without a workspace.

    The file's reader is its owner, so every score is shown unless ``admin`` is false.
    ``repeats`` as for :func:`~mobilise.formats.partner_files.read_relationships`."""
    data = read_relationships(path, repeats=repeats)
    graph = partnership_graph(data, round=round_)
    out = measure_graph(graph, min_raters=min_raters, admin=admin)
    out["round"] = {"name": graph.graph.get("round"), "file": data.name}
    out["left_out"] = list(data.left_out)
    return out


class NetworkService:
    """Partnership-network measures for stored rounds and for relationship files."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    def graph(self, round_: str) -> nx.DiGraph:
        """A round's graph: roster partners as nodes, submitted answers as directed reports."""
        surveys = self._ws.surveys
        info = surveys.get_round(round_)
        roster = set(surveys.roster(info.id))
        partners = {p.id: p for p in self._ws.partners.list() if p.id in roster}
        submitted = {r["respondent_id"] for r in surveys.responses(info.id)}
        graph = nx.DiGraph(round=info.name, date=info.date.isoformat())
        for pid, partner in partners.items():
            graph.add_node(
                pid,
                name=partner.name,
                sector=partner.sector,
                family=SECTOR_BY_CODE[partner.sector].family
                if partner.sector in SECTOR_BY_CODE
                else "",
                kind=partner.kind,
                responded=pid in submitted,
            )
        for answer in surveys.answers(info.id):
            u, v = answer["respondent_id"], answer["partner_id"]
            if u not in partners or v not in partners:
                continue
            level = answer["level"]
            if answer["works_together"] is False:
                level = 0
            attrs = {k: answer[k] for k in ("frequency", *SCORE_ITEMS)}
            value, trust = score_means(attrs)
            graph.add_edge(u, v, level=level, value=value, trust=trust, **attrs)
        return graph

    def metrics(self, round_: str, *, admin: bool = False) -> dict[str, Any]:
        """Every measure of a round (disclosure-controlled unless ``admin``)."""
        info = self._ws.surveys.get_round(round_)
        out = self._measured(info.id, admin=admin, permutations=PERMUTATIONS)
        out["round"] = info.to_dict()
        out["partnership"] = self._partnership_answers(
            info.id, hidden=not admin and info.submitted < info.min_raters
        )
        return out

    def _measured(self, round_id: str, *, admin: bool, permutations: int) -> dict[str, Any]:
        """measure_graph of a round, kept until its answers, roster or partners change."""
        info = self._ws.surveys.get_round(round_id)
        key = (self._ws.url, round_id, admin, permutations, info.min_raters, self._stamp(round_id))
        with _CACHE_LOCK:
            found = _CACHE.get(key)
        if found is None:
            found = measure_graph(
                self.graph(round_id),
                min_raters=info.min_raters,
                admin=admin,
                permutations=permutations,
            )
            with _CACHE_LOCK:
                _CACHE[key] = found
                while len(_CACHE) > 64:
                    _CACHE.pop(next(iter(_CACHE)))
        return copy.deepcopy(found)

    def _stamp(self, round_id: str) -> tuple[Any, ...]:
        """What a round's measures depend on: its answers, responses, roster and partners."""
        with self._ws.read() as connection:
            stamps = []
            for table, scoped in (
                (survey_answers, True),
                (survey_responses, True),
                (round_roster, True),
                (partners_table, False),
            ):
                query = select(func.count(), func.max(table.c.updated_at))
                if scoped:
                    query = query.where(table.c.round_id == round_id)
                stamps.append(tuple(connection.execute(query).one()))
        return tuple(stamps)

    def drawing(self, round_: str | None) -> dict[str, Any]:
        """Nodes and pair ties of a round for the network drawing and the map (no one's
        answers); with no round, the partners without ties."""
        partners = {p.id: p for p in self._ws.partners.list()}
        if round_ is None:
            nodes = [_drawn(partner, {}) for partner in partners.values()]
            return {"round": None, "nodes": nodes, "edges": []}
        info = self._ws.surveys.get_round(round_)
        graph = self.graph(info.id)
        ties = tie_graph(graph)
        # the centralities come with the round's (cached) measures, not computed again
        measured = self._measured(info.id, admin=False, permutations=0)["partners_table"]
        rows = {row["partner"]: row for row in measured}
        nodes = [
            _drawn(partners[pid], rows[pid], responded=bool(graph.nodes[pid]["responded"]))
            for pid in graph
        ]
        edges = []
        for u, v, data in ties.edges(data=True):
            a, b = sorted((u, v))
            mutual = (
                graph.has_edge(a, b)
                and graph.has_edge(b, a)
                and all(graph.edges[x, y].get("level") != 0 for x, y in ((a, b), (b, a)))
            )
            level = data.get("level")
            edges.append(
                {
                    "source": a,
                    "target": b,
                    "level": level,
                    "level_label": level_label(level),
                    "mutual": mutual,
                }
            )
        return {"round": graph.graph["round"], "nodes": nodes, "edges": edges}

    def change(self, round_a: str, round_b: str, *, admin: bool = False) -> dict[str, Any]:
        """What changed from round A to round B among the partners who answered both."""
        first = self._ws.surveys.get_round(round_a)
        second = self._ws.surveys.get_round(round_b)
        before, after = self.graph(first.id), self.graph(second.id)
        change = compare_rounds(before, after)
        names = {p.id: p.name for p in self._ws.partners.list()}
        out = change.summary()
        out["rounds"] = [first.to_dict(), second.to_dict()]
        out["joiners"] = [{"id": str(p), "name": names.get(str(p), str(p))} for p in change.joiners]
        out["leavers"] = [{"id": str(p), "name": names.get(str(p), str(p))} for p in change.leavers]
        out["matched"] = len(change.matched)
        out["transitions"] = {
            "levels": [str(c) for c in change.transitions.columns],
            "counts": change.transitions.to_numpy().tolist(),
        }
        fading = fading_ties(before, after)
        if admin:
            out["ties"] = json_records(change.ties)
            out["pair_change"] = json_records(change.pair_change)
        out["fading"] = self._fading(fading, names, admin=admin)
        min_raters = min(first.min_raters, second.min_raters)
        pair_change = change.pair_change
        ties = change.ties
        for score in ("trust", "value"):
            changes = pair_change[f"{score}_change"].dropna() if len(pair_change) else pd.Series()
            # the mean change is shown when enough respondents (not pairs) stand behind it
            raters = (
                int(ties.loc[ties[f"{score}_change"].notna(), "respondent"].nunique())
                if len(ties)
                else 0
            )
            out[f"{score}_change_mean"] = (
                _number(changes.mean())
                if changes.size and (admin or raters >= min_raters)
                else None
            )
            out[f"{score}_change_raters"] = raters
        if not admin and len(change.matched) < min_raters:
            # with one or two matched respondents, kept/new/lost are their own answers
            for key in ("kept", "new", "lost", "jaccard", "jaccard_pairs"):
                out[key] = None
            out["transitions"] = {"levels": out["transitions"]["levels"], "counts": None}
            out["fading"] = []
            out["hidden_change"] = True
        before_scores, after_scores = network_scores(before), network_scores(after)
        if not admin:
            before_scores = suppress_summary(before_scores, k=min_raters)
            after_scores = suppress_summary(after_scores, k=min_raters)
        out["scores"] = {
            "before": {k: _number(v) for k, v in before_scores.items()},
            "after": {k: _number(v) for k, v in after_scores.items()},
        }
        out["measures"] = {
            "before": _headline(before),
            "after": _headline(after),
        }
        out["suppressed"] = not admin
        return out

    def introductions(self, round_: str, *, limit: int = 10) -> list[dict[str, Any]]:
        """Suggested introductions across sector gaps, each with its reason: only between
        partners who serve a place in common (or say nothing of their places)."""
        graph = self.graph(round_)
        found = suggest_introductions(graph, limit=limit * 5)
        partners = {p.id: p for p in self._ws.partners.list()}
        place_names = self._ws.places.names()
        rows = []
        for row in json_records(found):
            a, b = partners[row["a"]], partners[row["b"]]
            shared = sorted(set(a.places) & set(b.places))
            if a.places and b.places and not shared:
                continue
            row["a_name"], row["b_name"] = a.name, b.name
            row["introducers"] = [
                {"id": p, "name": partners[p].name if p in partners else p}
                for p in row.get("introducers") or []
            ]
            if shared:
                row["reason"] += (
                    " Both serve " + " and ".join(place_names.get(s, s) for s in shared) + "."
                )
            rows.append(row)
            if len(rows) == limit:
                break
        return rows

    def profile(
        self, partner: str, round_: str | None = None, *, admin: bool = False
    ) -> dict[str, Any]:
        """A partner's place in the network, round by round (disclosure-controlled)."""
        info = self._ws.partners.get(partner)
        rounds = self._ws.surveys.rounds()
        history = []
        for r in rounds:
            graph = self.graph(r.id)
            if info.id not in graph:
                continue
            metrics = self._measured(r.id, admin=admin, permutations=0)
            row = next(p for p in metrics["partners_table"] if p["partner"] == info.id)
            ties = tie_graph(graph)
            row["round"] = r.name
            row["date"] = r.date.isoformat()
            row["ties"] = [
                {
                    "id": other,
                    "name": graph.nodes[other].get("name"),
                    "sector": graph.nodes[other].get("sector"),
                    "level_label": level_label(ties.edges[info.id, other].get("level")),
                }
                for other in sorted(ties[info.id], key=lambda o: graph.nodes[o].get("name", o))
            ]
            history.append(row)
        if round_ is not None:
            wanted = self._ws.surveys.get_round(round_).name
            history = [h for h in history if h["round"] == wanted] or history
        shown = info.to_dict()
        if info.kind == "individual" and not admin:
            shown.update(postcode="", latitude=None, longitude=None)
        return {"partner": shown, "rounds": history, "suppressed": not admin}

    def _partnership_answers(self, round_id: str, *, hidden: bool = False) -> dict[str, Any]:
        """Tallies of what partners bring and what the partnership achieved; ``hidden`` (fewer
        responses than the round's threshold, for non-admins): no counts, they would be one or
        two partners' own answers."""
        responses = [] if hidden else self._ws.surveys.responses(round_id)
        count = len(responses)

        def tally(field: str, vocabulary: tuple[tuple[str, str], ...]) -> list[dict[str, Any]]:
            return [
                {
                    "code": code,
                    "label": label,
                    "count": sum(code in r[field] for r in responses),
                    "share": (sum(code in r[field] for r in responses) / count) if count else None,
                }
                for code, label in vocabulary
            ]

        return {
            "responses": count,
            "hidden": hidden,
            "contributions": tally("contributions", CONTRIBUTIONS),
            "achievements": tally("achievements", ACHIEVEMENTS),
        }

    def _fading(
        self, fading: pd.DataFrame, names: Mapping[str, str], *, admin: bool
    ) -> list[dict[str, Any]]:
        """Fading ties: per report for admins; for others, per pair with level reasons only."""
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        for record in json_records(fading):
            if admin:
                record["respondent_name"] = names.get(record["respondent"], record["respondent"])
                record["partner_name"] = names.get(record["partner"], record["partner"])
                rows[(record["respondent"], record["partner"])] = record
                continue
            reasons = [r for r in record["reasons"] if r.startswith("level")]
            if not reasons:
                continue
            a, b = sorted((record["respondent"], record["partner"]))
            pair = rows.setdefault(
                (a, b),
                {
                    "a": a,
                    "b": b,
                    "a_name": names.get(a, a),
                    "b_name": names.get(b, b),
                    "reasons": [],
                },
            )
            if "the working relationship is less close than last round" not in pair["reasons"]:
                pair["reasons"].append("the working relationship is less close than last round")
        return list(rows.values())


def _drawn(partner: Partner, row: Mapping[str, Any], *, responded: bool = False) -> dict[str, Any]:
    """A partner as the drawing and the map show it."""
    sector = SECTOR_BY_CODE.get(partner.sector)
    hidden = partner.kind == "individual"  # a member's location may be their home: never shown
    return {
        "id": partner.id,
        "name": partner.name,
        "sector": partner.sector,
        "sector_label": sector.label if sector else partner.sector,
        "colour": sector.colour if sector else "#999999",
        "kind": partner.kind,
        "responded": responded,
        "latitude": None if hidden else partner.latitude,
        "longitude": None if hidden else partner.longitude,
        **{
            k: _number(row.get(k))
            for k in ("degree", "betweenness", "closeness", "eigenvector", "k_core")
        },
    }


def _headline(graph: nx.DiGraph) -> dict[str, Any]:
    ties = tie_graph(graph)
    out = {
        "partners": graph.number_of_nodes(),
        "ties": ties.number_of_edges(),
        "density": _number(net.density(ties)),
        "centralisation": _number(net.freeman_centralisation(ties)) if len(ties) > 2 else None,
    }
    if len(ties) and all(graph.nodes[v].get("sector") for v in graph):
        out["ei"] = _number(net.ei_index(ties).index)
    return out
