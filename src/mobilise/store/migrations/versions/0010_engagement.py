"""engagement: events, participants and their identities, the consent ledger, registrations,
contributions, involvement payments, project settings; map participants know their person

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 21:43:15.840283
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "information_sheets",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("sheet_version", sa.String(length=40), nullable=False),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_information_sheets")),
        sa.UniqueConstraint(
            "title",
            "sheet_version",
            "audience",
            name=op.f("uq_information_sheets_title_sheet_version_audience"),
        ),
    )
    op.create_table(
        "involvement_rates",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("activity", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_involvement_rates")),
        sa.UniqueConstraint("activity", name=op.f("uq_involvement_rates_activity")),
    )
    op.create_table(
        "project_settings",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_project_settings")),
    )
    op.create_table(
        "participants",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("place_slug", sa.String(length=80), nullable=True),
        sa.Column("lsoa11_code", sa.String(length=12), nullable=True),
        sa.Column("imd_decile", sa.Integer(), nullable=True),
        sa.Column("age_band", sa.String(length=40), nullable=True),
        sa.Column("sex", sa.String(length=40), nullable=True),
        sa.Column("gender_identity", sa.String(length=40), nullable=True),
        sa.Column("ethnic_group", sa.String(length=40), nullable=True),
        sa.Column("disability", sa.String(length=40), nullable=True),
        sa.Column("carer", sa.String(length=40), nullable=True),
        sa.Column("young_person", sa.String(length=40), nullable=True),
        sa.Column("lived_experience", sa.JSON(), nullable=False),
        sa.Column("under_16", sa.Boolean(), nullable=False),
        sa.Column("brought_by", sa.String(length=36), nullable=True),
        sa.Column("illustrative", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["brought_by"], ["partners.id"], name=op.f("fk_participants_brought_by_partners")
        ),
        sa.ForeignKeyConstraint(
            ["place_slug"], ["places.slug"], name=op.f("fk_participants_place_slug_places")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participants")),
        sa.UniqueConstraint("code", name=op.f("uq_participants_code")),
    )
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_participants_brought_by"), ["brought_by"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_participants_lsoa11_code"), ["lsoa11_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_participants_place_slug"), ["place_slug"], unique=False
        )

    op.create_table(
        "engagement_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("place_slug", sa.String(length=80), nullable=True),
        sa.Column("venue_asset_id", sa.String(length=36), nullable=True),
        sa.Column("venue_address", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("facilitators", sa.JSON(), nullable=False),
        sa.Column("map_id", sa.String(length=36), nullable=True),
        sa.Column("accessibility", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("registration_token", sa.String(length=64), nullable=True),
        sa.Column("illustrative", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["map_id"], ["systems_maps.id"], name=op.f("fk_engagement_events_map_id_systems_maps")
        ),
        sa.ForeignKeyConstraint(
            ["place_slug"], ["places.slug"], name=op.f("fk_engagement_events_place_slug_places")
        ),
        sa.ForeignKeyConstraint(
            ["venue_asset_id"],
            ["assets.id"],
            name=op.f("fk_engagement_events_venue_asset_id_assets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_events")),
        sa.UniqueConstraint(
            "registration_token", name=op.f("uq_engagement_events_registration_token")
        ),
    )
    with op.batch_alter_table("engagement_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_engagement_events_place_slug"), ["place_slug"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_engagement_events_starts_at"), ["starts_at"], unique=False
        )

    op.create_table(
        "participant_identities",
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=300), nullable=False),
        sa.Column("phone", sa.String(length=60), nullable=False),
        sa.Column("postcode", sa.String(length=8), nullable=True),
        sa.Column("guardian_name", sa.String(length=200), nullable=False),
        sa.Column("guardian_contact", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_participant_identities_participant_id_participants"),
        ),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_participant_identities")),
    )
    op.create_table(
        "consent_records",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("witness", sa.String(length=200), nullable=False),
        sa.Column("information_sheet_id", sa.String(length=36), nullable=True),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("cut_off", sa.Date(), nullable=True),
        sa.Column("guardian", sa.Boolean(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["engagement_events.id"],
            name=op.f("fk_consent_records_event_id_engagement_events"),
        ),
        sa.ForeignKeyConstraint(
            ["information_sheet_id"],
            ["information_sheets.id"],
            name=op.f("fk_consent_records_information_sheet_id_information_sheets"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_consent_records_participant_id_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_records")),
    )
    with op.batch_alter_table("consent_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_records_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            "ix_consent_records_participant_at", ["participant_id", "at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_consent_records_participant_id"), ["participant_id"], unique=False
        )

    op.create_table(
        "event_contributions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=True),
        sa.Column("group_label", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("media_type", sa.String(length=60), nullable=False),
        sa.Column("media", sa.LargeBinary(), nullable=True),
        sa.Column("illustrative", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["engagement_events.id"],
            name=op.f("fk_event_contributions_event_id_engagement_events"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_event_contributions_participant_id_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_contributions")),
    )
    with op.batch_alter_table("event_contributions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_contributions_event_id"), ["event_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_event_contributions_participant_id"), ["participant_id"], unique=False
        )

    op.create_table(
        "event_partners",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["engagement_events.id"],
            name=op.f("fk_event_partners_event_id_engagement_events"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_event_partners_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_partners")),
        sa.UniqueConstraint(
            "event_id", "partner_id", name=op.f("uq_event_partners_event_id_partner_id")
        ),
    )
    with op.batch_alter_table("event_partners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_partners_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_event_partners_partner_id"), ["partner_id"], unique=False
        )

    op.create_table(
        "involvement_payments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=True),
        sa.Column("activity", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["engagement_events.id"],
            name=op.f("fk_involvement_payments_event_id_engagement_events"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_involvement_payments_participant_id_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_involvement_payments")),
    )
    with op.batch_alter_table("involvement_payments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_involvement_payments_event_id"), ["event_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_involvement_payments_participant_id"), ["participant_id"], unique=False
        )

    op.create_table(
        "registrations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("brought_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["brought_by"], ["partners.id"], name=op.f("fk_registrations_brought_by_partners")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["engagement_events.id"],
            name=op.f("fk_registrations_event_id_engagement_events"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_registrations_participant_id_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registrations")),
        sa.UniqueConstraint(
            "event_id", "participant_id", name=op.f("uq_registrations_event_id_participant_id")
        ),
    )
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registrations_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_registrations_participant_id"), ["participant_id"], unique=False
        )

    with op.batch_alter_table("map_participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_id", sa.String(length=36), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_map_participants_person_id"), ["person_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_map_participants_person_id_participants"),
            "participants",
            ["person_id"],
            ["id"],
        )


def downgrade() -> None:

    with op.batch_alter_table("map_participants", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_map_participants_person_id_participants"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_map_participants_person_id"))
        batch_op.drop_column("person_id")

    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registrations_participant_id"))
        batch_op.drop_index(batch_op.f("ix_registrations_event_id"))

    op.drop_table("registrations")
    with op.batch_alter_table("involvement_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_involvement_payments_participant_id"))
        batch_op.drop_index(batch_op.f("ix_involvement_payments_event_id"))

    op.drop_table("involvement_payments")
    with op.batch_alter_table("event_partners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_partners_partner_id"))
        batch_op.drop_index(batch_op.f("ix_event_partners_event_id"))

    op.drop_table("event_partners")
    with op.batch_alter_table("event_contributions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_contributions_participant_id"))
        batch_op.drop_index(batch_op.f("ix_event_contributions_event_id"))

    op.drop_table("event_contributions")
    with op.batch_alter_table("consent_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_records_participant_id"))
        batch_op.drop_index("ix_consent_records_participant_at")
        batch_op.drop_index(batch_op.f("ix_consent_records_event_id"))

    op.drop_table("consent_records")
    op.drop_table("participant_identities")
    with op.batch_alter_table("engagement_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagement_events_starts_at"))
        batch_op.drop_index(batch_op.f("ix_engagement_events_place_slug"))

    op.drop_table("engagement_events")
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participants_place_slug"))
        batch_op.drop_index(batch_op.f("ix_participants_lsoa11_code"))
        batch_op.drop_index(batch_op.f("ix_participants_brought_by"))

    op.drop_table("participants")
    op.drop_table("project_settings")
    op.drop_table("involvement_rates")
    op.drop_table("information_sheets")
