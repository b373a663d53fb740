"""The consent ledger, the information sheets and the project's settings: JSON API and pages.

- The ledger (``/api/v1/participants/{id}/consent``; the participant page's forms): staff (the
  editors and the data controller). A consent is recorded against an information sheet's
  version; a withdrawal names its scopes and a cut-off date. Nothing in the ledger is changed.
- Information sheets: staff list and add versions (a stored version is never edited: a change
  is a new version). **One sheet's page and its JSON are public** (``/information-sheets/{id}``),
  so that a registration form or a printed QR code can link to what people read before they
  consent; a sheet whose publication day has not come is a 404 to everyone but staff.
- Project settings: anyone signed in reads them (forms need the lived-experience groups, pages
  the disclosure threshold); only admins change them.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from mobilise.errors import MobiliseError, Problem, ValidationError
from mobilise.model.engagement_vocab import INFORMATION_SHEET_AUDIENCES, RETENTION_RULES, SCOPES
from mobilise.web.deps import (
    AdminDep,
    OptionalUserDep,
    PublicWorkspaceDep,
    TemplatesDep,
    UserDep,
    WorkspaceDep,
)
from mobilise.web.routes import participants
from mobilise.web.routes.api import ERRORS
from mobilise.web.routes.participants import STAFF_ROLES, StaffDep, participant_view
from mobilise.workspace import Workspace
from mobilise.workspace.consent import scopes_ticked
from mobilise.workspace.users import User

api = APIRouter(prefix="/api/v1", tags=["consent"])
pages = APIRouter(include_in_schema=False)

_SCOPES_HELP = (
    "Each scope granted: take_part, photos, audio, video, recontact, archive (true/false); "
    "quote (named, anonymous or none); share_partners (partner ids). Left out: not granted."
)


# -- bodies ---------------------------------------------------------------------------------------
class ConsentGive(BaseModel):
    model_config = ConfigDict(extra="forbid")

    information_sheet: str | None = Field(
        None, max_length=36, description="The id of the information sheet version they saw."
    )
    method: str = Field(max_length=20, description="paper, online or verbal (with a witness).")
    scopes: dict[str, bool | str | list[str]] = Field(description=_SCOPES_HELP)
    witness: str = Field("", max_length=200)
    guardian: bool = Field(False, description="Given by a parent or guardian (under-16s).")
    event: str | None = Field(None, max_length=36, description="The event it was given at.")
    at: dt.datetime | None = Field(None, description="When (now if not given).")
    note: str = Field("", max_length=2000)


class Withdrawal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scopes: list[str] = Field(
        max_length=len(SCOPES), description=f"Scopes withdrawn ({', '.join(SCOPES)}) or ['all']."
    )
    method: str = Field(max_length=20, description="paper, online or verbal (with a witness).")
    cut_off: dt.date | None = Field(None, description="From when (today if not given).")
    witness: str = Field("", max_length=200)
    at: dt.datetime | None = None
    note: str = Field("", max_length=2000)


class SheetCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=300)
    sheet_version: str = Field(max_length=40, description="As printed on the sheet, e.g. v1.2.")
    body: str = Field(description="The full text people read.")
    audience: str = Field(
        "standard", description=f"One of {', '.join(INFORMATION_SHEET_AUDIENCES)}."
    )
    published_on: dt.date | None = Field(None, description="Shown from this day (today).")


class SettingValue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: Any = Field(description="The new value (its shape depends on the setting).")


# -- the ledger -----------------------------------------------------------------------------------
def _ledger(workspace: Workspace, participant_id: str) -> dict[str, Any]:
    person = workspace.participants.get(participant_id)
    state = workspace.consent.state([person.id]).get(person.id)
    return {
        "participant": person.code,
        "state": state.to_dict() if state else None,
        "ledger": [r.to_dict() for r in workspace.consent.ledger(person.id)],
    }


@api.get("/participants/{participant_id}/consent", responses=ERRORS)
def get_consent(participant_id: str, workspace: WorkspaceDep, _u: StaffDep) -> dict[str, Any]:
    """A participant's consent ledger (oldest first) and what they agree to now (staff)."""
    return _ledger(workspace, participant_id)


