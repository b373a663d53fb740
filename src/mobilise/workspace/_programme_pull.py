"""Fetching a followed project's package over HTTP, and pulling on a schedule while ``mobilise
serve`` runs (private to :mod:`mobilise.workspace.programme`).

A project serves its package at an address (``GET`` with ``Authorization: Bearer <token>``,
part of ``mobilise project``). The fetch has timeouts, refuses a body past
``MOBILISE_MAX_UPLOAD_MB`` while it streams in, and turns every failure into one sentence.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from mobilise.errors import ConfigurationError, Problem, ValidationError
from mobilise.settings import Limits
from mobilise.workspace._schedule import Repeating

if TYPE_CHECKING:
    import httpx

    from mobilise.workspace._programme_store import PullOutcome
    from mobilise.workspace.core import Workspace

__all__ = ["PullSchedule", "check_address", "fetch_package"]

log = logging.getLogger("mobilise.programme")

TIMEOUT = 30.0  # seconds to wait for the server's answer (and between chunks)
CONNECT_TIMEOUT = 10.0


class PullFailed(Exception):
    """A fetch that did not bring a package; ``str()`` is the sentence shown."""


def check_address(url: object, token: object) -> tuple[str, str]:
    """The address and token, refused (every problem at once) unless http(s) and a token."""
    problems = []
    text = str(url or "").strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(text) > 2000:
        problems.append(
            Problem(
                "give the package's address as http(s)://host/path (at most 2,000 characters)",
                field="url",
            )
        )
    secret = str(token or "").strip()
    if not secret or len(secret) > 500 or any(c.isspace() for c in secret):
        problems.append(
            Problem(
                "give the token the project issued (one word, at most 500 characters)",
                field="token",
            )
        )
    if problems:
        raise ValidationError("Cannot follow that project.", problems=problems)
    return text, secret


def fetch_package(url: str, token: str, *, limits: Limits, client: httpx.Client | None) -> bytes:
    """The package's bytes, or :class:`PullFailed` with a plain sentence."""
    import httpx

    own = client is None
    http = client or httpx.Client(
        timeout=httpx.Timeout(TIMEOUT, connect=CONNECT_TIMEOUT), follow_redirects=True
    )
    try:
        with http.stream("GET", url, headers={"Authorization": f"Bearer {token}"}) as response:
            _check_status(response)
            return _body(response, limits)
    except httpx.TimeoutException:
        raise PullFailed(
            f"{url} did not answer within {TIMEOUT:.0f} seconds; try again later."
        ) from None
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        raise PullFailed(
            f"Cannot reach {url}: {error}. Check the address and the network."
        ) from None
    finally:
        if own:
            http.close()


def _check_status(response: httpx.Response) -> None:
    status = response.status_code
    if status in (401, 403):
        raise PullFailed(
            f"{response.url} refused the token (HTTP {status}): ask the project for a new one "
            "and follow it again."
        )
    if status == 404:
        raise PullFailed(f"{response.url} has no package (HTTP 404): check the address.")
    if status >= 400:
        raise PullFailed(f"{response.url} answered HTTP {status} {response.reason_phrase}.")


def _body(response: httpx.Response, limits: Limits) -> bytes:
    most = limits.max_upload_mb * 1024 * 1024
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > most:
        raise PullFailed(_too_big(response, limits))
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > most:
            raise PullFailed(_too_big(response, limits))
        chunks.append(chunk)
    return b"".join(chunks)


def _too_big(response: httpx.Response, limits: Limits) -> str:
    return (
        f"The package at {response.url} is larger than {limits.max_upload_mb} MB "
        "(the setting MOBILISE_MAX_UPLOAD_MB)."
    )


class PullSchedule(Repeating):
    """Pulls on a schedule, in a thread, while a server runs (as the scheduled backups do).

    Every ``every`` it pulls the followed projects that are due (each by its own
    ``every_hours`` since its last pull). A failed pull is logged and recorded on the project
    (``last_pull_error``); it never stops the server.
    """

    def __init__(
        self,
        workspace: Workspace,
        *,
        every: timedelta,
        report: Callable[[PullOutcome], None] | None = None,
    ) -> None:
        if every <= timedelta(0):
            raise ConfigurationError("Scheduled pulls need a positive interval.")
        super().__init__(every, name="mobilise-pulls", what="scheduled programme pull")
        self.workspace = workspace
        self._report = report or (lambda o: log.info("programme pull: %s", o.message))

    def run_once(self) -> list[PullOutcome]:
        outcomes = self.workspace.programme.pull(due_only=True)
        for outcome in outcomes:
            self._report(outcome)
        return outcomes
