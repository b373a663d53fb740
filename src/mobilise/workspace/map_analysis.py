"""Analyses and files of systems maps, for a stored map or a map file alike.

The CLI's ``mobilise maps loops|paths|centrality|scenario`` take either; the web app's side panel
asks for a stored map's :meth:`MapAnalysisService.summary`. Map files are read and written here,
through :mod:`mobilise.formats.map_formats`: :meth:`MapAnalysisService.import_file` takes a path,
the file's bytes or a stream, and :meth:`MapAnalysisService.export` writes to a path or a stream.
"""

from __future__ import annotations

import builtins
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd

from mobilise.analysis import fcm, map_compare, systems
from mobilise.analysis._checks import json_records
from mobilise.errors import Problem, ValidationError
from mobilise.formats import prsm
from mobilise.formats.map_formats import read_map, write_map
from mobilise.model.causal_map import CausalMap, Factor, Link
from mobilise.model.map_files import MAP_FILE_FORMATS, WRITABLE_MAP_FORMATS, map_format_to_write
from mobilise.workspace._files import FileSource, FileTarget, read_bytes, write_bytes

if TYPE_CHECKING:
    from mobilise.settings import Limits
    from mobilise.workspace.core import Workspace
    from mobilise.workspace.maps import MapInfo

__all__ = ["MapAnalysisService", "MapExport", "MapSource"]

MapSource = FileSource | CausalMap
"""A map to analyse: a stored map's id (text), a map file (a path, its bytes or a binary
stream), or a map in memory. Text is only ever an id: what reaches here from the web never opens
a file."""


@dataclass(frozen=True)
class MapExport:
    """What :meth:`MapAnalysisService.export` wrote: the format, a file name for the map (from
    its title), the media type and the size in bytes."""

    format: str
    label: str
    file_name: str
    media_type: str
    size: int
    warnings: tuple[str, ...] = ()  # what the target tool will change (a title it cuts)


class MapAnalysisService:
    """Loops, submaps, paths, centrality and scenarios of maps; reading and writing map files."""

    def __init__(self, workspace: Workspace | None) -> None:
        self._ws = workspace  # None: map files and maps in memory only

    def _limits(self) -> Limits:
        """What a map file may hold: the workspace's limits, else the settings'."""
        if self._ws is not None:
            return self._ws.limits
        from mobilise.settings import load_settings

        return load_settings().limits

    # -- the map --------------------------------------------------------------------------------
    def causal_map(
        self, source: MapSource, *, name: str | None = None, format: str | None = None
    ) -> CausalMap:
        """A stored map (its id, as text), a map file (a path, its bytes or a stream: ``name``
        names bytes and streams, ``format`` says the file's format when its name and content do
        not), or the map given."""
        if isinstance(source, CausalMap):
            return source
        if isinstance(source, str):
            return self._workspace().maps.to_causal_map(source)
        return _read(source, name=name, format=format, limits=self._limits())

    def import_file(
        self,
        source: FileSource,
        *,
        name: str | None = None,
        format: str | None = None,
        place: str | None = None,
        title: str | None = None,
        stakeholder_group: str = "",
    ) -> MapInfo:
        """Store a map file as a new map (all or nothing).

        Parameters
        ----------
        source
            The file: a path, its bytes, or a binary stream (a web upload).
        name
            The file's name, for bytes and streams: messages name it, and its suffix and
            content tell the format.
        format
            The file's format (one of :data:`~mobilise.model.map_files.MAP_FILE_FORMATS`), when
            its name and content do not tell.
        place, title, stakeholder_group
            The place the map is about (its slug), a title (default: the file's), and the
            stakeholder group whose map it is (for links that name none).

        Raises
        ------
        mobilise.errors.ValidationError
            Naming the file, and the row and field of every problem in it.
        """
        causal_map = _read(source, name=name, format=format, limits=self._limits())
        return self._workspace().maps.import_map(
            causal_map, place=place, title=title, stakeholder_group=stakeholder_group
        )

    def export(
        self,
        source: MapSource,
        target: FileTarget,
        *,
        format: str | None = None,
        compressed: bool = False,
    ) -> MapExport:
        """Write a map as a file for another tool.

        Parameters
        ----------
        source
            The map (see :data:`MapSource`).
        target
            A path (replaced only once the whole file is written) or a binary stream.
        format
            One of :data:`~mobilise.model.map_files.WRITABLE_MAP_FORMATS`; by default the one
            the target's suffix says (:func:`~mobilise.model.map_files.map_format_to_write`).
        compressed
            Write the compressed form the tool itself saves (``prsm`` only: lz-string, as
            PRSM 2 saves its files).
        """
        chosen = format or _format_to_write(target)
        if compressed and chosen != "prsm":
            raise ValidationError(
                f"Only a PRSM map can be written compressed, not {chosen!r}.",
                problems=[Problem("compressed is only for the prsm format", field="compressed")],
            )
        causal_map = self.causal_map(source)
        # all of it before anything is written
        data = (
            prsm.write_prsm(causal_map, compress=True)
            if compressed
            else write_map(causal_map, chosen)
        )
        found = MAP_FILE_FORMATS[chosen]
        file_name = _file_stem(causal_map.title) + found.suffix
        write_bytes(target, data, name=file_name)
        warnings = tuple(prsm.title_warnings(causal_map.title)) if chosen == "prsm" else ()
        return MapExport(chosen, found.label, file_name, found.media_type, len(data), warnings)

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
            if isinstance(source, os.PathLike):
                name = Path(source).stem
            else:
                name = causal_map.title or (source if isinstance(source, str) else "map")
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


def _file_name(source: FileSource, name: str | None) -> str:
    """The file's name as the user knows it (for messages and a map's title): ``name``, else
    the path's or stream's name, without its folder."""
    given = name or (
        os.fspath(source) if isinstance(source, str | os.PathLike) else getattr(source, "name", "")
    )
    return Path(str(given or "map").replace("\\", "/")).name or "map"


def _read(source: FileSource, *, name: str | None, format: str | None, limits: Limits) -> CausalMap:
    """A map file read in its format (named, or found from its name and content), held to
    ``limits``."""
    if isinstance(source, str | os.PathLike) and not Path(source).is_file():
        raise ValidationError(
            f"No map file {os.fspath(source)}.",
            problems=[Problem("no such file", file=os.fspath(source))],
        )
    file_name = _file_name(source, name)
    data = read_bytes(source, name=file_name, limits=limits)
    return read_map(data, name=file_name, format=format, limits=limits)


def _format_to_write(target: FileTarget) -> str:
    """The format a target's name says (a path's suffix, or a named stream's)."""
    given = (
        os.fspath(target) if isinstance(target, str | os.PathLike) else getattr(target, "name", "")
    )
    found = map_format_to_write(str(given or ""))
    if found is None:
        file_name = Path(str(given or "the map")).name
        raise ValidationError(
            f"Cannot tell which format to write {file_name} in; name one of "
            f"{', '.join(WRITABLE_MAP_FORMATS)}.",
            problems=[Problem("name the format", file=file_name or None, field="format")],
        )
    return found


def _file_stem(title: str) -> str:
    """A file name for a map from its title: ASCII letters, digits, ``-`` and ``_``."""
    stem = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in title.lower())
    return "-".join(part for part in stem.split("-") if part)[:80] or "map"
