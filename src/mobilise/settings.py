"""Every setting of mobilise, in one place.

Each setting is read from an environment variable ``MOBILISE_<NAME>``; ``docs/settings.md`` documents
them and a test fails when one is missing there.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from mobilise.errors import ConfigurationError

__all__ = ["DEFAULT_SECRET_KEY", "LOCAL_HOSTS", "Limits", "Settings", "load_settings"]

DEFAULT_SECRET_KEY = "local-only-not-secret"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
MB = 1024 * 1024  # the limits' megabyte
# The street map by default: OpenStreetMap's own tiles, under its tile usage policy (docs/basemap.md).
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = (
    '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)


@dataclass(frozen=True)
class Settings:
    """Settings of one mobilise process.

    Attributes
    ----------
    database_url
        SQLAlchemy URL of the workspace (``sqlite:///path`` or ``postgresql+psycopg://...``).
        When empty, the workspace is the SQLite file ``workspace``.
    workspace
        Path of the embedded SQLite workspace file.
    secret_key
        Key that signs session cookies. Must be set to a long random value before serving on any
        host other than 127.0.0.1.
    tile_url
        Leaflet tile URL template of the street map (OpenStreetMap's tiles by default); ``none``
        for no tiles. Without tiles, or when they cannot load, the maps draw their offline layer.
    tile_attribution
        Attribution shown for the tiles (HTML; OpenStreetMap's by default).
    user
        Name recorded in the audit trail for CLI and local single-user changes.
    host, port
        Where ``mobilise serve`` listens.
    suggestions_per_hour
        Suggestions (new assets, corrections, stories) one sender may make in an hour.
    shortlist_max_assets
        The most assets one shortlist (``/shortlist``, ``/api/v1/assets/shortlist``) may name.
    max_upload_mb, max_decompressed_mb, max_compression_ratio, max_rows, max_text_chars,
    max_json_depth
        Limits on what one request or file may hold (see ``docs/settings.md``).
    max_osm_bytes
        The largest OpenStreetMap extract (``.osm.pbf``, in bytes) a street network is built
        from (see ``docs/street_networks.md``).
    login_failures_per_account, login_failures_per_address, login_window_minutes
        Wrong passwords allowed within the window before sign-in is refused for a while.
    session_hours
        How long a sign-in lasts.
    reset_link_hours
        How long an admin-issued one-time password link works.
    hsts_seconds
        ``Strict-Transport-Security`` max-age when mobilise is served over HTTPS (0: not sent).
    backup_dir, backup_every_hours, backup_keep
        Scheduled backups while ``mobilise serve`` runs.
    job_workers, job_stale_minutes
        Background jobs: threads per server process, and when a silent job counts as stopped.
    dask_scheduler
        Where access sweeps run their chunks: empty for a local Dask cluster on this machine,
        ``in-process`` for none (one chunk after another), or a scheduler's address
        (``tcp://host:8786``) for a real cluster (see ``docs/sweeps.md``).
    media_dir, max_image_mb
        Where event media (photos, drawings, audio, video) are kept, by content hash, and the
        largest picture accepted (see ``docs/media.md``).
    host_link_hours
        How long after its event ends (or after its table was made, if later) a World Café
        table's host link works (see ``docs/cafes.md``).
    programme_pull_hours
        How often ``mobilise serve`` pulls the packages of the projects a programme follows
        (0: never; see ``docs/programme.md``).
    """

    database_url: str = ""
    workspace: Path = field(default_factory=lambda: Path("mobilise.sqlite"))
    secret_key: str = DEFAULT_SECRET_KEY
    tile_url: str = OSM_TILES
    tile_attribution: str = OSM_ATTRIBUTION
    user: str = field(default_factory=lambda: os.environ.get("USER", "local"))
    host: str = "127.0.0.1"
    port: int = 8765
    suggestions_per_hour: int = 10
    shortlist_max_assets: int = 50
    # Limits: every upload and request is held to them (413 or 422 naming the limit).
    max_upload_mb: int = 25
    max_decompressed_mb: int = 250
    max_compression_ratio: int = 200
    max_rows: int = 1_000_000
    max_text_chars: int = 20_000
    max_json_depth: int = 64
    max_osm_bytes: int = 200 * MB  # an OpenStreetMap extract (a street network's source)
    # Accounts.
    login_failures_per_account: int = 10
    login_failures_per_address: int = 50
    login_window_minutes: int = 15
    session_hours: int = 336
    reset_link_hours: int = 24
    hsts_seconds: int = 0
    # Backups and background jobs.
    backup_dir: str = ""
    backup_every_hours: int = 0
    backup_keep: int = 7
    job_workers: int = 1
    job_stale_minutes: int = 10
    # Access sweeps: where their chunks run (empty: a local Dask cluster; see docs/sweeps.md).
    dask_scheduler: str = ""
    # Event media: the folder (empty: beside a SQLite workspace file) and the largest picture.
    media_dir: str = ""
    max_image_mb: int = 10
    # World Café: how long a table's host link works after its event.
    host_link_hours: int = 48
    # Programme: how often `serve` pulls the followed projects' packages (0: never).
    programme_pull_hours: int = 24

    @property
    def url(self) -> str:
        """The database URL in force: ``database_url`` or the SQLite file ``workspace``."""
        return self.database_url or f"sqlite:///{self.workspace}"

    @property
    def limits(self) -> Limits:
        """The limit settings, as the workspace hands them to the readers."""
        return Limits(**{f.name: getattr(self, f.name) for f in fields(Limits)})

    @property
    def local_mode(self) -> bool:
        """Single-user mode: serving on the loopback address only, with no login."""
        return self.host in LOCAL_HOSTS

    def check_for_serving(self) -> None:
        """Refuse unsafe combinations before a server starts."""
        if not self.local_mode and self.secret_key == DEFAULT_SECRET_KEY:
            raise ConfigurationError(
                f"Serving on {self.host} needs MOBILISE_SECRET_KEY set to a long random value "
                "(for example: python -c 'import secrets; print(secrets.token_urlsafe(32))')."
            )


@dataclass(frozen=True)
class Limits:
    """What one request or imported file may hold: the limit settings, as the readers take them.

    Each attribute is the setting of the same name (``MOBILISE_MAX_ROWS`` is ``max_rows``...);
    the defaults are the settings' defaults, so a reader given no limits still refuses a bomb.
    ``docs/limits.md`` says where each is checked.
    """

    max_upload_mb: int = Settings.max_upload_mb
    max_decompressed_mb: int = Settings.max_decompressed_mb
    max_compression_ratio: int = Settings.max_compression_ratio
    max_rows: int = Settings.max_rows
    max_text_chars: int = Settings.max_text_chars
    max_json_depth: int = Settings.max_json_depth
    max_image_mb: int = Settings.max_image_mb
    max_osm_bytes: int = Settings.max_osm_bytes

    @property
    def upload_bytes(self) -> int:
        return self.max_upload_mb * MB

    @property
    def decompressed_bytes(self) -> int:
        return self.max_decompressed_mb * MB


def setting_names() -> list[str]:
    """The environment variable of every setting."""
    return [f"MOBILISE_{f.name.upper()}" for f in fields(Settings)]


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, then ``overrides`` (those that are not ``None``)."""
    values: dict[str, object] = {}
    for f in fields(Settings):
        raw = os.environ.get(f"MOBILISE_{f.name.upper()}")
        if raw is None or raw == "":
            continue
        if f.type in (int, "int"):
            try:
                number = int(raw)
            except ValueError:
                raise ConfigurationError(
                    f"MOBILISE_{f.name.upper()} must be a number, not {raw!r}."
                ) from None
            if number < 0:
                raise ConfigurationError(
                    f"MOBILISE_{f.name.upper()} must be 0 or more, not {raw!r}."
                )
            values[f.name] = number
        elif f.name == "workspace":
            values[f.name] = Path(raw)
        else:
            values[f.name] = raw
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values)  # type: ignore[arg-type]
