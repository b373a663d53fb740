"""Every measure of one round's partnership graph, as plain JSON, with disclosure control; and
the same for a relationship file, without a workspace.

The analysis is :mod:`mobilise.analysis.network` and its siblings; this module runs all of it
for a round page in one call (:func:`measure_graph`), hides what the viewer may not see, and
turns numbers into JSON (NaN and infinities become None). :mod:`mobilise.workspace.network`
re-exports :func:`measure_graph` and :func:`measure_file`.
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import pandas as pd

from mobilise.analysis import network as net
from mobilise.analysis import network_structure as structure
from mobilise.analysis._checks import json_records
from mobilise.analysis.disclosure import suppress_scores, suppress_summary
from mobilise.analysis.network_scores import level_profile, network_scores, partner_scores
from mobilise.analysis.network_scores import sector_scores as scores_by_sector
from mobilise.model.partner_vocab import DEFAULT_MIN_RATERS
from mobilise.workspace._files import FileSource, reading_path

__all__ = ["PERMUTATIONS", "headline", "json_number", "measure_file", "measure_graph"]

PERMUTATIONS = 1000
"""Shuffles of the E-I permutation test on a round page."""


def json_number(value: Any) -> Any:
    """A number as plain JSON: numpy scalars as Python numbers, NaN and infinities as None."""
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
    """Every measure of one round's graph, as plain JSON.

    With ``admin`` false, scores from fewer than ``min_raters`` raters are hidden, and nothing
    says how many partners one respondent named. The E-I index is tested against
    ``permutations`` shuffles of the sectors (0: no test).
    """
    ties = structure.tie_graph(graph)
    cores = structure.k_cores(ties)
    out = _whole_network(graph, ties, cores)
    out.update(min_raters=min_raters, suppressed=not admin)
    # the structure is of the pairs: the undirected tie graph, built once
    table = structure.centrality(graph).join(cores)
    out.update(_structure(graph, ties, table, seed=seed))
    scores, summary = partner_scores(graph), network_scores(graph)
    if not admin:
        scores = suppress_scores(scores, k=min_raters)
        summary = suppress_summary(summary, k=min_raters)
    out["scores"] = {k: json_number(v) for k, v in summary.items()}
    out["levels"] = json_records(level_profile(graph, pairs=True).reset_index())
    has_sector = graph.number_of_nodes() > 0 and all(graph.nodes[v].get("sector") for v in graph)
    ei = net.ei_index(ties) if has_sector else None
    if ei is not None:
        out.update(_mixing(graph, ties, ei, seed=seed, permutations=permutations))
        by_sector = scores_by_sector(graph)
        if not admin:
            by_sector = suppress_scores(by_sector, k=min_raters)
        out["sector_scores"] = json_records(by_sector.reset_index())
        table = table.join(net.brokerage(graph))  # both leave out reports of no tie (level 0)
    else:
        out["ei"] = out["ei_family"] = out["assortativity"] = out["blocks"] = None
        out["sector_scores"] = []
    out["partners_table"] = _partners_table(graph, ties, table, ei, scores, admin=admin)
    return out


def _whole_network(graph: nx.DiGraph, ties: nx.Graph, cores: pd.Series) -> dict[str, Any]:
    n = graph.number_of_nodes()
    respondents = [v for v in graph if graph.nodes[v].get("responded")]
    rate = net.response_rate(list(graph.nodes), respondents)
    levelled = all(d.get("level") is not None for *_, d in ties.edges(data=True))
    return {
        "partners": n,
        "respondents": len(respondents),
        "response_rate": json_number(rate.rate),
        "ties": ties.number_of_edges(),
        "reports": sum(1 for *_, d in graph.edges(data=True) if d.get("level") != 0),
        "density": json_number(net.density(ties)),
        # valued only when every tie has a level (an edge list may give ties without one)
        "valued_density": json_number(net.density(ties, valued=True))
        if ties.number_of_edges() and levelled
        else None,
        "reciprocity": json_number(net.reciprocity(graph)) if graph.number_of_edges() else None,
        "centralisation": json_number(net.freeman_centralisation(ties)) if n > 2 else None,
        "k_max": int(max(cores.tolist(), default=0)),
    }


def _structure(
    graph: nx.DiGraph, ties: nx.Graph, table: pd.DataFrame, *, seed: int
) -> dict[str, Any]:
    """Core and periphery, and communities; each partner's community and core in ``table``."""
    n = graph.number_of_nodes()
    cp = structure.core_periphery(ties, seed=seed) if n > 2 else None
    parts = structure.communities(ties, seed=seed)
    table["community"] = parts.membership
    table["core"] = cp.core if cp is not None else False
    return {
        "core_periphery": {
            "fit": json_number(cp.fit),
            "core_size": int(cp.core.sum()),
            "core_density": json_number(cp.core_density),
            "periphery_density": json_number(cp.periphery_density),
            "between_density": json_number(cp.between_density),
        }
        if cp is not None
        else None,
        "communities": {
            "count": int(parts.membership.nunique()) if n else 0,
            "modularity": json_number(parts.modularity),
        },
    }


