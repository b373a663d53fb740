"""Sign-in sessions of a shared deployment, kept on the server.

Signing in makes a random token (``secrets.token_urlsafe``, 256 bits). The browser keeps it in
the signed session cookie; the store keeps only its SHA-256 (``user_sessions.token_hash``), so a
copy of the database signs no one in. Every request looks the session up: it works while it has
not ended, not expired (``MOBILISE_SESSION_HOURS``) and its user is neither disabled nor removed.
Signing out ends it; a new password or role, disabling or removing the user ends all of theirs
(:func:`mobilise.workspace.users.end_sessions`), so an old cookie stops working at once.

Sign-in attempts are limited per account and per address (:mod:`.sign_in_attempts`).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection, func, select, update
from sqlalchemy.exc import OperationalError

from mobilise.errors import ValidationError
from mobilise.store.records import audit, insert_record, now
from mobilise.store.tables import user_sessions, users
from mobilise.workspace._reset_links import parse_token
from mobilise.workspace.sign_in_attempts import SignInPolicy, record_success, reserve_attempt
from mobilise.workspace.users import User, end_sessions, user_from_row

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["SessionService", "SessionSummary", "SignIn", "SignInPolicy"]

log = logging.getLogger("mobilise.workspace")

TOUCH_EVERY = timedelta(minutes=5)
"""How stale ``last_seen_at`` may get: a session is written at most this often, not on every
request."""


@dataclass(frozen=True)
class SignIn:
    """A session just started: ``token`` goes into the cookie and nowhere else."""

    user: User
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class SessionSummary:
    """A user's open sessions, for the admin page."""

    open: int
    last_seen_at: datetime | None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionService:
    """Sign in (with the limits), look up the user of a session token, sign out."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    def sign_in(
        self, username: str, password: str, *, address: str, policy: SignInPolicy
    ) -> SignIn:
        """Check the password and start a session.

        Every attempt, for a known username or not, is counted first and costs one argon2
        verification (:meth:`UserService.authenticate`).

        Raises
        ------
        RateLimited
            Too many failures for this account or from this address within the window.
        AuthenticationRequired
            Unknown username, wrong password or disabled user (one message for all three).
        """
        with self._ws.write() as connection:
            attempt = reserve_attempt(connection, username, address, policy)
        user = self._ws.users.authenticate(username, password)
        with self._ws.write() as connection:
            record_success(connection, attempt)
            return self._start(connection, user, address=address, hours=policy.session_hours)

    def change_password(
        self, user: User, current: str, new: str, *, address: str, policy: SignInPolicy
    ) -> SignIn:
        """A user's own password change (:meth:`UserService.change_password`), its current
        password checked and counted like a sign-in (so the form cannot be used to guess it):
        every session of the user ends, and a new one starts for the browser that asked.

        Raises
        ------
        RateLimited
            Too many wrong passwords for this account or from this address.
        ValidationError
            A wrong current password, or a new one that cannot be used.
        """
        with self._ws.write() as connection:
            attempt = reserve_attempt(connection, user.username, address, policy)
        try:
            self._ws.users.change_password(user.id, current, new)
        except ValidationError as error:
            if not any(p.field == "password" for p in error.problems):
                with self._ws.write() as connection:
                    record_success(connection, attempt)  # the current password was right
            raise
        with self._ws.write() as connection:
            record_success(connection, attempt)
            return self._start(connection, user, address=address, hours=policy.session_hours)

    def open_reset_link(self, token: str, *, key: str, address: str, policy: SignInPolicy) -> User:
        """The user of a one-time password link (:meth:`UserService.reset_link_user`), the look
        counted like a sign-in: a link that does not work is a failure, so guessing links is
        held to the sign-in limits of the account it names and of the address.

        Raises
        ------
        RateLimited
            Too many links that did not work, for this account or from this address.
        NotFound
            The link does not work.
        """
        return self._with_link(
            token, address, policy, lambda: self._ws.users.reset_link_user(token, key=key)
        )

    def reset_password(
        self, token: str, password: str, *, key: str, address: str, policy: SignInPolicy
    ) -> User:
        """Set a password with a one-time link (:meth:`UserService.reset_password`), counted
        as :meth:`open_reset_link` is; every session of the user ends."""
        return self._with_link(
            token, address, policy, lambda: self._ws.users.reset_password(token, password, key=key)
        )

    def _with_link(
        self, token: str, address: str, policy: SignInPolicy, use: Callable[[], User]
    ) -> User:
        parsed = parse_token(token)
        account = f"password link {parsed.user_id if parsed else '?'}"
        with self._ws.write() as connection:
            attempt = reserve_attempt(connection, account, address, policy)
        try:
            user = use()
        except ValidationError:
            with self._ws.write() as connection:
                record_success(connection, attempt)  # the link worked; the password did not
            raise
        with self._ws.write() as connection:
            record_success(connection, attempt)
        return user

    def start(self, user_id: str, *, address: str, hours: int) -> SignIn:
        """A new session for a user already proven (the browser that just changed its own
        password keeps working)."""
        user = self._ws.users.get(user_id)
        if user is None or user.disabled:
            raise ValueError(f"no active user {user_id!r}")
        with self._ws.write() as connection:
            return self._start(connection, user, address=address, hours=hours)

    def _start(self, connection: Connection, user: User, *, address: str, hours: int) -> SignIn:
        token = secrets.token_urlsafe(32)
        at = now()
        expires = at + timedelta(hours=hours)
        insert_record(
            connection,
            user_sessions,
            {
                "user_id": user.id,
                "token_hash": _digest(token),
                "address": address[:64],
                "last_seen_at": at,
                "expires_at": expires,
                "ended_at": None,
                "ended_why": "",
            },
            actor=user.username,
            entity_type="session",
            omit_from_audit=("token_hash",),
        )
        return SignIn(user, token, expires)

    def user(self, token: str) -> User | None:
        """The user of a session token, or ``None`` when the session ended or expired, or its
        user was disabled or removed."""
        at = now()
        with self._ws.read() as connection:
            row = connection.execute(
                select(
                    users.c.id,
                    users.c.username,
                    users.c.display_name,
                    users.c.role,
                    users.c.disabled_at,
                    users.c.version,
                    user_sessions.c.id.label("session_id"),
                    user_sessions.c.last_seen_at,
                )
                .join(users, users.c.id == user_sessions.c.user_id)
                .where(
                    user_sessions.c.token_hash == _digest(token),
                    user_sessions.c.ended_at.is_(None),
                    user_sessions.c.expires_at > at,
                    users.c.deleted_at.is_(None),
                    users.c.disabled_at.is_(None),
                )
            ).first()
        if row is None:
            return None
        if at - row.last_seen_at > TOUCH_EVERY:
            self._touch(row.session_id, at)
        return user_from_row(row._mapping)

    def _touch(self, session_id: str, at: datetime) -> None:
        # Best effort: a busy database (another writer holding the lock) must not turn a page
        # view into an error; the next request tries again.
        try:
            with self._ws.write() as connection:
                connection.execute(
                    update(user_sessions)
                    .where(user_sessions.c.id == session_id)
                    .values(last_seen_at=at)
                )
        except OperationalError as error:
            log.warning("Could not note a session's last use: %s", error)

    def end(self, token: str, *, why: str = "signed out") -> bool:
        """End the session of this token (signing out); whether one was open."""
        at = now()
        with self._ws.write() as connection:
            row = connection.execute(
                select(user_sessions.c.id, user_sessions.c.user_id).where(
                    user_sessions.c.token_hash == _digest(token),
                    user_sessions.c.ended_at.is_(None),
                )
            ).first()
            if row is None:
                return False
            connection.execute(
                update(user_sessions)
                .where(user_sessions.c.id == row.id)
                .values(
                    ended_at=at,
                    ended_why=why[:40],
                    updated_at=at,
                    updated_by=self._ws.actor,
                    version=user_sessions.c.version + 1,
                )
            )
            audit(
                connection,
                actor=self._ws.actor,
                entity_type="session",
                entity_id=row.id,
                action="end",
                summary=why,
            )
        return True

    def end_all(self, user_id: str, *, why: str) -> int:
        """End every open session of a user; how many ended."""
        with self._ws.write() as connection:
            return end_sessions(connection, user_id, why=why, actor=self._ws.actor)

    def summary(self) -> dict[str, SessionSummary]:
        """Per user id: how many sessions are open, and when one was last used."""
        at = now()
        with self._ws.read() as connection:
            rows = connection.execute(
                select(
                    user_sessions.c.user_id,
                    func.count().filter(
                        user_sessions.c.ended_at.is_(None), user_sessions.c.expires_at > at
                    ),
                    func.max(user_sessions.c.last_seen_at),
                ).group_by(user_sessions.c.user_id)
            ).all()
        return {r[0]: SessionSummary(int(r[1] or 0), r[2]) for r in rows}
