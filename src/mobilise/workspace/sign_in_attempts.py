"""Sign-in attempts and their limits, counted in the database (so they hold across server
processes and restarts).

An attempt is written *before* its password is checked, as a failure, and turned into a success
only once the password matched. So twenty attempts sent at once are all counted: none of them
can slip past the limit while the others are still being checked. Two limits apply within
``window_minutes``:

* per account (the username as typed, whether or not such a user exists, so the limit tells
  nothing about who has an account): failures since the account's last successful sign-in;
* per address: every failure from one client address, whatever the account (one address trying
  many usernames).

A refused attempt is not itself recorded: it did no argon2 work, and counting it would keep an
account locked for as long as someone kept knocking. Attempts that have left the window count
for nothing and are deleted as new ones come (so a flood of guesses from many addresses does
not grow the table for good).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection, delete, func, insert, select, text, update

from mobilise.errors import RateLimited
from mobilise.store.records import now
from mobilise.store.tables import login_attempts

if TYPE_CHECKING:
    from mobilise.settings import Settings

__all__ = ["SignInPolicy", "record_success", "reserve_attempt"]

# pg_advisory_xact_lock key: sign-in checks queue on it (each holds it for a few milliseconds,
# never while a password is verified).
_SIGN_IN_LOCK = 0x6D6F62_5349474E


@dataclass(frozen=True)
class SignInPolicy:
    """The sign-in limits and how long a session lasts (``MOBILISE_LOGIN_*`` and
    ``MOBILISE_SESSION_HOURS``)."""

    failures_per_account: int = 10
    failures_per_address: int = 50
    window_minutes: int = 15
    session_hours: int = 336

    @classmethod
    def from_settings(cls, settings: Settings) -> SignInPolicy:
        return cls(
            failures_per_account=settings.login_failures_per_account,
            failures_per_address=settings.login_failures_per_address,
            window_minutes=settings.login_window_minutes,
            session_hours=max(1, settings.session_hours),  # 0 would end it at once
        )


def account_key(username: str) -> str:
    """How an account is counted: the username as typed, trimmed and in lower case."""
    return username.strip().lower()[:120]


def reserve_attempt(
    connection: Connection, username: str, address: str, policy: SignInPolicy
) -> int:
    """Count one attempt (as a failure, until :func:`record_success`) and return its id.

    Raises
    ------
    RateLimited
        When the account or the address already has its limit of failures in the window; the
        error's ``retry_after`` says when the oldest of them leaves the window.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SIGN_IN_LOCK})
    at = now()
    window = timedelta(minutes=policy.window_minutes)
    account, address = account_key(username), address[:64]
    # Out of the window: neither a failure nor a last success there changes a limit any more.
    connection.execute(delete(login_attempts).where(login_attempts.c.at < at - window))
    last_success = connection.execute(
        select(func.max(login_attempts.c.at)).where(
            login_attempts.c.account == account, login_attempts.c.succeeded.is_(True)
        )
    ).scalar_one()
    since = max(at - window, last_success) if last_success else at - window
    checks = (
        (login_attempts.c.account == account, since, policy.failures_per_account, "account"),
        (login_attempts.c.address == address, at - window, policy.failures_per_address, "address"),
    )
    for where, start, limit, what in checks:
        failures, oldest = connection.execute(
            select(func.count(), func.min(login_attempts.c.at)).where(
                where, login_attempts.c.succeeded.is_(False), login_attempts.c.at > start
            )
        ).one()
        if limit and failures >= limit:
            raise _refusal(what, failures, oldest + window - at)
    inserted = connection.execute(
        insert(login_attempts).values(at=at, account=account, address=address, succeeded=False)
    )
    key = inserted.inserted_primary_key
    assert key is not None
    return int(key[0])


def record_success(connection: Connection, attempt_id: int) -> None:
    """The attempt's password matched: it no longer counts as a failure."""
    connection.execute(
        update(login_attempts).where(login_attempts.c.id == attempt_id).values(succeeded=True)
    )


def _refusal(what: str, failures: int, wait: timedelta) -> RateLimited:
    seconds = max(1, math.ceil(wait.total_seconds()))
    minutes = max(1, math.ceil(seconds / 60))
    whose = "this account" if what == "account" else "your address"
    return RateLimited(
        f"Too many failed sign-ins for {whose} ({failures}). Please wait about {minutes} "
        f"minute{'s' if minutes != 1 else ''} before you try again.",
        retry_after=seconds,
    )