def _mixing(
    graph: nx.DiGraph, ties: nx.Graph, ei: net.EIIndex, *, seed: int, permutations: int
) -> dict[str, Any]:
    """How ties cross sectors: the E-I index and its test, across sectors and their families,
    assortativity and the block densities."""
    test = (
        net.ei_permutation_test(ties, permutations=permutations, seed=seed)
        if ties.number_of_edges() and permutations
        else None
    )
    index = _ei_json(ei)
    out: dict[str, Any] = {
        "ei": {
            "index": index["index"],
            "expected": index["expected"],
            "internal": ei.internal,
            "external": ei.external,
            "p_value": json_number(test.p_value) if test is not None else None,
            "permutations": permutations if test is not None else 0,
            "groups": index["groups"],
        }
    }
    # The same across the broader families of sectors (health, local authority, community,
    # culture and environment, academic, business, lived experience): with 13 sectors most
    # ties cross a sector line anyway, families show whether they cross worlds.
    families = all(graph.nodes[v].get("family") for v in graph)
    out["ei_family"] = _ei_json(net.ei_index(ties, "family")) if families else None
    out["assortativity"] = json_number(structure.sector_assortativity(ties))
    blocks = net.block_densities(ties)
    out["blocks"] = {
        "sectors": [str(s) for s in blocks.index],
        "density": [[json_number(v) for v in row] for row in blocks.to_numpy()],
    }
    return out


def _ei_json(ei: net.EIIndex) -> dict[str, Any]:
    return {
        "index": json_number(ei.index),
        "expected": json_number(ei.expected),
        "groups": [
            {"group": str(group), "index": json_number(value)} for group, value in ei.groups.items()
        ],
    }


def _partners_table(
    graph: nx.DiGraph,
    ties: nx.Graph,
    table: pd.DataFrame,
    ei: net.EIIndex | None,
    scores: pd.DataFrame,
    *,
    admin: bool,
) -> list[dict[str, Any]]:
    """One row per partner: who it is, its place in the network and its scores."""
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
    return json_records(table.reset_index())


def headline(graph: nx.DiGraph) -> dict[str, Any]:
    """The few measures a comparison of rounds shows for each: size, ties, density,
    centralisation and (with sectors) the E-I index."""
    ties = structure.tie_graph(graph)
    out = {
        "partners": graph.number_of_nodes(),
        "ties": ties.number_of_edges(),
        "density": json_number(net.density(ties)),
        "centralisation": json_number(net.freeman_centralisation(ties)) if len(ties) > 2 else None,
    }
    if len(ties) and all(graph.nodes[v].get("sector") for v in graph):
        out["ei"] = json_number(net.ei_index(ties).index)
    return out


def measure_file(
    source: FileSource,
    *,
    name: str | None = None,
    round_: str | None = None,
    min_raters: int = DEFAULT_MIN_RATERS,
    admin: bool = True,
    repeats: str = "refuse",
) -> dict[str, Any]:
    """The measures of a relationship file (edge list, GraphML, GEXF), without a workspace.

    ``source`` is the file's path, its bytes or a binary stream (``name`` names bytes and
    streams: messages name it and its suffix says the format). The file's reader is its owner,
    so every score is shown unless ``admin`` is false. ``round_`` chooses the round of a file
    of several; ``repeats`` as for
    :func:`~mobilise.formats.partner_files.read_relationships`. ``left_out`` lists the rows
    ``repeats`` left out."""
    from mobilise.formats.partner_files import partnership_graph, read_relationships

    with reading_path(source, name=name) as path:
        data = read_relationships(path, repeats=repeats)
    graph = partnership_graph(data, round=round_)
    out = measure_graph(graph, min_raters=min_raters, admin=admin)
    out["round"] = {"name": graph.graph.get("round"), "file": data.name}
    out["left_out"] = list(data.left_out)
    return out
