"""Reading and writing the files of a project package (private helpers of
:mod:`mobilise.formats.project_package`): the archive or directory, the CSVs, the checks."""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from mobilise.errors import Problem, ValidationError
from mobilise.formats._limits import check_zip, limit_error
from mobilise.formats._package_rules import (
    method_problems,
    personal_problems,
    small_cell_problems,
)
from mobilise.formats._package_schema import (
    META_KEY,
    PROFILE,
    PUBLIC_KEY,
    RESOURCES,
    check_meta,
    table_schema,
)
from mobilise.settings import Limits

if TYPE_CHECKING:
    import pandas as pd


__all__ = ["DESCRIPTOR", "csv_bytes", "frames_problems"]

DESCRIPTOR = "datapackage.json"


def _text_columns(resource: str) -> list[str]:
    return [name for name, kind, _ in RESOURCES[resource] if kind in ("string", "date")]


def csv_bytes(resource: str, table: pd.DataFrame) -> bytes:
    """The CSV of ``table`` in the resource's field order: booleans ``true``/``false``, missing
    values empty, integers without ``.0``, text guarded against running as a formula."""

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    fields = RESOURCES[resource]
    writer.writerow([name for name, _, _ in fields])
    columns = [table[name].tolist() for name, _, _ in fields]
    for values in zip(*columns, strict=True):
        writer.writerow(
            [_cell(value, kind) for value, (_, kind, _) in zip(values, fields, strict=True)]
        )
    return out.getvalue().encode("utf-8")


def _cell(value: Any, kind: str) -> str:
    import pandas as pd

    from mobilise.formats.safe_cells import guard

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if kind == "boolean":
        return "true" if bool(value) else "false"
    if kind == "integer":
        return str(int(value))
    if kind == "number":
        return repr(float(value))
    if kind == "date":
        return str(value)[:10]
    return str(guard(str(value)))


def frames_problems(tables: Mapping[str, pd.DataFrame], *, k: int) -> list[Problem]:
    """Every problem of frames about to be written: unknown resources, columns, our rules."""
    problems: list[Problem] = []
    for name, table in tables.items():
        if name not in RESOURCES:
            problems.append(Problem(f"unknown resource; known: {', '.join(RESOURCES)}", file=name))
            continue
        problems += personal_problems(name, table, _text_columns(name))
        wanted = [field for field, _, _ in RESOURCES[name]]
        missing = [c for c in wanted if c not in table.columns]
        extra = [str(c) for c in table.columns if c not in wanted]
        if missing or extra:
            problems.append(
                Problem(
                    f"columns must be {', '.join(wanted)}"
                    + (f"; missing {', '.join(missing)}" if missing else "")
                    + (f"; unknown {', '.join(extra)}" if extra else ""),
                    file=name,
                )
            )
    if not problems:
        problems += small_cell_problems(dict(tables), k)
        if "methods" in tables:
            problems += method_problems(tables["methods"])
    return problems


# --- reading ---------------------------------------------------------------------------------


def _source_bytes(source: Path | bytes | BinaryIO, name: str, limits: Limits) -> bytes:
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    elif isinstance(source, Path):
        try:
            if source.stat().st_size > limits.upload_bytes:
                raise limit_error(name, "the file is too large", "max_upload_mb")
            data = source.read_bytes()
        except OSError as error:
            raise _unreadable(name, f"the file cannot be read ({error.strerror})") from None
    else:
        data = source.read(limits.upload_bytes + 1)
    if len(data) > limits.upload_bytes:
        raise limit_error(name, f"it is larger than {limits.max_upload_mb} MB", "max_upload_mb")
    return data


def _unreadable(name: str, why: str) -> ValidationError:
    return ValidationError(f"Cannot read {name}: {why}.", problems=[Problem(why, file=name)])


