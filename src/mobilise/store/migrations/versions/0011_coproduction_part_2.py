"""co-production part 2: World Café questions and tables, agenda items, what contributions
are about, themes and their coding, actions and feedback; contributions gain their place in a
café and media kept by content hash

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 22:37:09.600522
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Contributions stored under 0010 get empty words, no café place and are not public.

    op.create_table(
        "themes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.String(length=36), nullable=True),
        sa.Column("place_slug", sa.String(length=80), nullable=True),
        sa.Column("colour", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("illustrative", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["themes.id"], name=op.f("fk_themes_parent_id_themes")
        ),
        sa.ForeignKeyConstraint(
            ["place_slug"], ["places.slug"], name=op.f("fk_themes_place_slug_places")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_themes")),
    )
    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_themes_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_themes_place_slug"), ["place_slug"], unique=False)

    op.create_table(
        "actions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("place_slug", sa.String(length=80), nullable=True),
        sa.Column("owner_partner_id", sa.String(length=36), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("cost_pence", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.String(length=36), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
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
            name=op.f("fk_actions_event_id_engagement_events"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_partner_id"], ["partners.id"], name=op.f("fk_actions_owner_partner_id_partners")
        ),
        sa.ForeignKeyConstraint(
            ["place_slug"], ["places.slug"], name=op.f("fk_actions_place_slug_places")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions")),
    )
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actions_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_actions_owner_partner_id"), ["owner_partner_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_actions_place_slug"), ["place_slug"], unique=False)

    op.create_table(
        "agenda_items",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
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
            name=op.f("fk_agenda_items_event_id_engagement_events"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_items")),
    )
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agenda_items_event_id"), ["event_id"], unique=False)

    op.create_table(
        "cafe_questions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("round_number", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
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
            name=op.f("fk_cafe_questions_event_id_engagement_events"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cafe_questions")),
    )
    with op.batch_alter_table("cafe_questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cafe_questions_event_id"), ["event_id"], unique=False)

    op.create_table(
        "cafe_tables",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("host", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
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
            name=op.f("fk_cafe_tables_event_id_engagement_events"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cafe_tables")),
        sa.UniqueConstraint("event_id", "label", name=op.f("uq_cafe_tables_event_id_label")),
    )
    with op.batch_alter_table("cafe_tables", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cafe_tables_event_id"), ["event_id"], unique=False)

    op.create_table(
        "action_themes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("action_id", sa.String(length=36), nullable=False),
        sa.Column("theme_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_action_themes_action_id_actions")
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["themes.id"], name=op.f("fk_action_themes_theme_id_themes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_themes")),
        sa.UniqueConstraint(
            "action_id", "theme_id", name=op.f("uq_action_themes_action_id_theme_id")
        ),
    )
    with op.batch_alter_table("action_themes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_themes_action_id"), ["action_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_action_themes_theme_id"), ["theme_id"], unique=False)

    op.create_table(
        "feedback_items",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("action_id", sa.String(length=36), nullable=True),
        sa.Column("place_slug", sa.String(length=80), nullable=True),
        sa.Column("shared_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("illustrative", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_feedback_items_action_id_actions")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["engagement_events.id"],
            name=op.f("fk_feedback_items_event_id_engagement_events"),
        ),
        sa.ForeignKeyConstraint(
            ["place_slug"], ["places.slug"], name=op.f("fk_feedback_items_place_slug_places")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_items")),
    )
    with op.batch_alter_table("feedback_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feedback_items_action_id"), ["action_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_feedback_items_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_feedback_items_place_slug"), ["place_slug"], unique=False
        )

    op.create_table(
        "theme_factors",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("theme_id", sa.String(length=36), nullable=False),
        sa.Column("factor_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["factor_id"], ["map_factors.id"], name=op.f("fk_theme_factors_factor_id_map_factors")
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["themes.id"], name=op.f("fk_theme_factors_theme_id_themes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme_factors")),
        sa.UniqueConstraint(
            "theme_id", "factor_id", name=op.f("uq_theme_factors_theme_id_factor_id")
        ),
    )
    with op.batch_alter_table("theme_factors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_theme_factors_factor_id"), ["factor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_theme_factors_theme_id"), ["theme_id"], unique=False)

    op.create_table(
        "codings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("contribution_id", sa.String(length=36), nullable=False),
        sa.Column("theme_id", sa.String(length=36), nullable=False),
        sa.Column("coder", sa.String(length=120), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=True),
        sa.Column("span_end", sa.Integer(), nullable=True),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["event_contributions.id"],
            name=op.f("fk_codings_contribution_id_event_contributions"),
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["themes.id"], name=op.f("fk_codings_theme_id_themes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_codings")),
        sa.UniqueConstraint(
            "contribution_id",
            "theme_id",
            "coder",
            "span_start",
            "span_end",
            name=op.f("uq_codings_contribution_id_theme_id_coder_span_start_span_end"),
        ),
    )
    with op.batch_alter_table("codings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_codings_coder"), ["coder"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_codings_contribution_id"), ["contribution_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_codings_theme_id"), ["theme_id"], unique=False)

    op.create_table(
        "contribution_links",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("contribution_id", sa.String(length=36), nullable=False),
        sa.Column("target_type", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["event_contributions.id"],
            name=op.f("fk_contribution_links_contribution_id_event_contributions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contribution_links")),
        sa.UniqueConstraint(
            "contribution_id",
            "target_type",
            "target_id",
            name=op.f("uq_contribution_links_contribution_id_target_type_target_id"),
        ),
    )
    with op.batch_alter_table("contribution_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contribution_links_contribution_id"), ["contribution_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contribution_links_target_id"), ["target_id"], unique=False
        )

    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_key", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_registrations_client_key"), ["client_key"], unique=False
        )

    with op.batch_alter_table("event_contributions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("harvest", sa.String(length=20), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("round_number", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("question_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("agenda_item_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("media_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("media_size", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("thumbnail", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("alt_text", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("caption", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("maker_words", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("route", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("public", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("client_key", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_event_contributions_media_hash"), ["media_hash"], unique=False
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_event_contributions_client_key"), ["client_key"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_event_contributions_question_id_cafe_questions"),
            "cafe_questions",
            ["question_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_event_contributions_agenda_item_id_agenda_items"),
            "agenda_items",
            ["agenda_item_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registrations_client_key"))
        batch_op.drop_column("client_key")

    with op.batch_alter_table("event_contributions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_event_contributions_agenda_item_id_agenda_items"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_event_contributions_question_id_cafe_questions"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("uq_event_contributions_client_key"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_event_contributions_media_hash"))
        batch_op.drop_column("client_key")
        batch_op.drop_column("public")
        batch_op.drop_column("route")
        batch_op.drop_column("maker_words")
        batch_op.drop_column("caption")
        batch_op.drop_column("alt_text")
        batch_op.drop_column("thumbnail")
        batch_op.drop_column("media_size")
        batch_op.drop_column("media_hash")
        batch_op.drop_column("agenda_item_id")
        batch_op.drop_column("question_id")
        batch_op.drop_column("round_number")
        batch_op.drop_column("harvest")

    with op.batch_alter_table("contribution_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contribution_links_target_id"))
        batch_op.drop_index(batch_op.f("ix_contribution_links_contribution_id"))

    op.drop_table("contribution_links")
    with op.batch_alter_table("codings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_codings_theme_id"))
        batch_op.drop_index(batch_op.f("ix_codings_contribution_id"))
        batch_op.drop_index(batch_op.f("ix_codings_coder"))

    op.drop_table("codings")
    with op.batch_alter_table("theme_factors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_theme_factors_theme_id"))
        batch_op.drop_index(batch_op.f("ix_theme_factors_factor_id"))

    op.drop_table("theme_factors")
    with op.batch_alter_table("feedback_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_items_place_slug"))
        batch_op.drop_index(batch_op.f("ix_feedback_items_event_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_items_action_id"))

    op.drop_table("feedback_items")
    with op.batch_alter_table("action_themes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_themes_theme_id"))
        batch_op.drop_index(batch_op.f("ix_action_themes_action_id"))

    op.drop_table("action_themes")
    with op.batch_alter_table("cafe_tables", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cafe_tables_event_id"))

    op.drop_table("cafe_tables")
    with op.batch_alter_table("cafe_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cafe_questions_event_id"))

    op.drop_table("cafe_questions")
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_items_event_id"))

    op.drop_table("agenda_items")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actions_place_slug"))
        batch_op.drop_index(batch_op.f("ix_actions_owner_partner_id"))
        batch_op.drop_index(batch_op.f("ix_actions_event_id"))

    op.drop_table("actions")
    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_themes_place_slug"))
        batch_op.drop_index(batch_op.f("ix_themes_parent_id"))

    op.drop_table("themes")