@api.post("/participants/{participant_id}/consent", status_code=201, responses=ERRORS)
def give_consent(
    participant_id: str, body: ConsentGive, workspace: WorkspaceDep, _u: StaffDep
) -> dict[str, Any]:
    """Record a consent against an information sheet, scope by scope (staff)."""
    workspace.consent.give(
        participant_id,
        information_sheet=body.information_sheet,
        method=body.method,
        scopes=body.scopes,
        witness=body.witness,
        guardian=body.guardian,
        event=body.event,
        at=body.at,
        note=body.note,
    )
    return _ledger(workspace, participant_id)


@api.post("/participants/{participant_id}/consent/withdrawals", status_code=201, responses=ERRORS)
def withdraw_consent(
    participant_id: str, body: Withdrawal, workspace: WorkspaceDep, _u: StaffDep
) -> dict[str, Any]:
    """Record a withdrawal of scopes from a cut-off date (staff): from now on nothing given
    under them is shown anywhere."""
    workspace.consent.withdraw(
        participant_id,
        scopes=body.scopes,
        method=body.method,
        cut_off=body.cut_off,
        witness=body.witness,
        at=body.at,
        note=body.note,
    )
    return _ledger(workspace, participant_id)


@api.get("/consent/summary", responses=ERRORS)
def consent_summary(
    workspace: WorkspaceDep,
    _u: StaffDep,
    place: Annotated[str | None, Query(max_length=80, description="A place's slug.")] = None,
) -> dict[str, Any]:
    """Consent coverage: participants, those with no consent recorded, those who withdrew
    something, and each scope granted now (staff)."""
    return workspace.consent.summary(place=place).to_dict()


Line200 = Annotated[str, Form(max_length=200)]
Note = Annotated[str, Form(max_length=2000)]


@pages.post("/participants/{participant_id}/consent", response_class=HTMLResponse)
def consent_form(
    request: Request,
    participant_id: str,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: StaffDep,
    method: Annotated[str, Form(max_length=20)] = "",
    information_sheet: Annotated[str, Form(max_length=36)] = "",
    witness: Line200 = "",
    guardian: Annotated[bool, Form()] = False,
    granted: Annotated[list[str] | None, Form(max_length=len(SCOPES))] = None,
    quote: Annotated[str, Form(max_length=20)] = "none",
    share_partners: Annotated[list[str] | None, Form(max_length=500)] = None,
    note: Note = "",
) -> Response:
    """Record a consent from the participant page (the boxes ticked are the scopes granted)."""
    scopes = scopes_ticked(granted or [], quote=quote, share_partners=share_partners or [])
    try:
        workspace.consent.give(
            participant_id,
            information_sheet=information_sheet or None,
            method=method,
            scopes=scopes,
            witness=witness,
            guardian=guardian,
            note=note,
        )
    except MobiliseError as error:
        return participant_view(request, templates, workspace, user, participant_id, error=error)
    code = workspace.participants.get(participant_id).code
    return RedirectResponse(f"/participants/{code}#consent", status_code=303)


@pages.post("/participants/{participant_id}/withdrawal", response_class=HTMLResponse)
def withdrawal_form(
    request: Request,
    participant_id: str,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: StaffDep,
    method: Annotated[str, Form(max_length=20)] = "",
    withdrawn: Annotated[list[str] | None, Form(max_length=len(SCOPES) + 1)] = None,
    cut_off: Annotated[str, Form(max_length=10)] = "",
    witness: Line200 = "",
    note: Note = "",
) -> Response:
    """Record a withdrawal from the participant page."""
    try:
        workspace.consent.withdraw(
            participant_id,
            scopes=withdrawn or [],
            method=method,
            cut_off=_day(cut_off, "cut_off"),
            witness=witness,
            note=note,
        )
    except MobiliseError as error:
        return participant_view(request, templates, workspace, user, participant_id, error=error)
    code = workspace.participants.get(participant_id).code
    return RedirectResponse(f"/participants/{code}#consent", status_code=303)


