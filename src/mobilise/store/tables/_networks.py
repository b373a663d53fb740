"""Street networks: the routable graph of a place for one travel profile, built from an
OpenStreetMap extract the user supplied.

One current network per place and profile (walk, cycle, step-free): a re-import replaces it in
one transaction. ``arrays`` holds the compact graph (``StreetNetwork.to_bytes``: CSR arrays and
node positions); the source columns keep what it was built from (file name, sha256, data date,
licence and attribution, shown with it). ``coverage`` records which of the place's areas the
extract covers and names those outside; ``warnings`` what the build reported.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, Index, Integer, LargeBinary, String

from mobilise.store.tables._schema import UTCDateTime, record_table, ref

__all__ = ["street_networks"]

street_networks = record_table(
    "street_networks",
    ref("place_id", "places", index=True),
    Column("profile", String(20), nullable=False),  # walk, cycle, step-free
    Column("source_name", String(300), nullable=False),
    Column("source_sha256", String(64), nullable=False),
    Column("data_date", String(40), nullable=False, default=""),
    Column("licence", String(120), nullable=False, default="ODbL 1.0"),
    Column("attribution", String(300), nullable=False, default=""),
    Column("n_nodes", Integer, nullable=False, default=0),
    Column("n_edges", Integer, nullable=False, default=0),
    Column("length_km", Float, nullable=False, default=0.0),
    Column("arrays", LargeBinary, nullable=False),
    Column("coverage", JSON, nullable=False, default=dict),
    Column("warnings", JSON, nullable=False, default=list),
    Column("built_at", UTCDateTime(), nullable=False),
    Index("uq_street_networks_place_profile", "place_id", "profile", unique=True),
)
