"""Participants under their pseudonyms, and their identities apart: JSON API and staff pages.

Who may do what (the route matrix pins it):

- the pseudonymous records (list, page, answers, consent): staff, that is the editors (analyst,
  facilitator, admin) and the data controller; a partner or a viewer gets 403 on every row
  (partners see counts only, on the representation page);
- identity (name, contact, kept postcode, guardian): :data:`~mobilise.model.roles.
  IDENTITY_ROLES` only (admin, data controller), read, changed and erased at
  ``/api/v1/participants/{id}/identity`` and in the page's identity panel. No other answer of
  any route carries identity. Staff may *give* a name when they add someone (at a desk, from a
  paper form); they do not read it back.

The consent ledger's routes and the information sheets are in
:mod:`mobilise.web.routes.consent`; the page's consent forms post there.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from mobilise.errors import MobiliseError, Problem, ValidationError
from mobilise.model.engagement_vocab import (
    ANSWERS,
    BOOLEAN_SCOPES,
    CONSENT_METHODS,
    PREFER_NOT_TO_SAY,
    QUOTE_LEVELS,
    SCOPES,
)
from mobilise.model.roles import EDITOR_ROLES, IDENTITY_ROLES
from mobilise.web.deps import TemplatesDep, WorkspaceDep, require_role, sent_fields
from mobilise.web.routes.api import ERRORS
from mobilise.workspace import Workspace
from mobilise.workspace.users import User

api = APIRouter(prefix="/api/v1", tags=["participants"])
pages = APIRouter(include_in_schema=False)

STAFF_ROLES = (*EDITOR_ROLES, "data_controller")
"""Who works with participants' pseudonymous records."""
StaffDep = Annotated[User, Depends(require_role(*STAFF_ROLES[1:]))]
IdentityDep = Annotated[User, Depends(require_role(*IDENTITY_ROLES[1:]))]
PAGE_SIZE = 50


# -- bodies ---------------------------------------------------------------------------------------
class IdentityFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=300)
    phone: str | None = Field(None, max_length=60)
    guardian_name: str | None = Field(None, max_length=200)
    guardian_contact: str | None = Field(None, max_length=300)


class IdentityUpdate(IdentityFields):
    postcode: str | None = Field(
        None, max_length=20, description="The full home postcode, kept because the person agreed."
    )


_ANSWERS_HELP = "Equality-monitoring answers: " + "; ".join(
    f"{q}: {', '.join(a)}" for q, a in ANSWERS.items()
)


class ParticipantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    place: str | None = Field(None, max_length=80, description="The place's slug.")
    postcode: str | None = Field(
        None, max_length=20, description="Home postcode: becomes LSOA and IMD decile."
    )
    keep_postcode: bool = Field(False, description="Keep the full postcode (the person agreed).")
    answers: dict[str, str | None] = Field(
        default_factory=dict, description=_ANSWERS_HELP + f"; or {PREFER_NOT_TO_SAY}."
    )
    lived_experience: list[str] = Field(default_factory=list, max_length=50)
    under_16: bool = False
    brought_by: str | None = Field(None, description="The partner (id or key) who brought them.")
    identity: IdentityFields | None = Field(
        None, description="Who they are: stored apart; read back only by identity roles."
    )


class ParticipantUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(
        None, description="The version you read; a stale version is a 409 Conflict."
    )
    answers: dict[str, str | None] | None = Field(None, description=_ANSWERS_HELP)
    lived_experience: list[str] | None = Field(None, max_length=50)
    brought_by: str | None = None


# -- what the answers show ------------------------------------------------------------------------
def participant_json(workspace: Workspace, participant_id: str) -> dict[str, Any]:
    """One participant as the API shows it: the pseudonymous record, consent now, events."""
    person = workspace.participants.get(participant_id)
    state = workspace.consent.state([person.id]).get(person.id)
    return {
        **person.to_dict(),
        "consent": state.to_dict() if state else None,
        "events": [a.to_dict() for a in workspace.participants.attended(person.id)],
    }


