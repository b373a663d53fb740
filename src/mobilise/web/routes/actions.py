""" "You said, we did": a place's public page, its JSON and Atom feeds, and the staff pages and
API for actions and feedback.

The public page (``/places/{slug}/you-said-we-did``) is for anyone, on a phone first: what
people said (themes, with words shown only under consent and only as "a resident"), what was
done, what is still to do, and the closure figures; only public actions. Its feeds are the same
content as JSON and as Atom 1.0, for partners to embed. Actions and feedback are written and
listed by editors (facilitators, analysts, admins): the staff pages ``/actions`` (with the
overdue list) and ``/actions/{id}``, and the JSON API under ``/api/v1/actions``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from mobilise.model.coproduction_vocab import ACTION_STATUSES, FEEDBACK_CHANNELS
from mobilise.web.deps import (
    EditorDep,
    PublicWorkspaceDep,
    TemplatesDep,
    WorkspaceDep,
    sent_fields,
)
from mobilise.web.routes.api import ERRORS

api = APIRouter(prefix="/api/v1", tags=["actions"])
pages = APIRouter(include_in_schema=False)
router = APIRouter()
"""The API, the public page and the staff pages, for the app to include at once."""

ATOM_TYPE = "application/atom+xml; charset=utf-8"
SLUG = r"^[a-z0-9][a-z0-9-]{0,79}$"
StatusQuery = Annotated[
    str | None, Query(max_length=20, description="One of " + ", ".join(ACTION_STATUSES) + ".")
]
PlaceQuery = Annotated[str | None, Query(max_length=80, pattern=SLUG, description="A place.")]
DONE = {
    "added": "The action is saved.",
    "saved": "The changes are saved.",
    "feedback": "The feedback is recorded.",
}


class ActionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=300)
    place: str = Field(max_length=80, description="The place's slug.")
    description: str = Field("", max_length=10_000)
    owner: str | None = Field(None, max_length=36, description="The owner partner's id.")
    due_on: dt.date | None = None
    status: str = Field("planned", description="One of " + ", ".join(ACTION_STATUSES) + ".")
    done_on: dt.date | None = None
    evidence: str = Field("", max_length=10_000, description="What was done, and how we know.")
    cost_pence: int | None = Field(None, ge=0, le=10**10)
    event: str | None = Field(None, max_length=36, description="The workshop that agreed it.")
    public: bool = True
    themes: list[str] = Field(default_factory=list, max_length=200, description="Theme ids.")


class ActionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(None, ge=1, le=2**31, description="The version you read.")
    title: str | None = Field(None, max_length=300)
    description: str | None = Field(None, max_length=10_000)
    owner: str | None = Field(None, max_length=36)
    due_on: dt.date | None = None
    status: str | None = None
    done_on: dt.date | None = None
    evidence: str | None = Field(None, max_length=10_000)
    cost_pence: int | None = Field(None, ge=0, le=10**10)
    event: str | None = Field(None, max_length=36)
    public: bool | None = None
    themes: list[str] | None = Field(None, max_length=200)


class ActionDone(BaseModel):
    model_config = ConfigDict(extra="forbid")

    evidence: str = Field(max_length=10_000, description="What was done, and how we know.")
    done_on: dt.date | None = None
    version: int | None = Field(None, ge=1, le=2**31)


class FeedbackCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    summary: str = Field(max_length=10_000)
    shared_on: dt.date
    channel: str = Field(description="One of " + ", ".join(FEEDBACK_CHANNELS) + ".")
    action: str | None = Field(None, max_length=36)
    place: str | None = Field(None, max_length=80)
    event: str | None = Field(None, max_length=36)
    url: str = Field("", max_length=500)


# -- the public page and its feeds --------------------------------------------------------------
@api.get("/places/{slug}/you-said-we-did", responses=ERRORS, tags=["public"])
def you_said_json(slug: str, workspace: PublicWorkspaceDep) -> dict[str, Any]:
    """A place's "you said, we did": themes with consented words (as "a resident"), public
    actions done, to do and dropped, feedback, closure figures (people counts disclosure
    controlled)."""
    return workspace.actions.public_page(slug).to_dict()


@pages.get("/places/{slug}/you-said-we-did.atom")
def you_said_atom(slug: str, request: Request, workspace: PublicWorkspaceDep) -> Response:
    """The same as an Atom 1.0 feed."""
    body = workspace.actions.atom(slug, base_url=str(request.base_url))
    return Response(body, media_type=ATOM_TYPE)


@pages.get("/places/{slug}/you-said-we-did", response_class=HTMLResponse)
def you_said_page(
    slug: str, request: Request, workspace: PublicWorkspaceDep, templates: TemplatesDep
) -> Response:
    page = workspace.actions.public_page(slug)
    return templates.TemplateResponse(
        request,
        "you_said.html",
        {"page": page, "statuses": ACTION_STATUSES, "channels": FEEDBACK_CHANNELS},
    )


# -- API -----------------------------------------------------------------------------------------
@api.get("/actions", responses=ERRORS)
def list_actions(
    workspace: WorkspaceDep,
    _user: EditorDep,
    place: PlaceQuery = None,
    status: StatusQuery = None,
    overdue: bool = False,
) -> list[dict[str, Any]]:
    """Actions by due date; of one place or status; only those overdue today."""
    found = workspace.actions.list(
        place=place, status=status, overdue_on=dt.date.today() if overdue else None
    )
    return [a.to_dict() for a in found]


@api.post("/actions", status_code=201, responses=ERRORS)
def add_action(body: ActionCreate, workspace: WorkspaceDep, _user: EditorDep) -> dict[str, Any]:
    """Add an action answering themes."""
    values = body.model_dump()
    return workspace.actions.add(values.pop("title"), place=values.pop("place"), **values).to_dict()


@api.get("/actions/{action_id}", responses=ERRORS)
def get_action(action_id: str, workspace: WorkspaceDep, _user: EditorDep) -> dict[str, Any]:
    return workspace.actions.get(action_id).to_dict()


@api.patch("/actions/{action_id}", responses=ERRORS)
def update_action(
    action_id: str, body: ActionUpdate, workspace: WorkspaceDep, _user: EditorDep
) -> dict[str, Any]:
    """Change an action; with ``version``, a change to a record changed since is a 409."""
    changes = sent_fields(body, drop=("version",))
    return workspace.actions.update(action_id, version=body.version, **changes).to_dict()


@api.post("/actions/{action_id}/done", responses=ERRORS)
def action_done(
    action_id: str, body: ActionDone, workspace: WorkspaceDep, _user: EditorDep
) -> dict[str, Any]:
    """Mark an action done, with the evidence of what was done."""
    found = workspace.actions.done(
        action_id, evidence=body.evidence, done_on=body.done_on, version=body.version
    )
    return found.to_dict()


@api.delete("/actions/{action_id}", status_code=204, responses=ERRORS)
def remove_action(action_id: str, workspace: WorkspaceDep, _user: EditorDep) -> Response:
    workspace.actions.remove(action_id)
    return Response(status_code=204)


@api.get("/feedback", responses=ERRORS)
def list_feedback(
    workspace: WorkspaceDep,
    _user: EditorDep,
    place: PlaceQuery = None,
    action: Annotated[str | None, Query(max_length=36)] = None,
) -> list[dict[str, Any]]:
    """Feedback given back to the community, newest first."""
    return [f.to_dict() for f in workspace.actions.feedback(place=place, action=action)]


@api.post("/feedback", status_code=201, responses=ERRORS)
def add_feedback(body: FeedbackCreate, workspace: WorkspaceDep, _user: EditorDep) -> dict[str, Any]:
    """Record where and when people were told what became of what they said."""
    values = body.model_dump()
    return workspace.actions.add_feedback(values.pop("summary"), **values).to_dict()


@api.get("/places/{slug}/closure", responses=ERRORS)
def closure(slug: str, workspace: WorkspaceDep, _user: EditorDep) -> dict[str, Any]:
    """A place's closure figures over all its actions (public or not)."""
    return workspace.actions.closure(slug).to_dict()


