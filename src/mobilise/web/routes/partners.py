"""The consortium's partners and survey rounds: JSON API and survey management pages.

Partners are read by anyone signed in, rounds by those their visibility lets see them (a
``group`` round is the staff's; to anyone else it is a 404); changing them, issuing invitations,
sharing a round by link, following completion and reading representatives' contact details need
an editor (analyst or facilitator; admins always). The survey itself, opened through an invitation link, is in
:mod:`mobilise.web.routes.survey`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from mobilise.errors import PermissionDenied
from mobilise.model.partner_vocab import (
    DEFAULT_MIN_RATERS,
    ROUND_STATUSES,
    SECTORS,
    sector_label,
)
from mobilise.model.visibility import DEFAULT_VISIBILITY, ROUND_VISIBILITIES
from mobilise.web.deps import (
    EditorDep,
    TemplatesDep,
    UserDep,
    WorkspaceDep,
    is_admin,
    is_editor,
    sent_fields,
)
from mobilise.web.routes.api import ERRORS
from mobilise.web.routes.jobs import ACCEPTED, accepted
from mobilise.workspace import Workspace
from mobilise.workspace.users import User

if TYPE_CHECKING:
    from mobilise.workspace.partners import Partner

api = APIRouter(prefix="/api/v1", tags=["partners"])
pages = APIRouter(include_in_schema=False)

_SECTOR_ORDER = {s.code: n for n, s in enumerate(SECTORS)}
_VISIBILITY = "Who may see the round: " + "; ".join(
    f"{k}: {v}" for k, v in ROUND_VISIBILITIES.items()
)
STATUS_ORDER = ("submitted", "draft", "opened", "invited", "not invited")


# -- bodies ---------------------------------------------------------------------------------------
class PartnerFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=300)
    sector: str | None = Field(None, description="A sector code, e.g. vcse or nhs_trust.")
    kind: str | None = Field(None, description="organisation or individual (pseudonymised).")
    description: str | None = None
    places: list[str] | None = Field(None, description="Slugs of the places it serves.")
    populations: list[str] | None = None
    postcode: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    url: str | None = None


class PartnerCreate(PartnerFields):
    name: str = Field(max_length=300)
    sector: str = Field(description="A sector code, e.g. vcse or nhs_trust.")
    key: str | None = Field(None, description="Its id in files; made from the name if not given.")
    joined_on: dt.date | None = Field(None, description="When it joined (today if not given).")


class PartnerUpdate(PartnerFields):
    version: int = Field(description="The version you read; a stale version is a 409 Conflict.")


class Leave(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on: dt.date | None = Field(
        None, description="The day it left or joined again (today if not given)."
    )
    note: str = ""


class ContactCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=200)
    role: str = Field("", max_length=200)
    email: str = Field("", max_length=320)


class RoundCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    date: dt.date
    description: str = ""
    min_raters: int = Field(
        DEFAULT_MIN_RATERS, description="Scores from fewer raters are hidden from non-admins."
    )
    status: str = Field("draft", description=f"One of {', '.join(ROUND_STATUSES)}.")
    roster: list[str] | None = Field(
        None, description="Partner ids or keys; the members on the round's date if not given."
    )
    visibility: str = Field(DEFAULT_VISIBILITY, description=_VISIBILITY)


class RoundUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(description="The version you read; a stale version is a 409 Conflict.")
    name: str | None = None
    date: dt.date | None = None
    status: str | None = Field(None, description=f"One of {', '.join(ROUND_STATUSES)}.")
    description: str | None = None
    min_raters: int | None = None
    visibility: str | None = Field(None, description=_VISIBILITY)


class Roster(BaseModel):
    model_config = ConfigDict(extra="forbid")

    partners: list[str] = Field(description="Partner ids or keys: the whole new roster.")


class InvitationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    partners: list[str] | None = Field(
        None, description="Partner ids or keys; everyone on the roster not yet submitted if none."
    )


# -- partners -------------------------------------------------------------------------------------
def _shown(partner: Partner, user: User) -> dict[str, Any]:
    """A partner as JSON; an individual member's location only for editors (it may be home)."""
    found = partner.to_dict()
    if partner.kind == "individual" and not is_editor(user):
        found.update(postcode="", latitude=None, longitude=None)
    return found


