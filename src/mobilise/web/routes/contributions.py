"""Community contributions: public suggestion forms, the moderation queue, published photos, API.

Anyone may suggest (no sign-in); facilitators and analysts moderate. Senders are rate-limited by a
keyed hash of their address (:func:`client_key`); the raw address is never stored.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from mobilise.errors import MobiliseError, Problem, RateLimited, ValidationError
from mobilise.model.asset_vocab import CATEGORIES, STATUSES
from mobilise.model.contribution_vocab import (
    CORRECTABLE,
    MAX_PHOTO_BYTES,
    MAX_STORY_CHARS,
    STATUSES_OF_CONTRIBUTIONS,
)
from mobilise.settings import Settings
from mobilise.web.deps import (
    EditorDep,
    OptionalUserDep,
    PublicWorkspaceDep,
    SettingsDep,
    TemplatesDep,
    WorkspaceDep,
    is_editor,
)
from mobilise.web.routes.api import ERRORS
from mobilise.workspace import Workspace
from mobilise.workspace.users import User

if TYPE_CHECKING:
    from mobilise.workspace.asset_records import Asset
    from mobilise.workspace.contribution_records import Contribution

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["contributions"])

# A field people never see (hidden by CSS and from screen readers): bots fill every field they find.
HONEYPOT = "fax_number"
CORRECTION_FIELDS = tuple(CORRECTABLE)


async def client_key(request: Request, settings: SettingsDep) -> str:
    """The sender, as an HMAC-SHA256 of their address keyed with the app's secret: enough to
    count their suggestions, useless for finding out who or where they are."""
    address = request.client.host if request.client else ""
    return hmac.new(settings.secret_key.encode(), address.encode(), hashlib.sha256).hexdigest()


ClientKeyDep = Annotated[str, Depends(client_key)]


def per_hour(settings: Settings) -> int:
    """``MOBILISE_SUGGESTIONS_PER_HOUR``: suggestions one sender may make in an hour."""
    return settings.suggestions_per_hour


def _shown_user(user: User) -> User | None:
    # The anonymous visitor has nothing to sign out of.
    return None if user.id == "anonymous" else user


def _problems_by_field(error: MobiliseError) -> dict[str, str]:
    return {p.field or "": p.message for p in error.problems}


@dataclass(frozen=True)
class Visitor:
    """Someone at a public form: what answering them needs, and what counts their suggestions
    (the keyed hash of their address and how many they may send in an hour)."""

    request: Request
    templates: Any
    user: User
    client_key: str
    per_hour: int

    @property
    def sender(self) -> dict[str, Any]:
        """The keywords of a suggestion that say who sends it and how many they may send."""
        return {"client_key": self.client_key, "per_hour": self.per_hour}

    def form(
        self,
        template: str,
        *,
        values: dict[str, Any],
        error: ValidationError | None = None,
        **context: Any,
    ) -> Response:
        """A public form: empty, or again with what was sent and what is wrong with it (422)."""
        shown: dict[str, Any] = {"user": _shown_user(self.user), "values": values, "errors": {}}
        if error is not None:
            shown.update(errors=_problems_by_field(error), error=error.message)
        return self.templates.TemplateResponse(
            self.request, template, {**shown, **context}, status_code=422 if error else 200
        )

    def send(
        self,
        send: Callable[[], object],
        *,
        honeypot: str,
        again: Callable[[ValidationError], Response],
        **thanks: Any,
    ) -> Response:
        """Send what a public form holds and thank the sender; a filled honeypot is a bot,
        thanked and dropped. Too many from one sender is the rate-limit page (429); what cannot
        be used is the form ``again`` with what is wrong (422)."""
        if not honeypot:
            try:
                send()
            except RateLimited as error:
                return self._limited(error)
            except ValidationError as error:
                return again(error)
        context = {"user": _shown_user(self.user), "limited": None, **thanks}
        return self.templates.TemplateResponse(
            self.request, "contribution_thanks.html", context, status_code=200
        )

    def _limited(self, error: RateLimited) -> Response:
        return self.templates.TemplateResponse(
            self.request,
            "contribution_thanks.html",
            {"user": _shown_user(self.user), "limited": error.message, "asset": None},
            status_code=429,
            headers={"Retry-After": str(error.retry_after)},
        )


async def visitor(
    request: Request,
    templates: TemplatesDep,
    user: OptionalUserDep,
    settings: SettingsDep,
    key: ClientKeyDep,
) -> Visitor:
    return Visitor(request, templates, user, key, per_hour(settings))


VisitorDep = Annotated[Visitor, Depends(visitor)]


def _new_asset_form(
    visitor: Visitor, values: dict[str, Any], error: ValidationError | None = None
) -> Response:
    return visitor.form("suggest_asset.html", values=values, error=error, categories=CATEGORIES)


def _correction_form(
    visitor: Visitor, asset: Asset, values: dict[str, Any], error: ValidationError | None = None
) -> Response:
    """The correction form, filled with the asset's details and then with ``values``."""
    return visitor.form(
        "suggest_correction.html",
        values={**{f: getattr(asset, f) or "" for f in CORRECTION_FIELDS}, **values},
        error=error,
        asset=asset,
        statuses=STATUSES,
    )


