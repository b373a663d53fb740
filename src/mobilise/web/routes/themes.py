"""Themes: the JSON API of the codebook, coding, agreement, counts, co-occurrence, suggestions,
REFI-QDA exchange and a theme's map factors (the pages are :mod:`~mobilise.web.routes.theme_pages`).

Who may: the codebook is the project's vocabulary (every signed-in user reads it; editors change
it); codings, agreement and suggestions are about what people said (editors; the data controller
reads codings); counts and co-occurrence are counts (every signed-in user), disclosure-controlled
for all but admins. A coding made here is always the signed-in user's own. Every read keeps only
what consent lets be used (:mod:`mobilise.workspace.themes`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from mobilise.model.roles import EDITOR_ROLES
from mobilise.web.deps import EditorDep, UserDep, WorkspaceDep, require_role, sent_fields
from mobilise.web.routes.api import ERRORS
from mobilise.web.routes.theme_pages import pages

api = APIRouter(prefix="/api/v1", tags=["themes"])
ReaderDep = Annotated[Any, Depends(require_role(*EDITOR_ROLES[1:], "data_controller"))]
IdQuery = Annotated[str | None, Query(max_length=36)]
PlaceQuery = Annotated[str | None, Query(max_length=80, description="A place's slug.")]
ByQuery = Annotated[
    str | None,
    Query(max_length=40, description="event_kind, place, event, imd_decile or an equality answer"),
]
UnitQuery = Annotated[str, Query(max_length=20, description="contribution or span")]
CoderQuery = Annotated[list[str] | None, Query(max_length=120, description="Coders (repeat).")]


class ThemeBody(BaseModel):
    """A theme of the codebook (``parent_id`` makes a sub-theme)."""

    name: str = Field(min_length=1, max_length=200)
    definition: str = Field("", max_length=5_000)
    parent_id: str | None = Field(None, max_length=36)
    place_slug: str | None = Field(None, max_length=80)
    colour: str = Field("", max_length=20)


class ThemeChange(BaseModel):
    """A change to a theme; a field left out stays as it is."""

    name: str | None = Field(None, min_length=1, max_length=200)
    definition: str | None = Field(None, max_length=5_000)
    parent_id: str | None = Field(None, max_length=36)
    colour: str | None = Field(None, max_length=20)
    position: int | None = Field(None, ge=1, le=10_000)
    version: int | None = Field(None, ge=1, le=2**31 - 1)


class CodingBody(BaseModel):
    """A theme on a contribution: the whole of it, or characters [span_start, span_end)."""

    contribution_id: str = Field(min_length=1, max_length=36)
    theme_id: str = Field(min_length=1, max_length=200, description="A theme's id or name.")
    span_start: int | None = Field(None, ge=0, le=1_000_000)
    span_end: int | None = Field(None, ge=0, le=1_000_000)
    memo: str = Field("", max_length=5_000)


class FactorBody(BaseModel):
    """The map the theme goes onto as a factor, and where."""

    map_id: str = Field(min_length=1, max_length=36)
    x: float | None = Field(None, ge=-1e6, le=1e6)
    y: float | None = Field(None, ge=-1e6, le=1e6)


# -- the codebook --------------------------------------------------------------------------
@api.get("/themes", responses=ERRORS)
def list_themes(
    workspace: WorkspaceDep, _user: UserDep, place: PlaceQuery = None
) -> list[dict[str, Any]]:
    """The codebook: project-wide themes (and a place's own), parents before sub-themes."""
    return [t.to_dict() for t in workspace.themes.list(place)]


@api.post("/themes", status_code=201, responses=ERRORS)
def add_theme(body: ThemeBody, workspace: WorkspaceDep, _user: EditorDep) -> dict[str, Any]:
    """Add a theme or sub-theme."""
    return workspace.themes.add(
        body.name,
        definition=body.definition,
        parent=body.parent_id,
        place=body.place_slug,
        colour=body.colour,
    ).to_dict()


@api.get("/themes/{theme_id}", responses=ERRORS)
def get_theme(theme_id: str, workspace: WorkspaceDep, _user: UserDep) -> dict[str, Any]:
    """One theme."""
    return workspace.themes.get(theme_id).to_dict()


@api.patch("/themes/{theme_id}", responses=ERRORS)
def change_theme(
    theme_id: str, body: ThemeChange, workspace: WorkspaceDep, _user: EditorDep
) -> dict[str, Any]:
    """Change a theme (409 when ``version`` is not the stored one)."""
    fields = sent_fields(body, drop=("version",))
    return workspace.themes.update(theme_id, fields, expected_version=body.version).to_dict()


@api.delete("/themes/{theme_id}", status_code=204, responses=ERRORS)
def remove_theme(theme_id: str, workspace: WorkspaceDep, _user: EditorDep) -> Response:
    workspace.themes.remove(theme_id)
    return Response(status_code=204)


@api.get("/themes/{theme_id}/factors", responses=ERRORS)
def theme_factors(theme_id: str, workspace: WorkspaceDep, _user: EditorDep) -> list[dict[str, Any]]:
    """The map factors the theme became."""
    return workspace.themes.factors(theme_id)


@api.post("/themes/{theme_id}/factors", status_code=201, responses=ERRORS)
def add_theme_factor(
    theme_id: str, body: FactorBody, workspace: WorkspaceDep, _user: EditorDep
) -> dict[str, Any]:
    """Put the theme on a systems map as a factor (the factor then shows its evidence)."""
    return workspace.themes.to_factor(theme_id, body.map_id, x=body.x, y=body.y)


@api.get("/maps/{map_id}/factors/{factor_id}/evidence", responses=ERRORS)
def factor_evidence(
    map_id: str, factor_id: str, workspace: WorkspaceDep, user: ReaderDep
) -> dict[str, Any]:
    """What people said behind a factor made from themes: the themes and their quotes, as
    consent allows now (no names, no pseudonyms)."""
    return workspace.themes.evidence(map_id, factor_id, viewer=user)


# -- coding --------------------------------------------------------------------------------
@api.get("/codings", responses=ERRORS)
def list_codings(
    workspace: WorkspaceDep,
    _user: ReaderDep,
    event: IdQuery = None,
    place: PlaceQuery = None,
    theme: Annotated[str | None, Query(max_length=200)] = None,
    coder: Annotated[str | None, Query(max_length=120)] = None,
) -> list[dict[str, Any]]:
    """Codings of the contributions consent lets be used (of an event or a place)."""
    found = workspace.themes.codings(event=event, place=place, theme=theme, coder=coder)
    return [c.to_dict() for c in found]


@api.post("/codings", status_code=201, responses=ERRORS)
def add_coding(body: CodingBody, workspace: WorkspaceDep, user: EditorDep) -> dict[str, Any]:
    """Code a contribution as the signed-in user (both span ends, or neither)."""
    span = None
    if body.span_start is not None or body.span_end is not None:
        span = (body.span_start if body.span_start is not None else -1, body.span_end or -1)
    coding = workspace.themes.code(
        body.contribution_id, body.theme_id, coder=user.username, span=span, memo=body.memo
    )
    return coding.to_dict()


@api.get("/codings/export.qdpx", responses=ERRORS)
def export_qdpx(
    workspace: WorkspaceDep, _user: EditorDep, event: IdQuery = None, place: PlaceQuery = None
) -> Response:
    """The codebook and coding as a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA and
    QualCoder (checked against the REFI-QDA schema)."""
    from io import BytesIO

    out = BytesIO()
    workspace.themes.export_qdpx(out, event=event, place=place)
    return Response(
        out.getvalue(),
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="themes.qdpx"'},
    )


@api.post("/codings/import.qdpx", responses=ERRORS)
def import_qdpx(
    workspace: WorkspaceDep, _user: EditorDep, file: Annotated[UploadFile, File()]
) -> dict[str, int]:
    """Codes and codings from a REFI-QDA project exported from here (limits: the upload size,
    the zip's entries and inflation, no DOCTYPE)."""
    data = file.file.read(workspace.limits.upload_bytes + 1)
    return workspace.themes.import_qdpx(data, name=file.filename or "upload.qdpx")


@api.delete("/codings/{coding_id}", status_code=204, responses=ERRORS)
def remove_coding(coding_id: str, workspace: WorkspaceDep, _user: EditorDep) -> Response:
    workspace.themes.uncode(coding_id)
    return Response(status_code=204)


# -- analysis ------------------------------------------------------------------------------
@api.get("/theme-agreement", responses=ERRORS)
def theme_agreement(
    workspace: WorkspaceDep,
    _user: EditorDep,
    event: IdQuery = None,
    place: PlaceQuery = None,
    coder: CoderQuery = None,
    unit: UnitQuery = "contribution",
) -> dict[str, Any]:
    """Agreement between coders per theme and pooled: percent agreement, Cohen's kappa (two
    coders), Krippendorff's alpha (any number, missing codes allowed)."""
    return workspace.themes.agreement(event=event, place=place, coders=coder or None, unit=unit)


@api.get("/theme-counts", responses=ERRORS)
def theme_counts(
    workspace: WorkspaceDep,
    user: UserDep,
    by: ByQuery = None,
    event: IdQuery = None,
    place: PlaceQuery = None,
) -> dict[str, Any]:
    """Contributions and voices per theme (and ``by``), disclosure-controlled but for admins
    (``k``: the smallest count shown)."""
    return workspace.themes.counts(by=by, event=event, place=place, viewer=user)


@api.get("/theme-pairs", responses=ERRORS)
def theme_pairs(
    workspace: WorkspaceDep, user: UserDep, event: IdQuery = None, place: PlaceQuery = None
) -> dict[str, Any]:
    """Themes given together to the same contributions (co-occurrence), with the Jaccard
    index; disclosure-controlled but for admins."""
    return workspace.themes.co_occurrence(event=event, place=place, viewer=user)


@api.get("/theme-suggestions", responses=ERRORS)
def theme_suggestions(
    workspace: WorkspaceDep,
    _user: EditorDep,
    event: IdQuery = None,
    place: PlaceQuery = None,
    top: Annotated[int, Query(ge=1, le=10)] = 3,
) -> dict[str, Any]:
    """Suggested themes for contributions no one has coded, and candidate new themes:
    suggestions only, a person decides."""
    return workspace.themes.suggest(event=event, place=place, top=top)


router = APIRouter()
"""The API and the pages, as one router for the app."""
router.include_router(api)
router.include_router(pages)