@api.get("/partners", responses=ERRORS)
def list_partners(
    workspace: WorkspaceDep,
    user: UserDep,
    sector: Annotated[str | None, Query(description="A sector code.")] = None,
    place: Annotated[str | None, Query(description="A place's slug.")] = None,
    include_former: Annotated[bool, Query(description="Include partners who left.")] = True,
) -> list[dict[str, Any]]:
    """The partners by name (never their representatives' details)."""
    found = workspace.partners.list(sector=sector, place=place, include_former=include_former)
    return [_shown(p, user) for p in found]


@api.post("/partners", status_code=201, responses=ERRORS)
def create_partner(body: PartnerCreate, workspace: WorkspaceDep, _u: EditorDep) -> dict[str, Any]:
    """A new partner, a member from ``joined_on`` (editors)."""
    fields = sent_fields(body, drop=("name", "sector", "joined_on"))
    return workspace.partners.create(
        body.name, sector=body.sector, joined_on=body.joined_on, **fields
    ).to_dict()


@api.post("/partners/import", status_code=202, responses=ACCEPTED)
def import_partners(
    request: Request,
    workspace: WorkspaceDep,
    _u: EditorDep,
    file: Annotated[UploadFile, File(description="A CSV or XLSX list of partners.")],
    default_sector: Annotated[str | None, Form()] = None,
) -> JSONResponse:
    """Add or update partners from a file, all or nothing, as a background job: answers 202
    with the job at once. Its ``outcome_url`` then gives the import's summary (201), or a 422
    naming file, row and field (nothing imported)."""
    job = workspace.jobs.submit(
        "partners.import",
        {"default_sector": default_sector or None},
        file=file.file,
        name=file.filename,
    )
    return accepted(request, job)


@api.get("/partners/{partner_id}", responses=ERRORS)
def get_partner(partner_id: str, workspace: WorkspaceDep, user: UserDep) -> dict[str, Any]:
    return _shown(workspace.partners.get(partner_id), user)


@api.patch("/partners/{partner_id}", responses=ERRORS)
def update_partner(
    partner_id: str, body: PartnerUpdate, workspace: WorkspaceDep, _u: EditorDep
) -> dict[str, Any]:
    """Change a partner's fields (a stale ``version`` is a 409)."""
    changes = sent_fields(body, drop=("version",))
    return workspace.partners.update(partner_id, changes, version=body.version).to_dict()


@api.delete("/partners/{partner_id}", status_code=204, responses=ERRORS)
def delete_partner(
    partner_id: str,
    workspace: WorkspaceDep,
    _u: EditorDep,
    version: Annotated[int | None, Query()] = None,
) -> Response:
    """Delete a partner (it can be restored; its survey answers stay)."""
    workspace.partners.delete(partner_id, version=version)
    return Response(status_code=204)


@api.post("/partners/{partner_id}/leave", responses=ERRORS)
def leave(partner_id: str, body: Leave, workspace: WorkspaceDep, _u: EditorDep) -> dict[str, Any]:
    """The partner leaves the consortium (it stays in earlier rounds)."""
    return workspace.partners.leave(partner_id, on=body.on, note=body.note).to_dict()


@api.post("/partners/{partner_id}/rejoin", responses=ERRORS)
def rejoin(partner_id: str, body: Leave, workspace: WorkspaceDep, _u: EditorDep) -> dict[str, Any]:
    """A former partner joins the consortium again (``on``: the day; today if not given)."""
    return workspace.partners.rejoin(partner_id, on=body.on, note=body.note).to_dict()


@api.get("/partners/{partner_id}/contacts", responses=ERRORS)
def list_contacts(partner_id: str, workspace: WorkspaceDep, _u: EditorDep) -> list[dict[str, Any]]:
    """A partner's representatives (editors only: personal data)."""
    return [c.to_dict() for c in workspace.partners.contacts(partner_id)]


@api.post("/partners/{partner_id}/contacts", status_code=201, responses=ERRORS)
def add_contact(
    partner_id: str, body: ContactCreate, workspace: WorkspaceDep, _u: EditorDep
) -> dict[str, Any]:
    """A representative of a partner (the person its survey invitation goes to)."""
    return workspace.partners.add_contact(
        partner_id, body.name, role=body.role, email=body.email
    ).to_dict()


