"""The partnership network of a survey round, measured; two rounds compared.

Disclosure control is applied here, where the viewer is known: a score (value, trust, and their
items) built from fewer raters than the round's ``min_raters`` is hidden unless ``admin`` is
true, and nothing returned for a non-admin names what one respondent answered — ties are shown
as pairs (tied when either side says so, at the higher level), never as who reported what;
trust and value changes between rounds only as suppressed aggregates.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd
from sqlalchemy import func, select

from mobilise.analysis._checks import json_records
from mobilise.analysis.disclosure import suppress_summary
from mobilise.analysis.network_change import (
    compare_rounds,
    fading_ties,
    level_label,
    suggest_introductions,
)
from mobilise.analysis.network_scores import network_scores
from mobilise.analysis.network_structure import tie_graph
from mobilise.errors import Problem, ValidationError
from mobilise.formats.partner_files import write_relationships
from mobilise.model.partner_vocab import (
    ACHIEVEMENTS,
    CONTRIBUTIONS,
    SCORE_ITEMS,
    SECTOR_BY_CODE,
    score_means,
)
from mobilise.store.tables import partners as partners_table
from mobilise.store.tables import round_roster, survey_answers, survey_responses
from mobilise.workspace._files import FileTarget, source_name, writing_path
from mobilise.workspace.network_measures import (
    PERMUTATIONS,
    headline,
    json_number,
    measure_file,
    measure_graph,
)

if TYPE_CHECKING:
    from mobilise.model.visibility import Viewer
    from mobilise.workspace.core import Workspace
    from mobilise.workspace.partners import Partner

__all__ = ["NetworkService", "RoundExport", "measure_file", "measure_graph"]

# Measures of a round by (workspace, round, viewer, options, data stamp): a page view does not
# recompute a network nobody has changed.
_CACHE: dict[tuple[Any, ...], dict[str, Any]] = {}
_CACHE_LOCK = threading.Lock()
_EXPORT_FORMATS = ("csv", "graphml", "gexf")


@dataclass(frozen=True)
class RoundExport:
    """What :meth:`NetworkService.export` wrote: the format and how many partners (nodes) and
    answers (directed reports) the file holds."""

    format: str
    partners: int
    answers: int

    def to_dict(self) -> dict[str, Any]:
        return {"format": self.format, "partners": self.partners, "answers": self.answers}


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

    def export(self, round_: str, target: FileTarget, *, format: str | None = None) -> RoundExport:
        """Write a round's answers as an edge list, GraphML or GEXF (for Gephi, UCINET...).

        The file holds individual answers: it is for the survey's administrators.

        Parameters
        ----------
        round_
            The round's name or id.
        target
            A path (replaced only once the whole file is written) or a binary stream.
        format
            ``csv``, ``graphml`` or ``gexf``; by default the one the target's suffix says.

        Raises
        ------
        mobilise.errors.ValidationError
            When the format is none of those (nothing is written).
        """
        file = source_name(target)
        chosen = (format or Path(file).suffix).lower().lstrip(".")
        if chosen not in _EXPORT_FORMATS:
            wanted = f".{chosen}" if chosen else "a file without a suffix"
            problem = Problem(f"cannot write {wanted}; use .csv, .graphml or .gexf", file=file)
            raise ValidationError("Cannot export the round.", problems=[problem])
        graph = self.graph(round_)
        with writing_path(target, name=file) as path:
            write_relationships(graph, path, format=chosen)
        return RoundExport(chosen, graph.number_of_nodes(), graph.number_of_edges())

    def metrics(
        self, round_: str, *, admin: bool = False, viewer: Viewer | None = None
    ) -> dict[str, Any]:
        """Every measure of a round (disclosure-controlled unless ``admin``; NotFound for a
        round ``viewer`` may not see)."""
        info = self._ws.surveys.get_round(round_, viewer=viewer)
        out = self._measured(info.id, admin=admin, permutations=PERMUTATIONS)
        out["round"] = info.to_dict()
        out["partnership"] = self._partnership_answers(
            info.id, hidden=not admin and info.submitted < info.min_raters
        )
        return out

    def shared_measures(self, token: str) -> dict[str, Any]:
        """What a round's share link shows anyone: its measures as a non-admin sees them
        (disclosure-controlled), aggregates only: no partner's row, no one's details."""
        info = self._ws.surveys.by_share_token(token)
        found = self.metrics(info.id, admin=False)
        found.pop("partners_table", None)
        shown = ("name", "date", "status", "description", "min_raters", "roster", "submitted")
        found["round"] = {k: v for k, v in info.to_dict().items() if k in shown}
        return found

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

    def drawing(self, round_: str | None, *, viewer: Viewer | None = None) -> dict[str, Any]:
        """Nodes and pair ties of a round for the network drawing and the map (no one's
        answers); with no round, the partners without ties."""
        partners = {p.id: p for p in self._ws.partners.list()}
        if round_ is None:
            nodes = [_drawn(partner, {}) for partner in partners.values()]
            return {"round": None, "nodes": nodes, "edges": []}
        info = self._ws.surveys.get_round(round_, viewer=viewer)
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

    def change(
        self, round_a: str, round_b: str, *, admin: bool = False, viewer: Viewer | None = None
    ) -> dict[str, Any]:
        """What changed from round A to round B among the partners who answered both."""
        first = self._ws.surveys.get_round(round_a, viewer=viewer)
        second = self._ws.surveys.get_round(round_b, viewer=viewer)
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
                json_number(changes.mean())
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
            "before": {k: json_number(v) for k, v in before_scores.items()},
            "after": {k: json_number(v) for k, v in after_scores.items()},
        }
        out["measures"] = {
            "before": headline(before),
            "after": headline(after),
        }
        out["suppressed"] = not admin
        return out

    def introductions(
        self, round_: str, *, limit: int = 10, viewer: Viewer | None = None
    ) -> list[dict[str, Any]]:
        """Suggested introductions across sector gaps, each with its reason: only between
        partners who serve a place in common (or say nothing of their places). A round no one
        has answered yet suggests none: there is nothing to suggest them from."""
        info = self._ws.surveys.get_round(round_, viewer=viewer)
        if info.submitted == 0:
            return []
        graph = self.graph(info.id)
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
        self,
        partner: str,
        round_: str | None = None,
        *,
        admin: bool = False,
        viewer: Viewer | None = None,
    ) -> dict[str, Any]:
        """A partner's place in the network, round by round (disclosure-controlled; only the
        rounds ``viewer`` may see, and only those with answers: a round no one has answered
        yet says nothing of anyone's place)."""
        info = self._ws.partners.get(partner)
        rounds = self._ws.surveys.rounds(viewer=viewer)
        history = []
        for r in rounds:
            if r.submitted == 0:
                continue
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
            wanted = self._ws.surveys.get_round(round_, viewer=viewer).name
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
            k: json_number(row.get(k))
            for k in ("degree", "betweenness", "closeness", "eigenvector", "k_core")
        },
    }