def _day(text: str, field: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            "Cannot read the date.", problems=[Problem("a date, YYYY-MM-DD", field=field)]
        ) from None


# -- information sheets ---------------------------------------------------------------------------
@api.get("/information-sheets", responses=ERRORS)
def list_sheets(
    workspace: WorkspaceDep,
    _u: StaffDep,
    audience: Annotated[
        str | None, Query(max_length=20, description=", ".join(INFORMATION_SHEET_AUDIENCES))
    ] = None,
) -> list[dict[str, Any]]:
    """Every information sheet version (staff), newest first within each title."""
    return [s.to_dict() for s in workspace.consent.sheets(audience=audience)]


@api.post("/information-sheets", status_code=201, responses=ERRORS)
def add_sheet(body: SheetCreate, workspace: WorkspaceDep, _u: StaffDep) -> dict[str, Any]:
    """Store a new version of an information sheet (staff; a stored version never changes)."""
    return workspace.consent.add_sheet(
        body.title,
        body.sheet_version,
        body.body,
        audience=body.audience,
        published_on=body.published_on,
    ).to_dict()


def _is_staff(user: User) -> bool:
    return user.role in STAFF_ROLES


@api.get("/information-sheets/{sheet_id}", responses=ERRORS)
def get_sheet(
    sheet_id: str, workspace: PublicWorkspaceDep, user: OptionalUserDep
) -> dict[str, Any]:
    """One information sheet version: public once its publication day has come."""
    return workspace.consent.sheet(sheet_id, published=not _is_staff(user)).to_dict()


@pages.get("/information-sheets", response_class=HTMLResponse)
def sheets_page(
    request: Request, workspace: WorkspaceDep, templates: TemplatesDep, user: StaffDep
) -> Response:
    """The information sheets, and a form to add a version."""
    return _sheets_page(request, templates, workspace, user)


def _sheets_page(
    request: Request,
    templates: TemplatesDep,
    workspace: Workspace,
    user: User,
    *,
    error: MobiliseError | None = None,
) -> Response:
    return templates.TemplateResponse(
        request,
        "information_sheets.html",
        {
            "user": user,
            "sheets": workspace.consent.sheets(),
            "audiences": INFORMATION_SHEET_AUDIENCES,
            "today": dt.date.today().isoformat(),
            "error": error,
        },
        status_code=error.status_code if error else 200,
    )


@pages.post("/information-sheets", response_class=HTMLResponse)
def add_sheet_form(
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: StaffDep,
    title: Annotated[str, Form(max_length=300)] = "",
    sheet_version: Annotated[str, Form(max_length=40)] = "",
    audience: Annotated[str, Form(max_length=20)] = "standard",
    published_on: Annotated[str, Form(max_length=10)] = "",
    body: Annotated[str, Form()] = "",
) -> Response:
    try:
        sheet = workspace.consent.add_sheet(
            title,
            sheet_version,
            body,
            audience=audience,
            published_on=_day(published_on, "published_on"),
        )
    except MobiliseError as error:
        return _sheets_page(request, templates, workspace, user, error=error)
    return RedirectResponse(f"/information-sheets/{sheet.id}", status_code=303)


