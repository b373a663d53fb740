"""Evidence packs: the packs built for a place (or a comparison of places), their manifests and
their share links.

A pack keeps what it was made from (``manifest``: the inputs, dataset versions, run ids and
settings, enough to rebuild it) and what it is (the HTML page and the PDF made from it, kept as
bytes so a long document meets no text limit). ``number`` counts the packs of one place and
audience (the pack's version). A share link is a random token; withdrawing it clears the token
and stamps ``share_withdrawn_at``, so the old link answers 404.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, Integer, LargeBinary, String, Text

from mobilise.store.tables._schema import UTCDateTime, record_table, ref

__all__ = ["evidence_packs"]

evidence_packs = record_table(
    "evidence_packs",
    ref("place_slug", "places", length=80, column="slug", index=True, nullable=True),
    Column("compare", JSON, nullable=False, default=list),  # the other places' slugs
    Column("audience", String(20), nullable=False),  # board, community, funder
    Column("number", Integer, nullable=False, default=1),
    Column("title", String(300), nullable=False),
    Column("status", String(20), nullable=False, default="queued"),  # queued running done failed
    Column("error", Text, nullable=False, default=""),
    Column("manifest", JSON, nullable=False, default=dict),
    Column("html", LargeBinary, nullable=True),
    Column("pdf", LargeBinary, nullable=True),
    Column("pages", Integer, nullable=True),
    Column("job_id", String(36), nullable=True),
    Column("share_token", String(64), nullable=True),
    Column("shared_at", UTCDateTime(), nullable=True),
    Column("share_withdrawn_at", UTCDateTime(), nullable=True),
    Column("built_at", UTCDateTime(), nullable=True),
    Index("uq_evidence_packs_share_token", "share_token", unique=True),
)
