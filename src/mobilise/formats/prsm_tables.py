"""PRSM's Excel workbook (sheets Factors and Links) and CSV (one link a row); see
:mod:`mobilise.formats.prsm` for how PRSM maps are read and written."""

from __future__ import annotations

import csv
import io
import re
from pathlib import PurePath
from typing import Any

from mobilise.errors import Problem
from mobilise.formats._limits import check_rows
from mobilise.formats._map_files import (
    _decode_csv,
    _unique,
    as_dict,
    as_number,
    link_extras,
    link_fields,
    many,
    missing_sheet_column,
    note_text,
    one_line,
    plain_attributes,
    raise_if,
    read_workbook,
    sheet_columns,
    sheet_records,
    split_extras,
    text_or_none,
    unique_labels,
    unreadable,
    workbook_bytes,
)
from mobilise.formats.prsm import (
    _DEFAULT_GROUP_LABELS,
    _FACTOR_EXTRAS,
    _STYLE_SLOTS,
    _assign_factor_styles,
    _assign_link_styles,
    _factor_attribute_values,
    _kept_styles,
    style_polarity,
)
from mobilise.formats.safe_cells import csv_writer, unguard
from mobilise.model.causal_map import (
    FACTOR_KINDS,
    CausalMap,
    Factor,
    Link,
)
from mobilise.settings import Limits

__all__ = ["read_prsm_csv", "read_prsm_xlsx", "write_prsm_csv", "write_prsm_xlsx"]

# Who made or changed a factor or link, in PRSM's workbooks: not attributes, and not kept.
_PRSM_METADATA = ("creator", "createdtime", "modifier", "modifiedtime")


# -- Excel -----------------------------------------------------------------------------------


def read_prsm_xlsx(
    data: bytes, *, name: str = "map.xlsx", limits: Limits | None = None
) -> CausalMap:
    """Read a PRSM Excel workbook: sheets ``Factors`` (Label, ...) and ``Links`` (From, To, ...).

    Links name factors by label; when labels repeat, a link goes to the first factor with the
    label, as in PRSM. Factor ids are the labels (made unique).

    Raises
    ------
    mobilise.errors.ValidationError
        When the workbook cannot be read, a sheet or column is missing, or a link names a
        factor that is not in the Factors sheet.
    mobilise.errors.ConfigurationError
        When openpyxl is not installed (``pip install 'mobilise[xlsx]'``).
    """
    sheets = read_workbook(data, name, limits=limits)
    problems: list[Problem] = []
    found = {title.casefold(): title for title in sheets}
    for wanted in ("Factors", "Links"):
        if wanted.casefold() not in found:
            problems.append(
                Problem(
                    f"there is no sheet named {wanted!r}; a PRSM workbook has sheets Factors and "
                    f"Links (sheets found: {', '.join(map(repr, sheets)) or 'none'})",
                    file=name,
                )
            )
    raise_if(problems, name)
    factor_rows = sheets[found["factors"]]
    link_rows = sheets[found["links"]]
    factors = _xlsx_factors(factor_rows, name, problems)
    raise_if(problems, name)
    by_label: dict[str, str] = {}
    for factor in factors:
        by_label.setdefault(factor.label, factor.id)
    links = _xlsx_links(link_rows, by_label, name, problems)
    raise_if(problems, name)
    return CausalMap(title=PurePath(name).stem, factors=factors, links=links, source=name).check()


def _xlsx_factors(rows: list[list[Any]], name: str, problems: list[Problem]) -> list[Factor]:
    header, records = sheet_records(rows)
    if "label" not in header:
        problems.append(missing_sheet_column(name, "Factors", "Label", header))
        return []
    factors: list[Factor] = []
    labels: list[str] = []
    for number, record in records:
        label = one_line(record.pop("label", None))
        if not label:
            problems.append(
                Problem(
                    "sheet Factors: this factor has no Label", file=name, row=number, field="Label"
                )
            )
            continue
        grp = _style_number(
            record.pop("style", None), "group", "sheet Factors: ", "Style", name, number, problems
        )
        group = one_line(record.pop("grouplabel", None))
        if group.casefold() in _DEFAULT_GROUP_LABELS:
            group = ""
        note = record.pop("note", None) or record.pop("description", None)
        record.pop("description", None)
        record.pop("id", None)  # PRSM gives factors new ids
        x, y = as_number(record.pop("x", None)), as_number(record.pop("y", None))
        raw: dict[str, Any] = {"grp": grp} if grp else {}
        if record.get("shape"):
            raw["shape"] = record.pop("shape")
        for key in _PRSM_METADATA:
            record.pop(key, None)
        extras, plain = split_extras(
            {header[k]: v for k, v in record.items() if v is not None and v != ""},
            _FACTOR_EXTRAS,
        )
        kind = str(extras.get("kind") or "other").strip().casefold()
        if kind not in FACTOR_KINDS:
            plain["Kind"] = extras.get("kind")
            kind = "other"
        labels.append(label)
        factors.append(
            Factor(
                id=label,
                label=label,
                kind=kind,
                description=note_text(note),
                group=one_line(extras.get("group")) or group,
                populations=many(extras.get("populations")),
                indicator_id=text_or_none(extras.get("indicator id")),
                asset_category=text_or_none(extras.get("asset category")),
                x=x,
                y=y,
                attributes={**plain, "prsm": raw},
            )
        )
    for factor, unique in zip(factors, _unique(labels), strict=True):
        factor.id = unique
    return factors