# -- staff pages ---------------------------------------------------------------------------------
@pages.get("/actions", response_class=HTMLResponse)
def actions_page(
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: EditorDep,
    place: PlaceQuery = None,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """The overdue list, and a place's actions with the form to add one."""
    chosen = place or ""
    return templates.TemplateResponse(
        request,
        "actions.html",
        {
            "user": user,
            "place": chosen,
            "places": workspace.places.names(),
            "overdue": workspace.actions.overdue(),
            "actions": workspace.actions.list(place=chosen) if chosen else [],
            "closure": workspace.actions.closure(chosen) if chosen else None,
            "themes": workspace.actions.themes_of_place(chosen) if chosen else [],
            "partners": workspace.partners.list(place=chosen) if chosen else [],
            "statuses": ACTION_STATUSES,
            "done": DONE.get(done, ""),
        },
    )


@pages.post("/actions", response_class=HTMLResponse)
def add_action_form(
    workspace: WorkspaceDep,
    _user: EditorDep,
    place: Annotated[str, Form(max_length=80)] = "",
    title: Annotated[str, Form(max_length=300)] = "",
    description: Annotated[str, Form(max_length=10_000)] = "",
    owner: Annotated[str, Form(max_length=36)] = "",
    due_on: Annotated[dt.date | None, Form()] = None,
    status: Annotated[str, Form(max_length=20)] = "planned",
    public: Annotated[str, Form(max_length=5)] = "",
    themes: Annotated[list[str] | None, Form(max_length=200)] = None,
) -> Response:
    """Add an action from the page."""
    added = workspace.actions.add(
        title,
        place=place or None,
        description=description,
        owner=owner or None,
        due_on=due_on,
        status=status,
        public=bool(public),
        themes=themes or [],
    )
    return RedirectResponse(f"/actions/{added.id}?done=added", status_code=303)


@pages.get("/actions/{action_id}", response_class=HTMLResponse)
def action_page(
    action_id: str,
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: EditorDep,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """One action: change it, link its themes, record feedback about it."""
    found = workspace.actions.get(action_id)
    place = found.place or ""
    return templates.TemplateResponse(
        request,
        "action.html",
        {
            "user": user,
            "action": found,
            "themes": workspace.actions.themes_of_place(place) if place else [],
            "partners": workspace.partners.list(place=place or None),
            "feedback": workspace.actions.feedback(action=action_id),
            "statuses": ACTION_STATUSES,
            "channels": FEEDBACK_CHANNELS,
            "today": dt.date.today(),
            "done": DONE.get(done, ""),
        },
    )


@pages.post("/actions/{action_id}", response_class=HTMLResponse)
def update_action_form(
    action_id: str,
    workspace: WorkspaceDep,
    _user: EditorDep,
    version: Annotated[int, Form(ge=1, le=2**31)],
    title: Annotated[str, Form(max_length=300)] = "",
    description: Annotated[str, Form(max_length=10_000)] = "",
    owner: Annotated[str, Form(max_length=36)] = "",
    due_on: Annotated[dt.date | None, Form()] = None,
    status: Annotated[str, Form(max_length=20)] = "planned",
    done_on: Annotated[dt.date | None, Form()] = None,
    evidence: Annotated[str, Form(max_length=10_000)] = "",
    cost: Annotated[int | None, Form(ge=0, le=10**8)] = None,
    public: Annotated[str, Form(max_length=5)] = "",
    themes: Annotated[list[str] | None, Form(max_length=200)] = None,
) -> Response:
    """Save an action's changes (a stale ``version`` is a 409 naming who changed it)."""
    workspace.actions.update(
        action_id,
        version=version,
        title=title,
        description=description,
        owner=owner or None,
        due_on=due_on,
        status=status,
        done_on=done_on,
        evidence=evidence,
        cost_pence=None if cost is None else cost * 100,
        public=bool(public),
        themes=themes or [],
    )
    return RedirectResponse(f"/actions/{action_id}?done=saved", status_code=303)


@pages.post("/actions/{action_id}/feedback", response_class=HTMLResponse)
def feedback_form(
    action_id: str,
    workspace: WorkspaceDep,
    _user: EditorDep,
    summary: Annotated[str, Form(max_length=10_000)] = "",
    shared_on: Annotated[dt.date | None, Form()] = None,
    channel: Annotated[str, Form(max_length=20)] = "",
    url: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Record feedback about an action from its page."""
    workspace.actions.get(action_id)
    workspace.actions.add_feedback(
        summary,
        shared_on=shared_on or dt.date.today(),
        channel=channel,
        action=action_id,
        url=url,
    )
    return RedirectResponse(f"/actions/{action_id}?done=feedback", status_code=303)


router.include_router(api)
router.include_router(pages)
