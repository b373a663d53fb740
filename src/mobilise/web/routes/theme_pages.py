"""Themes: the pages (the codebook, an event's coding page, agreement, counts). The API is
:mod:`~mobilise.web.routes.themes`, whose docstring says who may do what.

The coding page works without JavaScript (a theme on the whole contribution); with
``/static/coding.js`` a facilitator selects words of a contribution and codes that span.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mobilise.errors import NotFound
from mobilise.web.deps import EditorDep, TemplatesDep, UserDep, WorkspaceDep
from mobilise.web.routes.event_contributions import _of_event

pages = APIRouter(include_in_schema=False)

DONE = {
    "added": "The theme is added.",
    "removed": "The theme is taken out of the codebook.",
    "coded": "The contribution is coded.",
    "uncoded": "The coding is taken away.",
}
BY_CHOICES = {
    "": "Theme only",
    "event_kind": "Kind of event",
    "place": "Place",
    "event": "Event",
    "imd_decile": "IMD decile of where people live",
    "age_band": "Age band",
    "ethnic_group": "Ethnic group",
    "disability": "Disability",
}
EXCERPT = 80


def _page(templates: Any, request: Request, name: str, user: Any, **context: Any) -> Response:
    return templates.TemplateResponse(request, name, {"user": user, **context})


@pages.get("/themes", response_class=HTMLResponse)
def codebook_page(
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: EditorDep,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """The codebook: themes and sub-themes with their definitions, and a form to add one."""
    return _page(
        templates, request, "codebook.html", user,
        themes=workspace.themes.list(every_place=True), done=DONE.get(done, ""),
        events=workspace.events.list(when="past", limit=50).items,
    )  # fmt: skip


@pages.post("/themes", response_class=HTMLResponse)
def add_theme_form(
    workspace: WorkspaceDep,
    _user: EditorDep,
    name: Annotated[str, Form(max_length=200)] = "",
    definition: Annotated[str, Form(max_length=5_000)] = "",
    parent_id: Annotated[str, Form(max_length=36)] = "",
) -> Response:
    workspace.themes.add(name, definition=definition, parent=parent_id or None)
    return RedirectResponse("/themes?done=added", status_code=303)


@pages.post("/themes/{theme_id}/remove", response_class=HTMLResponse)
def remove_theme_form(theme_id: str, workspace: WorkspaceDep, _user: EditorDep) -> Response:
    workspace.themes.remove(theme_id)
    return RedirectResponse("/themes?done=removed", status_code=303)


@pages.get("/themes/counts", response_class=HTMLResponse)
def counts_page(
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: UserDep,
    by: Annotated[str, Query(max_length=40)] = "",
    place: Annotated[str, Query(max_length=80)] = "",
) -> Response:
    """Contributions and voices per theme, and the themes given together; counts of fewer
    than k voices hidden for everyone but admins."""
    found = workspace.themes.counts(by=by or None, place=place or None, viewer=user)
    pairs = workspace.themes.co_occurrence(place=place or None, viewer=user)
    return _page(
        templates, request, "theme_counts.html", user,
        found=found, pairs=pairs["pairs"][:30], by=by, place=place, choices=BY_CHOICES,
    )  # fmt: skip


@pages.get("/themes/agreement", response_class=HTMLResponse)
def agreement_page(
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: EditorDep,
    event: Annotated[str, Query(max_length=36)] = "",
    unit: Annotated[str, Query(max_length=20)] = "contribution",
) -> Response:
    """Agreement between the coders of an event's contributions (or all)."""
    found = workspace.themes.agreement(event=event or None, unit=unit)
    return _page(
        templates, request, "theme_agreement.html", user, found=found, event=event, unit=unit
    )


def _excerpt(text: str, start: int | None, end: int | None) -> str:
    if start is None:
        return ""
    words = text[start:end]
    return words if len(words) <= EXCERPT else words[: EXCERPT - 1] + "…"


@pages.get("/events/{event_id}/coding", response_class=HTMLResponse)
def coding_page(
    event_id: str,
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: EditorDep,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """The event's contributions with text, each with its codings and a form to code it."""
    title = workspace.event_contributions.event_title(event_id)
    usable = set(workspace.themes.usable(event=event_id))
    shown = [
        c
        for c in workspace.event_contributions.list(event_id, viewer=user)
        if c.text and c.id in usable
    ]
    codings: dict[str, list[dict[str, Any]]] = {}
    text_of = {c.id: c.text for c in shown}
    for coding in workspace.themes.codings(event=event_id):
        if coding.contribution_id in text_of:
            codings.setdefault(coding.contribution_id, []).append(
                coding.to_dict()
                | {"words": _excerpt(text_of[coding.contribution_id], coding.span_start,
                                     coding.span_end)}
            )  # fmt: skip
    place = workspace.events.get(event_id).place
    return _page(
        templates, request, "coding.html", user,
        event_id=event_id, title=title, contributions=shown, codings=codings,
        themes=workspace.themes.list(place),
        done=DONE.get(done, ""),
    )  # fmt: skip


@pages.post("/events/{event_id}/coding", response_class=HTMLResponse)
def code_form(
    event_id: str,
    workspace: WorkspaceDep,
    user: EditorDep,
    contribution_id: Annotated[str, Form(max_length=36)] = "",
    theme_id: Annotated[str, Form(max_length=36)] = "",
    span_start: Annotated[str, Form(max_length=9)] = "",
    span_end: Annotated[str, Form(max_length=9)] = "",
    memo: Annotated[str, Form(max_length=5_000)] = "",
) -> Response:
    """Code a contribution as the signed-in user: the whole of it, or the span the page's
    script filled in."""
    _of_event(workspace, event_id, contribution_id)
    span = None
    if span_start.strip() or span_end.strip():
        span = (_number(span_start), _number(span_end))
    workspace.themes.code(contribution_id, theme_id, coder=user.username, span=span, memo=memo)
    return RedirectResponse(
        f"/events/{event_id}/coding?done=coded#c-{contribution_id}", status_code=303
    )


def _number(text: str) -> int:
    text = text.strip()  # ASCII digits only ("²".isdigit() is True and int() refuses it)
    return int(text) if text.isdecimal() and text.isascii() else -1  # -1: refused, naming span


@pages.post("/events/{event_id}/coding/{coding_id}/remove", response_class=HTMLResponse)
def uncode_form(
    event_id: str, coding_id: str, workspace: WorkspaceDep, _user: EditorDep
) -> Response:
    """Take a coding away (one of this event's contributions only)."""
    found = [c for c in workspace.themes.codings(event=event_id) if c.id == coding_id]
    if not found:
        raise NotFound(f"No coding {coding_id!r} at event {event_id!r}.")
    workspace.themes.uncode(coding_id)
    return RedirectResponse(f"/events/{event_id}/coding?done=uncoded", status_code=303)