def _xlsx_links(
    rows: list[list[Any]], by_label: dict[str, str], name: str, problems: list[Problem]
) -> list[Link]:
    header, records = sheet_records(rows)
    absent = [column for column in ("From", "To") if column.casefold() not in header]
    if absent:
        problems.extend(missing_sheet_column(name, "Links", column, header) for column in absent)
        return []
    links: list[Link] = []
    for number, record in records:
        ends = []
        for column in ("From", "To"):
            label = one_line(record.pop(column.casefold(), None))
            if not label:
                problems.append(
                    Problem(
                        f"sheet Links: the {column} cell is blank",
                        file=name,
                        row=number,
                        field=column,
                    )
                )
            elif label not in by_label:
                problems.append(
                    Problem(
                        f"sheet Links: {column} {label!r} is not the Label of a factor in sheet "
                        "Factors",
                        file=name,
                        row=number,
                        field=column,
                    )
                )
            ends.append(by_label.get(label, ""))
        grp = _style_number(
            record.pop("style", None), "edge", "sheet Links: ", "Style", name, number, problems
        )
        label = one_line(record.pop("label", None))
        said = record.pop("grouplabel", None)
        if said is None or str(said).strip() == "":
            said = record.pop("polarity", None)
        polarity = style_polarity(said, label)
        note = record.pop("note", None) or record.pop("description", None)
        record.pop("description", None)
        record.pop("id", None)
        for key in _PRSM_METADATA:
            record.pop(key, None)
        values = {header[k]: v for k, v in record.items() if v is not None and v != ""}
        fields, plain = link_fields(values, polarity)
        raw: dict[str, Any] = {"grp": grp} if grp else {}
        links.append(
            Link(
                id=f"link-{number}",
                source=ends[0],
                target=ends[1],
                polarity=polarity,
                evidence=note_text(note),
                label=label,
                attributes={**plain, "prsm": raw},
                **fields,
            )
        )
    return links


def _style_number(
    value: object,
    prefix: str,
    where: str,
    field: str,
    name: str,
    number: int,
    problems: list[Problem],
) -> str | None:
    """``groupN`` / ``edgeN`` for a PRSM style number 1-9 (``None`` when blank or bad)."""
    if value is None or str(value).strip() == "":
        return None
    style = as_number(value)
    if style is None or style != int(style) or not 1 <= style <= _STYLE_SLOTS:
        problems.append(
            Problem(
                f"{where}{field} must be a style number from 1 to {_STYLE_SLOTS} or blank "
                f"(found {value!r})",
                file=name,
                row=number,
                field=field,
            )
        )
        return None
    return f"{prefix}{int(style) - 1}"


def _style_cell(grp: str) -> int | None:
    """PRSM's style number (1-9) for ``groupN`` / ``edgeN``; blank for a style past the nine."""
    number = int(re.sub(r"\D", "", grp) or 0) + 1
    return number if number <= _STYLE_SLOTS else None


