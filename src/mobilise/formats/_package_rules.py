"""Our own rules for a project package, beyond its Table Schemas (private helpers of
:mod:`mobilise.formats.project_package`): nothing personal, small cells suppressed.

* **Nothing personal.** A column whose name says it holds people's details (e-mail, phone,
  postcode, address, name, date of birth) is refused, and so is any text cell that looks like
  an e-mail address, a UK phone number or a full postcode (a unit, which can point at a few
  households). Place names and area codes (``E01000001``) are not postcodes.
* **Small cells.** A count of people (``reach.count``, ``themes.contributors``) from 1 to k-1
  must be suppressed (empty, and in ``reach`` marked ``suppressed``); a suppressed cell must be
  empty. Within one ``reach`` dimension the groups add up to the people reached, which other
  dimensions show in full, so a dimension with exactly one suppressed cell gives it away: at least
  two must be suppressed (the secondary suppression of
  :mod:`mobilise.analysis._reach_disclosure`), and their hidden sum may not be worked out as
  below k either.
"""

from __future__ import annotations

import re

import pandas as pd

from mobilise.errors import Problem
from mobilise.model.methods_vocab import METHODS

__all__ = ["method_problems", "personal_column", "personal_problems", "small_cell_problems"]

_PERSONAL_NAMES = re.compile(
    r"(^|_)(e_?mail|phone|telephone|mobile|tel|postcode|post_code|zip|address|"
    r"first_?name|last_?name|surname|full_?name|forename|given_name|family_name|person|"
    r"participant|respondent|contact|dob|date_of_birth|birth_?date|nhs_?number|ip_?address)"
    r"($|_)"
)
_EMAIL = re.compile(r"[\w.+'-]{1,64}@[\w-]{1,63}(\.[\w-]{1,63})+")
_PHONE = re.compile(r"(?<![\w.])(\+44\s?|0)(\d[\s-]?){9,10}(?![\w.])")
_POSTCODE_UNIT = re.compile(
    r"\b(GIR\s?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE
)


def personal_column(name: str) -> str | None:
    """What a column named ``name`` would hold that is personal, or ``None``."""
    slug = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
    if slug == "name" or (slug.endswith("_name") and slug not in {"place_name", "group_name"}):
        return "people's names"
    found = _PERSONAL_NAMES.search(slug)
    return f"personal details ({found.group(2)})" if found else None


def _looks_personal(text: str) -> str | None:
    if _EMAIL.search(text):
        return "an e-mail address"
    if _PHONE.search(text):
        return "a phone number"
    if _POSTCODE_UNIT.search(text):
        return "a full postcode"
    return None


def personal_problems(resource: str, table: pd.DataFrame, text_columns: list[str]) -> list[Problem]:
    """A problem for each personal column name of ``table`` and each text cell that looks like
    an e-mail address, phone number or full postcode (rows numbered from 1, after the header)."""
    problems: list[Problem] = []
    for column in table.columns:
        what = personal_column(str(column))
        if what:
            problems.append(
                Problem(
                    f"this column would hold {what}; a package holds no personal data",
                    file=resource,
                    field=str(column),
                )
            )
    for column in text_columns:
        if column not in table.columns:
            continue
        for position, value in enumerate(table[column].tolist(), start=1):
            if isinstance(value, str) and value:
                what = _looks_personal(value)
                if what:
                    problems.append(
                        Problem(
                            f"this looks like {what}; a package holds no personal data",
                            file=resource,
                            row=position,
                            field=column,
                        )
                    )
    return problems


def _cell_problems(
    resource: str, counts: pd.Series, flags: pd.Series | None, k: int, field: str
) -> list[Problem]:
    problems: list[Problem] = []
    for position, (count, flag) in enumerate(
        zip(
            counts.tolist(),
            flags.tolist() if flags is not None else [None] * len(counts),
            strict=True,
        ),
        start=1,
    ):
        missing = count is None or pd.isna(count)
        if flag is True and not missing:
            problems.append(
                Problem("a suppressed cell must be empty", file=resource, row=position, field=field)
            )
        elif flag is False and missing:
            problems.append(
                Problem(
                    "an empty count must be marked suppressed",
                    file=resource,
                    row=position,
                    field=field,
                )
            )
        elif not missing and 1 <= int(count) < k:
            problems.append(
                Problem(
                    f"the count {int(count)} is below k={k} and not suppressed (a small cell "
                    "could identify people)",
                    file=resource,
                    row=position,
                    field=field,
                )
            )
    return problems


def _recoverable(reach: pd.DataFrame, k: int) -> list[Problem]:
    """Dimensions whose suppressed cells can be worked out from the people reached (the total
    of a dimension shown in full)."""
    problems: list[Problem] = []
    shown_totals = {
        int(rows["count"].sum())
        for _, rows in reach.groupby("dimension", sort=False)
        if not rows["suppressed"].any()
    }
    for dimension, rows in reach.groupby("dimension", sort=False):
        hidden = rows[rows["suppressed"].astype(bool)]
        if hidden.empty:
            continue
        first_row = int(hidden.index[0]) + 1
        if len(hidden) == 1:
            problems.append(
                Problem(
                    f"dimension {dimension!r} has only one suppressed cell: it can be worked out "
                    "from the total; suppress at least one more",
                    file="reach",
                    row=first_row,
                    field="count",
                )
            )
            continue
        for total in shown_totals:
            left = total - int(rows["count"].sum(skipna=True))
            if 0 < left < k or left == len(hidden):
                problems.append(
                    Problem(
                        f"dimension {dimension!r}'s suppressed cells add up to {left} (the total "
                        "less the cells shown), which gives them away",
                        file="reach",
                        row=first_row,
                        field="count",
                    )
                )
                break
    return problems


def small_cell_problems(tables: dict[str, pd.DataFrame], k: int) -> list[Problem]:
    """Every unsuppressed small cell, wrongly marked cell and recoverable suppressed cell."""
    problems: list[Problem] = []
    reach = tables.get("reach")
    if reach is not None and len(reach):
        problems += _cell_problems("reach", reach["count"], reach["suppressed"], k, "count")
        if not problems:
            problems += _recoverable(reach.reset_index(drop=True), k)
    themes = tables.get("themes")
    if themes is not None and len(themes):
        problems += _cell_problems("themes", themes["contributors"], None, k, "contributors")
    return problems


def method_problems(methods: pd.DataFrame) -> list[Problem]:
    """A problem for each method id not in the vocabulary, or listed twice."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for row, method in enumerate(methods["method"].tolist(), start=1):
        if method not in METHODS:
            problems.append(
                Problem(
                    f"{method!r} is not a method of the vocabulary (mobilise.model."
                    "methods_vocab.METHODS)",
                    file="methods",
                    row=row,
                    field="method",
                )
            )
        elif method in seen:
            problems.append(
                Problem("the method is listed twice", file="methods", row=row, field="method")
            )
        seen.add(str(method))
    return problems
