"""The partnership network: measures, drawing, round comparison, partner profiles and map.

Anyone signed in may read the rounds their visibility lets them see (a ``group`` round is the
staff's: to anyone else it does not exist, a 404); what they see is disclosure-controlled by the
workspace: a score from fewer raters than the round's threshold is hidden from everyone but
admins, and no one but an admin receives what a single respondent reported. A round shared by
link shows its measures to anyone with the link, as a non-admin sees them, without any partner's
row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from mobilise.errors import NotFound
from mobilise.model.network_words import MEASURES, describe, headline_sentences
from mobilise.model.partner_vocab import LEVELS, SECTOR_BY_CODE, SECTORS, sector_label
from mobilise.model.presentation import significant
from mobilise.web.deps import (
    PublicWorkspaceDep,
    TemplatesDep,
    UserDep,
    WorkspaceDep,
    is_admin,
    is_editor,
)
from mobilise.web.routes.api import ERRORS
from mobilise.workspace import Workspace
from mobilise.workspace.round_choice import (
    comparable,
    compared_pair,
    has_answers,
    in_progress,
    newer_in_progress,
    progress_words,
    shown_round,
)
from mobilise.workspace.users import User

if TYPE_CHECKING:
    from mobilise.workspace.surveys import Round

api = APIRouter(prefix="/api/v1", tags=["network"])
pages = APIRouter(include_in_schema=False)

LEVEL_NAMES = [code for value, code, _ in LEVELS if value > 0] + ["unspecified"]
CENTRALITIES = {
    "degree": "Degree (number of partners worked with)",
    "betweenness": "Betweenness (on the paths between others)",
    "closeness": "Closeness (few steps to everyone)",
    "eigenvector": "Eigenvector (tied to well-tied partners)",
}
BROKER_ROLES = ("coordinator", "gatekeeper", "representative", "itinerant", "liaison")
TABS = (
    ("network", "/network", "Network"),
    ("compare", "/network/compare", "Compare rounds"),
    ("map", "/network/map", "Map"),
    ("partners", "/partners", "Partners"),
    ("rounds", "/rounds", "Survey rounds"),
)


# -- formatting helpers for the templates ---------------------------------------------------------
def share(value: Any) -> str:
    """A share as a percentage ("–" when there is none)."""
    return "–" if value is None else f"{float(value):.0%}"


def figure(value: Any, digits: int = 2) -> str:
    """A figure to ``digits`` significant digits ("–" when there is none)."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return significant(float(value), digits)


def sector_name(code: Any) -> str:
    return sector_label(str(code)) if code else "–"


def sector_colour(code: Any) -> str:
    sector = SECTOR_BY_CODE.get(str(code))
    return sector.colour if sector is not None else "#999999"


HELPERS: dict[str, Any] = {
    "share": share,
    "figure": figure,
    "sector_label": sector_name,
    "sector_colour": sector_colour,
    "measures": MEASURES,
    "tabs": TABS,
    "level_names": LEVEL_NAMES,
    "broker_roles": BROKER_ROLES,
    "centralities": CENTRALITIES,
    "progress_words": progress_words,
    "in_progress": in_progress,
    "has_answers": has_answers,
}


RoundQuery = Annotated[str | None, Query(alias="round")]


# -- look-ups -------------------------------------------------------------------------------------
def _round_page(workspace: Workspace, user: User, round_: str | None, tab: str) -> dict[str, Any]:
    """What a page of one round starts from: the viewer, the rounds (for the picker), the round
    shown (``current``: the one asked for, else the newest closed round with answers; None when
    there are none) and the newer rounds still in progress (``pending``), to say so."""
    rounds = workspace.surveys.rounds(viewer=user)
    current = workspace.surveys.get_round(round_, viewer=user) if round_ else shown_round(rounds)
    pending = [r for r in newer_in_progress(rounds, current) if r.id != getattr(current, "id", "")]
    return {"user": user, "rounds": rounds, "current": current, "tab": tab, "pending": pending}


