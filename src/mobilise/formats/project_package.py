"""The project package: what one project (a consortium's workspace) tells a programme about
itself, as a `Frictionless Data Package <https://specs.frictionlessdata.io/data-package/>`_.

A package is a ``.zip`` (or a directory) holding ``datapackage.json`` and ``data/<resource>.csv``,
each CSV described by a Table Schema in the descriptor. The descriptor carries
``"mobilise:profile": "mobilise-project-package"`` and ``"mobilise:version": "1"``, the project's
metadata under ``"mobilise:project"`` (key, title, lead organisation, places, dates, focus, partner
types, ``metadata_only``, release number and time, software, ``disclosure_k``) and, on each
resource, ``"mobilise:public"``: whether the project marked it public.

The resources (every one optional; a metadata-only package holds only ``methods``) and their
fields are :data:`RESOURCES`. They are non-personal summaries only, with small counts of people
suppressed (see :mod:`mobilise.formats._package_rules`).

:func:`read_package` checks a package twice: with the ``frictionless`` library (the maintained
reference implementation of the Data Package and Table Schema specs: types, required fields,
constraints) against *our* schemas, never a schema or path the package names (so a package
cannot send the reader to the network or the file system), and with our own rules: known
resources only, schemas as ours, nothing personal, small cells suppressed, and the limits
(``max_upload_mb``, ``max_decompressed_mb``, ``max_rows``, ``max_json_depth``). Every problem is
reported at once, in one :class:`~mobilise.errors.ValidationError`, naming resource, row and field.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from mobilise.errors import Problem, ValidationError
from mobilise.formats._package_schema import (
    META_KEY,
    PROFILE,
    PROFILE_VERSION,
    PUBLIC_KEY,
    RESOURCES,
    THEME_KINDS,
    ProjectPackage,
    check_meta,
    table_schema,
)
from mobilise.settings import Limits

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DEFAULT_K",
    "META_KEY",
    "PROFILE",
    "PROFILE_VERSION",
    "RESOURCES",
    "THEME_KINDS",
    "ProjectPackage",
    "descriptor",
    "read_package",
    "sha256",
    "write_package",
]

DEFAULT_K = 5
"""The smallest count of people a package may show when neither the reader nor the package
says otherwise (the default of the project setting ``disclosure_k``)."""


def descriptor(meta: Mapping[str, Any], resources: Mapping[str, bool]) -> dict[str, Any]:
    """The ``datapackage.json`` of a package holding ``resources`` (name -> public)."""
    return {
        "name": "mobilise-project",
        "profile": "tabular-data-package",
        "mobilise:profile": PROFILE,
        "mobilise:version": PROFILE_VERSION,
        "title": str(meta.get("title", "")),
        META_KEY: dict(meta),
        "resources": [
            {
                "name": name,
                "path": f"data/{name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                PUBLIC_KEY: bool(public),
                "schema": table_schema(name),
            }
            for name, public in resources.items()
        ],
    }


def write_package(
    meta: dict[str, Any],
    tables: Mapping[str, pd.DataFrame],
    target: Path | BinaryIO,
    *,
    public: Mapping[str, bool],
) -> None:
    """Write a package of ``tables`` (resource name -> frame with the resource's fields) to
    ``target``: a ``.zip`` file or stream, or an existing directory.

    The package is checked with :func:`read_package`'s own rules first (with the ``k`` of
    ``meta["disclosure_k"]``), so nothing is written that a programme would refuse.

    Raises
    ------
    mobilise.errors.ValidationError
        Naming every problem: unknown resources, missing or extra columns, personal fields,
        unsuppressed small cells, bad metadata.
    """
    from mobilise.formats._package_io import csv_bytes, frames_problems

    problems = [
        Problem(p.message, file="datapackage.json", field=p.field) for p in check_meta(meta)
    ]
    problems += frames_problems(tables, k=int(meta.get("disclosure_k") or DEFAULT_K))
    error = ValidationError.collect(problems, what="The project package")
    if error:
        raise error
    names = [name for name in RESOURCES if name in tables]
    files = {f"data/{name}.csv": csv_bytes(name, tables[name]) for name in names}
    files["datapackage.json"] = json.dumps(
        descriptor(meta, {name: bool(public.get(name, False)) for name in names}),
        indent=2,
        ensure_ascii=False,
    ).encode("utf-8")
    if isinstance(target, Path) and target.is_dir():
        (target / "data").mkdir(exist_ok=True)
        for member, data in files.items():
            (target / member).write_bytes(data)
        return
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member in ["datapackage.json", *sorted(m for m in files if m != "datapackage.json")]:
            info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[member])
    if isinstance(target, Path):
        target.write_bytes(buffer.getvalue())
    else:
        target.write(buffer.getvalue())


def read_package(
    source: Path | bytes | BinaryIO,
    *,
    name: str = "package",
    k: int | None = None,
    limits: Limits | None = None,
    frictionless: bool = True,
    own: bool = False,
) -> ProjectPackage:
    """Read and check a package: a ``.zip`` (path, bytes or stream) or a directory (path).

    ``k`` is the smallest count of people the reader accepts unsuppressed (default: the
    package's own ``disclosure_k``, else :data:`DEFAULT_K`; the larger of the two when both are
    given). ``frictionless=False`` skips the frictionless library's pass (our own type checks
    still run), for a caller re-reading packages it has already checked. ``own=True`` (only for
    a package this workspace has just written) hands frictionless the package's own descriptor,
    as ``frictionless validate datapackage.json`` would see it, after our checks of its paths
    and schemas.

    Raises
    ------
    mobilise.errors.ValidationError
        With one problem per fault, naming the resource (``file``), row and field.
    """
    from mobilise.formats._package_load import load_package

    return load_package(
        source, name=name, k=k, limits=limits, use_frictionless=frictionless, own=own
    )


def sha256(data: bytes) -> str:
    """The hex SHA-256 of ``data`` (a package's identity in a programme's history)."""
    return hashlib.sha256(data).hexdigest()