def _members(
    source: Path | bytes | BinaryIO, name: str, limits: Limits
) -> tuple[dict[str, bytes], bytes]:
    """The files of the package (member name -> bytes) and the bytes its hash is taken of."""
    if isinstance(source, Path) and source.is_dir():
        files: dict[str, bytes] = {}
        total = 0
        descriptor_path = source / DESCRIPTOR
        if not descriptor_path.is_file():
            raise _unreadable(name, f"the directory has no {DESCRIPTOR}")
        for path in [descriptor_path, *sorted((source / "data").glob("*.csv"))]:
            total += path.stat().st_size
            if total > limits.decompressed_bytes:
                raise limit_error(name, "its files are too large", "max_decompressed_mb")
            files[path.relative_to(source).as_posix()] = path.read_bytes()
        whole = b"".join(files[m] for m in sorted(files))
        return files, whole
    data = _source_bytes(source, name, limits)
    check_zip(data, name=name, limits=limits)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > len(RESOURCES) + 1:
                raise _unreadable(
                    name,
                    f"it holds {len(infos)} files; a package holds at most {len(RESOURCES) + 1}",
                )
            files = {info.filename: archive.read(info) for info in infos if not info.is_dir()}
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        EOFError,
        ValueError,
        zlib.error,
    ) as error:
        raise _unreadable(name, f"it is not a zip file of a package ({error})") from None
    except (NotImplementedError, RuntimeError) as error:
        raise _unreadable(name, f"the zip file cannot be opened ({error})") from None
    return files, data


def _descriptor_problems(
    descriptor: Any, files: Mapping[str, bytes]
) -> tuple[list[Problem], dict[str, bool]]:
    """Problems of the descriptor (profile, metadata, resources and their schemas, stray files)
    and the resources it names (name -> public)."""
    where = DESCRIPTOR
    if not isinstance(descriptor, dict):
        return [Problem("the descriptor must be a JSON object", file=where)], {}
    problems: list[Problem] = []
    if descriptor.get("mobilise:profile") != PROFILE:
        problems.append(
            Problem(f'"mobilise:profile" must be "{PROFILE}"', file=where, field="mobilise:profile")
        )
    for problem in check_meta(descriptor.get(META_KEY)):
        problems.append(Problem(problem.message, file=where, field=problem.field))
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or len(resources) > len(RESOURCES):
        problems.append(Problem("resources must be a list of the known resources", file=where))
        return problems, {}
    named: dict[str, bool] = {}
    for resource in resources:
        problems += _resource_problems(resource, named, files)
    expected = {DESCRIPTOR, *(f"data/{n}.csv" for n in named)}
    for member in sorted(set(files) - expected):
        problems.append(
            Problem("a file no resource describes; a package holds nothing else", file=member)
        )
    meta = descriptor.get(META_KEY)
    if isinstance(meta, dict) and meta.get("metadata_only") is True and set(named) - {"methods"}:
        problems.append(
            Problem("a metadata-only package holds only the methods resource", file=where)
        )
    return problems, named


def _resource_problems(
    resource: Any, named: dict[str, bool], files: Mapping[str, bytes]
) -> list[Problem]:
    if not isinstance(resource, dict) or not isinstance(resource.get("name"), str):
        return [Problem("each resource must be an object with a name", file=DESCRIPTOR)]
    name = resource["name"][:100]
    if name not in RESOURCES:
        return [Problem(f"unknown resource {name!r}; known: {', '.join(RESOURCES)}", file=name)]
    if name in named:
        return [Problem("the resource is described twice", file=name)]
    named[name] = resource.get(PUBLIC_KEY) is True
    problems: list[Problem] = []
    path = f"data/{name}.csv"
    if resource.get("path") != path or "data" in resource:
        problems.append(Problem(f'its path must be "{path}"', file=name, field="path"))
    elif path not in files:
        problems.append(Problem(f"the package has no file {path}", file=name, field="path"))
    if not isinstance(resource.get(PUBLIC_KEY), bool):
        problems.append(
            Problem(f'"{PUBLIC_KEY}" must be true or false', file=name, field=PUBLIC_KEY)
        )
    problems += _schema_problems(name, resource.get("schema"))
    return problems


def _schema_problems(name: str, schema: Any) -> list[Problem]:
    from mobilise.formats._package_rules import personal_column

    wanted = table_schema(name)["fields"]
    given = schema.get("fields") if isinstance(schema, dict) else None
    if not isinstance(given, list):
        return [Problem("its Table Schema has no list of fields", file=name, field="schema")]
    problems: list[Problem] = []
    for field in given:
        field_name = str(field.get("name"))[:100] if isinstance(field, dict) else "?"
        what = personal_column(field_name)
        if what:
            problems.append(
                Problem(
                    f"this column would hold {what}; a package holds no personal data",
                    file=name,
                    field=field_name,
                )
            )
    shape = [(f.get("name"), f.get("type")) if isinstance(f, dict) else None for f in given]
    if shape != [(f["name"], f["type"]) for f in wanted]:
        expected = ", ".join(f"{f['name']} ({f['type']})" for f in wanted)
        problems.append(
            Problem(
                f"the schema is not the resource's: its fields must be {expected}",
                file=name,
                field="schema",
            )
        )
    return problems