def _pair(
    workspace: Workspace, user: User, rounds: list[Round], a: str | None, b: str | None
) -> tuple[Round, Round] | None:
    """Two rounds to compare: those asked for; with one, it and the newest other closed round
    with answers (the earlier first); with none, the two newest closed rounds with answers. A
    round in progress or without answers is compared only when asked for by name."""
    get = workspace.surveys.get_round
    if a and b:
        return get(a, viewer=user), get(b, viewer=user)
    if not (a or b):
        return compared_pair(rounds)
    chosen = get(a or b or "", viewer=user)
    others = [r for r in rounds if comparable(r) and r.id != chosen.id]
    if not others:
        raise NotFound("There is no other closed round with answers to compare it with.")
    order = [r.id for r in rounds]
    other = others[-1]
    first, second = sorted((chosen, other), key=lambda r: order.index(r.id))
    return first, second


def _comparison(workspace: Workspace, a: str, b: str, *, user: User) -> dict[str, Any]:
    """The change from round ``a`` to ``b`` with its sentences; a round without answers, or
    still in progress, is named as such first (its figures are not a change in the
    partnership)."""
    change = workspace.network.change(a, b, admin=is_admin(user), viewer=user)
    pair = [workspace.surveys.get_round(r["id"], viewer=user) for r in change["rounds"]]
    unanswered = [r for r in pair if not has_answers(r)]
    change["in_progress"] = [
        {"id": r.id, "name": r.name, "progress": progress_words(r)} for r in pair if in_progress(r)
    ]
    if unanswered:
        change["sentences"] = [
            f"{r.name} has no answers yet ({progress_words(r)}): there is nothing to compare."
            for r in unanswered
        ]
        return change
    change["sentences"] = [
        f"{r.name} is {progress_words(r)}: its figures will change as answers come in."
        for r in pair
        if in_progress(r)
    ] + headline_sentences(change)
    return change


def _metrics(workspace: Workspace, round_: str, *, user: User) -> dict[str, Any]:
    metrics = workspace.network.metrics(round_, admin=is_admin(user), viewer=user)
    metrics["sentences"] = describe(metrics)
    return metrics


# -- API ------------------------------------------------------------------------------------------
@api.get("/network/rounds", responses=ERRORS)
def network_rounds(workspace: WorkspaceDep, user: UserDep) -> list[dict[str, Any]]:
    """The survey rounds you may see, oldest first, with their roster size and response rate.

    ``progress`` says each round's state in words ("in progress, 5 of 41 answered");
    ``in_progress`` is true for a draft or open round; ``shown`` marks the round the pages
    open on (the newest closed round with answers) and ``compared`` the two a comparison
    opens on (the two newest closed rounds with answers)."""
    rounds = workspace.surveys.rounds(viewer=user)
    shown = shown_round(rounds)
    compared = {r.id for r in compared_pair(rounds) or ()}
    return [
        r.to_dict()
        | {
            "progress": progress_words(r),
            "in_progress": in_progress(r),
            "shown": shown is not None and r.id == shown.id,
            "compared": r.id in compared,
        }
        for r in rounds
    ]


@api.get("/network/compare", responses=ERRORS)
def network_compare(
    workspace: WorkspaceDep,
    user: UserDep,
    a: Annotated[str, Query(description="The earlier round (id or name).")],
    b: Annotated[str, Query(description="The later round (id or name).")],
) -> dict[str, Any]:
    """What changed between two rounds among the partners who answered both, with plain
    sentences. Per-report detail (who reported what) only for admins."""
    return _comparison(workspace, a, b, user=user)


@api.get("/network/{round_}/metrics", responses=ERRORS)
def network_metrics(round_: str, workspace: WorkspaceDep, user: UserDep) -> dict[str, Any]:
    """Every measure of a round, with one plain sentence per headline measure. Scores from
    fewer raters than the round's ``min_raters`` are null unless you are an admin."""
    return _metrics(workspace, round_, user=user)


