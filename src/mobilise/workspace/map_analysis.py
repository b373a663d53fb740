"""Analyses and files of systems maps, for a stored map or a map file alike.

The CLI's ``mobilise maps loops|paths|centrality|scenario`` take either; the web app's side panel
asks for a stored map's :meth:`MapAnalysisService.summary`.
"""

from __future__ import annotations

import builtins
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd

from mobilise.analysis import fcm, map_compare, systems
from mobilise.analysis._checks import json_records
from mobilise.errors import Problem, ValidationError
from mobilise.formats.map_formats import MAP_FORMATS, read_map, write_map
from mobilise.model.causal_map import CausalMap, Factor, Link

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["MapAnalysisService"]

MapSource = str | Path | CausalMap  # a stored map's id, a map file, or a map in memory


class MapAnalysisService:
    """Loops, submaps, paths, centrality and scenarios of maps; reading and writing map files."""

    def __init__(self, workspace: Workspace | None) -> None:
        self._ws = workspace  # None: map files and maps in memory only

    # -- the map --------------------------------------------------------------------------------
    def causal_map(self, source: MapSource, *, format: str | None = None) -> CausalMap:
        """A stored map (its id, as text), a map file (a :class:`~pathlib.Path`), or the map
        given. Text is only ever an id: what reaches here from the web never opens a file."""
        if isinstance(source, CausalMap):
            return source
        if isinstance(source, Path):
            path = source
            if not path.is_file():
                raise ValidationError(
                    f"No map file {path}.", problems=[Problem("no such file", file=str(path))]
                )
            return read_map(path.read_bytes(), name=path.name, format=format)
        return self._workspace().maps.to_causal_map(str(source))

    def import_file(
        self,
        path: Path,
        *,
        format: str | None = None,
        place: str | None = None,
        title: str | None = None,
        stakeholder_group: str = "",
    ) -> Any:
        """Store a map file as a new map (all or nothing)."""
        causal_map = self.causal_map(Path(path), format=format)
        return self._workspace().maps.import_map(
            causal_map, place=place, title=title, stakeholder_group=stakeholder_group
        )

    def import_bytes(
        self, data: bytes, *, name: str, format: str | None = None, place: str | None = None
    ) -> Any:
        causal_map = read_map(data, name=name, format=format)
        return self._workspace().maps.import_map(causal_map, place=place)

    def export(self, source: MapSource, format: str) -> tuple[bytes, str, str]:
        """The map as a file: its bytes, a file name and a media type."""
        causal_map = self.causal_map(source)
        data = write_map(causal_map, format)
        found = MAP_FORMATS[format]
        stem = "".join(
            c if c.isascii() and (c.isalnum() or c in "-_") else "-"
            for c in causal_map.title.lower()
        )
        stem = "-".join(part for part in stem.split("-") if part)[:80]
        return data, (stem or "map") + found.suffix, found.media_type

    # -- analyses -------------------------------------------------------------------------------
    def summary(self, source: MapSource, **options: Any) -> dict[str, Any]:
        """Every analysis with cheap defaults (loops time-boxed), as plain JSON."""
        return systems.summary(self._graph(source), **options)

    def loops(
        self,
        source: MapSource,
        *,
        max_length: int | None = None,
        max_loops: int = 10_000,
        time_budget_s: float = 2.0,
        through: builtins.list[str] | None = None,
        rank_by: str = "length",
    ) -> systems.LoopReport:
        graph = self._graph(source)
        return systems.feedback_loops(
            graph,
            max_length=max_length,
            max_loops=max_loops,
            time_budget_s=time_budget_s,
            through=self._factor_ids(graph, through) if through else None,
            rank_by=rank_by,
        )

    def submap(
        self, source: MapSource, focus: builtins.list[str], *, direction: str, steps: int | None
    ) -> dict[str, Any]:
        """The factors and links up or downstream of ``focus`` (ids or labels)."""
        graph = self._graph(source)
        found = systems.submap(
            graph, self._factor_ids(graph, focus), direction=direction, steps=steps
        )
        return {
            "factors": [str(n) for n in found.nodes],
            "links": [str(k) for _, _, k in found.edges(keys=True)],
            "steps": {str(n): d.get("steps_from_focus") for n, d in found.nodes(data=True)},
        }

    def paths(self, source: MapSource, **options: Any) -> dict[str, Any]:
        """Paths from interventions to outcomes, their effects and conflicts."""
        graph = self._graph(source)
        for key in ("sources", "targets"):
            if options.get(key):
                options[key] = self._factor_ids(graph, options[key])
        found = systems.intervention_paths(graph, **options)
        effects = systems.intervention_effects(found)
        return {
            "paths": found.to_dict(),
            "effects": json_records(effects),
            "conflicts": json_records(systems.conflicts(effects)),
        }

    def centrality(self, source: MapSource, *, weighted: bool = True) -> pd.DataFrame:
        return systems.centrality(self._graph(source), weighted=weighted)

    def scenario(self, source: MapSource, clamps: dict[str, float], **options: Any) -> pd.DataFrame:
        """A what-if scenario (fuzzy cognitive map): clamp factors (ids or labels) and compare
        the steady state with the baseline."""
        graph = self._graph(source)
        ids = self._factor_ids(graph, list(clamps))
        return fcm.scenario(graph, dict(zip(ids, clamps.values(), strict=True)), **options)

    def scenarios(self, source: MapSource) -> builtins.list[dict[str, Any]]:
        """The what-if scenarios saved with a map file (e.g. Mental Modeler's)."""
        causal_map = self.causal_map(source)
        return [{"name": s.name, "clamps": s.clamps} for s in causal_map.scenarios]

    # -- several groups' maps -------------------------------------------------------------------
    def compare(
        self,
        sources: builtins.list[MapSource],
        *,
        min_share: float = 0.5,
        synonyms: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """What several groups' maps share: matched factors (labels normalised), the consensus
        links (drawn by at least ``min_share`` of the groups, with who drew them and whether
        they agree on the sign) and, for two maps, their difference."""
        graphs = self._named_graphs(sources)
        matched = map_compare.match_factors(graphs, synonyms=synonyms)
        agreed = map_compare.consensus(graphs, min_share=min_share, synonyms=synonyms)
        found: dict[str, Any] = {
            "groups": list(graphs),
            "min_share": min_share,
            "factors": json_records(matched),
            "consensus": {
                "factors": [
                    {"key": str(n), "label": d.get("label", ""), "groups": d.get("groups", [])}
                    for n, d in agreed.nodes(data=True)
                ],
                "links": [
                    {
                        "source": str(a),
                        "target": str(b),
                        "source_label": agreed.nodes[a].get("label", ""),
                        "target_label": agreed.nodes[b].get("label", ""),
                        **{
                            k: d[k]
                            for k in (
                                "polarity",
                                "contested",
                                "groups",
                                "share",
                                "positive",
                                "negative",
                                "unknown",
                            )
                        },
                    }
                    for a, b, d in agreed.edges(data=True)
                ],
            },
        }
        if len(graphs) == 2:
            first, second = graphs.values()
            found["difference"] = map_compare.difference(first, second, synonyms=synonyms).to_dict()
        return found

    def merge(
        self,
        sources: builtins.list[MapSource],
        *,
        title: str,
        place: str | None = None,
        synonyms: dict[str, str] | None = None,
    ) -> Any:
        """Store one map with every factor and link of the groups' maps, factors matched by
        label, each link attributed to its group."""
        graphs = self._named_graphs(sources)
        merged = map_compare.merge(graphs, synonyms=synonyms)
        factors = [
            Factor(
                id=str(node),
                label=str(data.get("label") or node),
                kind=str(data.get("kind") or "other"),
                attributes={"groups": list(data.get("groups", []))},
            )
            for node, data in merged.nodes(data=True)
        ]
        links = [
            Link(
                id=str(key),
                source=str(a),
                target=str(b),
                polarity=str(data.get("polarity", "?")),
                strength=data.get("strength"),
                delay=bool(data.get("delay")),
                confidence=data.get("confidence"),
                stakeholder_group=str(data.get("stakeholder_group", "")),
                contested=bool(data.get("contested")),
                label=str(data.get("label") or ""),
            )
            for a, b, key, data in merged.edges(keys=True, data=True)
        ]
        combined = CausalMap(title=title, factors=factors, links=links, source=title)
        return self._workspace().maps.import_map(combined, place=place)

    def contributions(self, source: MapSource) -> builtins.list[dict[str, Any]]:
        """How much of a map each stakeholder group contributed (links by their group,
        factors by the group of whoever added them)."""
        frame = map_compare.contribution_shares(self._graph(source))
        return json_records(frame.reset_index())

    # -- helpers --------------------------------------------------------------------------------
    def _workspace(self) -> Workspace:
        if self._ws is None:
            raise ValidationError("Open a workspace to use stored maps (or name a map file).")
        return self._ws

    def _named_graphs(self, sources: builtins.list[MapSource]) -> dict[str, nx.MultiDiGraph]:
        """Each map's graph by a name for its group: a file's name, or a stored map's title
        (made unique)."""
        if len(sources) < 2:
            raise ValidationError(
                "Name at least two maps to compare.",
                problems=[Problem("name at least two maps", field="map")],
            )
        graphs: dict[str, nx.MultiDiGraph] = {}
        for source in sources:
            causal_map = self.causal_map(source)
            name = source.stem if isinstance(source, Path) else (causal_map.title or str(source))
            while name in graphs:
                name += " (again)"
            graphs[name] = causal_map.to_graph()
        return graphs

    def _graph(self, source: MapSource) -> nx.MultiDiGraph:
        return self.causal_map(source).to_graph()

    @staticmethod
    def _factor_ids(graph: nx.MultiDiGraph, names: builtins.list[str]) -> builtins.list[str]:
        """Factor ids from ids or labels (a label must name one factor)."""
        by_label: dict[str, builtins.list[str]] = {}
        for node, data in graph.nodes(data=True):
            by_label.setdefault(str(data.get("label", "")).strip().casefold(), []).append(node)
        found, problems = [], []
        for name in names:
            if name in graph:
                found.append(name)
                continue
            matches = by_label.get(str(name).strip().casefold(), [])
            if len(matches) == 1:
                found.append(matches[0])
            elif matches:
                problems.append(
                    Problem(f"{name!r} names {len(matches)} factors; use one's id", field="factor")
                )
            else:
                problems.append(Problem(f"no factor {name!r} in the map", field="factor"))
        if problems:
            raise ValidationError(
                f"Cannot find the factors: {len(problems)} problems."
                if len(problems) > 1
                else f"Cannot find the factor: {problems[0].message}.",
                problems=problems,
            )
        return found