def write_prsm_xlsx(causal_map: CausalMap) -> bytes:
    """The map as a PRSM Excel workbook (sheets Factors and Links, links naming factors by
    label; repeated labels made unique)."""
    node_styles, edge_styles = _kept_styles(causal_map)
    factor_styles, overflow = _assign_factor_styles(causal_map.factors, node_styles)
    link_styles = _assign_link_styles(causal_map.links, edge_styles)
    labels = unique_labels(causal_map.factors)
    factor_rows: list[dict[str, Any]] = []
    for factor in causal_map.factors:
        row: dict[str, Any] = {
            "Label": labels[factor.id],
            "Style": _style_cell(factor_styles[factor.id]),
            "GroupLabel": factor.group,
            "Note": factor.description,
            "x": factor.x,
            "y": factor.y,
        }
        for title, value in _factor_attribute_values(factor, overflow).items():
            row.setdefault(title, value)
        factor_rows.append(row)
    link_rows: list[dict[str, Any]] = []
    for link, grp in zip(causal_map.links, link_styles, strict=True):
        row = {
            "From": labels.get(link.source, link.source),
            "To": labels.get(link.target, link.target),
            "Label": link.label,
            "Style": _style_cell(grp),
            "GroupLabel": one_line(as_dict(edge_styles.get(grp)).get("groupLabel")),
            "Note": link.evidence,
        }
        for key, value in link_extras(link).items():
            row[key[0].upper() + key[1:]] = value
        for key, value in plain_attributes(link.attributes).items():
            row.setdefault(key, "|".join(map(str, value)) if isinstance(value, list) else value)
        link_rows.append(row)
    return workbook_bytes(
        [
            (
                "Factors",
                sheet_columns(factor_rows, ["Label", "Style", "GroupLabel", "Note", "x", "y"]),
                factor_rows,
            ),
            (
                "Links",
                sheet_columns(link_rows, ["From", "To", "Label", "Style", "GroupLabel", "Note"]),
                link_rows,
            ),
        ]
    )


# -- CSV -------------------------------------------------------------------------------------


def read_prsm_csv(data: bytes, *, name: str = "map.csv", limits: Limits | None = None) -> CausalMap:
    """Read PRSM's CSV: one link a row, ``from,to,fromStyle,toStyle,linkStyle`` after a header.

    Factors are made from the labels (ids are the labels). A ``polarity`` column named in the
    header (as mobilise writes) gives each link's polarity; otherwise it is ``"?"``, since a
    style number alone says nothing of polarity.

    Raises
    ------
    mobilise.errors.ValidationError
        When the file is not text, a label is blank or a style is not a number from 1 to 9.
    """
    text = _decode_csv(data, name)
    try:
        # The ' mobilise's exports put before formula-like text comes off (formats.safe_cells).
        rows = [[unguard(cell) for cell in row] for row in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        raise unreadable(name, f"cannot parse the file as CSV: {exc}") from exc
    if not rows:
        raise unreadable(name, "the file is empty")
    check_rows(len(rows) - 1, name=name, limits=limits)
    header = [cell.strip().casefold() for cell in rows[0]]
    polarity_at = next((i for i, c in enumerate(header) if c in {"polarity", "sign"}), None)
    problems: list[Problem] = []
    factors: dict[str, Factor] = {}
    links: list[Link] = []
    for number, row in enumerate(rows[1:], start=1):
        if not any(cell.strip() for cell in row):
            continue
        cells = [*row, "", "", "", ""]
        ends = []
        for at, field in ((0, "from"), (1, "to")):
            label = one_line(cells[at])
            grp = _style_number(cells[at + 2], "group", "", f"{field}Style", name, number, problems)
            if not label:
                problems.append(
                    Problem(f"the {field!r} label is blank", file=name, row=number, field=field)
                )
            elif label not in factors:
                factors[label] = Factor(
                    id=label, label=label, attributes={"prsm": {"grp": grp or "group0"}}
                )
            ends.append(label)
        grp = _style_number(cells[4], "edge", "", "linkStyle", name, number, problems)
        said = cells[polarity_at] if polarity_at is not None and polarity_at < len(row) else ""
        links.append(
            Link(
                id=f"link-{number}",
                source=ends[0],
                target=ends[1],
                polarity=style_polarity(said),
                attributes={"prsm": {"grp": grp}} if grp else {},
            )
        )
    raise_if(problems, name)
    return CausalMap(
        title=PurePath(name).stem, factors=list(factors.values()), links=links, source=name
    ).check()


def write_prsm_csv(causal_map: CausalMap) -> bytes:
    """The map's links as PRSM CSV (``from,to,fromStyle,toStyle,linkStyle,polarity``; UTF-8).

    Factors without links are not in the file; repeated labels are made unique.
    """
    node_styles, edge_styles = _kept_styles(causal_map)
    factor_styles, _ = _assign_factor_styles(causal_map.factors, node_styles)
    link_styles = _assign_link_styles(causal_map.links, edge_styles)
    labels = unique_labels(causal_map.factors)
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(["from", "to", "fromStyle", "toStyle", "linkStyle", "polarity"])
    for link, grp in zip(causal_map.links, link_styles, strict=True):
        writer.writerow(
            [
                labels.get(link.source, link.source),
                labels.get(link.target, link.target),
                _style_cell(factor_styles.get(link.source, "group0")),
                _style_cell(factor_styles.get(link.target, "group0")),
                _style_cell(grp),
                link.polarity,
            ]
        )
    return out.getvalue().encode("utf-8")