def _stories_form(
    visitor: Visitor,
    workspace: Workspace,
    asset: Asset,
    values: dict[str, Any],
    error: ValidationError | None = None,
) -> Response:
    return visitor.form(
        "stories.html",
        values=values,
        error=error,
        asset=asset,
        stories=workspace.contributions.stories(asset.id),
        max_story=MAX_STORY_CHARS,
    )


# -- public forms ----------------------------------------------------------------------------
@router.get("/assets/suggest", response_class=HTMLResponse)
def new_asset_form(visitor: VisitorDep) -> Response:
    return _new_asset_form(visitor, {})


@router.post("/assets/suggest", response_class=HTMLResponse)
def suggest_asset(
    workspace: PublicWorkspaceDep,
    visitor: VisitorDep,
    name: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "",
    address: Annotated[str, Form()] = "",
    postcode: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    website: Annotated[str, Form()] = "",
    contributor_name: Annotated[str, Form()] = "",
    contact: Annotated[str, Form()] = "",
    honeypot: Annotated[str, Form(alias=HONEYPOT)] = "",
) -> Response:
    """Suggest a new asset; a filled honeypot is thanked and dropped."""
    fields = {
        "name": name,
        "category": category,
        "address": address,
        "postcode": postcode,
        "description": description,
        "url": website,
    }
    sender: dict[str, Any] = {"contributor_name": contributor_name, "contact": contact}
    return visitor.send(
        lambda: workspace.contributions.suggest_asset(fields, **sender, **visitor.sender),
        honeypot=honeypot,
        again=lambda error: _new_asset_form(visitor, {**fields, **sender}, error),
        kind="new_asset",
        asset=None,
    )


@router.get("/assets/{asset_id}/suggest", response_class=HTMLResponse)
def correction_form(asset_id: str, workspace: PublicWorkspaceDep, visitor: VisitorDep) -> Response:
    asset = workspace.assets.get(asset_id, include_private=False)
    return _correction_form(visitor, asset, {})