def _rows(workspace: Workspace, found: list[Any]) -> list[dict[str, Any]]:
    ids = [p.id for p in found]
    states = workspace.consent.state(ids)
    attended = workspace.participants.attendance_counts(ids)
    return [
        {
            "participant": p,
            "answered": sum(1 for v in p.answers.values() if v is not None),
            "consent": states.get(p.id),
            "events_attended": attended.get(p.id, 0),
        }
        for p in found
    ]


# -- API ------------------------------------------------------------------------------------------
@api.get("/participants", responses=ERRORS)
def list_participants(
    workspace: WorkspaceDep,
    _u: StaffDep,
    place: Annotated[str | None, Query(max_length=80, description="A place's slug.")] = None,
    q: Annotated[str | None, Query(max_length=20, description="Part of a pseudonym code.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = PAGE_SIZE,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> dict[str, Any]:
    """A page of participants (pseudonymous records, newest first), with consent now and the
    number of events each attended (staff)."""
    found = workspace.participants.page(place=place, search=q, limit=limit, offset=offset)
    return {
        "total": found.total,
        "limit": found.limit,
        "offset": found.offset,
        "items": [
            {
                **row["participant"].to_dict(),
                "consent": row["consent"].to_dict() if row["consent"] else None,
                "events_attended": row["events_attended"],
            }
            for row in _rows(workspace, found.items)
        ],
    }


@api.post("/participants", status_code=201, responses=ERRORS)
def create_participant(
    body: ParticipantCreate, workspace: WorkspaceDep, _u: StaffDep
) -> dict[str, Any]:
    """A new participant with a fresh pseudonym code (staff). Identity given here is stored
    apart and is not in the answer."""
    person = workspace.participants.add(
        place=body.place,
        postcode=body.postcode,
        keep_postcode=body.keep_postcode,
        answers=body.answers,
        lived_experience=body.lived_experience,
        under_16=body.under_16,
        brought_by=body.brought_by,
        identity=sent_fields(body.identity) if body.identity else None,
    )
    return participant_json(workspace, person.id)


@api.get("/participants/{participant_id}", responses=ERRORS)
def get_participant(participant_id: str, workspace: WorkspaceDep, _u: StaffDep) -> dict[str, Any]:
    """One participant by id or pseudonym code (staff): never their identity."""
    return participant_json(workspace, participant_id)


@api.patch("/participants/{participant_id}", responses=ERRORS)
def update_participant(
    participant_id: str, body: ParticipantUpdate, workspace: WorkspaceDep, _u: StaffDep
) -> dict[str, Any]:
    """Change answers, lived-experience groups or who brought them (staff; a stale
    ``version`` is a 409)."""
    person = workspace.participants.update(
        participant_id,
        answers=body.answers,
        lived_experience=body.lived_experience,
        brought_by=body.brought_by,
        version=body.version,
    )
    return participant_json(workspace, person.id)


@api.get("/participants/{participant_id}/identity", responses=ERRORS)
def get_identity(participant_id: str, workspace: WorkspaceDep, user: IdentityDep) -> dict[str, Any]:
    """Who a participant is (admins and the data controller): ``identity`` is null when
    nothing is held; ``erased_at`` says when it was erased, if it was."""
    found = workspace.participants.identity(participant_id, viewer=user)
    erased = workspace.participants.identity_erased_at(participant_id)
    return {
        "identity": found.to_dict() if found else None,
        "erased_at": erased.isoformat() if erased else None,
    }


@api.put("/participants/{participant_id}/identity", responses=ERRORS)
def set_identity(
    participant_id: str, body: IdentityUpdate, workspace: WorkspaceDep, user: IdentityDep
) -> dict[str, Any]:
    """Change what is held of who a participant is (the fields sent; admins and the data
    controller). Never written to the audit trail."""
    found = workspace.participants.set_identity(participant_id, sent_fields(body), viewer=user)
    return {"identity": found.to_dict() if found else None, "erased_at": None}


@api.delete("/participants/{participant_id}/identity", status_code=204, responses=ERRORS)
def erase_identity(participant_id: str, workspace: WorkspaceDep, user: IdentityDep) -> Response:
    """Erase who a participant is (admins and the data controller): the pseudonymous record,
    its consent ledger and contributions stay; the audit trail says only that it happened."""
    workspace.participants.erase_identity(participant_id, viewer=user)
    return Response(status_code=204)


# -- pages ----------------------------------------------------------------------------------------
@pages.get("/participants", response_class=HTMLResponse)
def participants_page(
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: StaffDep,
    place: Annotated[str | None, Query(max_length=80)] = None,
    q: Annotated[str | None, Query(max_length=20)] = None,
    page: Annotated[int, Query(ge=1, le=10**6)] = 1,
) -> Response:
    """Participants by pseudonym, a page at a time, with the consent coverage of the place."""
    return _list_page(request, templates, workspace, user, place=place or None, q=q, page=page)


def _list_page(
    request: Request,
    templates: TemplatesDep,
    workspace: Workspace,
    user: User,
    *,
    place: str | None = None,
    q: str | None = None,
    page: int = 1,
    error: MobiliseError | None = None,
) -> Response:
    search = (q or "").strip() or None
    try:
        found = workspace.participants.page(
            place=place, search=search, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
    except ValidationError as refused:
        error = error or refused
        found = workspace.participants.page(place=place, limit=PAGE_SIZE)
    return templates.TemplateResponse(
        request,
        "participants.html",
        {
            "user": user,
            "rows": _rows(workspace, found.items),
            "total": found.total,
            "page": page,
            "pages": max(1, -(-found.total // PAGE_SIZE)),
            "place": place,
            "q": search or "",
            "places": workspace.places.names(),
            "summary": workspace.consent.summary(place=place),
            "scopes": SCOPES,
            "error": error,
        },
        status_code=error.status_code if error else 200,
    )


Text200 = Annotated[str, Form(max_length=200)]
Text300 = Annotated[str, Form(max_length=300)]


@pages.post("/participants", response_class=HTMLResponse)
def add_participant_form(
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: StaffDep,
    place: Annotated[str, Form(max_length=80)] = "",
    postcode: Annotated[str, Form(max_length=20)] = "",
    keep_postcode: Annotated[bool, Form()] = False,
    under_16: Annotated[bool, Form()] = False,
    name: Text200 = "",
    email: Text300 = "",
    phone: Annotated[str, Form(max_length=60)] = "",
    guardian_name: Text200 = "",
    guardian_contact: Text300 = "",
) -> Response:
    identity = {
        "name": name,
        "email": email,
        "phone": phone,
        "guardian_name": guardian_name,
        "guardian_contact": guardian_contact,
    }
    try:
        person = workspace.participants.add(
            place=place or None,
            postcode=postcode or None,
            keep_postcode=keep_postcode,
            under_16=under_16,
            identity={k: v.strip() for k, v in identity.items()},
        )
    except MobiliseError as error:
        return _list_page(request, templates, workspace, user, error=error)
    return RedirectResponse(f"/participants/{person.code}", status_code=303)


@pages.get("/participants/{participant_id}", response_class=HTMLResponse)
def participant_page(
    request: Request,
    participant_id: str,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: StaffDep,
) -> Response:
    """A participant's pseudonymous record, consent ledger and actions; identity for the
    identity roles only."""
    return participant_view(request, templates, workspace, user, participant_id)


def participant_view(
    request: Request,
    templates: TemplatesDep,
    workspace: Workspace,
    user: User,
    participant_id: str,
    *,
    error: MobiliseError | None = None,
) -> Response:
    """The participant page (also re-shown with the error of a form that was refused)."""
    person = workspace.participants.get(participant_id)
    sees_identity = user.role in IDENTITY_ROLES
    sheets = workspace.consent.sheets()
    return templates.TemplateResponse(
        request,
        "participant.html",
        {
            "user": user,
            "person": person,
            "state": workspace.consent.state([person.id]).get(person.id),
            "ledger": workspace.consent.ledger(person.id),
            "sheets": sheets,
            "sheet_names": {s.id: f"{s.title} {s.sheet_version} ({s.audience})" for s in sheets},
            "events": workspace.participants.attended(person.id),
            "sees_identity": sees_identity,
            "identity": workspace.participants.identity(person.id, viewer=user)
            if sees_identity
            else None,
            "erased_at": workspace.participants.identity_erased_at(person.id)
            if sees_identity
            else None,
            "questions": ANSWERS,
            "prefer_not": PREFER_NOT_TO_SAY,
            "groups": workspace.project_settings.get("lived_experience"),
            "partners": workspace.partners.list(include_former=False),
            "methods": CONSENT_METHODS,
            "boolean_scopes": BOOLEAN_SCOPES,
            "quote_levels": QUOTE_LEVELS,
            "scopes": SCOPES,
            "error": error,
        },
        status_code=error.status_code if error else 200,
    )


def _redirect(workspace: Workspace, participant_id: str, anchor: str = "") -> Response:
    code = workspace.participants.get(participant_id).code
    return RedirectResponse(f"/participants/{code}{anchor}", status_code=303)


Answer = Annotated[str, Form(max_length=40)]


@pages.post("/participants/{participant_id}/answers", response_class=HTMLResponse)
def answers_form(
    request: Request,
    participant_id: str,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: StaffDep,
    age_band: Answer = "",
    sex: Answer = "",
    gender_identity: Answer = "",
    ethnic_group: Answer = "",
    disability: Answer = "",
    carer: Answer = "",
    young_person: Answer = "",
    lived_experience: Annotated[list[str] | None, Form(max_length=50)] = None,
    version: Annotated[int | None, Form()] = None,
) -> Response:
    """Change the equality-monitoring answers (empty: not asked) and lived-experience groups."""
    given = {
        "age_band": age_band,
        "sex": sex,
        "gender_identity": gender_identity,
        "ethnic_group": ethnic_group,
        "disability": disability,
        "carer": carer,
        "young_person": young_person,
    }
    try:
        workspace.participants.update(
            participant_id,
            answers={q: value or None for q, value in given.items()},
            lived_experience=lived_experience or [],
            version=version,
        )
    except MobiliseError as error:
        return participant_view(request, templates, workspace, user, participant_id, error=error)
    return _redirect(workspace, participant_id, "#answers")


@pages.post("/participants/{participant_id}/identity", response_class=HTMLResponse)
def identity_form(
    request: Request,
    participant_id: str,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: IdentityDep,
    name: Text200 = "",
    email: Text300 = "",
    phone: Annotated[str, Form(max_length=60)] = "",
    postcode: Annotated[str, Form(max_length=20)] = "",
    guardian_name: Text200 = "",
    guardian_contact: Text300 = "",
) -> Response:
    values = {
        "name": name.strip(),
        "email": email.strip(),
        "phone": phone.strip(),
        "postcode": postcode.strip() or None,
        "guardian_name": guardian_name.strip(),
        "guardian_contact": guardian_contact.strip(),
    }
    try:
        workspace.participants.set_identity(participant_id, values, viewer=user)
    except MobiliseError as error:
        return participant_view(request, templates, workspace, user, participant_id, error=error)
    return _redirect(workspace, participant_id, "#identity")


@pages.post("/participants/{participant_id}/identity/erase", response_class=HTMLResponse)
def erase_identity_form(
    request: Request,
    participant_id: str,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: IdentityDep,
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Erase the identity once the confirm box is ticked (the form asks first)."""
    if confirm != "yes":
        refused = ValidationError(
            "The identity was not erased.",
            problems=[Problem("tick the box to confirm the erasure", field="confirm")],
        )
        return participant_view(request, templates, workspace, user, participant_id, error=refused)
    workspace.participants.erase_identity(participant_id, viewer=user)
    return _redirect(workspace, participant_id, "#identity")
