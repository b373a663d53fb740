"""Building a release of the project package (private helper of
:mod:`mobilise.workspace.project`): metadata from the profile, summaries from the services,
written with :func:`~mobilise.formats.project_package.write_package` and read back (with
``frictionless``) before anyone gets it."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mobilise.errors import Problem, ValidationError

if TYPE_CHECKING:
    from mobilise.formats.project_package import ProjectPackage
    from mobilise.workspace.core import Workspace
    from mobilise.workspace.project import ProjectProfile

__all__ = ["build"]


def _places(ws: Workspace, profile: ProjectProfile, places: Sequence[str] | None) -> list[str]:
    known = {p.slug: p for p in ws.places.list()}
    wanted = list(places) if places else (profile.places or list(known))
    missing = [slug for slug in wanted if slug not in known]
    if missing:
        raise ValidationError(
            "Cannot export the project package.",
            problems=[
                Problem(f"no place {slug!r} in this workspace", field="place") for slug in missing
            ],
        )
    return wanted


def _place_meta(ws: Workspace, slug: str) -> dict[str, Any]:
    place = ws.places.get(slug)
    out: dict[str, Any] = {"name": place.name, "code": slug}
    try:
        west, south, east, north = ws.places.bbox(slug)
    except Exception:  # a place without areas has no box: leave its point out
        return out
    out["lat"], out["lon"] = round((south + north) / 2, 4), round((west + east) / 2, 4)
    return out


def meta_of(
    ws: Workspace, profile: ProjectProfile, places: list[str], *, k: int, metadata_only: bool
) -> dict[str, Any]:
    """The ``"mobilise:project"`` metadata of the next release."""
    from mobilise import __version__

    meta: dict[str, Any] = {
        "key": profile.key,
        "title": profile.title,
        "lead_organisation": profile.lead_organisation,
        "places": [_place_meta(ws, slug) for slug in places],
        "focus": profile.focus,
        "partner_types": list(profile.partner_types),
        "metadata_only": metadata_only,
        "release": profile.release + 1,
        "released_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "software": f"mobilise {__version__}",
        "disclosure_k": k,
    }
    if profile.start_date:
        meta["start"] = profile.start_date
    if profile.end_date:
        meta["end"] = profile.end_date
    if profile.note:
        meta["note"] = profile.note
    if profile.sources:
        meta["sources"] = list(profile.sources)
    return meta


def _methods(profile: ProjectProfile) -> Any:
    import pandas as pd

    rows = [
        {"method": m["method"], "used": True, "said": m.get("said", "")} for m in profile.methods
    ]
    return pd.DataFrame(rows, columns=["method", "used", "said"])


def build(
    ws: Workspace,
    profile: ProjectProfile,
    *,
    places: Sequence[str] | None,
    metadata_only: bool,
) -> tuple[bytes, ProjectPackage]:
    """The zip of the next release and the package read back from it."""
    from mobilise.formats.project_package import read_package, write_package
    from mobilise.workspace._project_gather import gather

    needed = [
        Problem(f"set the project's {label} first (mobilise project set --{flag} ...)", field=name)
        for name, label, flag in (
            ("title", "title", "title"),
            ("lead_organisation", "lead organisation", "lead-organisation"),
        )
        if not getattr(profile, name)
    ]
    if needed or profile.key is None:
        raise ValidationError("Cannot export the project package yet.", problems=needed)
    slugs = _places(ws, profile, places)
    k = int(ws.project_settings.get("disclosure_k"))
    tables: dict[str, Any] = {"methods": _methods(profile)}
    if not metadata_only:
        every_place = set(slugs) == {p.slug for p in ws.places.list()}
        tables.update(gather(ws, slugs, k=k, every_place=every_place))
    meta = meta_of(ws, profile, slugs, k=k, metadata_only=metadata_only)
    out = io.BytesIO()
    write_package(meta, tables, out, public={n: profile.public.get(n, False) for n in tables})
    data = out.getvalue()
    package = read_package(data, name="project.zip", k=k, limits=ws.limits, own=True)
    return data, package
