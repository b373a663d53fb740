"""The roster survey, opened through an invitation link: its JSON API and its page.

No login: the link's token is the credential, so these routes never ask who is signed in, and
the audit trail names the saver ``survey link``. The page works with JavaScript (it saves
through the JSON API and keeps its place) and without it (a plain form post: saved, sent, or
shown again with each problem next to its question).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from mobilise.errors import Conflict, NotFound, Problem, ValidationError
from mobilise.model.partner_vocab import (
    ACHIEVEMENTS,
    CONTRIBUTIONS,
    FREQUENCIES,
    LEVELS,
    SCALE,
    SECTORS,
    TRUST_ITEMS,
    VALUE_ITEMS,
    sector_label,
)
from mobilise.web.deps import TemplatesDep
from mobilise.web.routes.api import ERRORS
from mobilise.workspace import Workspace
from mobilise.workspace.surveys import SurveyForm

api = APIRouter(prefix="/api/v1", tags=["partners"])
pages = APIRouter(include_in_schema=False)

SURVEY_ACTOR = "survey link"  # who the audit trail says saved answers sent through a link
_SECTOR_ORDER = {s.code: n for n, s in enumerate(SECTORS)}
# The survey's questions in the words the respondent read, for messages about their answers.
QUESTIONS: dict[str, str] = {
    "works_together": "Do you work with them?",
    "frequency": "How often are you in touch?",
    "level": "How closely do you work together?",
    **dict(VALUE_ITEMS),
    **dict(TRUST_ITEMS),
    "contributions": "What does your organisation bring?",
    "achievements": "What has the partnership achieved?",
}
_ITEMS = ("frequency", "level", *(item for item, _ in VALUE_ITEMS + TRUST_ITEMS))


def get_survey_workspace(request: Request) -> Workspace:
    """The workspace for a survey link: no login (the link's token is the credential)."""
    workspace: Workspace = request.app.state.workspace
    return workspace.as_actor(SURVEY_ACTOR)


SurveyWorkspaceDep = Annotated[Workspace, Depends(get_survey_workspace)]


class SurveyAnswers(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answers: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Partner id -> {works_together, frequency 1-4, level 1-3, value_influence, "
        "value_involvement, value_resources, trust_reliability, trust_purpose, trust_openness "
        "(1-4; leave out for don't know)}.",
    )
    contributions: list[str] = Field(default_factory=list)
    achievements: list[str] = Field(default_factory=list)
    comment: str = Field("", max_length=5000)
    submit: bool = Field(False, description="True sends the answers for good; False saves them.")


# -- JSON API -------------------------------------------------------------------------------------
@api.get("/survey/{token}", responses=ERRORS)
def survey(token: str, workspace: SurveyWorkspaceDep) -> dict[str, Any]:
    """The survey an invitation link opens (no login). 404: unknown or replaced link; 409:
    answers from it were submitted already."""
    return _form_dict(workspace.surveys.form(token))


@api.post("/survey/{token}/opened", status_code=204, responses=ERRORS)
def survey_opened(token: str, workspace: SurveyWorkspaceDep) -> Response:
    """Record that the link was opened by a person (the survey page's script calls this; the
    page itself does not count, as a mail program's link preview fetches it too)."""
    workspace.surveys.opened(token)
    return Response(status_code=204)


@api.put("/survey/{token}", responses=ERRORS)
def answer_survey(token: str, body: SurveyAnswers, workspace: SurveyWorkspaceDep) -> dict:
    """Save answers (``submit`` false: come back later with the same link) or send them for good.
    A 422 lists each problem with ``field`` ``<partner id>.<question>`` and a message naming
    the partner and the question."""
    return _form_dict(_save(workspace, token, body))


def _save(workspace: Workspace, token: str, body: SurveyAnswers) -> SurveyForm:
    """Save or send the answers; a 422's problems name the partner and the question in words."""
    try:
        return workspace.surveys.save(
            token,
            body.answers,
            contributions=body.contributions,
            achievements=body.achievements,
            comment=body.comment,
            submit=body.submit,
        )
    except ValidationError as error:
        names = {
            p["id"]: p["name"] for p in workspace.surveys.form(token, mark_opened=False).roster
        }
        raise ValidationError(
            error.message, problems=[_in_words(p, names) for p in error.problems]
        ) from error


def _in_words(problem: Problem, names: Mapping[str, str]) -> Problem:
    """A problem with an answer, saying which partner and which question it is about."""
    partner_id, _, question = (problem.field or "").partition(".")
    if partner_id in QUESTIONS and not question:  # contributions, achievements
        return Problem(f"{QUESTIONS[partner_id]} {problem.message}", field=problem.field)
    name = names.get(partner_id)
    if name is None:
        return problem
    asked = QUESTIONS.get(question, question)
    wanted = problem.message
    if wanted.startswith("please answer"):
        wanted = "please choose an answer"
    elif wanted.startswith("please say whether"):
        wanted = "please choose yes or no"
    text = f"{name}: “{asked}” {wanted}." if asked else f"{name}: {wanted}."
    return Problem(text, field=problem.field)


def _form_dict(form: SurveyForm) -> dict[str, Any]:
    out = form.to_dict()
    # A respondent sees what the round is, not how many others have answered.
    out["round"] = {k: out["round"][k] for k in ("name", "date", "description", "status")}
    return out


# -- the page -------------------------------------------------------------------------------------
@pages.get("/survey/done", response_class=HTMLResponse)
def survey_thanks(request: Request, templates: TemplatesDep) -> Response:
    """Where the survey goes once the answers are sent."""
    return templates.TemplateResponse(request, "survey_done.html", {"state": "thanks"})


@pages.get("/survey/{token}", response_class=HTMLResponse, name="survey_page")
def survey_page(
    request: Request,
    token: str,
    workspace: SurveyWorkspaceDep,
    templates: TemplatesDep,
    saved: Annotated[bool, Query(include_in_schema=False)] = False,
) -> Response:
    """The roster survey an invitation link opens: no login, plain words, phone friendly."""
    try:
        form = workspace.surveys.form(token, mark_opened=False)
    except (NotFound, Conflict) as error:
        return _ended(request, templates, error)
    return _page(request, templates, form, token, saved=saved)


MAX_FORM_FIELDS = 50_000  # nine per partner: rosters of thousands fit


@pages.post("/survey/{token}", response_class=HTMLResponse)
async def send_survey_page(
    request: Request, token: str, workspace: SurveyWorkspaceDep, templates: TemplatesDep
) -> Response:
    """The survey's form sent without JavaScript: ``action`` save (back to the page, saved) or
    submit (on to the thank-you page); with problems, the page again with the answers as sent
    and each problem next to its question (422)."""
    sent = await request.form(max_fields=MAX_FORM_FIELDS)
    body = _posted(sent)
    outcome = await run_in_threadpool(_send, workspace, token, body)  # database work off the loop
    if isinstance(outcome, SurveyForm):
        return _page(request, templates, outcome, token)  # the round is not open (409)
    if isinstance(outcome, NotFound | Conflict):
        return _ended(request, templates, outcome)
    if isinstance(outcome, tuple):
        form, problems = outcome
        shown = dataclasses.replace(form, **_as_sent(sent))
        return _page(request, templates, shown, token, problems=problems, status_code=422)
    if body.submit:
        return RedirectResponse("/survey/done", status_code=303)
    return RedirectResponse(f"/survey/{token}?saved=true", status_code=303)


def _send(
    workspace: Workspace, token: str, body: SurveyAnswers
) -> NotFound | Conflict | SurveyForm | tuple[SurveyForm, list[Problem]] | None:
    """Save or send a form post: None when done; else what to show instead (the link's end,
    the survey of a round that is not open, or the survey with the problems)."""
    try:
        _save(workspace, token, body)
        return None
    except (NotFound, Conflict) as refused:  # a link unknown or used, a round not open, ...
        try:
            form = workspace.surveys.form(token, mark_opened=False)
        except (NotFound, Conflict) as error:
            return error
        if form.round.status != "open":
            return form
        return refused  # e.g. the organisation's answers were submitted (imported) already
    except ValidationError as error:
        return workspace.surveys.form(token, mark_opened=False), error.problems


def _number(text: str) -> int | str:
    """A chosen answer: a number when it is one (short: no 4,300-digit integers), else the text
    for the workspace to name as wrong."""
    return int(text) if len(text) <= 3 and text.isdecimal() else text


def _posted(sent: FormData) -> SurveyAnswers:
    """The answers in a form post, as the page's script would send them: one answer per partner
    with yes or no; the follow-up questions only with yes; "don't know" left out."""
    answers: dict[str, dict[str, Any]] = {}
    for key, value in sent.multi_items():
        partner_id, _, question = key.partition(".")
        if question == "works_together" and value in ("yes", "no"):
            answers[partner_id] = {"works_together": value == "yes"}
    for partner_id, answer in answers.items():
        if answer["works_together"]:
            for item in _ITEMS:
                chosen = sent.get(f"{partner_id}.{item}")
                if isinstance(chosen, str) and chosen.strip():
                    answer[item] = _number(chosen.strip())  # checked on saving
    texts = _texts(sent)
    return SurveyAnswers(
        answers=answers,
        contributions=texts.get("contributions", []),
        achievements=texts.get("achievements", []),
        comment=(texts.get("comment") or [""])[0][:5000],
        submit=sent.get("action") == "submit",
    )


def _as_sent(sent: FormData) -> dict[str, Any]:
    """Every choice in a form post, to show the page again exactly as it was sent (also the
    follow-up answers of a partner with no yes or no yet)."""
    answers: dict[str, dict[str, Any]] = {}
    for key, value in sent.multi_items():
        partner_id, _, question = key.partition(".")
        if not question or not isinstance(value, str):
            continue
        if question == "works_together":
            answers.setdefault(partner_id, {})[question] = {"yes": True, "no": False}.get(value)
        elif question in _ITEMS and value.strip():
            answers.setdefault(partner_id, {})[question] = _number(value.strip())
    texts = _texts(sent)
    return {
        "answers": answers,
        "contributions": texts.get("contributions", []),
        "achievements": texts.get("achievements", []),
        "comment": (texts.get("comment") or [""])[0][:5000],
    }


def _texts(sent: FormData) -> dict[str, list[str]]:
    return {key: [v for v in sent.getlist(key) if isinstance(v, str)] for key in sent}


def _ended(request: Request, templates: TemplatesDep, error: Exception) -> Response:
    """The page for a link that no longer opens the survey: unknown or replaced (404), or its
    answers were sent already (409)."""
    state, status = ("unknown", 404) if isinstance(error, NotFound) else ("submitted", 409)
    return templates.TemplateResponse(
        request, "survey_done.html", {"state": state}, status_code=status
    )


def _page(
    request: Request,
    templates: TemplatesDep,
    form: SurveyForm,
    token: str,
    *,
    saved: bool = False,
    problems: list[Problem] | None = None,
    status_code: int = 200,
) -> Response:
    if form.round.status != "open":
        return templates.TemplateResponse(
            request,
            "survey_done.html",
            {"state": form.round.status, "round": form.round},
            status_code=409,
        )
    groups: dict[str, list[dict[str, Any]]] = {}
    for partner in sorted(form.roster, key=lambda p: _SECTOR_ORDER.get(p["sector"], 99)):
        groups.setdefault(partner["sector"], []).append(partner)
    on_page = {p["id"]: n for n, p in enumerate(p for items in groups.values() for p in items)}
    problems = sorted(
        problems or [],
        key=lambda p: on_page.get((p.field or "").partition(".")[0], len(on_page)),
    )
    answered = sum(
        1 for p in form.roster if form.answers.get(p["id"], {}).get("works_together") is not None
    )
    by_field: dict[str, list[str]] = {}
    for problem in problems:
        by_field.setdefault(problem.field or "", []).append(problem.message)
    asked = {field.partition(".")[0] for field in by_field}
    with_problems = {p["sector"] for p in form.roster if p["id"] in asked}  # shown open
    return templates.TemplateResponse(
        request,
        "survey.html",
        {
            "form": form,
            "token": token,
            "groups": [(code, sector_label(code), items) for code, items in groups.items()],
            "answered": answered,
            "levels": [level for level in LEVELS if level[0] > 0],
            "frequencies": FREQUENCIES,
            "value_items": VALUE_ITEMS,
            "trust_items": TRUST_ITEMS,
            "scale": SCALE,
            "contributions": CONTRIBUTIONS,
            "achievements": ACHIEVEMENTS,
            "questions": QUESTIONS,
            "saved": saved,
            "problems": [p.message for p in problems],  # in the order of the page
            "problem_at": {field: " ".join(texts) for field, texts in by_field.items()},
            "open_sectors": with_problems,
        },
        status_code=status_code,
    )
