"""The Workspace facade and how it is opened."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from mobilise.errors import Conflict
from mobilise.store.engine import WRITE, create_workspace_engine, current_revision, migrate

__all__ = ["Progress", "Workspace", "open_workspace"]

# progress(step description, done, total): long operations report through it.
Progress = Callable[[str, int, int], None]


def no_progress(_step: str, _done: int, _total: int) -> None:
    return None


class Workspace:
    """One consortium's data, with a service per capability.

    Open it with :func:`open_workspace`. ``actor`` is the name the audit trail records for every
    change made through this object.
    """

    def __init__(self, engine: Engine, *, actor: str = "local") -> None:
        self.engine = engine
        self.actor = actor
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
        return Workspace(self.engine, actor=actor)

    @property
    def schema_revision(self) -> str | None:
        """The Alembic revision of the workspace's schema."""
        return current_revision(self.engine)

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
            with writing as connection, connection.begin():
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
        return AccessService(self)

    @cached_property
    def maps(self) -> MapService:
        return MapService(self)

    @cached_property
    def map_analysis(self) -> MapAnalysisService:
        return MapAnalysisService(self)

    @cached_property
    def map_talk(self) -> MapTalkService:
        return MapTalkService(self)

    @cached_property
    def partners(self) -> PartnerService:
        return PartnerService(self)

    @cached_property
    def surveys(self) -> SurveyService:
        return SurveyService(self)

    @cached_property
    def network(self) -> NetworkService:
        return NetworkService(self)

    @cached_property
    def places(self) -> PlaceService:
        return PlaceService(self)

    @cached_property
    def areas(self) -> AreaService:
        return AreaService(self)

    @cached_property
    def indicators(self) -> IndicatorService:
        return IndicatorService(self)

    @cached_property
    def assets(self) -> AssetService:
        return AssetService(self)

    @cached_property
    def duplicates(self) -> DuplicateService:
        return DuplicateService(self)

    @cached_property
    def contributions(self) -> ContributionService:
        return ContributionService(self)

    @cached_property
    def postcodes(self) -> PostcodeService:
        return PostcodeService(self)

    @cached_property
    def datasets(self) -> DatasetService:
        return DatasetService(self)

    @cached_property
    def users(self) -> UserService:
        return UserService(self)

    @cached_property
    def audit(self) -> AuditService:
        return AuditService(self)


def open_workspace(path_or_url: str | Path, *, actor: str = "local") -> Workspace:
    """Open (creating and migrating as needed) the workspace at a SQLite path or database URL.

    Examples
    --------
    >>> ws = open_workspace("demo.sqlite")                       # doctest: +SKIP
    >>> ws = open_workspace("postgresql://me@db/mobilise")      # doctest: +SKIP
    """
    engine = create_workspace_engine(path_or_url)
    migrate(engine)
    return Workspace(engine, actor=actor)


from mobilise.workspace.access import AccessService  # noqa: E402
from mobilise.workspace.areas import AreaService  # noqa: E402
from mobilise.workspace.asset_duplicates import DuplicateService  # noqa: E402
from mobilise.workspace.assets import AssetService  # noqa: E402
from mobilise.workspace.audit import AuditService  # noqa: E402
from mobilise.workspace.contributions import ContributionService  # noqa: E402
from mobilise.workspace.datasets import DatasetService  # noqa: E402
from mobilise.workspace.indicators import IndicatorService  # noqa: E402
from mobilise.workspace.map_analysis import MapAnalysisService  # noqa: E402
from mobilise.workspace.map_talk import MapTalkService  # noqa: E402
from mobilise.workspace.maps import MapService  # noqa: E402
from mobilise.workspace.network import NetworkService  # noqa: E402
from mobilise.workspace.partners import PartnerService  # noqa: E402
from mobilise.workspace.places import PlaceService  # noqa: E402
from mobilise.workspace.postcodes import PostcodeService  # noqa: E402
from mobilise.workspace.surveys import SurveyService  # noqa: E402
from mobilise.workspace.users import UserService  # noqa: E402
