"""Partner lists and relationship data (who works with whom) in files: CSV/TSV, XLSX, GraphML, GEXF.

:func:`read_partners` reads a list of partners; :func:`read_relationships` reads an edge list or
a graph file of ties between partners; :func:`partnership_graph` turns one round of relationship
data into the partnership graph the analysis takes (:mod:`mobilise.analysis.network`), and
:func:`write_relationships` writes such a graph back out (GEXF for Gephi).

Every reader reports every problem at once, in one :class:`~mobilise.errors.ValidationError`
whose problems name the file, the row (1-based data row, the header is row 0; the edge or node
number in a graph file) and the field. Nothing is returned half-read.

Column names are matched without regard to case and have aliases (``from``/``source``/``ego``
for the respondent, ``to``/``target``/``alter`` for the partner, ``year``/``wave`` for the
round...; see ``_partner_columns``). Delimited files may use ``, ; tab |``, a BOM, CRLF.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import networkx as nx

from mobilise.errors import Problem
from mobilise.formats import _partner_columns as cols
from mobilise.formats._partner_graphs import EDGE_FIELDS, GRAPH_ONLY, read_graph, write_graph
from mobilise.formats._partner_plain import plain_partners
from mobilise.formats._tables import PathLike, file_name, missing_column, raise_problems
from mobilise.model import partner_vocab
from mobilise.model.relationships import PartnerRow, RelationshipData, TieRow
from mobilise.settings import Limits

__all__ = [
    "partnership_graph",
    "read_partners",
    "read_relationships",
    "write_relationships",
]


# -- partners ----------------------------------------------------------------------------------


def read_partners(
    path: PathLike, *, default_sector: str | None = None, limits: Limits | None = None
) -> list[PartnerRow]:
    """Read a list of partners from a delimited file or an ``.xlsx`` workbook.

    Parameters
    ----------
    path
        The file. A workbook's sheet named ``partners`` or ``organisations`` is read, else its
        first sheet.
    default_sector
        The sector (code, label or alias) of partners whose sector cell is blank or who are in a
        file without a sector column. Without it such a partner is a problem.
    limits
        What the file may hold (rows, a workbook's inflated size); by default the settings'.

    Returns
    -------
    list[PartnerRow]
        The partners in file order. Columns: ``name`` (required; also ``organisation``,
        ``partner``, ``label``), ``id``, ``sector`` (also ``type``, ``category``), ``kind``,
        ``description``, ``places`` and ``populations`` (``;`` or ``|`` between items),
        ``postcode``, ``latitude``/``longitude`` (also ``lat``, ``lon``, ``lng``), ``url``,
        ``joined`` and ``left`` (dates). Other columns are ignored.

    Raises
    ------
    mobilise.errors.ValidationError
        Listing every problem: a missing name column, an unknown sector (with the valid labels),
        a bad date, coordinate or kind, a repeated key (naming both rows), an empty file.
    """
    table = cols.read_cells(path, sheets=cols.PARTNER_SHEETS, limits=limits)
    name = table.name
    problems: list[Problem] = []
    default = None
    if default_sector is not None:
        default = cols.sector(default_sector, Problem("", file=name), problems)
        problems = [Problem(p.message, field="default_sector") for p in problems]
    columns = {k: table.column(a) for k, a in cols.PARTNER_ALIASES.items()}
    if not problems and columns["name"] and table.rows:  # a file without a problem, at once
        plain = plain_partners(table, columns, default)
        if plain is not None:
            return plain
    records = table.records()
    if columns["name"] is None:
        hint = "the partner's name is required (also accepted: organisation, partner, label)"
        problems.append(missing_column(name, "name", records.columns, hint=hint))
    elif not records.rows:
        problems.append(Problem("the file has no partners", file=name))
    partners: list[PartnerRow] = []
    first_row: dict[str, int] = {}
    for row, record in records.rows if columns["name"] else []:
        partner = _partner(record, columns, default, Problem("", file=name, row=row), problems)
        if partner is None:
            continue
        if partner.key in first_row:
            problems.append(
                Problem(
                    f"partner {partner.key!r} appears again (first at row "
                    f"{first_row[partner.key]}, again at row {row}); keep one row per partner",
                    file=name,
                    row=row,
                    field="id" if columns["id"] else "name",
                )
            )
        first_row.setdefault(partner.key, row)
        partners.append(partner)
    raise_problems(problems, what=f"File {name}")
    return partners


def _partner(
    record: dict[str, str],
    columns: dict[str, str | None],
    default: str | None,
    at: Problem,
    problems: list[Problem],
) -> PartnerRow | None:
    def cell(key: str) -> str:
        column = columns[key]
        return record.get(column, "") if column else ""

    def where(key: str) -> Problem:
        return Problem("", file=at.file, row=at.row, field=columns[key] or key)

    name = cell("name")
    if not name:
        problems.append(cols.problem_at(where("name"), "the partner's name is blank"))
        return None
    sector = cols.sector(cell("sector"), where("sector"), problems) if cell("sector") else default
    if sector is None and not cell("sector"):
        problems.append(
            cols.problem_at(where("sector"), "no sector; fill it in or give a default sector")
        )
    latitude = cols.number(cell("latitude"), where("latitude"), problems, low=-90, high=90)
    longitude = cols.number(cell("longitude"), where("longitude"), problems, low=-180, high=180)
    both = cell("latitude") and cell("longitude")  # when both are given, a bad one is reported
    if (latitude is None) != (longitude is None) and not both:
        problems.append(
            cols.problem_at(where("longitude"), "give both latitude and longitude, or none")
        )
    joined = cols.date(cell("joined"), where("joined"), problems)
    left = cols.date(cell("left"), where("left"), problems)
    if joined and left and left < joined:
        problems.append(
            cols.problem_at(where("left"), f"left ({left}) is before joined ({joined})")
        )
    return PartnerRow(
        key=cell("id") or name,
        name=name,
        sector=sector,
        kind=cols.kind(cell("kind"), where("kind"), problems),
        description=cell("description") or None,
        places=cols.many(cell("places")),
        populations=cols.many(cell("populations")),
        postcode=cell("postcode") or None,
        latitude=latitude,
        longitude=longitude,
        url=cell("url") or None,
        joined=joined,
        left=left,
        row=at.row,
    )


# -- relationships -----------------------------------------------------------------------------


REPEATS = ("refuse", "first", "last")


def read_relationships(
    path: PathLike,
    *,
    round: str | None = None,
    repeats: str = "refuse",
    limits: Limits | None = None,
) -> RelationshipData:
    """Read ties between partners from an edge list (.csv, .tsv, .txt, .xlsx) or a graph file
    (.graphml, .gexf).

    Parameters
    ----------
    path
        The file; its suffix says its format. A workbook's sheet named ``ties``,
        ``relationships`` or ``edges`` is read, else its first sheet.
    round
        The survey round every tie belongs to, for a file without a round column (``round``,
        ``year`` or ``wave``). A file with its own rounds refuses a different one.
    repeats
        What to do when one respondent reports on one partner twice in a round: ``refuse``
        (the default: a problem naming both rows), or keep the ``first`` or the ``last`` row
        (the others are listed in ``left_out``).
    limits
        What the file may hold (rows, a workbook's inflated size, a graph file's nesting); by
        default the settings'.

    Returns
    -------
    RelationshipData
        Columns (or edge attributes): ``respondent`` and ``partner`` (required), ``round``,
        ``works_together`` (yes/no), ``level`` (0-3 or none/cooperative/coordinated/integrated),
        ``frequency``, the six items of ``partner_vocab.SCORE_ITEMS`` (1-4), ``value`` and
        ``trust`` (1-4; used when no items of that score are given, else the items' mean), and
        ``respondent_name``, ``partner_name``, ``respondent_sector``, ``partner_sector``,
        ``respondent_kind``, ``partner_kind``. Other columns are kept in ``attributes`` under their
        lower-case names. A graph file's ``round`` graph attribute is the default round. A "no"
        with no level is level 0; a row with neither is a tie of unknown level. An undirected
        graph file gives two ties per edge.

    Raises
    ------
    mobilise.errors.ValidationError
        Listing every problem: a missing column, a bad cell, a self-tie, a repeated
        (respondent, partner, round) naming both rows, items on a row that is not a tie, a
        damaged graph file.
    """
    name = file_name(path)
    problems: list[Problem] = []
    records, nodes, directed, round = _tie_records(path, round, problems, limits)
    columns = {k: records.column(a) for k, a in cols.TIE_ALIASES.items()}
    for required in ("respondent", "partner"):
        if columns[required] is None:
            aliases = ", ".join(cols.TIE_ALIASES[required][1:])
            hint = f"also accepted: {aliases}"
            problems.append(missing_column(name, required, records.columns, hint=hint))
    if columns["respondent"] and columns["partner"] and not records.rows and not nodes:
        problems.append(Problem("the file has no ties", file=name))
    ties: list[TieRow] = []
    left_out: list[str] = []
    named: dict[str, PartnerRow] = {p.key: p for p in nodes}
    if columns["respondent"] and columns["partner"]:
        ties, left_out = _ties(records, columns, round, repeats, named, problems)
    raise_problems(problems, what=f"File {name}")
    rounds = {t.round for t in ties if t.round is not None}
    return RelationshipData(
        partners=list(named.values()),
        ties=ties,
        rounds=tuple(sorted(rounds, key=cols.natural_key)),
        directed=directed,
        name=name,
        left_out=tuple(left_out),
    )


def _tie_records(
    path: PathLike, round: str | None, problems: list[Problem], limits: Limits | None
) -> tuple[cols.Records, list[PartnerRow], bool, str | None]:
    """The file's rows, its nodes (a graph file's), whether it is directed, and the round
    (``round``, else a graph file's ``round`` attribute)."""
    suffix = Path(os.fspath(path)).suffix.lower()
    if suffix in (".graphml", ".gexf"):
        records, nodes, directed, graph_round = read_graph(path, suffix, problems, limits)
        return records, nodes, directed, round if round is not None else graph_round
    return cols.read_records(path, sheets=cols.TIE_SHEETS, limits=limits), [], True, round


def _ties(
    records: cols.Records,
    columns: dict[str, str | None],
    round: str | None,
    repeats: str,
    named: dict[str, PartnerRow],
    problems: list[Problem],
) -> tuple[list[TieRow], list[str]]:
    """The ties of every good row (their partners added to ``named``) and, when ``repeats``
    keeps one row of a repeated pair, the rows left out, in words."""
    name = records.name
    if round is not None and columns["round"]:
        others = {r.get(columns["round"], "") for _, r in records.rows} - {"", round}
        if others:
            problems.append(
                Problem(
                    f"round {round!r} was given but the file's {columns['round']!r} column "
                    f"names {', '.join(sorted(others, key=cols.natural_key))}",
                    file=name,
                    field=columns["round"],
                )
            )
    known = set(columns.values()) | GRAPH_ONLY
    extra = frozenset(c for c in records.columns if c not in known)
    ties: list[TieRow] = []
    for row, record in records.rows:
        at = Problem("", file=name, row=row)
        tie = _tie(record, columns, extra, round, at, problems)
        if tie is not None:
            ties.append(tie)
            _name_partners(record, columns, tie, at, named, problems)
    if repeats not in REPEATS:
        problems.append(Problem(f"repeats must be one of {', '.join(REPEATS)}", file=name))
    elif repeats == "refuse":
        _check_repeats(ties, name, columns["partner"], problems)
    else:
        return _keep_one(ties, last=repeats == "last")
    return ties, []


def _tie(
    record: dict[str, str],
    columns: dict[str, str | None],
    extra: frozenset[str],
    round: str | None,
    at: Problem,
    problems: list[Problem],
) -> TieRow | None:
    def cell(key: str) -> str:
        column = columns[key]
        return record.get(column, "") if column else ""

    def where(key: str) -> Problem:
        return Problem("", file=at.file, row=at.row, field=columns[key] or key)

    before = len(problems)
    respondent, partner = cell("respondent"), cell("partner")
    for key, given in (("respondent", respondent), ("partner", partner)):
        if not given:
            problems.append(cols.problem_at(where(key), f"the {key} is blank"))
    if respondent and respondent == partner:
        problems.append(
            cols.problem_at(
                where("partner"), f"{respondent!r} names itself; a self-tie is not allowed"
            )
        )
    tie_round = cell("round") or round
    if columns["round"] and not tie_round:
        problems.append(cols.problem_at(where("round"), "the round is blank"))
    works = cols.flag(cell("works_together"), where("works_together"), problems)
    level = cols.level(cell("level"), where("level"), problems)
    if works is False and level is not None and level >= 1:
        problems.append(
            cols.problem_at(
                where("level"), f"level {level} on a row that says they do not work together"
            )
        )
    elif works is True and level == 0:
        problems.append(
            cols.problem_at(where("level"), "level 0 on a row that says they work together")
        )
    elif works is False:
        level = 0
    frequency = cols.frequency(cell("frequency"), where("frequency"), problems)
    items: dict[str, int] = {}
    for item in partner_vocab.SCORE_ITEMS:
        answer = cols.score(cell(item), where(item), problems)
        if answer is not None:
            items[item] = answer
    value = cols.number(cell("value"), where("value"), problems, low=1, high=4)
    trust = cols.number(cell("trust"), where("trust"), problems, low=1, high=4)
    if level == 0:
        scored = [k for k in (*items, "value", "trust") if k in items or cell(k)]
        if scored:
            problems.append(
                cols.problem_at(
                    where(scored[0]),
                    f"{', '.join(scored)} answered on a row where they do not work together",
                )
            )
    if len(problems) > before:
        return None
    answered_value, answered_trust = partner_vocab.score_means(items)
    return TieRow(
        respondent=respondent,
        partner=partner,
        round=tie_round,
        works_together=works,
        level=level,
        frequency=frequency,
        items=items,
        value=answered_value if answered_value is not None else value,
        trust=answered_trust if answered_trust is not None else trust,
        # the row's own cells: a graph file's ties each have few of its many columns
        attributes={c.casefold(): cols.attribute(v) for c, v in record.items() if v and c in extra},
        row=at.row,
    )


def _name_partners(
    record: dict[str, str],
    columns: dict[str, str | None],
    tie: TieRow,
    at: Problem,
    named: dict[str, PartnerRow],
    problems: list[Problem],
) -> None:
    """Add the tie's two partners to ``named``, with a name and sector when the row gives them."""
    for role, key in (("respondent", tie.respondent), ("partner", tie.partner)):
        if key in named:
            continue
        name_column, sector_column = columns[f"{role}_name"], columns[f"{role}_sector"]
        kind_column = columns[f"{role}_kind"]
        sector_cell = record.get(sector_column, "") if sector_column else ""
        kind_cell = record.get(kind_column, "") if kind_column else ""
        where = Problem("", file=at.file, row=at.row, field=sector_column)
        where_kind = Problem("", file=at.file, row=at.row, field=kind_column)
        named[key] = PartnerRow(
            key=key,
            name=(record.get(name_column, "") if name_column else "") or key,
            sector=cols.sector(sector_cell, where, problems),
            kind=cols.kind(kind_cell, where_kind, problems),
            row=at.row,
        )


def _check_repeats(
    ties: list[TieRow], name: str, column: str | None, problems: list[Problem]
) -> None:
    first: dict[tuple[str, str, str | None], int | None] = {}
    for tie in ties:
        pair = (tie.respondent, tie.partner, tie.round)
        if pair not in first:
            first[pair] = tie.row
            continue
        in_round = f" in round {tie.round}" if tie.round is not None else ""
        problems.append(
            Problem(
                f"{tie.respondent!r} -> {tie.partner!r}{in_round} appears again (first at row "
                f"{first[pair]}, again at row {tie.row}); keep one row per pair and round, "
                "or choose to keep the first or the last (repeats)",
                file=name,
                row=tie.row,
                field=column,
            )
        )


def _keep_one(ties: list[TieRow], *, last: bool) -> tuple[list[TieRow], list[str]]:
    """One tie per (respondent, partner, round): the first or the last row of each; the rows
    left out, in words."""
    chosen: dict[tuple[str, str, str | None], TieRow] = {}
    for tie in ties:
        pair = (tie.respondent, tie.partner, tie.round)
        if last or pair not in chosen:
            chosen[pair] = tie
    kept = {id(tie) for tie in chosen.values()}
    left_out = []
    for tie in ties:
        if id(tie) not in kept:
            other = chosen[(tie.respondent, tie.partner, tie.round)]
            in_round = f" in round {tie.round}" if tie.round is not None else ""
            left_out.append(
                f"row {tie.row}: {tie.respondent!r} -> {tie.partner!r}{in_round} repeats row "
                f"{other.row}; kept row {other.row}"
            )
    return [tie for tie in ties if id(tie) in kept], left_out


# -- the partnership graph ---------------------------------------------------------------------


def partnership_graph(data: RelationshipData, *, round: str | None = None) -> nx.DiGraph:
    """The partnership graph of one round of relationship data.

    Parameters
    ----------
    data
        Relationship data, e.g. from :func:`read_relationships`.
    round
        The round to build; required when the data holds more than one round.

    Returns
    -------
    networkx.DiGraph
        Nodes: every partner of ``data.partners`` (all partners of the file, whatever their
        round), with ``name``, ``kind``, ``responded`` (a respondent of at least one tie of the
        round) and, when known, ``sector`` and ``family``. Edges respondent -> partner with
        ``level``, ``frequency``, the six items, ``value`` and ``trust`` (None when not given)
        and the tie's other attributes (e.g. ``weight``). ``graph.graph["round"]`` is the round.

    Raises
    ------
    mobilise.errors.ValidationError
        When no round is given for data of several rounds, or the round is not in the data.
    """
    if round is None and len(data.rounds) > 1:
        message = f"the data holds {len(data.rounds)} rounds; choose one of " + ", ".join(
            data.rounds
        )
        raise_problems([Problem(message, file=data.name, field="round")], what="Partnership graph")
    if round is not None and data.rounds and round not in data.rounds:
        message = f"round {round!r} is not in the data; its rounds are " + ", ".join(data.rounds)
        raise_problems([Problem(message, file=data.name, field="round")], what="Partnership graph")
    chosen = round if round is not None else (data.rounds[0] if data.rounds else None)
    ties = [t for t in data.ties if chosen is None or t.round == chosen]
    graph = nx.DiGraph()
    if chosen is not None:
        graph.graph["round"] = chosen
    respondents = {t.respondent for t in ties}
    for partner in data.partners:
        attributes: dict[str, Any] = {"name": partner.name, "kind": partner.kind}
        if partner.sector is not None:
            attributes.update(
                sector=partner.sector, family=partner_vocab.SECTOR_BY_CODE[partner.sector].family
            )
        graph.add_node(partner.key, **attributes, responded=partner.key in respondents)
    for tie in ties:
        for key in (tie.respondent, tie.partner):
            if key not in graph:
                graph.add_node(key, name=key, kind="organisation", responded=key in respondents)
        edge: dict[str, Any] = {k: v for k, v in tie.attributes.items() if k not in EDGE_FIELDS}
        edge.update(level=tie.level, frequency=tie.frequency, value=tie.value, trust=tie.trust)
        edge.update({item: tie.items.get(item) for item in partner_vocab.SCORE_ITEMS})
        graph.add_edge(tie.respondent, tie.partner, **edge)
    return graph


def write_relationships(graph: nx.DiGraph, path: PathLike, *, format: str | None = None) -> None:
    """Write a partnership graph as an edge list (.csv), GraphML (.graphml) or GEXF (.gexf).

    Parameters
    ----------
    graph
        A partnership graph (see :func:`partnership_graph`).
    path
        Where to write. The CSV has the columns :func:`read_relationships` reads
        (``respondent``, ``partner``, their names and sectors, ``round`` when the graph has one,
        ``level``, ``frequency``, the six items, ``value``, ``trust``, then other edge
        attributes); partners without ties are not in it. GraphML and GEXF keep every node and
        leave out attributes that are None.
    format
        ``csv``, ``graphml`` or ``gexf``; by default the path's suffix says which.

    Raises
    ------
    mobilise.errors.ValidationError
        When the format is not one of .csv, .graphml, .gexf.
    """
    suffix = f".{format.lower().lstrip('.')}" if format else Path(os.fspath(path)).suffix.lower()
    if suffix == ".csv":
        Path(os.fspath(path)).write_text(
            cols.csv_text(graph, EDGE_FIELDS), encoding="utf-8", newline=""
        )
        return
    if suffix not in (".graphml", ".gexf"):
        message = f"cannot write {suffix or 'a file without a suffix'}; use .csv, .graphml or .gexf"
        raise_problems([Problem(message, file=file_name(path))], what="Writing relationships")
    write_graph(graph, path, graphml=suffix == ".graphml")
