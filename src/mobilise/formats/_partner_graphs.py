"""GraphML and GEXF files of relationships (private to ``partner_files``): read as rows of ties,
written from a partnership graph with only the attributes those formats can hold."""

from __future__ import annotations

import io
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import networkx as nx

from mobilise.errors import Problem, ValidationError
from mobilise.formats import _partner_columns as cols
from mobilise.formats._limits import check_rows
from mobilise.formats._tables import PathLike, file_name, xml_safe
from mobilise.model import partner_vocab
from mobilise.model.relationships import PartnerRow
from mobilise.settings import Limits

__all__ = ["EDGE_FIELDS", "GRAPH_ONLY", "read_graph", "write_graph"]

EDGE_FIELDS = ("level", "frequency", *partner_vocab.SCORE_ITEMS, "value", "trust")
GRAPH_ONLY = {"id", "label", "key"}  # edge attributes graph formats add themselves


# -- reading -------------------------------------------------------------------------------


def read_graph(
    path: PathLike, suffix: str, problems: list[Problem], limits: Limits | None = None
) -> tuple[cols.Records, list[PartnerRow], bool, str | None]:
    """A GraphML or GEXF file as rows of ties (numbered in file order), its nodes as partners,
    whether it is directed and its ``round`` graph attribute."""
    name = file_name(path)
    try:
        raw = Path(os.fspath(path)).read_bytes()
        order = cols.edge_order(raw, name, limits)
        if suffix == ".graphml":
            graph = nx.read_graphml(io.BytesIO(raw), force_multigraph=True)
        else:
            graph = nx.read_gexf(io.BytesIO(raw))
    except (
        OSError, ET.ParseError, nx.NetworkXError, ValueError, KeyError, TypeError, AttributeError
    ) as exc:  # fmt: skip
        kind = "GraphML" if suffix == ".graphml" else "GEXF"
        error = ValidationError.collect(
            [Problem(f"cannot read the file as {kind}: {exc}", file=name)], what=f"File {name}"
        )
        assert error is not None
        raise error from exc
    nodes = [
        _node(str(node), attributes, Problem("", file=name, row=number), problems)
        for number, (node, attributes) in enumerate(graph.nodes(data=True), start=1)
    ]
    rows: list[tuple[int, dict[str, str]]] = []
    spare = len(order)
    for source, target, attributes in graph.edges(data=True):
        numbers = order.get((str(source), str(target))) or order.get((str(target), str(source)))
        if numbers:
            number = numbers.popleft()
        else:
            spare += 1
            number = spare
        record = {k: cols.text(v) for k, v in attributes.items()}
        rows.append((number, {**record, "respondent": str(source), "partner": str(target)}))
        if not graph.is_directed():
            rows.append((number, {**record, "respondent": str(target), "partner": str(source)}))
    rows.sort(key=lambda r: r[0])
    check_rows(len(rows), name=name, limits=limits, what="ties")
    columns = dict.fromkeys(["respondent", "partner"])  # ordered, and linear to extend
    for _, record in rows:
        columns.update(dict.fromkeys(record))
    records = cols.Records(name=name, columns=tuple(columns), rows=rows)
    return records, nodes, graph.is_directed(), cols.text(graph.graph.get("round")) or None


def _node(key: str, attributes: dict[str, Any], at: Problem, problems: list[Problem]) -> PartnerRow:
    def where(name: str) -> Problem:
        return Problem("", file=at.file, row=at.row, field=name)

    name = cols.text(attributes.get("name")) or cols.text(attributes.get("label")) or key
    return PartnerRow(
        key=key,
        name=name,
        sector=cols.sector(cols.text(attributes.get("sector")), where("sector"), problems),
        kind=cols.kind(cols.text(attributes.get("kind")), where("kind"), problems),
        row=at.row,
    )


# -- writing ----------------------------------------------------------------------------------


def write_graph(graph: nx.DiGraph, path: PathLike, *, graphml: bool) -> None:
    """Write a partnership graph as GraphML (``graphml``) or else GEXF, leaving out attributes
    that are None or not plain values."""
    plain = nx.DiGraph() if graph.is_directed() else nx.Graph()
    plain.graph.update({k: v for k, v in graph.graph.items() if cols.plain(v)})
    for node, attributes in graph.nodes(data=True):
        kept = {k: v for k, v in attributes.items() if cols.plain(v)}
        if not graphml:
            kept.setdefault("label", str(attributes.get("name", node)))
        plain.add_node(str(node), **kept)
    for source, target, attributes in graph.edges(data=True):
        edge = cols.plain_edge(attributes)
        if cols.plain(graph.graph.get("round")):  # GEXF keeps no graph attributes
            edge.setdefault("round", str(graph.graph["round"]))
        plain.add_edge(str(source), str(target), **edge)
    buffer = io.BytesIO()
    if graphml:
        nx.write_graphml_xml(plain, buffer, encoding="utf-8")  # not lxml: see map_graphml
    else:
        nx.write_gexf(plain, buffer, encoding="utf-8")
    Path(os.fspath(path)).write_bytes(xml_safe(buffer.getvalue().decode("utf-8")).encode("utf-8"))