@api.delete("/partners/{partner_id}/contacts/{contact_id}", status_code=204, responses=ERRORS)
def remove_contact(
    partner_id: str, contact_id: str, workspace: WorkspaceDep, _u: EditorDep
) -> Response:
    """Remove a representative (their name, role and e-mail are erased)."""
    workspace.partners.remove_contact(contact_id, partner=partner_id)
    return Response(status_code=204)


# -- rounds ---------------------------------------------------------------------------------------
@api.get("/rounds", responses=ERRORS)
def list_rounds(workspace: WorkspaceDep, user: UserDep) -> list[dict[str, Any]]:
    """The survey rounds you may see, oldest first, with their roster size and responses."""
    return [r.to_dict() for r in workspace.surveys.rounds(viewer=user)]


def _check_threshold(min_raters: int | None, user: User) -> None:
    """Only admins may lower the disclosure threshold below the default."""
    if min_raters is not None and min_raters < DEFAULT_MIN_RATERS and not is_admin(user):
        raise PermissionDenied(
            f"Only an admin can show scores from fewer than {DEFAULT_MIN_RATERS} raters."
        )


@api.post("/rounds", status_code=201, responses=ERRORS)
def create_round(body: RoundCreate, workspace: WorkspaceDep, user: EditorDep) -> dict[str, Any]:
    """A new round (editors); its roster is the members on its date unless given."""
    _check_threshold(body.min_raters, user)
    return workspace.surveys.create_round(
        body.name,
        date=body.date,
        description=body.description,
        min_raters=body.min_raters,
        status=body.status,
        roster=body.roster,
        visibility=body.visibility,
    ).to_dict()


@api.get("/rounds/{round_id}", responses=ERRORS)
def get_round(round_id: str, workspace: WorkspaceDep, user: UserDep) -> dict[str, Any]:
    return workspace.surveys.get_round(round_id, viewer=user).to_dict()


@api.patch("/rounds/{round_id}", responses=ERRORS)
def update_round(
    round_id: str, body: RoundUpdate, workspace: WorkspaceDep, user: EditorDep
) -> dict[str, Any]:
    """Rename, re-date, open or close a round (a stale ``version`` is a 409)."""
    _check_threshold(body.min_raters, user)
    changes = sent_fields(body, drop=("version",))
    return workspace.surveys.update_round(round_id, changes, version=body.version).to_dict()


@api.get("/rounds/{round_id}/roster", responses=ERRORS)
def get_roster(round_id: str, workspace: WorkspaceDep, user: UserDep) -> list[dict[str, Any]]:
    """The partners on a round's roster."""
    return _roster(workspace, workspace.surveys.get_round(round_id, viewer=user).id)


@api.post("/rounds/{round_id}/share", responses=ERRORS)
def share_round(
    round_id: str, request: Request, workspace: WorkspaceDep, _u: EditorDep
) -> dict[str, Any]:
    """A link that shows anyone the round's measures, disclosure-controlled, without any
    partner's row (the round's visibility becomes ``link``)."""
    token = workspace.surveys.share(round_id)
    return {"token": token, "url": str(request.url_for("shared_round_page", token=token))}


@api.delete("/rounds/{round_id}/share", status_code=204, responses=ERRORS)
def unshare_round(round_id: str, workspace: WorkspaceDep, _u: EditorDep) -> Response:
    """Withdraw the round's share link (the round is then seen by the consortium)."""
    workspace.surveys.unshare(round_id)
    return Response(status_code=204)


@api.put("/rounds/{round_id}/roster", responses=ERRORS)
def set_roster(
    round_id: str, body: Roster, workspace: WorkspaceDep, _u: EditorDep
) -> dict[str, Any]:
    """Replace the roster (partners who have answered cannot be taken off: 409)."""
    return workspace.surveys.set_roster(round_id, body.partners).to_dict()


@api.post("/rounds/{round_id}/invitations", status_code=201, responses=ERRORS)
def invite(
    round_id: str,
    request: Request,
    workspace: WorkspaceDep,
    _u: EditorDep,
    body: InvitationRequest | None = None,
) -> list[dict[str, Any]]:
    """New single-use links (shown this once: only a hash is kept). A partner's earlier link
    stops working; partners who have submitted get none."""
    partners_ = body.partners if body is not None else None
    issued = workspace.surveys.invite(round_id, partners_=partners_)
    return [
        {**i.to_dict(), "url": str(request.url_for("survey_page", token=i.token))} for i in issued
    ]


