"""Loading a project package (private helper of :mod:`mobilise.formats.project_package`): the
files, the descriptor, the frictionless pass against our schemas, typed frames, our rules."""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from mobilise.errors import Problem, ValidationError
from mobilise.formats._limits import DEFAULT_LIMITS, check_rows, load_json
from mobilise.formats._package_io import DESCRIPTOR, _descriptor_problems, _members, _text_columns
from mobilise.formats._package_rules import (
    method_problems,
    personal_problems,
    small_cell_problems,
)
from mobilise.formats._package_schema import META_KEY, RESOURCES, ProjectPackage, table_schema
from mobilise.settings import Limits

if TYPE_CHECKING:
    import pandas as pd


__all__ = ["load_package"]

_DEFAULT_K = 5


def _frictionless_problems(
    files: dict[str, bytes], named: dict[str, bool], *, own: dict[str, Any] | None = None
) -> list[Problem]:
    """Validate the CSVs with frictionless against our own schemas (never the package's, which
    could name a remote schema or a path outside the package); ``own``: the descriptor of a
    package this software wrote, validated as it is (custom properties and all)."""
    import frictionless

    canonical = own or {
        "name": "mobilise-project",
        "resources": [
            {
                "name": name,
                "path": f"data/{name}.csv",
                "format": "csv",
                "encoding": "utf-8",
                "schema": table_schema(name),
            }
            for name in named
        ],
    }
    problems: list[Problem] = []
    with tempfile.TemporaryDirectory(prefix="mobilise-package-") as folder:
        root = Path(folder)
        (root / "data").mkdir()
        for name in named:
            (root / "data" / f"{name}.csv").write_bytes(files[f"data/{name}.csv"])
        (root / DESCRIPTOR).write_text(json.dumps(canonical), encoding="utf-8")
        try:
            report = frictionless.validate(str(root / DESCRIPTOR))
        except Exception as failure:  # frictionless raises its own exceptions on odd input
            return [
                Problem(f"frictionless could not read the package ({failure})", file=DESCRIPTOR)
            ]
        for task in report.tasks:
            for found in task.errors[:200]:
                row = getattr(found, "row_number", None)
                problems.append(
                    Problem(
                        str(found.message),
                        file=task.name or DESCRIPTOR,
                        row=row - 1 if isinstance(row, int) else None,
                        field=getattr(found, "field_name", None),
                    )
                )
        for found in report.errors:
            problems.append(Problem(str(found.message), file=DESCRIPTOR))
    return problems


def _convert(name: str, raw: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Typed columns from the CSV's text (empty cells missing); a problem per cell that is not
    of its type."""
    import pandas as pd

    from mobilise.formats.safe_cells import unguard_frame

    problems: list[Problem] = []
    table = unguard_frame(raw)
    typed: dict[str, Any] = {}
    for field, kind, required in RESOURCES[name]:
        text = (
            table[field] if field in table.columns else pd.Series([""] * len(table), dtype=object)
        )
        blank = text.str.strip() == ""
        if kind == "integer":
            values = pd.to_numeric(text.where(~blank), errors="coerce")
            bad = (values.isna() & ~blank) | (values.notna() & ((values % 1 != 0) | (values < 0)))
            typed[field] = values.where(~bad).astype("Int64")
        elif kind == "number":
            values = pd.to_numeric(text.where(~blank), errors="coerce")
            bad = values.isna() & ~blank
            typed[field] = values.astype(float)
        elif kind == "boolean":
            lowered = text.str.strip().str.lower()
            bad = ~lowered.isin(["true", "false", "1", "0", ""])
            typed[field] = lowered.isin(["true", "1"])
        else:
            bad = pd.Series(False, index=text.index)
            typed[field] = text.where(~blank, None) if not required else text
        for row in (bad | (blank & required)).to_numpy().nonzero()[0][:50]:
            problems.append(
                Problem(
                    f"not a valid {kind}" if not blank.iloc[row] else "a required value is empty",
                    file=name,
                    row=int(row) + 1,
                    field=field,
                )
            )
    return pd.DataFrame(typed, index=range(len(table))), problems


def _tables(
    files: dict[str, bytes], named: dict[str, bool], limits: Limits
) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    import io

    import pandas as pd

    tables: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for name in named:
        data = files[f"data/{name}.csv"]
        check_rows(data.count(b"\n"), name=name, limits=limits)
        try:
            raw = pd.read_csv(
                io.BytesIO(data),
                dtype=str,
                keep_default_na=False,
                encoding="utf-8-sig",
                on_bad_lines="error",
                engine="python",
            )
        except (ValueError, UnicodeDecodeError, pd.errors.ParserError, csv_error()) as error:
            problems.append(Problem(f"the CSV cannot be read ({error})", file=name))
            continue
        wanted = [field for field, _, _ in RESOURCES[name]]
        problems += personal_problems(name, raw, _text_columns(name))
        if [str(c) for c in raw.columns] != wanted:
            problems.append(
                Problem(f"the CSV's header must be {','.join(wanted)}", file=name, row=0)
            )
            continue
        too_long = raw.apply(lambda column: column.str.len().max() if len(column) else 0).max()
        if len(raw) and too_long > limits.max_text_chars:
            problems.append(
                Problem(
                    f"a cell is longer than {limits.max_text_chars} characters "
                    "(the limit max_text_chars)",
                    file=name,
                )
            )
            continue
        table, found = _convert(name, raw)
        problems += found
        tables[name] = table
    return tables, problems


def csv_error() -> type[Exception]:
    import csv

    return csv.Error


def _hold(problems: list[Problem], name: str) -> None:
    error = ValidationError.collect(problems, what=f"The package {name}")
    if error:
        raise error


def load_package(
    source: Path | bytes | BinaryIO,
    *,
    name: str,
    k: int | None,
    limits: Limits | None,
    use_frictionless: bool,
    own: bool = False,
) -> ProjectPackage:
    """See :func:`mobilise.formats.project_package.read_package`."""

    limits = limits or DEFAULT_LIMITS
    if isinstance(source, Path) and name == "package":
        name = source.name
    files, whole = _members(source, name, limits)
    if DESCRIPTOR not in files:
        _hold([Problem(f"the package has no {DESCRIPTOR}", file=name)], name)
    descriptor = load_json(files[DESCRIPTOR], name=f"{name}: {DESCRIPTOR}", limits=limits)
    problems, named = _descriptor_problems(descriptor, files)
    _hold(problems, name)
    if use_frictionless:
        _hold(_frictionless_problems(files, named, own=descriptor if own else None), name)
    tables, problems = _tables(files, named, limits)
    _hold(problems, name)
    meta = dict(descriptor[META_KEY])
    declared = meta.get("disclosure_k")
    threshold = max(k or 0, declared if isinstance(declared, int) else 0) or _DEFAULT_K
    _hold(small_cell_problems(tables, threshold), name)
    if "methods" in tables:
        _hold(method_problems(tables["methods"]), name)
    return ProjectPackage(
        meta=meta,
        tables=tables,
        public=dict(named),
        sha256=hashlib.sha256(whole).hexdigest(),
        descriptor=descriptor,
    )