@api.get("/network/{round_}/drawing", responses=ERRORS)
def network_drawing(round_: str, workspace: WorkspaceDep, user: UserDep) -> dict[str, Any]:
    """The round's partners (with sector colour, location and centralities) and pair ties."""
    return workspace.network.drawing(round_, viewer=user)


@api.get("/network/{round_}/introductions", responses=ERRORS)
def network_introductions(
    round_: str,
    workspace: WorkspaceDep,
    user: UserDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[dict[str, Any]]:
    """Suggested introductions across sector gaps, each with its reason."""
    return workspace.network.introductions(round_, limit=limit, viewer=user)


@api.get("/partners/{partner_id}/profile", responses=ERRORS)
def partner_profile(
    partner_id: str,
    workspace: WorkspaceDep,
    user: UserDep,
    round_: Annotated[str | None, Query(alias="round", description="One round only.")] = None,
) -> dict[str, Any]:
    """A partner's place in the network, round by round (disclosure-controlled; the rounds you
    may see)."""
    return workspace.network.profile(partner_id, round_, admin=is_admin(user), viewer=user)


@api.get("/shared-rounds/{token}", responses=ERRORS)
def shared_round(token: str, workspace: PublicWorkspaceDep) -> dict[str, Any]:
    """A round shared by link, without signing in: its measures as a non-admin sees them
    (disclosure-controlled), aggregates only, with plain sentences."""
    return _shared(workspace, token)


def _shared(workspace: Workspace, token: str) -> dict[str, Any]:
    measures = workspace.network.shared_measures(token)
    measures["sentences"] = describe(measures)
    return measures


# -- pages ----------------------------------------------------------------------------------------
@pages.get("/network/shared/{token}", response_class=HTMLResponse, name="shared_round_page")
def shared_round_page(
    request: Request, token: str, workspace: PublicWorkspaceDep, templates: TemplatesDep
) -> Response:
    metrics = _shared(workspace, token)
    return _render(
        request,
        templates,
        "network_shared.html",
        {"user": None, "metrics": metrics, "level_max": _bar_max(metrics["levels"])},
    )


def _render(
    request: Request, templates: TemplatesDep, name: str, context: dict[str, Any]
) -> Response:
    return templates.TemplateResponse(request, name, {**HELPERS, **context})


def _brokers(table: list[dict[str, Any]], *, limit: int = 10) -> list[dict[str, Any]]:
    ranked = [row for row in table if (row.get("total") or 0) > 0]
    ranked.sort(key=lambda row: (-(row.get("total") or 0), -(row.get("betweenness") or 0)))
    return ranked[:limit]


def _bar_max(rows: list[dict[str, Any]]) -> float:
    return max((float(r.get("count") or 0) for r in rows), default=0.0) or 1.0


@pages.get("/network", response_class=HTMLResponse)
def network_page(
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: UserDep,
    round_: RoundQuery = None,
) -> Response:
    context = _round_page(workspace, user, round_, "network")
    current = context["current"]
    # A round without answers has no measures: the page says so (no network of zeros).
    if current is not None and has_answers(current):
        admin = is_admin(user)
        metrics = _metrics(workspace, current.id, user=user)
        blocks = metrics.get("blocks") or {}
        block_max = max(
            (v for row in blocks.get("density", []) for v in row if v is not None), default=0
        )
        sectors = sorted({row["sector"] for row in metrics["partners_table"] if row["sector"]})
        context.update(
            {
                "metrics": metrics,
                "admin": admin,
                "brokers": _brokers(metrics["partners_table"]),
                "partners_table": sorted(
                    metrics["partners_table"], key=lambda row: str(row["name"]).lower()
                ),
                "introductions": workspace.network.introductions(current.id, limit=8, viewer=user),
                "legend": [(code, sector_label(code), sector_colour(code)) for code in sectors],
                "level_max": _bar_max(metrics["levels"]),
                "contribution_max": _bar_max(metrics["partnership"]["contributions"]),
                "achievement_max": _bar_max(metrics["partnership"]["achievements"]),
                "block_max": block_max or 1,
            }
        )
    return _render(request, templates, "network.html", context)


@pages.get("/network/compare", response_class=HTMLResponse)
def compare_page(
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: UserDep,
    a: Annotated[str | None, Query()] = None,
    b: Annotated[str | None, Query()] = None,
) -> Response:
    rounds = workspace.surveys.rounds(viewer=user)
    pair = _pair(workspace, user, rounds, a, b)
    unanswered = [r for r in pair or () if not has_answers(r)]
    context: dict[str, Any] = {
        "user": user,
        "rounds": rounds,
        "tab": "compare",
        "pair": pair,
        "unanswered": unanswered,
        "pending": [r for r in rounds if in_progress(r)],
    }
    # A round without answers is not compared: "267 -> 0 pairs" would read as a collapse.
    if pair is not None and not unanswered:
        admin = is_admin(user)
        change = _comparison(workspace, pair[0].id, pair[1].id, user=user)
        counts = change["transitions"]["counts"] or []
        context.update(
            {
                "change": change,
                "admin": admin,
                "transition_max": max((v for row in counts for v in row), default=0) or 1,
            }
        )
    return _render(request, templates, "network_compare.html", context)


@pages.get("/network/map", response_class=HTMLResponse)
def partner_map_page(
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: UserDep,
    round_: RoundQuery = None,
) -> Response:
    context = _round_page(workspace, user, round_, "map")
    current = context["current"]
    # with no rounds yet: the members of the consortium, without ties
    drawing = workspace.network.drawing(current.id if current else None, viewer=user)
    located = [n for n in drawing["nodes"] if n["latitude"] is not None]
    unlocated = sorted(
        (n for n in drawing["nodes"] if n["latitude"] is None), key=lambda n: n["name"]
    )
    sectors = sorted({n["sector"] for n in located})
    context.update(
        {
            "drawing": drawing,
            "located": located,
            "unlocated": unlocated,
            "legend": [(code, sector_label(code), sector_colour(code)) for code in sectors],
        }
    )
    return _render(request, templates, "partner_map.html", context)


@pages.get("/partners/{partner_id}/profile", response_class=HTMLResponse)
def partner_profile_page(
    request: Request,
    partner_id: str,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: UserDep,
    round_: RoundQuery = None,
) -> Response:
    admin, can_edit = is_admin(user), is_editor(user)
    profile = workspace.network.profile(partner_id, admin=admin, viewer=user)
    # The editors' form shows the stored record (the profile hides an individual member's
    # postcode from all but admins: a form filled from it would erase the postcode on saving).
    stored = workspace.partners.get(partner_id) if can_edit else None
    record = stored.to_dict() if stored is not None and not stored.deleted else None
    history = profile["rounds"]
    opened_on = shown_round(workspace.surveys.rounds(viewer=user))
    shown = next(
        (h for h in history if opened_on is not None and h["round"] == opened_on.name),
        history[-1] if history else None,
    )
    if round_ is not None:
        wanted = workspace.surveys.get_round(round_, viewer=user).name
        shown = next((h for h in history if h["round"] == wanted), shown)
    degree_max = max((h.get("degree") or 0 for h in history), default=0) or 1
    return _render(
        request,
        templates,
        "partner_profile.html",
        {
            "user": user,
            "tab": "partners",
            "admin": admin,
            "profile": profile,
            "partner": profile["partner"],
            "history": history,
            "shown": shown,
            "degree_max": degree_max,
            "min_raters": {r.name: r.min_raters for r in workspace.surveys.rounds(viewer=user)},
            "place_names": workspace.places.names(),
            "can_edit": can_edit,
            "record": record,
            "sectors": SECTORS,
            "contacts": workspace.partners.contacts(partner_id) if record else [],
        },
    )
