"""The JSON API under /api/v1: places, areas, indicators, geocoding, data sources."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from mobilise import __version__
from mobilise.web.deps import EditorDep, PublicWorkspaceDep, WorkspaceDep

router = APIRouter(prefix="/api/v1", tags=["api"])


class ErrorBody(BaseModel):
    code: str
    message: str
    problems: list[dict[str, Any]]


class ErrorResponse(BaseModel):
    """The one shape of every API error."""

    error: ErrorBody


ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorResponse} for s in (401, 403, 404, 409, 422)
}


class PlaceCreate(BaseModel):
    slug: str = Field(description="Short name: lower-case letters, digits and hyphens.")
    name: str
    description: str = ""
    area_codes: list[str] = Field(default_factory=list)
    authorities: list[str] = Field(
        default_factory=list, description="Local authority codes whose stored areas to include."
    )


class PlaceUpdate(BaseModel):
    version: int = Field(description="The version you read; a stale version is a 409 Conflict.")
    name: str | None = None
    description: str | None = None


@router.get("/health")
def health(workspace: WorkspaceDep) -> dict[str, Any]:
    return {"status": "ok", "version": __version__, "database": workspace.dialect}


@router.get("/places", responses=ERRORS)
def list_places(workspace: WorkspaceDep) -> list[dict[str, Any]]:
    """Every place with its key figures."""
    return [p.to_dict() for p in workspace.places.list()]


@router.post("/places", status_code=201, responses=ERRORS)
def create_place(body: PlaceCreate, workspace: WorkspaceDep, _user: EditorDep) -> dict[str, Any]:
    """Create a place from stored areas (analysts and facilitators)."""
    place = workspace.places.create(
        body.slug,
        body.name,
        description=body.description,
        area_codes=body.area_codes,
        authorities=body.authorities,
    )
    return place.to_dict()


@router.get("/places/{slug}", responses=ERRORS)
def get_place(slug: str, workspace: WorkspaceDep) -> dict[str, Any]:
    place = workspace.places.get(slug)
    indicators = workspace.indicators.list(place=slug)
    return {**place.to_dict(), "indicators": [i.to_dict() for i in indicators]}


@router.patch("/places/{slug}", responses=ERRORS)
def update_place(
    slug: str, body: PlaceUpdate, workspace: WorkspaceDep, _user: EditorDep
) -> dict[str, Any]:
    """Rename or describe a place; send the version you read (409 when someone changed it)."""
    return workspace.places.update(
        slug, version=body.version, name=body.name, description=body.description
    ).to_dict()


@router.get(
    "/places/{slug}/areas.geojson",
    responses={200: {"content": {"application/geo+json": {}}}, **ERRORS},
    response_class=Response,
)
def place_areas(
    slug: str,
    workspace: PublicWorkspaceDep,  # public, as the place page that draws it (open data)
    indicator: Annotated[
        str | None, Query(description="Indicator id whose values go in the properties.")
    ] = None,
) -> Response:
    """The areas of a place as a GeoJSON FeatureCollection (WGS84), with one indicator's values
    and national deciles (1 = worst 10% in England) in the properties."""
    if indicator:
        workspace.indicators.get(indicator)
    text = workspace.places.areas_geojson(slug, indicator_id=indicator)
    return Response(text, media_type="application/geo+json")


@router.get("/places/{slug}/indicators", responses=ERRORS)
def place_indicators(slug: str, workspace: WorkspaceDep) -> list[dict[str, Any]]:
    return [i.to_dict() for i in workspace.indicators.list(place=slug)]


@router.get("/areas/{code}", responses=ERRORS)
def get_area(code: str, workspace: WorkspaceDep) -> dict[str, Any]:
    """One area: parents, classification, population and every indicator with its national decile."""
    area = workspace.areas.get(code)
    return {
        **area.to_dict(),
        "geometry": workspace.areas.geometry(code),
        "indicators": [v.to_dict() for v in workspace.indicators.for_area(code)],
    }


@router.get("/indicators", responses=ERRORS)
def list_indicators(workspace: WorkspaceDep) -> list[dict[str, Any]]:
    return [i.to_dict() for i in workspace.indicators.list()]


@router.get("/indicators/{indicator_id}", responses=ERRORS)
def get_indicator(indicator_id: str, workspace: WorkspaceDep) -> dict[str, Any]:
    return workspace.indicators.get(indicator_id).to_dict()


@router.get("/geocode", responses=ERRORS)
def geocode(
    workspace: WorkspaceDep,
    postcode: Annotated[str, Query(description="A UK postcode, e.g. NN1 1DE.")],
) -> dict[str, Any]:
    """Coordinates, LSOA 2011 and places of a postcode, from the stored lookup (offline)."""
    return workspace.postcodes.geocode(postcode).to_dict()


@router.get("/datasets", responses=ERRORS)
def datasets(workspace: WorkspaceDep) -> list[dict[str, Any]]:
    """Source, licence and attribution of every dataset in the workspace."""
    return [d.__dict__ for d in workspace.datasets.list()]
