"""Shared fixtures: workspaces on SQLite and PostgreSQL, the demo workspace, small area files."""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from mobilise import Workspace, open_workspace
from mobilise.store.engine import database_url

FIXTURES = Path(__file__).parent / "fixtures"
ARTIFACTS = Path(__file__).parent.parent / "test-artifacts"
POSTGRES_ENV = "MOBILISE_TEST_POSTGRES_URL"


# Hypothesis judges no example by its speed: on a machine busy with other tests (make test runs
# on every core) an example can take longer than the default 200 ms deadline without anything
# being wrong. Speed is measured by benchmarks/, and "linear" checks count growth, not time.
hypothesis_settings.register_profile("mobilise", deadline=None)
hypothesis_settings.load_profile("mobilise")

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_browser = {"sends_origin": True}


def pytest_configure(config: pytest.Config) -> None:
    """Every HTTP client of the tests (FastAPI's TestClient, httpx against a test server) sends
    the ``Origin`` header a browser sends with every change request: the app refuses a POST,
    PUT, PATCH or DELETE without it (mobilise.web.security). A test of that refusal sends
    another Origin, or none inside ``with no_browser_origin():``."""
    import httpx

    for client_class in (httpx.Client, httpx.AsyncClient):
        build = client_class.build_request
        if getattr(build, "sends_origin", False):
            continue
        client_class.build_request = _like_a_browser(build)  # type: ignore[method-assign]


def _like_a_browser(build):  # type: ignore[no-untyped-def]
    @functools.wraps(build)
    def build_request(self, method, url, **options):  # type: ignore[no-untyped-def]
        request = build(self, method, url, **options)
        if (
            _browser["sends_origin"]
            and request.method in UNSAFE_METHODS
            and "origin" not in request.headers
        ):
            request.headers["origin"] = f"{request.url.scheme}://{request.url.netloc.decode()}"
        return request

    build_request.sends_origin = True
    return build_request


@contextmanager
def no_browser_origin() -> Iterator[None]:
    """Within the block, test clients send no Origin of their own (as a script or a forged
    request might not)."""
    _browser["sends_origin"] = False
    try:
        yield
    finally:
        _browser["sends_origin"] = True


def _postgres_server() -> str:
    url = os.environ.get(POSTGRES_ENV, "")
    if not url:
        reason = f"no PostgreSQL server: set {POSTGRES_ENV} (CI's .ci/run starts one)"
        if os.environ.get("MOBILISE_REQUIRE_POSTGRES"):
            pytest.fail(reason)
        pytest.skip(reason)
    return database_url(url)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    with new_postgres_database(make_url(_postgres_server()), prefix="mobilise_t") as url:
        yield url


@contextmanager
def new_postgres_database(server: URL, *, prefix: str, template: str = "") -> Iterator[str]:
    """The address of a new database on the PostgreSQL ``server`` (empty, or a copy of the
    database ``template``), dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    copied = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{copied}'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite workspace migrated once per session; each test gets a copy (migrating
    takes a second or two, copying a few milliseconds)."""
    path = tmp_path_factory.mktemp("template") / "workspace.sqlite"
    open_workspace(path).close()
    return path


def _copy_of_template(template: Path, path: Path) -> Path:
    import sqlite3

    with sqlite3.connect(template) as source, sqlite3.connect(path) as target:
        source.backup(target)
    source.close()
    target.close()
    return path


@pytest.fixture(scope="session")
def _postgres_template() -> Iterator[str]:
    """The name of a PostgreSQL database migrated once per session, to copy for each test
    (``CREATE DATABASE ... TEMPLATE``; a template may have no connections while copied)."""
    server = make_url(_postgres_server())
    with new_postgres_database(server, prefix="mobilise_tpl") as url:
        open_workspace(url).close()
        yield make_url(url).database or ""


@pytest.fixture
def migrated_postgres_url(_postgres_template: str) -> Iterator[str]:
    """A fresh PostgreSQL database for one test, migrated to the newest schema (a copy of the
    session's template), dropped afterwards."""
    with new_postgres_database(
        make_url(_postgres_server()), prefix="mobilise_t", template=_postgres_template
    ) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def workspace(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    """An empty workspace, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        template = request.getfixturevalue("_sqlite_template")
        location = str(_copy_of_template(template, tmp_path / "workspace.sqlite"))
    else:
        location = request.getfixturevalue("migrated_postgres_url")
        # media files live in a folder; beside a SQLite file by default, set for PostgreSQL
        request.getfixturevalue("monkeypatch").setenv("MOBILISE_MEDIA_DIR", str(tmp_path / "media"))
    ws = open_workspace(location, actor="tester")
    try:
        yield ws
    finally:
        ws.close()


@pytest.fixture
def sqlite_workspace(tmp_path: Path, _sqlite_template: Path) -> Iterator[Workspace]:
    path = _copy_of_template(_sqlite_template, tmp_path / "workspace.sqlite")
    ws = open_workspace(path, actor="tester")
    try:
        yield ws
    finally:
        ws.close()


class CountingHasher:
    """argon2id with the cheapest parameters (tests sign in often), counting verifications."""

    def __init__(self) -> None:
        from argon2 import PasswordHasher

        self.plain = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        self.verified = 0

    def hash(self, password: str) -> str:
        return self.plain.hash(password)

    def verify(self, stored: str, password: str) -> bool:
        self.verified += 1
        return self.plain.verify(stored, password)

    def check_needs_rehash(self, stored: str) -> bool:
        return self.plain.check_needs_rehash(stored)


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> Iterator[CountingHasher]:
    """Cheap, counted password hashing for the duration of a test."""
    from mobilise.workspace import users

    counting = CountingHasher()
    monkeypatch.setattr(users, "_hasher", counting)
    users._dummy_hash.cache_clear()
    yield counting
    users._dummy_hash.cache_clear()


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """The demo workspace, built once per test session on SQLite (read-only for tests)."""
    from mobilise.workspace.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    ws = open_workspace(path, actor="demo")
    build_demo(ws)
    try:
        yield ws
    finally:
        ws.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@contextmanager
def serving(app: object) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a free port of 127.0.0.1 in a thread; yields its URL."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("the test server did not start within 20 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
