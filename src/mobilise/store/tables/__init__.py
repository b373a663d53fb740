"""The workspace schema (SQLAlchemy Core tables), one module per capability.

Every table except the logs carries the record columns: ``created_at/by``, ``updated_at/by``,
``version`` (optimistic concurrency: an update names the version it read) and ``deleted_at/by``
(soft deletion with restore); :func:`~mobilise.store.tables._schema.record_table` adds them.
Geometries are GeoJSON text in WGS84 with their bounding box alongside, so the same schema runs
on SQLite and PostgreSQL without a spatial extension.

Every table is importable from here, e.g. ``from mobilise.store.tables import areas``.
"""

from __future__ import annotations

from mobilise.store.tables._analysis import analysis_results, analysis_runs
from mobilise.store.tables._areas import (
    area_links,
    areas,
    indicator_values,
    indicators,
    place_areas,
    places,
    population,
    postcodes,
)
from mobilise.store.tables._assets import (
    asset_pair_decisions,
    assets,
    contributions,
    organisations,
)
from mobilise.store.tables._drivers import driver_results
from mobilise.store.tables._engagement import (
    consent_records,
    engagement_events,
    event_contributions,
    event_partners,
    information_sheets,
    involvement_payments,
    involvement_rates,
    participant_identities,
    participants,
    project_settings,
    registrations,
)
from mobilise.store.tables._foundation import (
    audit_log,
    datasets,
    login_attempts,
    user_sessions,
    users,
)
from mobilise.store.tables._jobs import job_files, jobs
from mobilise.store.tables._maps import (
    map_comments,
    map_events,
    map_factors,
    map_links,
    map_participants,
    map_snapshots,
    map_votes,
    systems_maps,
)
from mobilise.store.tables._networks import street_networks
from mobilise.store.tables._packs import evidence_packs
from mobilise.store.tables._partnership import (
    partner_contacts,
    partner_memberships,
    partners,
    round_roster,
    survey_answers,
    survey_invitations,
    survey_responses,
    survey_rounds,
)
from mobilise.store.tables._programme import (
    programme_projects,
    programme_reach_held,
    programme_releases,
)
from mobilise.store.tables._project import project_profile
from mobilise.store.tables._schema import UTCDateTime, metadata, record_columns
from mobilise.store.tables._sweeps import access_sweep_chunks, access_sweep_results, access_sweeps
from mobilise.store.tables._themes import (
    action_themes,
    actions,
    agenda_items,
    cafe_questions,
    cafe_tables,
    codings,
    contribution_links,
    feedback_items,
    theme_factors,
    themes,
)

__all__ = [
    "UTCDateTime",
    "access_sweep_chunks",
    "access_sweep_results",
    "access_sweeps",
    "action_themes",
    "actions",
    "agenda_items",
    "analysis_results",
    "analysis_runs",
    "area_links",
    "areas",
    "asset_pair_decisions",
    "assets",
    "audit_log",
    "cafe_questions",
    "cafe_tables",
    "codings",
    "consent_records",
    "contribution_links",
    "contributions",
    "datasets",
    "driver_results",
    "engagement_events",
    "event_contributions",
    "event_partners",
    "evidence_packs",
    "feedback_items",
    "indicator_values",
    "indicators",
    "information_sheets",
    "involvement_payments",
    "involvement_rates",
    "job_files",
    "jobs",
    "login_attempts",
    "map_comments",
    "map_events",
    "map_factors",
    "map_links",
    "map_participants",
    "map_snapshots",
    "map_votes",
    "metadata",
    "organisations",
    "participant_identities",
    "participants",
    "partner_contacts",
    "partner_memberships",
    "partners",
    "place_areas",
    "places",
    "population",
    "postcodes",
    "programme_projects",
    "programme_reach_held",
    "programme_releases",
    "project_profile",
    "project_settings",
    "record_columns",
    "registrations",
    "round_roster",
    "street_networks",
    "survey_answers",
    "survey_invitations",
    "survey_responses",
    "survey_rounds",
    "systems_maps",
    "theme_factors",
    "themes",
    "user_sessions",
    "users",
]