@api.get("/rounds/{round_id}/completion", responses=ERRORS)
def completion(round_id: str, workspace: WorkspaceDep, _u: EditorDep) -> dict[str, Any]:
    """Where each partner on the roster is (not invited, invited, opened, draft, submitted),
    with the counts by status."""
    rows = workspace.surveys.completion(round_id)
    return {"round": workspace.surveys.get_round(round_id).to_dict(), **_tally(rows)}


@api.post("/rounds/{round_id}/import", status_code=202, responses=ACCEPTED)
def import_relationships(
    request: Request,
    round_id: str,
    workspace: WorkspaceDep,
    _u: EditorDep,
    file: Annotated[UploadFile, File(description="A CSV/XLSX edge list, GraphML or GEXF file.")],
    default_sector: Annotated[str | None, Form()] = None,
    repeats: Annotated[
        str,
        Form(
            description="A pair reported twice: refuse (a 422 naming both rows), or keep the "
            "first or last row (the summary's notes list the rows left out)."
        ),
    ] = "refuse",
) -> JSONResponse:
    """Relationship data from elsewhere into this round (as submitted responses), all or
    nothing, as a background job: answers 202 with the job at once; its ``outcome_url`` gives
    the summary (201) or a 422 naming the file, row and field."""
    job = workspace.jobs.submit(
        "relationships.import",
        {
            "round": workspace.surveys.get_round(round_id).name,
            "default_sector": default_sector or None,
            "repeats": repeats,
        },
        file=file.file,
        name=file.filename,
    )
    return accepted(request, job)


def _roster(workspace: Workspace, round_id: str) -> list[dict[str, Any]]:
    wanted = set(workspace.surveys.roster(round_id))
    return [
        {"id": p.id, "name": p.name, "sector": p.sector, "sector_label": p.sector_label}
        for p in workspace.partners.list()
        if p.id in wanted
    ]


def _tally(rows: list[dict[str, Any]]) -> dict[str, Any]:
    counts = {status: 0 for status in STATUS_ORDER}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return {"total": len(rows), "counts": counts, "partners": rows}


# -- pages ----------------------------------------------------------------------------------------
@pages.get("/partners", response_class=HTMLResponse)
def partners_page(
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: UserDep,
    sector: Annotated[str | None, Query()] = None,
) -> Response:
    chosen = sector or None
    return templates.TemplateResponse(
        request,
        "partners.html",
        {
            "partners": workspace.partners.list(sector=chosen),
            "sectors": SECTORS,
            "sector": chosen,
            "places": workspace.places.names(),
            "can_edit": is_editor(user),
            "user": user,
        },
    )


@pages.get("/rounds", response_class=HTMLResponse)
def rounds_page(
    request: Request, workspace: WorkspaceDep, templates: TemplatesDep, user: UserDep
) -> Response:
    return templates.TemplateResponse(
        request,
        "rounds.html",
        {
            "rounds": workspace.surveys.rounds(viewer=user),
            "statuses": ROUND_STATUSES,
            "visibilities": ROUND_VISIBILITIES,
            "today": dt.date.today().isoformat(),
            "can_edit": is_editor(user),
            "user": user,
        },
    )


@pages.get("/rounds/{round_id}", response_class=HTMLResponse)
def round_page(
    request: Request,
    round_id: str,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: EditorDep,
) -> Response:
    info = workspace.surveys.get_round(round_id)
    rows = workspace.surveys.completion(info.id)
    on_roster = {row["partner_id"] for row in rows}
    tally = _tally(rows)
    for row in rows:
        row["sector_label"] = sector_label(row["sector"])
    return templates.TemplateResponse(
        request,
        "round.html",
        {
            "round": info,
            "rows": rows,
            "counts": tally["counts"],
            "total": tally["total"],
            "partners": workspace.partners.list(),
            "on_roster": on_roster,
            "statuses": ROUND_STATUSES,
            "visibilities": ROUND_VISIBILITIES,
            "share_url": _share_url(request, workspace, info),
            "user": user,
        },
    )


def _share_url(request: Request, workspace: Workspace, info: Any) -> str | None:
    """The round's share link, while it has one (its visibility is ``link``)."""
    if info.visibility != "link":
        return None
    return str(request.url_for("shared_round_page", token=workspace.surveys.share(info.id)))
