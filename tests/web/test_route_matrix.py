"""The route x role matrix, generated from the app's route table.

Every method and path the app serves must have a rule in :data:`RULES`: who may use it. The test
sends one request per route and person (anonymous, viewer, partner, facilitator, analyst, admin,
data controller) on a small shared-mode workspace, and checks each is let through or refused as the rule says:

* let through: any answer but 401, 403 and the redirect to the sign-in page (a 404 for an id or
  a 422 for the empty body the test sends still means the role was let through);
* refused: an anonymous visitor is asked to sign in (401 from the API, a redirect to
  ``/login?next=...`` from a page); a signed-in user without the role gets 403.

A route without a rule fails :func:`test_every_route_has_a_rule`: add one here when you add a
route. A change request (POST, PUT, PATCH, DELETE) is sent without a body; the workspace is put
back as it was after each one that was let through, so a DELETE or a sign-out cannot change what
the next request sees.

Visibility. For the routes of one map or one survey round the rule says which roles may use the
route on a map or round of ``consortium`` visibility (every signed-in user of the consortium).
What ``group`` and ``link`` visibility change is not a matter of role: those cases are tested
with the visibility of maps and rounds (tests/web/test_visibility*.py); the rules below mark
such routes ``seeing="map"`` or ``seeing="round"`` so that suite can walk the same table.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from mobilise.settings import Settings
from mobilise.web.app import create_app

from ..conftest import FIXTURES

ROLES = ("viewer", "partner", "facilitator", "analyst", "admin", "data_controller")
EVERYONE = ("anonymous", *ROLES)
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Rule:
    """Who may use a route: ``kind`` names the rule, ``allowed`` the people it lets through."""

    kind: str
    allowed: frozenset[str]
    seeing: str = ""  # "map" or "round": visibility also decides (see the module docstring)
    query: str = ""  # added to the URL (a stream is stopped by a 422 once let through)

    def of(self, seeing: str = "", query: str = "") -> Rule:
        return dataclasses.replace(self, seeing=seeing, query=query)


PUBLIC = Rule("public", frozenset(EVERYONE))
TOKEN_LINK = Rule("token-link", frozenset(EVERYONE))  # anyone holding the link's token
SIGNED_IN = Rule("signed-in", frozenset(ROLES))
MAP_EDITOR = Rule("map-editor", frozenset({"partner", "facilitator", "analyst", "admin"}))
EDITOR = Rule("editor", frozenset({"facilitator", "analyst", "admin"}))
ADMIN = Rule("admin", frozenset({"admin"}))
MAP, ROUND = "map", "round"
STOPPED = "after=-1"
# participants' pseudonymous rows: editors and the data controller (a partner sees counts only)
PARTICIPANT_STAFF = Rule(
    "participant-staff", frozenset({"facilitator", "analyst", "admin", "data_controller"})
)
IDENTITY = Rule("identity", frozenset({"admin", "data_controller"}))  # names, contacts

RULES: dict[str, Rule] = {
    # the app itself
    "GET /api/openapi.json": PUBLIC,
    "GET /api/docs": PUBLIC,
    "GET /login": PUBLIC,
    "POST /login": PUBLIC,
    "POST /logout": PUBLIC,
    "GET /account/password": SIGNED_IN,
    "POST /account/password": SIGNED_IN,
    "GET /api/v1/users": ADMIN,
    "POST /api/v1/users": ADMIN,
    "PATCH /api/v1/users/{user_id}": ADMIN,
    "PUT /api/v1/users/{user_id}/password": ADMIN,
    # one-time password links (issue 17, part D): admins issue them, the link's holder uses it
    "POST /api/v1/users/{user_id}/reset-link": ADMIN,
    "POST /admin/users/{user_id}/reset-link": ADMIN,
    "GET /reset/{token}": TOKEN_LINK,
    "POST /reset/{token}": TOKEN_LINK,
    "DELETE /api/v1/users/{user_id}": ADMIN,
    "GET /admin/users": ADMIN,
    "POST /admin/users": ADMIN,
    "POST /admin/users/{user_id}": ADMIN,
    "GET /api/v1/admin/backups": ADMIN,
    "POST /api/v1/admin/backups": ADMIN,
    "GET /api/v1/jobs": SIGNED_IN,
    "GET /api/v1/jobs/{job_id}": SIGNED_IN,
    "GET /api/v1/jobs/{job_id}/outcome": SIGNED_IN,
    "POST /api/v1/jobs/{job_id}/retry": SIGNED_IN,
    # places, areas, indicators, data sources (the pages public by default: issue 17, part D)
    "GET /": PUBLIC,
    "GET /find": PUBLIC,
    "GET /places/{slug}": PUBLIC,
    "GET /areas/{code}": PUBLIC,
    "GET /sources": PUBLIC,
    "GET /api/v1/health": SIGNED_IN,
    "GET /api/v1/places": SIGNED_IN,
    "POST /api/v1/places": EDITOR,
    "GET /api/v1/places/{slug}": SIGNED_IN,
    "PATCH /api/v1/places/{slug}": EDITOR,
    "GET /api/v1/places/{slug}/areas.geojson": PUBLIC,  # the public place page's map
    "GET /api/v1/places/{slug}/indicators": SIGNED_IN,
    # who was reached: counts only, disclosure-controlled but for admins (a partner sees
    # "fewer than k", never a participant's row: tests/web/test_reach_web.py)
    "GET /places/{slug}/reach": SIGNED_IN,
    "GET /api/v1/places/{slug}/reach": SIGNED_IN,
    "GET /api/v1/areas/{code}": SIGNED_IN,
    "GET /api/v1/indicators": SIGNED_IN,
    "GET /api/v1/indicators/{indicator_id}": SIGNED_IN,
    # public-health statistics (part G, issue 23): computed indicators, funnels, spine charts
    "POST /api/v1/indicators/compute": EDITOR,
    "GET /api/v1/indicators/{indicator_id}/funnel": SIGNED_IN,
    "GET /api/v1/areas/{code}/spine": SIGNED_IN,
    "GET /places/{slug}/funnel": SIGNED_IN,
    "GET /areas/{code}/profile": SIGNED_IN,
    "GET /api/v1/geocode": SIGNED_IN,
    "GET /api/v1/datasets": SIGNED_IN,
    # access
    "GET /places/{slug}/access": SIGNED_IN,
    "POST /places/{slug}/access/runs": EDITOR,
    "POST /api/v1/places/{slug}/access/runs": EDITOR,
    "GET /api/v1/places/{slug}/access/runs": SIGNED_IN,
    "GET /api/v1/access/runs/{run_id}": SIGNED_IN,
    "POST /api/v1/access/runs/{run_id}/rerun": EDITOR,
    "GET /api/v1/access/runs/{run_id}/results": SIGNED_IN,
    "GET /api/v1/access/runs/{run_id}/areas.geojson": SIGNED_IN,
    "GET /api/v1/access/runs/{run_id}/results.{file_format}": SIGNED_IN,
    # street networks (issue 19, part N3): signed-in users read them, editors import and delete
    "GET /api/v1/places/{slug}/networks": SIGNED_IN,
    "POST /api/v1/places/{slug}/networks": EDITOR,
    "DELETE /api/v1/places/{slug}/networks": EDITOR,
    "GET /places/{slug}/networks": SIGNED_IN,
    # access sweeps on Dask (issue 19, part N4): signed-in users read them, editors start,
    # resume and cancel them
    "GET /api/v1/sweeps": SIGNED_IN,
    "POST /api/v1/sweeps": EDITOR,
    "GET /api/v1/sweeps/{sweep_id}": SIGNED_IN,
    "GET /api/v1/sweeps/{sweep_id}/results": SIGNED_IN,
    "GET /api/v1/sweeps/{sweep_id}/results.csv": SIGNED_IN,
    "POST /api/v1/sweeps/{sweep_id}/resume": EDITOR,
    "POST /api/v1/sweeps/{sweep_id}/cancel": EDITOR,
    "GET /sweeps": SIGNED_IN,
    "POST /sweeps": EDITOR,
    "GET /sweeps/{sweep_id}": SIGNED_IN,
    "POST /sweeps/{sweep_id}/resume": EDITOR,
    "POST /sweeps/{sweep_id}/cancel": EDITOR,
    # drivers of disparities (part J, issue 18): read by every signed-in user, run by editors
    "GET /places/{slug}/drivers": SIGNED_IN,
    "POST /places/{slug}/drivers/runs": EDITOR,
    "GET /drivers/{run_id}": SIGNED_IN,
    "POST /drivers/{run_id}/rerun": EDITOR,
    "POST /api/v1/places/{slug}/drivers/runs": EDITOR,
    "GET /api/v1/places/{slug}/drivers/runs": SIGNED_IN,
    "GET /api/v1/places/{slug}/drivers/variables": SIGNED_IN,
    "GET /api/v1/drivers/runs/{run_id}": SIGNED_IN,
    "POST /api/v1/drivers/runs/{run_id}/rerun": EDITOR,
    "GET /api/v1/drivers/runs/{run_id}/results": SIGNED_IN,
    "GET /api/v1/drivers/runs/{run_id}/areas.geojson": SIGNED_IN,
    # assets: the directory and the feed are public, editing is for editors
    "GET /assets": PUBLIC,
    "GET /assets/{asset_id}": PUBLIC,
    "GET /api/v1/assets": PUBLIC,
    "GET /api/v1/assets.geojson": PUBLIC,
    "GET /api/v1/assets/{asset_id}": PUBLIC,
    "GET /api/v1/assets/export.{fmt}": PUBLIC,
    "GET /assets/quality": SIGNED_IN,
    "GET /api/v1/assets/quality": SIGNED_IN,
    "GET /api/v1/oruk/quality": SIGNED_IN,
    "PATCH /api/v1/assets/{asset_id}": EDITOR,
    "DELETE /api/v1/assets/{asset_id}": EDITOR,
    "POST /api/v1/assets/{asset_id}/restore": EDITOR,
    "GET /api/v1/assets/deleted": EDITOR,
    "GET /assets/deleted": EDITOR,
    "POST /assets/{asset_id}/edit": EDITOR,
    "POST /assets/{asset_id}/delete": EDITOR,
    "POST /assets/{asset_id}/restore": EDITOR,
    "GET /assets/duplicates": EDITOR,
    "POST /assets/duplicates/merge": EDITOR,
    "POST /assets/duplicates/keep-apart": EDITOR,
    "GET /api/v1/assets/duplicates": EDITOR,
    "POST /api/v1/assets/duplicates/merge": EDITOR,
    "POST /api/v1/assets/duplicates/keep-apart": EDITOR,
    # residents' suggestions and stories: public to send, editors moderate
    "GET /assets/suggest": PUBLIC,
    "POST /assets/suggest": PUBLIC,
    "GET /assets/{asset_id}/suggest": PUBLIC,
    "POST /assets/{asset_id}/suggest": PUBLIC,
    "GET /assets/{asset_id}/stories": PUBLIC,
    "POST /assets/{asset_id}/stories": PUBLIC,
    "POST /api/v1/contributions": PUBLIC,
    "GET /contributions/{contribution_id}/photo": PUBLIC,  # published photos only (its test)
    "GET /api/v1/contributions": EDITOR,
    "GET /moderation": EDITOR,
    "POST /moderation/{contribution_id}/{decision}": EDITOR,
    # the Open Referral UK feed
    "GET /oruk/": PUBLIC,
    "GET /oruk/services": PUBLIC,
    "GET /oruk/services/{service_id}": PUBLIC,
    "GET /oruk/service_at_locations": PUBLIC,
    "GET /oruk/service_at_locations/{service_at_location_id}": PUBLIC,
    "GET /oruk/organizations": PUBLIC,
    "GET /oruk/organizations/{organization_id}": PUBLIC,
    "GET /oruk/taxonomies": PUBLIC,
    "GET /oruk/taxonomies/{taxonomy}": PUBLIC,
    "GET /oruk/taxonomy_terms": PUBLIC,
    "GET /oruk/taxonomy_terms/{taxonomy_term_id}": PUBLIC,
    # systems maps
    "GET /maps": SIGNED_IN,
    "GET /maps/{map_id}": SIGNED_IN.of(MAP),
    "GET /maps/shared/{token}": TOKEN_LINK,
    "GET /api/v1/maps": SIGNED_IN,
    "POST /api/v1/maps": MAP_EDITOR,
    "POST /api/v1/maps/import": MAP_EDITOR,
    "GET /api/v1/maps/compare": SIGNED_IN,
    "GET /api/v1/maps/deleted": MAP_EDITOR,
    "GET /api/v1/maps/{map_id}": SIGNED_IN.of(MAP),
    "PATCH /api/v1/maps/{map_id}": MAP_EDITOR.of(MAP),
    "DELETE /api/v1/maps/{map_id}": MAP_EDITOR.of(MAP),
    "POST /api/v1/maps/{map_id}/restore": MAP_EDITOR.of(MAP),
    "GET /api/v1/maps/{map_id}/contributions": SIGNED_IN.of(MAP),
    "POST /api/v1/maps/{map_id}/participants": MAP_EDITOR.of(MAP),
    "POST /api/v1/maps/{map_id}/factors": MAP_EDITOR.of(MAP),
    "PATCH /api/v1/maps/{map_id}/factors/{factor_id}": MAP_EDITOR.of(MAP),
    "DELETE /api/v1/maps/{map_id}/factors/{factor_id}": MAP_EDITOR.of(MAP),
    "POST /api/v1/maps/{map_id}/factors/{factor_id}/restore": MAP_EDITOR.of(MAP),
    "POST /api/v1/maps/{map_id}/links": MAP_EDITOR.of(MAP),
    "PATCH /api/v1/maps/{map_id}/links/{link_id}": MAP_EDITOR.of(MAP),
    "DELETE /api/v1/maps/{map_id}/links/{link_id}": MAP_EDITOR.of(MAP),
    "POST /api/v1/maps/{map_id}/links/{link_id}/restore": MAP_EDITOR.of(MAP),
    "GET /api/v1/maps/{map_id}/deleted": MAP_EDITOR.of(MAP),
    "GET /api/v1/maps/{map_id}/comments": SIGNED_IN.of(MAP),
    "POST /api/v1/maps/{map_id}/comments": MAP_EDITOR.of(MAP),
    "POST /api/v1/maps/{map_id}/votes": MAP_EDITOR.of(MAP),
    "GET /api/v1/maps/{map_id}/snapshots": SIGNED_IN.of(MAP),
    "POST /api/v1/maps/{map_id}/snapshots": MAP_EDITOR.of(MAP),
    "GET /api/v1/maps/{map_id}/snapshots/{snapshot_id}": SIGNED_IN.of(MAP),
    "GET /api/v1/maps/{map_id}/events": SIGNED_IN.of(MAP),
    "GET /api/v1/maps/{map_id}/stream": SIGNED_IN.of(MAP, query=STOPPED),
    "GET /api/v1/maps/{map_id}/analysis": SIGNED_IN.of(MAP),
    "GET /api/v1/maps/{map_id}/submap": SIGNED_IN.of(MAP),
    "POST /api/v1/maps/{map_id}/scenario": SIGNED_IN.of(MAP),  # a what-if: changes nothing
    "GET /api/v1/maps/{map_id}/export": SIGNED_IN.of(MAP),
    "POST /api/v1/maps/{map_id}/share": MAP_EDITOR.of(MAP),
    "DELETE /api/v1/maps/{map_id}/share": MAP_EDITOR.of(MAP),
    "GET /api/v1/shared-maps/{token}": TOKEN_LINK,
    "GET /api/v1/shared-maps/{token}/stream": TOKEN_LINK.of(query=STOPPED),
    "GET /api/v1/shared-maps/{token}/analysis": TOKEN_LINK,
    # partners, survey rounds, the partnership network
    "GET /partners": SIGNED_IN,
    "GET /api/v1/partners": SIGNED_IN,
    "POST /api/v1/partners": EDITOR,
    "POST /api/v1/partners/import": EDITOR,
    "GET /api/v1/partners/{partner_id}": SIGNED_IN,
    "PATCH /api/v1/partners/{partner_id}": EDITOR,
    "DELETE /api/v1/partners/{partner_id}": EDITOR,
    "POST /api/v1/partners/{partner_id}/leave": EDITOR,
    "POST /api/v1/partners/{partner_id}/rejoin": EDITOR,
    "GET /api/v1/partners/{partner_id}/contacts": EDITOR,
    "POST /api/v1/partners/{partner_id}/contacts": EDITOR,
    "DELETE /api/v1/partners/{partner_id}/contacts/{contact_id}": EDITOR,
    "GET /partners/{partner_id}/profile": SIGNED_IN,
    "GET /api/v1/partners/{partner_id}/profile": SIGNED_IN,
    "GET /rounds": SIGNED_IN,
    "GET /rounds/{round_id}": EDITOR.of(ROUND),
    "GET /api/v1/rounds": SIGNED_IN,
    "POST /api/v1/rounds": EDITOR,
    "GET /api/v1/rounds/{round_id}": SIGNED_IN.of(ROUND),
    "PATCH /api/v1/rounds/{round_id}": EDITOR.of(ROUND),
    "GET /api/v1/rounds/{round_id}/roster": SIGNED_IN.of(ROUND),
    "PUT /api/v1/rounds/{round_id}/roster": EDITOR.of(ROUND),
    "POST /api/v1/rounds/{round_id}/share": EDITOR.of(ROUND),
    "DELETE /api/v1/rounds/{round_id}/share": EDITOR.of(ROUND),
    "POST /api/v1/rounds/{round_id}/invitations": EDITOR.of(ROUND),
    "GET /api/v1/rounds/{round_id}/completion": EDITOR.of(ROUND),
    "POST /api/v1/rounds/{round_id}/import": EDITOR.of(ROUND),
    "GET /network": SIGNED_IN,
    "GET /network/compare": SIGNED_IN,
    "GET /network/map": SIGNED_IN,
    "GET /network/shared/{token}": TOKEN_LINK,
    "GET /api/v1/network/rounds": SIGNED_IN,
    "GET /api/v1/network/compare": SIGNED_IN,
    "GET /api/v1/network/{round_}/metrics": SIGNED_IN.of(ROUND),
    "GET /api/v1/network/{round_}/drawing": SIGNED_IN.of(ROUND),
    "GET /api/v1/network/{round_}/introductions": SIGNED_IN.of(ROUND),
    "GET /api/v1/shared-rounds/{token}": TOKEN_LINK,
    # the roster survey, answered through a single-use link
    "GET /survey/done": PUBLIC,
    "GET /survey/{token}": TOKEN_LINK,
    "POST /survey/{token}": TOKEN_LINK,
    "GET /api/v1/survey/{token}": TOKEN_LINK,
    "PUT /api/v1/survey/{token}": TOKEN_LINK,
    "POST /api/v1/survey/{token}/opened": TOKEN_LINK,
    # participants, identities, the consent ledger, information sheets, project settings
    # (issue 15: the participants and consent part)
    "GET /api/v1/participants": PARTICIPANT_STAFF,
    "POST /api/v1/participants": PARTICIPANT_STAFF,
    "GET /api/v1/participants/{participant_id}": PARTICIPANT_STAFF,
    "PATCH /api/v1/participants/{participant_id}": PARTICIPANT_STAFF,
    "GET /api/v1/participants/{participant_id}/identity": IDENTITY,
    "PUT /api/v1/participants/{participant_id}/identity": IDENTITY,
    "DELETE /api/v1/participants/{participant_id}/identity": IDENTITY,
    "GET /api/v1/participants/{participant_id}/consent": PARTICIPANT_STAFF,
    "POST /api/v1/participants/{participant_id}/consent": PARTICIPANT_STAFF,
    "POST /api/v1/participants/{participant_id}/consent/withdrawals": PARTICIPANT_STAFF,
    "GET /api/v1/consent/summary": PARTICIPANT_STAFF,
    "GET /api/v1/information-sheets": PARTICIPANT_STAFF,
    "POST /api/v1/information-sheets": PARTICIPANT_STAFF,
    "GET /api/v1/information-sheets/{sheet_id}": PUBLIC,  # published sheets only (its test)
    "GET /api/v1/project-settings": SIGNED_IN,
    "GET /api/v1/project-settings/{key}": SIGNED_IN,
    "PUT /api/v1/project-settings/{key}": ADMIN,
    "GET /participants": PARTICIPANT_STAFF,
    "POST /participants": PARTICIPANT_STAFF,
    "GET /participants/{participant_id}": PARTICIPANT_STAFF,
    "POST /participants/{participant_id}/answers": PARTICIPANT_STAFF,
    "POST /participants/{participant_id}/consent": PARTICIPANT_STAFF,
    "POST /participants/{participant_id}/withdrawal": PARTICIPANT_STAFF,
    "POST /participants/{participant_id}/identity": IDENTITY,
    "POST /participants/{participant_id}/identity/erase": IDENTITY,
    "GET /information-sheets": PARTICIPANT_STAFF,
    "POST /information-sheets": PARTICIPANT_STAFF,
    "GET /information-sheets/{sheet_id}": PUBLIC,
    "GET /admin/project-settings": ADMIN,
    "POST /admin/project-settings": ADMIN,
    # involvement payments, event contributions, map people linked to participants
    # (issue 15: the payments and contributions part)
    "GET /api/v1/payments": EDITOR,
    "POST /api/v1/payments": EDITOR,
    "DELETE /api/v1/payments/{payment_id}": EDITOR,
    "GET /api/v1/payments/totals": EDITOR,
    "GET /api/v1/payments/finance": EDITOR,
    "GET /api/v1/payment-rates": EDITOR,
    "PUT /api/v1/payment-rates": ADMIN,
    "DELETE /api/v1/payment-rates/{rate_id}": ADMIN,
    "GET /payments": EDITOR,
    "POST /payments": EDITOR,
    "POST /payments/{payment_id}/remove": EDITOR,
    "POST /payments/rates": ADMIN,
    "POST /payments/rates/{rate_id}/remove": ADMIN,
    "GET /payments/finance.csv": EDITOR,
    "GET /payments/totals.csv": EDITOR,
    "GET /api/v1/events/{event_id}/contributions": PARTICIPANT_STAFF,
    "POST /api/v1/events/{event_id}/contributions": EDITOR,
    "GET /api/v1/event-contributions/export.{file_format}": PARTICIPANT_STAFF,
    "GET /api/v1/event-contributions/{event_contribution_id}": PARTICIPANT_STAFF,
    "GET /api/v1/event-contributions/{event_contribution_id}/media": PARTICIPANT_STAFF,
    "DELETE /api/v1/event-contributions/{event_contribution_id}": EDITOR,
    "GET /events/{event_id}/contributions": PARTICIPANT_STAFF,
    "POST /events/{event_id}/contributions": EDITOR,
    "POST /events/{event_id}/contributions/{event_contribution_id}/remove": EDITOR,
    "PUT /api/v1/maps/{map_id}/participants/{map_participant}/person": EDITOR.of(MAP),
    # arts-based media: describing media and what contributions are about (staff), galleries,
    # the exhibition and public files (public contributions of public events for visitors;
    # tests/web/test_gallery_web.py), what people said about an asset or an area (issue 16:
    # the media part)
    "GET /api/v1/event-contributions/{event_contribution_id}/thumbnail": PARTICIPANT_STAFF,
    "PATCH /api/v1/event-contributions/{event_contribution_id}": EDITOR,
    "GET /api/v1/event-contributions/{event_contribution_id}/links": PARTICIPANT_STAFF,
    "POST /api/v1/event-contributions/{event_contribution_id}/links": EDITOR,
    "DELETE /api/v1/event-contributions/{event_contribution_id}/links/{contribution_link_id}": (
        EDITOR
    ),
    "POST /events/{event_id}/contributions/{event_contribution_id}/describe": EDITOR,
    "POST /events/{event_id}/contributions/{event_contribution_id}/links": EDITOR,
    "POST /events/{event_id}/contributions/{event_contribution_id}/links/{contribution_link_id}"
    "/remove": EDITOR,
    "GET /api/v1/events/{event_id}/gallery": PUBLIC,
    "GET /api/v1/places/{slug}/gallery": PUBLIC,
    "GET /api/v1/assets/{asset_id}/event-contributions": PUBLIC,
    "GET /api/v1/areas/{code}/event-contributions": SIGNED_IN,
    "GET /media/{event_contribution_id}": PUBLIC,
    "GET /media/{event_contribution_id}/thumbnail": PUBLIC,
    "GET /events/{event_id}/gallery": PUBLIC,
    "GET /places/{slug}/gallery": PUBLIC,
    "GET /events/{event_id}/exhibition": PUBLIC,
    "GET /places/{slug}/exhibition": PUBLIC,
    # engagement events: the calendar and public events are anyone's, editors run events and
    # the door, staff see who registered and came by pseudonym, anyone signed in the summary's
    # disclosure-controlled counts (issue 15: the events part)
    "GET /api/v1/events": PUBLIC,
    "POST /api/v1/events": EDITOR,
    "GET /api/v1/events/{event_id}": PUBLIC,  # public events only for visitors (its test)
    "PATCH /api/v1/events/{event_id}": EDITOR,
    "POST /api/v1/events/{event_id}/cancel": EDITOR,
    "POST /api/v1/events/{event_id}/registration-link": EDITOR,
    "DELETE /api/v1/events/{event_id}/registration-link": EDITOR,
    "GET /api/v1/events/{event_id}/registrations": PARTICIPANT_STAFF,
    "POST /api/v1/events/{event_id}/registrations": EDITOR,
    "DELETE /api/v1/events/{event_id}/registrations/{participant}": EDITOR,
    "GET /api/v1/events/{event_id}/attendance": PARTICIPANT_STAFF,
    "POST /api/v1/events/{event_id}/attendance": EDITOR,
    "GET /api/v1/events/{event_id}/summary": SIGNED_IN,
    "GET /join/{registration_token}": TOKEN_LINK,
    "GET /join/{registration_token}/information-sheet": TOKEN_LINK,
    "POST /join/{registration_token}": TOKEN_LINK,
    "GET /events": PUBLIC,
    "GET /events/new": EDITOR,
    "POST /events/new": EDITOR,
    "GET /events/{event_id}": PUBLIC,
    "GET /events/{event_id}/edit": EDITOR,
    "POST /events/{event_id}/edit": EDITOR,
    "POST /events/{event_id}/cancel": EDITOR,
    "POST /events/{event_id}/registration-link": EDITOR,
    "GET /events/{event_id}/door": EDITOR,
    "POST /events/{event_id}/door": EDITOR,
    "POST /events/{event_id}/door/walk-in": EDITOR,
    "GET /events/{event_id}/qr.svg": EDITOR,
    "GET /events/{event_id}/sign-in-sheet": EDITOR,
    "GET /events/{event_id}/consent-form": EDITOR,
    "GET /events/{event_id}/summary": SIGNED_IN,
    # "you said, we did" (issue 16, item 5): the public page and feeds; actions for editors
    "GET /places/{slug}/you-said-we-did": PUBLIC,
    "GET /places/{slug}/you-said-we-did.atom": PUBLIC,
    "GET /api/v1/places/{slug}/you-said-we-did": PUBLIC,
    "GET /api/v1/places/{slug}/closure": EDITOR,
    "GET /api/v1/actions": EDITOR,
    "POST /api/v1/actions": EDITOR,
    "GET /api/v1/actions/{action_id}": EDITOR,
    "PATCH /api/v1/actions/{action_id}": EDITOR,
    "DELETE /api/v1/actions/{action_id}": EDITOR,
    "POST /api/v1/actions/{action_id}/done": EDITOR,
    "GET /api/v1/feedback": EDITOR,
    "POST /api/v1/feedback": EDITOR,
    "GET /actions": EDITOR,
    "POST /actions": EDITOR,
    "GET /actions/{action_id}": EDITOR,
    "POST /actions/{action_id}": EDITOR,
    "POST /actions/{action_id}/feedback": EDITOR,
    # World Cafés and workshops (issue 16, item 1): editors set them up and write the harvest;
    # staff who read contributions read it; a table's host link writes that table's notes
    "GET /api/v1/events/{event_id}/cafe": EDITOR,
    "GET /api/v1/events/{event_id}/cafe/questions": EDITOR,
    "POST /api/v1/events/{event_id}/cafe/questions": EDITOR,
    "GET /api/v1/events/{event_id}/cafe/tables": EDITOR,
    "POST /api/v1/events/{event_id}/cafe/tables": EDITOR,
    "GET /api/v1/events/{event_id}/cafe/notes": PARTICIPANT_STAFF,
    "POST /api/v1/events/{event_id}/cafe/notes": EDITOR,
    "GET /api/v1/events/{event_id}/cafe/export.{file_format}": PARTICIPANT_STAFF,
    "GET /api/v1/events/{event_id}/agenda": EDITOR,
    "POST /api/v1/events/{event_id}/agenda": EDITOR,
    "GET /events/{event_id}/cafe": EDITOR,
    "POST /events/{event_id}/cafe/questions": EDITOR,
    "POST /events/{event_id}/cafe/tables": EDITOR,
    "GET /events/{event_id}/cafe/tables/{table_id}/qr.svg": EDITOR,
    "GET /events/{event_id}/harvest": PARTICIPANT_STAFF,
    "GET /events/{event_id}/harvest/{table_id}": EDITOR,
    "POST /events/{event_id}/harvest/{table_id}": EDITOR,
    "POST /events/{event_id}/harvest/{table_id}/photo": EDITOR,
    "GET /events/{event_id}/agenda": EDITOR,
    "POST /events/{event_id}/agenda": EDITOR,
    "GET /harvest/{table_id}/{host_token}": TOKEN_LINK,
    "POST /harvest/{table_id}/{host_token}": TOKEN_LINK,
    "POST /harvest/{table_id}/{host_token}/photo": TOKEN_LINK,
    # themes (issue 16, item 4): the codebook is every signed-in user's to read, editors'
    # to change; codings, agreement, suggestions and the .qdpx exchange are editors' (the data
    # controller reads codings and a factor's evidence); counts are counts (disclosure-
    # controlled but for admins)
    "GET /api/v1/themes": SIGNED_IN,
    "POST /api/v1/themes": EDITOR,
    "GET /api/v1/themes/{theme_id}": SIGNED_IN,
    "PATCH /api/v1/themes/{theme_id}": EDITOR,
    "DELETE /api/v1/themes/{theme_id}": EDITOR,
    "GET /api/v1/themes/{theme_id}/factors": EDITOR,
    "POST /api/v1/themes/{theme_id}/factors": EDITOR,
    "GET /api/v1/maps/{map_id}/factors/{factor_id}/evidence": PARTICIPANT_STAFF,
    "GET /api/v1/codings": PARTICIPANT_STAFF,
    "POST /api/v1/codings": EDITOR,
    "GET /api/v1/codings/export.qdpx": EDITOR,
    "POST /api/v1/codings/import.qdpx": EDITOR,
    "DELETE /api/v1/codings/{coding_id}": EDITOR,
    "GET /api/v1/theme-agreement": EDITOR,
    "GET /api/v1/theme-counts": SIGNED_IN,
    "GET /api/v1/theme-pairs": SIGNED_IN,
    "GET /api/v1/theme-suggestions": EDITOR,
    "GET /themes": EDITOR,
    "POST /themes": EDITOR,
    "POST /themes/{theme_id}/remove": EDITOR,
    "GET /themes/counts": SIGNED_IN,
    "GET /themes/agreement": EDITOR,
    "GET /events/{event_id}/coding": EDITOR,
    "POST /events/{event_id}/coding": EDITOR,
    "POST /events/{event_id}/coding/{coding_id}/remove": EDITOR,
    # the maps' offline layer (issue 17, item 2: part C): open data, public like the directory
    "GET /api/v1/basemap": PUBLIC,
    "GET /api/v1/basemap/areas.geojson": PUBLIC,
    "GET /api/v1/basemap/streets/{layer_id}.geojson": PUBLIC,
    # a link worker's shortlist and the assets nearest a postcode (issue 17, item 1: part B):
    # public assets only, no account needed
    "GET /shortlist": PUBLIC,
    "GET /api/v1/shortlist": PUBLIC,
    "GET /api/v1/nearby": PUBLIC,
    # place comparison (issue 18, item 2: part K): aggregates, disclosure-controlled
    "GET /api/v1/places/compare": SIGNED_IN,
    "GET /places/compare": SIGNED_IN,
    # evidence packs (issue 18, item 3: part L): signed-in users read them, editors make,
    # share and withdraw them; a share link is for anyone holding it (404 once withdrawn)
    "GET /api/v1/packs": SIGNED_IN,
    "POST /api/v1/packs": EDITOR,
    "GET /api/v1/packs/{pack_id}": SIGNED_IN,
    "DELETE /api/v1/packs/{pack_id}": EDITOR,
    "GET /api/v1/packs/{pack_id}/manifest": SIGNED_IN,
    "GET /api/v1/packs/{pack_id}/pack.pdf": SIGNED_IN,
    "POST /api/v1/packs/{pack_id}/share": EDITOR,
    "DELETE /api/v1/packs/{pack_id}/share": EDITOR,
    "GET /packs": SIGNED_IN,
    "POST /packs": EDITOR,
    "GET /places/{slug}/packs": SIGNED_IN,
    "GET /packs/{pack_id}": SIGNED_IN,
    "GET /packs/{pack_id}/view": SIGNED_IN,
    "GET /packs/{pack_id}/pack.pdf": SIGNED_IN,
    "GET /packs/{pack_id}/pack.html": SIGNED_IN,
    "POST /packs/{pack_id}/share": EDITOR,
    "POST /packs/{pack_id}/unshare": EDITOR,
    "POST /packs/{pack_id}/withdraw": EDITOR,
    "GET /p/{token}": TOKEN_LINK,
    "GET /p/{token}/pack.pdf": TOKEN_LINK,
    # the programme's JSON API (issue 20, part P2): signed-in users read the projects, editors
    # add and remove packages, admins follow and pull (the server fetches an address); the
    # synthesis is open, a visitor seeing only what each project marked public
    "GET /api/v1/programme/projects": SIGNED_IN,
    "POST /api/v1/programme/packages": EDITOR,
    "GET /api/v1/programme/projects/{project_key}": SIGNED_IN,
    "GET /api/v1/programme/projects/{project_key}/releases": SIGNED_IN,
    "GET /api/v1/programme/projects/{project_key}/package.zip": SIGNED_IN,
    "DELETE /api/v1/programme/projects/{project_key}": EDITOR,
    "POST /api/v1/programme/follow": ADMIN,
    "POST /api/v1/programme/pull": ADMIN,
    "GET /api/v1/programme/synthesis": PUBLIC,
    "GET /api/v1/programme/synthesis/{section}": PUBLIC,
    # the programme's pages (issue 20, part P3): open to everyone, a visitor seeing only what
    # each project marked public; editors make a programme evidence pack
    "GET /programme": PUBLIC,
    "POST /programme/packs": EDITOR,
    "GET /programme/projects": PUBLIC,
    "GET /programme/projects/{project_key}": PUBLIC,
    "GET /programme/methods": PUBLIC,
    "GET /programme/partnership": PUBLIC,
    "GET /programme/reach": PUBLIC,
    "GET /programme/themes": PUBLIC,
    "GET /programme/outcomes": PUBLIC,
    # the project profile and its package (issue 20, part P1): signed-in users read the
    # profile, editors change it, release the package and issue its token; the package itself
    # goes to anyone holding the token (401 without it)
    "GET /api/v1/project": SIGNED_IN,
    "PUT /api/v1/project": EDITOR,
    "POST /api/v1/project/releases": EDITOR,
    "POST /api/v1/project/token": EDITOR,
    "DELETE /api/v1/project/token": EDITOR,
    "GET /api/v1/project/package": TOKEN_LINK,
    "GET /project": SIGNED_IN,
    "POST /project": EDITOR,
    "POST /project/release": EDITOR,
    "POST /project/token": EDITOR,
    "POST /project/token/withdraw": EDITOR,
}

SHARED = Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789")
PASSWORD = "a password for the matrix"


def served_routes(app: Any) -> list[tuple[str, str]]:
    """Every (method, path) of the app's route table (HEAD goes with GET; the static files are
    a mount, checked on their own)."""
    found = []
    for route in iter_route_contexts(app.routes):
        for method in sorted((route.methods or set()) - {"HEAD"}):
            found.append((method, str(route.path)))
    return found


@pytest.fixture
def matrix_app(sqlite_workspace, hasher, tmp_path):
    settings = dataclasses.replace(SHARED, backup_dir=str(tmp_path / "backups"))
    return create_app(settings, workspace=sqlite_workspace)


def test_every_route_has_a_rule(matrix_app):
    served = {f"{method} {path}" for method, path in served_routes(matrix_app)}
    missing = sorted(served - set(RULES))
    assert not missing, (
        "These routes have no rule in the route x role matrix: add one to RULES in "
        f"tests/web/test_route_matrix.py (public, token-link, signed-in, map-editor, editor, "
        f"admin) for each: {missing}"
    )
    assert not sorted(set(RULES) - served), "RULES names routes the app no longer serves"


def _fixture(ws: Any) -> dict[str, str]:
    """A small workspace of every kind of record; the ids that fill the routes' paths."""
    ws.areas.import_boundaries(FIXTURES / "workspace" / "three_lsoas.geojson")
    ws.places.create("testtown", "Testtown", authorities=["E09000001"])
    ws.assets.import_file(FIXTURES / "workspace" / "assets_small.geojson")
    asset_id = ws.assets.search().items[0].id
    suggestion = ws.contributions.suggest_asset(
        {"name": "A new hall", "category": "community_space"}, client_key="matrix"
    )
    made = ws.maps.create("Matrix map")
    park = ws.maps.add_factor(made.id, {"label": "Park"})
    mood = ws.maps.add_factor(made.id, {"label": "Mood"})
    link = ws.maps.add_link(made.id, {"source_id": park["id"], "target_id": mood["id"]})
    snapshot = ws.map_talk.snapshot(made.id, "first")
    partner = ws.partners.create("Matrix partner", sector="vcse")
    contact = ws.partners.add_contact(partner.id, "Someone")
    round_ = ws.surveys.create_round(
        "Matrix round", date=date(2026, 5, 1), status="open", roster=[partner.id]
    )
    [invitation] = ws.surveys.invite(round_.id, partners_=[partner.id])
    shared_round = ws.surveys.create_round("Shared round", date=date(2026, 6, 1))
    person = ws.participants.add(place="testtown", identity={"name": "Matrix person"})
    sheet = ws.consent.add_sheet("Matrix sheet", "v1", "What taking part means.")
    # the payments and contributions part: a payment, a rate, an event and its group note
    from .._coproduction import add_event

    paid = ws.payments.add(person.id, activity="Matrix workshop", amount_pence=2_500)
    matrix_event = add_event(ws, "Matrix event")
    group_note = ws.event_contributions.add(
        matrix_event, kind="note", text="A table's note", group_label="Table 1"
    )
    ws.maps.join(made.id, "Matrix heron", "residents")
    mine = {
        "payment_id": paid.id,
        "rate_id": ws.payments.rates()[0].id,
        "event_contribution_id": group_note.id,
        "map_participant": "Matrix heron",
        "event_id": matrix_event,
    }
    # the events part: a planned public event's registration link; a participant registered
    cafe = ws.events.create(
        kind="world_cafe",
        title="Matrix café",
        place="testtown",
        starts_at="2030-05-02T10:00",
        ends_at="2030-05-02T12:00",
        public=True,
    )
    ws.events.attend(matrix_event, person.id)
    mine["registration_token"] = str(ws.events.open_registration(cafe.id).registration_token)
    mine["participant"] = person.code
    # the "you said, we did" part: an action of testtown
    mine["action_id"] = ws.actions.add("Matrix benches", place="testtown").id
    # the media part: what the group's note is about
    mine["contribution_link_id"] = ws.event_contributions.link(group_note.id, "asset", asset_id).id
    # the café part: a table of the matrix event and its host link
    mine["table_id"] = ws.cafes.add_table(matrix_event, "Matrix table", host="Sam").id
    mine["host_token"] = ws.cafes.host_token(mine["table_id"], key=SHARED.secret_key)
    # the themes part: a theme and a coding of the group's note
    mine["theme_id"] = ws.themes.add("Matrix theme").id
    mine["coding_id"] = ws.themes.code(group_note.id, mine["theme_id"], coder="matrix").id
    # the evidence packs part: a pack id (none stored: the rules are decided before the pack
    # is looked up, and making a PDF here would slow the matrix down)
    mine["pack_id"] = "00000000-0000-4000-8000-000000000000"
    # the programme part (P2): a project key (none stored) and a section of the synthesis
    mine["project_key"] = "00000000-0000-4000-8000-000000000000"
    mine["section"] = "methods"
    # the sweeps part (N4): a sweep id (none stored: the rules are decided before the lookup)
    mine["sweep_id"] = "00000000-0000-4000-8000-000000000000"
    for role in ROLES:
        ws.users.create(role, PASSWORD, role=role)
    spare = ws.users.create("spare", PASSWORD, role="viewer")
    return {
        **mine,
        "slug": "testtown",
        "code": "E01000001",
        "indicator_id": "imd2019_score",
        "run_id": "00000000-0000-4000-8000-000000000000",
        "job_id": "00000000-0000-4000-8000-000000000000",
        "file_format": "csv",
        "fmt": "csv",
        "asset_id": asset_id,
        "service_id": asset_id,
        "organization_id": asset_id,
        "taxonomy": "mobilise-categories",
        "contribution_id": suggestion.id,
        "decision": "accept",
        "map_id": made.id,
        "factor_id": park["id"],
        "link_id": link["id"],
        "snapshot_id": snapshot["id"],
        "map token": ws.maps.share(made.id),
        "partner_id": partner.id,
        "contact_id": contact.id,
        "round_id": round_.id,
        "round_": round_.id,
        "survey token": invitation.token,
        "round token": ws.surveys.share(shared_round.id),
        "user_id": spare.id,
        "participant_id": person.id,
        "sheet_id": sheet.id,
        "key": "disclosure_k",
    }