@pages.get("/information-sheets/{sheet_id}", response_class=HTMLResponse)
def sheet_page(
    request: Request,
    sheet_id: str,
    workspace: PublicWorkspaceDep,
    templates: TemplatesDep,
    user: OptionalUserDep,
) -> Response:
    """One information sheet's full text: a public page (a registration form links to it)."""
    sheet = workspace.consent.sheet(sheet_id, published=not _is_staff(user))
    paragraphs = [part.strip() for part in sheet.body.replace("\r\n", "\n").split("\n\n")]
    return templates.TemplateResponse(
        request,
        "information_sheet.html",
        {
            "user": user,
            "sheet": sheet,
            "paragraphs": [p for p in paragraphs if p],
            "audience": INFORMATION_SHEET_AUDIENCES.get(sheet.audience, sheet.audience),
            "staff": _is_staff(user),
        },
    )


# -- project settings -----------------------------------------------------------------------------
@api.get("/project-settings", responses=ERRORS)
def get_settings(workspace: WorkspaceDep, _u: UserDep) -> dict[str, Any]:
    """Every project setting and its value (anyone signed in)."""
    return workspace.project_settings.all()


@api.get("/project-settings/{key}", responses=ERRORS)
def get_setting(key: str, workspace: WorkspaceDep, _u: UserDep) -> dict[str, Any]:
    """One project setting (anyone signed in)."""
    return {"key": key, "value": workspace.project_settings.get(key)}


@api.put("/project-settings/{key}", responses=ERRORS)
def put_setting(
    key: str, body: SettingValue, workspace: WorkspaceDep, _a: AdminDep
) -> dict[str, Any]:
    """Change one project setting (admins): lived_experience ({code: label}), retention
    (remove or keep_analysed), payment_warning_pence, disclosure_k."""
    return {"key": key, "value": workspace.project_settings.set(key, body.value)}


def _settings_page(
    request: Request,
    templates: TemplatesDep,
    workspace: Workspace,
    user: User,
    *,
    error: MobiliseError | None = None,
) -> Response:
    from mobilise.workspace.project_settings import DESCRIPTIONS

    values = workspace.project_settings.all()
    return templates.TemplateResponse(
        request,
        "project_settings.html",
        {
            "user": user,
            "values": values,
            "groups_text": "\n".join(
                f"{c}: {label}" for c, label in values["lived_experience"].items()
            ),
            "descriptions": DESCRIPTIONS,
            "retention_rules": RETENTION_RULES,
            "error": error,
        },
        status_code=error.status_code if error else 200,
    )


@pages.get("/admin/project-settings", response_class=HTMLResponse)
def settings_page(
    request: Request, workspace: WorkspaceDep, templates: TemplatesDep, user: AdminDep
) -> Response:
    """The project's settings (admins)."""
    return _settings_page(request, templates, workspace, user)


@pages.post("/admin/project-settings", response_class=HTMLResponse)
def settings_form(
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: AdminDep,
    key: Annotated[str, Form(max_length=40)] = "",
    value: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """Change one setting; the form's text is read as the setting needs it."""
    try:
        workspace.project_settings.set(key, _setting_value(key, value))
    except MobiliseError as error:
        return _settings_page(request, templates, workspace, user, error=error)
    return RedirectResponse(f"/admin/project-settings#{key}", status_code=303)


def _setting_value(key: str, text: str) -> Any:
    """A setting from a form's text: groups one ``code: label`` a line, pounds for the payment
    warning, whole numbers, or the text itself."""
    text = text.strip()
    if key == "lived_experience":
        groups = {}
        for line in text.splitlines():
            code, _, label = line.partition(":")
            if line.strip():
                groups[code.strip()] = label.strip()
        return groups
    if key == "payment_warning_pence":
        try:
            return round(float(text) * 100)
        except (ValueError, OverflowError):
            return text  # refused by the setting's check, naming it
    if key == "disclosure_k":
        return int(text) if text.isdigit() else text
    return text


router = APIRouter()
"""Participants', identities', the ledger's, the sheets' and the settings' routes in one (what
web/app.py includes)."""
for _part in (participants.api, participants.pages, api, pages):
    router.include_router(_part)