@router.post("/assets/{asset_id}/suggest", response_class=HTMLResponse)
def suggest_correction(
    asset_id: str,
    workspace: PublicWorkspaceDep,
    visitor: VisitorDep,
    name: Annotated[str | None, Form()] = None,
    description: Annotated[str | None, Form()] = None,
    status: Annotated[str | None, Form()] = None,
    address: Annotated[str | None, Form()] = None,
    postcode: Annotated[str | None, Form()] = None,
    url: Annotated[str | None, Form()] = None,
    phone: Annotated[str | None, Form()] = None,
    email: Annotated[str | None, Form()] = None,
    note: Annotated[str, Form()] = "",
    contributor_name: Annotated[str, Form()] = "",
    contact: Annotated[str, Form()] = "",
    honeypot: Annotated[str, Form(alias=HONEYPOT)] = "",
) -> Response:
    """Suggest a correction: only fields that differ from the asset's current values count."""
    asset = workspace.assets.get(asset_id, include_private=False)
    sent = {
        "name": name,
        "description": description,
        "status": status,
        "address": address,
        "postcode": postcode,
        "url": url,
        "phone": phone,
        "email": email,
    }
    changes = {k: v for k, v in sent.items() if v is not None}
    sender: dict[str, Any] = {"contributor_name": contributor_name, "contact": contact}
    return visitor.send(
        lambda: workspace.contributions.suggest_correction(
            asset_id, changes, note=note, **sender, **visitor.sender
        ),
        honeypot=honeypot,
        again=lambda error: _correction_form(
            visitor, asset, {**changes, "note": note, **sender}, error
        ),
        kind="correction",
        asset=asset,
    )


@router.get("/assets/{asset_id}/stories", response_class=HTMLResponse)
def stories_page(asset_id: str, workspace: PublicWorkspaceDep, visitor: VisitorDep) -> Response:
    """What this place means to people: the published stories and the form to add one."""
    asset = workspace.assets.get(asset_id, include_private=False)
    return _stories_form(visitor, workspace, asset, {})


@router.post("/assets/{asset_id}/stories", response_class=HTMLResponse)
def add_story(
    asset_id: str,
    workspace: PublicWorkspaceDep,
    visitor: VisitorDep,
    story: Annotated[str, Form()] = "",
    photo: Annotated[UploadFile | None, File()] = None,
    consent: Annotated[str, Form()] = "",
    contributor_name: Annotated[str, Form()] = "",
    honeypot: Annotated[str, Form(alias=HONEYPOT)] = "",
) -> Response:
    """Add "what this place means to me", with an optional photo (read at most 2 MB + 1 byte, so
    a bigger file is refused without holding all of it in memory)."""
    asset = workspace.assets.get(asset_id, include_private=False)
    consented = consent in ("yes", "on", "true")

    def send() -> object:
        data = (
            photo.file.read(MAX_PHOTO_BYTES + 1) if photo is not None and photo.filename else None
        )
        return workspace.contributions.add_story(
            asset_id,
            story,
            photo=data or None,
            photo_type=photo.content_type if photo is not None else None,
            consent_to_publish=consented,
            contributor_name=contributor_name,
            **visitor.sender,
        )

    return visitor.send(
        send,
        honeypot=honeypot,
        again=lambda error: _stories_form(
            visitor,
            workspace,
            asset,
            {"story": story, "consent": consented, "contributor_name": contributor_name},
            error,
        ),
        kind="story",
        asset=asset,
        consented=consented or bool(honeypot),  # a bot is told what it hoped to hear
    )


@router.get("/contributions/{contribution_id}/photo")
def contribution_photo(
    contribution_id: str, workspace: PublicWorkspaceDep, user: OptionalUserDep
) -> Response:
    """A published story's photo; moderators may also see photos still waiting for them."""
    data, media_type = workspace.contributions.photo(
        contribution_id, published_only=not is_editor(user)
    )
    return Response(
        data,
        media_type=media_type,
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'",
            "Cache-Control": "private, max-age=300",
        },
    )