def _url(path: str, ids: dict[str, str], rule: Rule) -> str:
    token = (
        "survey token"
        if "/survey/" in path
        else "round token"
        if "rounds/" in path or "network/" in path
        else "map token"
    )
    filled = path.replace("{token}", ids[token])
    for name, value in ids.items():
        filled = filled.replace("{" + name + "}", value)
    return filled + (f"?{rule.query}" if rule.query else "")


def _outcome(response: Any) -> str:
    location = response.headers.get("location", "")
    if response.status_code == 401 or (
        response.status_code in (302, 303, 307) and location.startswith("/login?")
    ):
        return "asked to sign in"
    return "refused" if response.status_code == 403 else "let through"


def _expected(rule: Rule, who: str) -> str:
    if who in rule.allowed:
        return "let through"
    return "asked to sign in" if who == "anonymous" else "refused"


def _client(app: Any) -> TestClient:
    return TestClient(app, base_url="https://testserver", raise_server_exceptions=False)


class Restorer:
    """Puts the SQLite workspace back as it was (the SQLite backup API, a page copy)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.saved = sqlite3.connect(":memory:")
        with sqlite3.connect(path) as live:
            live.backup(self.saved)

    def __call__(self) -> None:
        live = sqlite3.connect(self.path)
        try:
            self.saved.backup(live)
        finally:
            live.close()


def test_each_role_gets_what_its_rule_says(matrix_app):
    workspace = matrix_app.state.workspace
    ids = _fixture(workspace)
    clients = {"anonymous": _client(matrix_app)}
    for role in ROLES:
        client = _client(matrix_app)
        signed = client.post("/login", data={"username": role, "password": PASSWORD})
        assert signed.status_code == 200, signed.text
        clients[role] = client
    restore = Restorer(workspace.engine.url.database)
    wrong = []
    for method, path in served_routes(matrix_app):
        rule = RULES[f"{method} {path}"]
        url = _url(path, ids, rule)
        for who, client in clients.items():
            cookies = dict(client.cookies)
            response = client.request(method, url, follow_redirects=False)
            got, expected = _outcome(response), _expected(rule, who)
            if response.status_code >= 500:
                wrong.append(f"{method} {path} {who}: a server error ({response.status_code})")
            elif got != expected:
                wrong.append(
                    f"{method} {path} ({rule.kind}) {who}: {got} ({response.status_code}), "
                    f"expected {expected}"
                )
            if method in UNSAFE and got == "let through":
                restore()
            client.cookies.clear()
            client.cookies.update(cookies)
    assert not wrong, "\n".join(wrong)


def test_the_static_files_are_public(matrix_app):
    client = TestClient(matrix_app, base_url="https://testserver")
    assert client.get("/static/app.css").status_code == 200
    assert client.get("/static/vendor/leaflet/leaflet.js").status_code == 200
