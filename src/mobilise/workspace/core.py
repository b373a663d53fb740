"""The Workspace facade and how it is opened.

Each service is built the first time it is used (its module is imported then), so opening a
workspace costs the database connection and nothing else: a command that lists places does not
load the access analysis, and the services never form an import cycle with this module.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from mobilise.errors import Conflict
from mobilise.settings import Limits, load_settings
from mobilise.store.engine import WRITE, create_workspace_engine, current_revision, migrate
from mobilise.store.records import enforce_limits
from mobilise.workspace._write_turn import write_turn

if TYPE_CHECKING:
    from mobilise.workspace.access import AccessService
    from mobilise.workspace.actions import ActionService
    from mobilise.workspace.areas import AreaService
    from mobilise.workspace.asset_duplicates import DuplicateService
    from mobilise.workspace.asset_profiles import AssetProfileService
    from mobilise.workspace.assets import AssetService
    from mobilise.workspace.audit import AuditService
    from mobilise.workspace.backup import BackupService
    from mobilise.workspace.basemap import BaseMapService
    from mobilise.workspace.cafes import CafeService
    from mobilise.workspace.consent import ConsentService
    from mobilise.workspace.contributions import ContributionService
    from mobilise.workspace.datasets import DatasetService
    from mobilise.workspace.demo import DemoService
    from mobilise.workspace.drivers import DriversService
    from mobilise.workspace.engagement import EngagementService
    from mobilise.workspace.event_contributions import EventContributionService
    from mobilise.workspace.events import EventService
    from mobilise.workspace.indicators import IndicatorService
    from mobilise.workspace.jobs import JobService
    from mobilise.workspace.map_analysis import MapAnalysisService
    from mobilise.workspace.map_talk import MapTalkService
    from mobilise.workspace.maps import MapService
    from mobilise.workspace.media import MediaService
    from mobilise.workspace.network import NetworkService
    from mobilise.workspace.oruk_feed import OrukFeedService
    from mobilise.workspace.packs import PackService
    from mobilise.workspace.participants import ParticipantService
    from mobilise.workspace.partners import PartnerService
    from mobilise.workspace.payments import PaymentService
    from mobilise.workspace.place_comparison import ComparisonService
    from mobilise.workspace.places import PlaceService
    from mobilise.workspace.postcodes import PostcodeService
    from mobilise.workspace.programme import ProgrammeService
    from mobilise.workspace.project import ProjectService
    from mobilise.workspace.project_settings import ProjectSettingsService
    from mobilise.workspace.sessions import SessionService
    from mobilise.workspace.street_networks import StreetNetworkService
    from mobilise.workspace.surveys import SurveyService
    from mobilise.workspace.sweeps import SweepService
    from mobilise.workspace.themes import ThemeService
    from mobilise.workspace.users import UserService

__all__ = ["Workspace", "open_workspace"]


class Workspace:
    """One consortium's data, with a service per capability.

    Open it with :func:`open_workspace`. ``actor`` is the name the audit trail records for every
    change made through this object. ``limits`` (by default the settings') are what an imported
    file may hold, handed to the readers, and what a stored value may be (field lengths).
    """

    def __init__(
        self, engine: Engine, *, actor: str = "local", limits: Limits | None = None
    ) -> None:
        self.engine = engine
        self.actor = actor
        self.limits = limits or load_settings().limits
        enforce_limits(engine, max_text_chars=self.limits.max_text_chars)
        self._unit = threading.local()

    def __repr__(self) -> str:
        return f"Workspace({self.url!r}, actor={self.actor!r})"

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def as_actor(self, actor: str) -> Workspace:
        """The same workspace, recording changes as made by ``actor``."""
        return Workspace(self.engine, actor=actor, limits=self.limits)

    @property
    def schema_revision(self) -> str | None:
        """The Alembic revision of the workspace's schema."""
        return current_revision(self.engine)

    @property
    def writing(self) -> bool:
        """Whether this thread is inside :meth:`write` (its reads then see what is not yet
        committed)."""
        return getattr(self._unit, "connection", None) is not None

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reading; inside :meth:`write`, the writing one (it sees its changes)."""
        open_unit: Connection | None = getattr(self._unit, "connection", None)
        if open_unit is not None:
            yield open_unit
            return
        with self.engine.connect() as connection:
            yield connection

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction: everything inside commits together or not at all.

        Writes nest: a service call made inside another's ``write()`` (or inside a caller's
        ``with workspace.write():``) joins the outer transaction, so a command that registers a
        source, imports a file and adds the areas to a place is still all or nothing.
        """
        open_unit: Connection | None = getattr(self._unit, "connection", None)
        if open_unit is not None:
            yield open_unit
            return
        try:
            writing = self.engine.connect().execution_options(**{WRITE: True})
            with write_turn(self.engine), writing as connection, connection.begin():
                self._unit.connection = connection
                try:
                    yield connection
                finally:
                    self._unit.connection = None
        except IntegrityError as error:
            raise Conflict(
                "That change clashes with a stored record (a duplicate key or a broken link "
                f"between records): {error.orig}"
            ) from None

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @cached_property
    def access(self) -> AccessService:
        """Who can reach which assets, and how access follows deprivation (runs, results)."""
        from mobilise.workspace.access import AccessService

        return AccessService(self)

    @cached_property
    def drivers(self) -> DriversService:
        """Drivers of disparities: regression, spatial and local models of an outcome (runs)."""
        from mobilise.workspace.drivers import DriversService

        return DriversService(self)

    @cached_property
    def basemap(self) -> BaseMapService:
        """The maps' offline layer: neighbourhood outlines with names, shipped street files."""
        from mobilise.workspace.basemap import BaseMapService

        return BaseMapService(self)

    @cached_property
    def maps(self) -> MapService:
        """Participatory systems maps: factors, links, participants, sharing."""
        from mobilise.workspace.maps import MapService

        return MapService(self)

    @cached_property
    def map_analysis(self) -> MapAnalysisService:
        """Systems-map analysis, imports and exports in every supported format."""
        from mobilise.workspace.map_analysis import MapAnalysisService

        return MapAnalysisService(self)

    @cached_property
    def map_talk(self) -> MapTalkService:
        """Comments, votes and scenarios on systems maps."""
        from mobilise.workspace.map_talk import MapTalkService

        return MapTalkService(self)

    @cached_property
    def participants(self) -> ParticipantService:
        """Participants of co-production under their pseudonyms; identities apart."""
        from mobilise.workspace.participants import ParticipantService

        return ParticipantService(self)

    @cached_property
    def consent(self) -> ConsentService:
        """Information sheets and the consent ledger: who agreed to what, and withdrawals."""
        from mobilise.workspace.consent import ConsentService

        return ConsentService(self)

    @cached_property
    def actions(self) -> ActionService:
        """ "You said, we did": actions answering themes, feedback, closure figures."""
        from mobilise.workspace.actions import ActionService

        return ActionService(self)

    @cached_property
    def payments(self) -> PaymentService:
        """Involvement payments and vouchers, their rates, tax-year totals and finance export."""
        from mobilise.workspace.payments import PaymentService

        return PaymentService(self)

    @cached_property
    def themes(self) -> ThemeService:
        """The codebook, coding, agreement between coders, theme counts, REFI-QDA exchange."""
        from mobilise.workspace.themes import ThemeService

        return ThemeService(self)

    @cached_property
    def event_contributions(self) -> EventContributionService:
        """What people gave at events (notes, quotes, media), shown only under their consent."""
        from mobilise.workspace.event_contributions import EventContributionService

        return EventContributionService(self)

    @cached_property
    def media(self) -> MediaService:
        """Event media kept by content hash, their descriptions, galleries and public files."""
        from mobilise.workspace.media import MediaService

        return MediaService(self)

    @cached_property
    def cafes(self) -> CafeService:
        """World Cafés (questions, tables, host links, the harvest) and workshop agendas."""
        from mobilise.workspace.cafes import CafeService

        return CafeService(self)

    @cached_property
    def engagement(self) -> EngagementService:
        """Who a place's engagement events reached, against its residents (representation)."""
        from mobilise.workspace.engagement import EngagementService

        return EngagementService(self)

    @cached_property
    def events(self) -> EventService:
        """Engagement events: registration with a waiting list, attendance, summaries."""
        from mobilise.workspace.events import EventService

        return EventService(self)

    @cached_property
    def project_settings(self) -> ProjectSettingsService:
        """The project's own settings (lived-experience groups, retention, payments)."""
        from mobilise.workspace.project_settings import ProjectSettingsService

        return ProjectSettingsService(self)

    @cached_property
    def partners(self) -> PartnerService:
        """The consortium's partners, their representatives and membership over time."""
        from mobilise.workspace.partners import PartnerService

        return PartnerService(self)

    @cached_property
    def surveys(self) -> SurveyService:
        """Partnership survey rounds, rosters, invitation links and answers."""
        from mobilise.workspace.surveys import SurveyService

        return SurveyService(self)

    @cached_property
    def network(self) -> NetworkService:
        """Partnership-network measures of a round, change between rounds, introductions."""
        from mobilise.workspace.network import NetworkService

        return NetworkService(self)

    @cached_property
    def networks(self) -> StreetNetworkService:
        """Street networks of a place (walk, cycle, step-free) from OpenStreetMap extracts."""
        from mobilise.workspace.street_networks import StreetNetworkService

        return StreetNetworkService(self)

    @cached_property
    def project(self) -> ProjectService:
        """The project's profile and its project package (export, serving token)."""
        from mobilise.workspace.project import ProjectService

        return ProjectService(self)

    @cached_property
    def packs(self) -> PackService:
        """Evidence packs: a place's facts as an HTML page and a PDF, listed and shared."""
        from mobilise.workspace.packs import PackService

        return PackService(self)

    @cached_property
    def sweeps(self) -> SweepService:
        """Access sweeps: many places x categories x catchments x profiles, chunked on Dask."""
        from mobilise.workspace.sweeps import SweepService

        return SweepService(self)

    @cached_property
    def programme(self) -> ProgrammeService:
        """A programme of many projects: their packages, releases and the synthesis."""
        from mobilise.workspace.programme import ProgrammeService

        return ProgrammeService(self)

    @cached_property
    def places(self) -> PlaceService:
        """Places (a consortium's areas of work) and their key figures."""
        from mobilise.workspace.places import PlaceService

        return PlaceService(self)

    @cached_property
    def comparison(self) -> ComparisonService:
        """Two or more places side by side on the same measures, with their differences."""
        from mobilise.workspace.place_comparison import ComparisonService

        return ComparisonService(self)

    @cached_property
    def areas(self) -> AreaService:
        """Small areas (LSOAs and their parents), boundaries, lookups and population."""
        from mobilise.workspace.areas import AreaService

        return AreaService(self)

    @cached_property
    def indicators(self) -> IndicatorService:
        """Deprivation and health indicators by area, with national deciles."""
        from mobilise.workspace.indicators import IndicatorService

        return IndicatorService(self)

    @cached_property
    def assets(self) -> AssetService:
        """The community asset register: imports, search, edits, the ORUK feed's records."""
        from mobilise.workspace.assets import AssetService

        return AssetService(self)

    @cached_property
    def asset_profiles(self) -> AssetProfileService:
        """What people rely on an asset for: hours and open now, neighbourhood, source, links."""
        from mobilise.workspace.asset_profiles import AssetProfileService

        return AssetProfileService(self)

    @cached_property
    def duplicates(self) -> DuplicateService:
        """Candidate duplicate assets across sources, and the decisions on them."""
        from mobilise.workspace.asset_duplicates import DuplicateService

        return DuplicateService(self)

    @cached_property
    def contributions(self) -> ContributionService:
        """Residents' suggestions and stories about assets, and their moderation."""
        from mobilise.workspace.contributions import ContributionService

        return ContributionService(self)

    @cached_property
    def oruk(self) -> OrukFeedService:
        """The workspace's own Open Referral UK 3.0 feed: its searches and documents."""
        from mobilise.workspace.oruk_feed import OrukFeedService

        return OrukFeedService(self)

    @cached_property
    def postcodes(self) -> PostcodeService:
        """The offline postcode lookup: postcode to LSOA and coordinates."""
        from mobilise.workspace.postcodes import PostcodeService

        return PostcodeService(self)

    @cached_property
    def datasets(self) -> DatasetService:
        """Every dataset's source, licence and attribution."""
        from mobilise.workspace.datasets import DatasetService

        return DatasetService(self)

    @cached_property
    def demo(self) -> DemoService:
        """The demo places, built from the bundled real open data."""
        from mobilise.workspace.demo import DemoService

        return DemoService(self)

    @cached_property
    def users(self) -> UserService:
        """Users, roles and passwords of a shared deployment."""
        from mobilise.workspace.users import UserService

        return UserService(self)

    @cached_property
    def sessions(self) -> SessionService:
        """Sign-in sessions and the sign-in limits of a shared deployment."""
        from mobilise.workspace.sessions import SessionService

        return SessionService(self)

    @cached_property
    def backup(self) -> BackupService:
        """Backups of the workspace, and restoring one into an empty workspace."""
        from mobilise.workspace.backup import BackupService

        return BackupService(self)

    @cached_property
    def jobs(self) -> JobService:
        """Background jobs: long imports and runs queued, followed and retried."""
        from mobilise.workspace.jobs import JobService

        return JobService(self)

    @cached_property
    def audit(self) -> AuditService:
        """The audit trail: who changed what, and when."""
        from mobilise.workspace.audit import AuditService

        return AuditService(self)


def open_workspace(
    path_or_url: str | Path, *, actor: str = "local", limits: Limits | None = None
) -> Workspace:
    """Open (creating and migrating as needed) the workspace at a SQLite path or database URL.

    ``limits`` default to the settings' (``MOBILISE_MAX_ROWS`` and the like).

    Examples
    --------
    >>> ws = open_workspace("demo.sqlite")                       # doctest: +SKIP
    >>> ws = open_workspace("postgresql://me@db/mobilise")      # doctest: +SKIP
    """
    engine = create_workspace_engine(path_or_url)
    migrate(engine)
    return Workspace(engine, actor=actor, limits=limits)
