"""Taking part in an event: the public registration page a registration link opens
(``/join/<token>``: no sign-in, phone-first, plain words, no JavaScript needed), and the door,
where facilitators sign people in on the day (plain forms, also without JavaScript).

Registration online adds the participant (their answers and home postcode; name and contact
kept only as identity), records their consent against the current information sheet, one scope
at a time, and registers them, all at once or not at all. Bots fill the hidden honeypot field
and are thanked and dropped; a sender is limited to ``MOBILISE_SUGGESTIONS_PER_HOUR``
registrations an hour, counted by the keyed hash of their address, as the public suggestion
forms are.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from mobilise.errors import MobiliseError, Problem, RateLimited, ValidationError
from mobilise.model.engagement_vocab import (
    ANSWERS,
    BOOLEAN_SCOPES,
    PREFER_NOT_TO_SAY,
    QUOTE_LEVELS,
)
from mobilise.model.roles import IDENTITY_ROLES
from mobilise.settings import Settings
from mobilise.web.deps import EditorDep, SettingsDep, TemplatesDep, WorkspaceDep
from mobilise.web.routes.contributions import HONEYPOT, ClientKeyDep
from mobilise.workspace import Workspace
from mobilise.workspace.users import User

pages = APIRouter(include_in_schema=False)

JOIN_ACTOR = "registration link"  # who the audit trail says registered through a link
QUESTIONS: dict[str, str] = {
    "age_band": "How old are you?",
    "sex": "What is your sex?",
    "gender_identity": "Is the gender you identify with the same as your sex registered at birth?",
    "ethnic_group": "What is your ethnic group?",
    "disability": "Are your day-to-day activities limited by a health problem or disability?",
    "carer": "Do you look after, or give help or support to, anyone because of their health?",
    "young_person": "Are you aged 11 to 25?",
}
MY_SCOPES: dict[str, str] = {
    "photos": "Photos of me, or photos I take",
    "audio": "Recordings of my voice",
    "video": "Videos of me, or videos I make",
    "recontact": "Being contacted again about this project",
    "archive": "Keeping what I give in an archive after the project",
}
"""The consent scopes (besides taking part and quotes) in the words of the person agreeing."""
EASY_SCOPES: dict[str, str] = {
    "photos": "You can take photos of me.",
    "audio": "You can record my voice.",
    "video": "You can film me.",
    "recontact": "You can contact me again.",
    "archive": "You can keep what I give after the project ends.",
}
"""The same in easy read: short sentences, one idea each."""
LIMITS = {
    "name": 200,
    "email": 300,
    "phone": 60,
    "postcode": 10,
    "guardian_name": 200,
    "guardian_contact": 300,
    "participant": 40,
    "q": 100,
}
"""The longest value of each free-text field (the forms say so too)."""


def get_join_workspace(request: Request) -> Workspace:
    """The workspace for a registration link: no sign-in (the link's token opens it)."""
    workspace: Workspace = request.app.state.workspace
    return workspace.as_actor(JOIN_ACTOR)


JoinWorkspaceDep = Annotated[Workspace, Depends(get_join_workspace)]


def too_long(values: dict[str, Any]) -> list[Problem]:
    return [
        Problem(f"at most {limit} characters", field=name)
        for name, limit in LIMITS.items()
        if len(str(values.get(name) or "")) > limit
    ]


# -- the public registration page ---------------------------------------------------------------
def _join_form(
    request: Request,
    templates: Any,
    workspace: Workspace,
    token: str,
    values: dict[str, Any],
    error: MobiliseError | None = None,
) -> Response:
    event = workspace.events.by_token(token)
    try:
        sheet = workspace.events.current_sheet()
    except ValidationError as no_sheet:
        sheet, error = None, error or no_sheet
    return templates.TemplateResponse(
        request,
        "event_join.html",
        {
            "user": None,
            "event": event,
            "token": token,
            "sheet": sheet,
            "values": values,
            "questions": QUESTIONS,
            "answers": ANSWERS,
            "prefer": PREFER_NOT_TO_SAY,
            "groups": workspace.project_settings.get("lived_experience"),
            "scopes": MY_SCOPES,
            "quote_levels": QUOTE_LEVELS,
            "limits": LIMITS,
            "error": error,
            "errors": {p.field or "": p.message for p in (error.problems if error else [])},
        },
        status_code=error.status_code if error else 200,
        headers={"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else None,
    )


@pages.get("/join/{registration_token}", response_class=HTMLResponse, name="join_page")
def join_page(
    request: Request,
    registration_token: str,
    workspace: JoinWorkspaceDep,
    templates: TemplatesDep,
) -> Response:
    """Register for an event through its link: plain words, works on a phone without
    JavaScript. Without an information sheet, the page says registration is not possible."""
    return _join_form(request, templates, workspace, registration_token, {})


@pages.get("/join/{registration_token}/information-sheet", response_class=HTMLResponse)
def join_sheet(
    request: Request,
    registration_token: str,
    workspace: JoinWorkspaceDep,
    templates: TemplatesDep,
) -> Response:
    """The full text of the information sheet people read before they agree."""
    event = workspace.events.by_token(registration_token)
    sheet = workspace.events.current_sheet()
    return templates.TemplateResponse(
        request,
        "event_sheet_text.html",
        {"user": None, "event": event, "sheet": sheet, "token": registration_token},
    )


def _person(values: dict[str, Any], groups: dict[str, str]) -> dict[str, Any]:
    """The keywords of ``ParticipantService.add`` from the registration form."""
    answers = {q: values.get(q) or None for q in ANSWERS if values.get(q)}
    under_16 = values.get("under_16") == "yes"
    identity = {
        name: str(values.get(name) or "").strip()
        for name in ("name", "email", "phone", "guardian_name", "guardian_contact")
        if str(values.get(name) or "").strip()
    }
    return {
        "postcode": str(values.get("postcode") or "").strip() or None,
        "keep_postcode": values.get("keep_postcode") == "yes",
        "answers": answers,
        "lived_experience": [g for g in values.get("groups", []) if g in groups],
        "under_16": under_16,
        "identity": identity,
    }


def _scopes(values: dict[str, Any]) -> dict[str, Any]:
    scopes: dict[str, Any] = {"take_part": values.get("take_part") == "yes"}
    scopes.update(
        {scope: values.get(scope) == "yes" for scope in BOOLEAN_SCOPES if scope != "take_part"}
    )
    quote = values.get("quote") or "none"
    scopes["quote"] = quote
    return scopes


async def _sent(request: Request) -> dict[str, Any]:
    sent = await request.form(max_fields=100)
    values: dict[str, Any] = {k: v for k, v in sent.items() if isinstance(v, str)}
    values["groups"] = [g for g in sent.getlist("groups") if isinstance(g, str)][:20]
    return values


@pages.post("/join/{registration_token}", response_class=HTMLResponse)
async def join(
    request: Request,
    registration_token: str,
    workspace: JoinWorkspaceDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    key: ClientKeyDep,
) -> Response:
    """Register: the participant, their consent and their place, or the form again with each
    problem next to its question (422)."""
    values = await _sent(request)
    return await run_in_threadpool(
        _join, request, workspace, templates, settings, key, registration_token, values
    )


def _join(
    request: Request,
    workspace: Workspace,
    templates: Any,
    settings: Settings,
    key: str,
    token: str,
    values: dict[str, Any],
) -> Response:
    event = workspace.events.by_token(token)
    if values.get(HONEYPOT):  # a bot: thanked, nothing kept
        return _thanks(request, templates, event, "registered", None)
    try:
        problems = too_long(values)
        if values.get("take_part") != "yes":
            problems.append(
                Problem("tick the box to say you agree to take part", field="take_part")
            )
        if problems:
            raise ValidationError("Please check your answers.", problems=problems)
        added, registration = workspace.events.register_online(
            token,
            person=_person(values, workspace.project_settings.get("lived_experience")),
            scopes=_scopes(values),
            information_sheet=str(values.get("information_sheet") or "")[:40],
            client_key=key,
            per_hour=settings.suggestions_per_hour,
        )
    except RateLimited as error:
        return _join_form(request, templates, workspace, token, values, error)
    except ValidationError as error:
        return _join_form(request, templates, workspace, token, values, error)
    return _thanks(request, templates, event, registration.status, added.code)


def _thanks(
    request: Request, templates: Any, event: Any, status: str, code: str | None
) -> Response:
    return templates.TemplateResponse(
        request,
        "event_joined.html",
        {"user": None, "event": event, "status": status, "code": code},
    )


# -- the door -----------------------------------------------------------------------------------
def door(
    request: Request,
    workspace: Workspace,
    templates: Any,
    user: User,
    event_id: str,
    *,
    query: str = "",
    signed: str = "",
    error: MobiliseError | None = None,
) -> Response:
    event = workspace.events.get(event_id)
    found = workspace.events.find(event.id, query, viewer=user) if query else None
    people = [r for r in workspace.events.registrations(event.id) if r.status != "cancelled"]
    return templates.TemplateResponse(
        request,
        "event_door.html",
        {
            "user": user,
            "event": event,
            "query": query,
            "found": found,
            "people": people,
            "signed": signed,
            "by_name": user.role in IDENTITY_ROLES,
            "questions": {"age_band": QUESTIONS["age_band"]},
            "answers": ANSWERS,
            "prefer": PREFER_NOT_TO_SAY,
            "quote_levels": QUOTE_LEVELS,
            "error": error,
            "errors": {p.field or "": p.message for p in (error.problems if error else [])},
        },
        status_code=error.status_code if error else 200,
    )


@pages.get("/events/{event_id}/door", response_class=HTMLResponse)
def door_page(
    request: Request,
    event_id: str,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: EditorDep,
    q: Annotated[str, Query(max_length=100)] = "",
    signed: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """Sign-in at the door: find by pseudonym code (or by name, for the roles that read
    identity) and sign in, or add a walk-in. Plain forms: no JavaScript needed."""
    return door(request, workspace, templates, user, event_id, query=q, signed=signed)


@pages.post("/events/{event_id}/door", response_class=HTMLResponse)
def sign_in(
    request: Request,
    event_id: str,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: EditorDep,
    participant: Annotated[str, Form()] = "",
) -> Response:
    try:
        if not participant.strip() or len(participant) > LIMITS["participant"]:
            raise ValidationError(
                "Say who is signing in.",
                problems=[Problem("a pseudonym code, e.g. P-7KQ3MX", field="participant")],
            )
        done = workspace.events.attend(event_id, participant.strip())
    except (ValidationError, MobiliseError) as error:
        if error.status_code >= 500:
            raise
        return door(request, workspace, templates, user, event_id, error=error)
    return RedirectResponse(f"/events/{event_id}/door?signed={done.code}", status_code=303)


@pages.post("/events/{event_id}/door/walk-in", response_class=HTMLResponse)
async def walk_in(
    request: Request,
    event_id: str,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: EditorDep,
) -> Response:
    """Someone who turns up: added, their paper consent recorded, registered and signed in."""
    values = await _sent(request)
    return await run_in_threadpool(_walk_in, request, workspace, templates, user, event_id, values)


def _walk_in(
    request: Request,
    workspace: Workspace,
    templates: Any,
    user: User,
    event_id: str,
    values: dict[str, Any],
) -> Response:
    try:
        problems = too_long(values)
        if problems:
            raise ValidationError("Please check the walk-in's details.", problems=problems)
        scopes = _scopes(values) if values.get("take_part") == "yes" else None
        added, _ = workspace.events.walk_in(
            event_id,
            person=_person(values, {}),
            scopes=scopes,
            method="paper",
        )
    except MobiliseError as error:
        if error.status_code >= 500:
            raise
        return door(request, workspace, templates, user, event_id, error=error)
    return RedirectResponse(f"/events/{event_id}/door?signed={added.code}", status_code=303)