# -- moderation ------------------------------------------------------------------------------
def _queue_page(
    request: Request,
    workspace: Workspace,
    templates: Any,
    user: User,
    status: str,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    service = workspace.contributions
    items = service.queue(status)
    current: dict[str, Any] = {}
    for item in items:
        if item.kind == "correction" and item.asset_id and item.asset_id not in current:
            # An asset deleted since is left out: accepting the correction will say so.
            with contextlib.suppress(MobiliseError):
                current[item.asset_id] = workspace.assets.get(item.asset_id)
    return templates.TemplateResponse(
        request,
        "moderation.html",
        {
            "user": user,
            "status": status,
            "statuses": STATUSES_OF_CONTRIBUTIONS,
            "counts": service.counts(),
            "items": items,
            "current": current,
            "categories": CATEGORIES,
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/moderation", response_class=HTMLResponse)
def moderation(
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: EditorDep,
    status: Literal["pending", "accepted", "rejected"] = "pending",
) -> Response:
    return _queue_page(request, workspace, templates, user, status)


@router.post("/moderation/{contribution_id}/{decision}", response_class=HTMLResponse)
def moderate(
    request: Request,
    contribution_id: str,
    decision: Literal["accept", "reject"],
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: EditorDep,
    note: Annotated[str, Form()] = "",
) -> Response:
    service = workspace.contributions
    try:
        if decision == "accept":
            service.accept(contribution_id, note=note)
        else:
            service.reject(contribution_id, note=note)
    except MobiliseError as error:
        return _queue_page(
            request,
            workspace,
            templates,
            user,
            "pending",
            error=error.message,
            status_code=error.status_code,
        )
    return RedirectResponse("/moderation", status_code=303)


# -- JSON API --------------------------------------------------------------------------------
class ContributionCreate(BaseModel):
    """A suggestion through the API (stories with photos go through the web form)."""

    kind: Literal["new_asset", "correction", "story"]
    asset_id: str | None = Field(None, description="The asset corrected or told about.")
    fields: dict[str, Any] = Field(
        default_factory=dict,
        description="new_asset: name, category, address, postcode, description, url. "
        "correction: the fields to change and their new values.",
    )
    note: str = Field("", description="correction: what is wrong, in your words.")
    story: str = Field("", description=f"story: 1 to {MAX_STORY_CHARS:,} characters.")
    consent_to_publish: bool = False
    contributor_name: str = ""
    contact: str = Field("", description="Only facilitators see it.")


@api.post("/contributions", status_code=201, responses={**ERRORS, 429: ERRORS[422]})
def create_contribution(
    body: ContributionCreate,
    workspace: PublicWorkspaceDep,
    settings: SettingsDep,
    key: ClientKeyDep,
) -> Response:
    """Suggest a new asset or a correction, or add a story (no sign-in; rate-limited: 429 with
    Retry-After when one sender has made too many suggestions in the last hour)."""
    service = workspace.contributions
    common: dict[str, Any] = {
        "contributor_name": body.contributor_name,
        "contact": body.contact,
        "client_key": key,
        "per_hour": per_hour(settings),
    }
    if body.kind != "new_asset" and not body.asset_id:
        raise ValidationError(
            "Say which asset.", problems=[Problem("an asset id is needed", field="asset_id")]
        )
    try:
        if body.kind == "new_asset":
            made = service.suggest_asset(body.fields, **common)
        elif body.kind == "correction":
            assert body.asset_id is not None
            made = service.suggest_correction(body.asset_id, body.fields, note=body.note, **common)
        else:
            assert body.asset_id is not None
            made = service.add_story(
                body.asset_id, body.story, consent_to_publish=body.consent_to_publish, **common
            )
    except RateLimited as error:
        return JSONResponse(
            error.to_dict(), status_code=429, headers={"Retry-After": str(error.retry_after)}
        )
    return JSONResponse({"id": made.id, "status": made.status}, status_code=201)


@api.get("/contributions", responses=ERRORS)
def list_contributions(
    workspace: WorkspaceDep,
    _user: EditorDep,
    status: Annotated[Literal["pending", "accepted", "rejected"], Query()] = "pending",
) -> dict[str, Any]:
    """Contributions with a status, with the senders' contact details (analysts, facilitators)."""
    items: list[Contribution] = workspace.contributions.queue(status)
    return {"status": status, "total": len(items), "items": [c.to_dict() for c in items]}
