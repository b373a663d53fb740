"""Users, roles and passwords, for shared (non-local) deployments.

Passwords are argon2id hashes (argon2-cffi, the reference implementation's binding); a password is
never stored, logged or written to the audit trail. Every account change is one transaction with
its audit entry, and a change that affects what a user may do (a new password or role, disabling
or removing the user) ends all of their sessions in the same transaction: a cookie stolen or left
signed in elsewhere stops working at once.

The last active admin cannot be demoted, disabled or removed, so a workspace always keeps someone
who can manage its users.

A user who forgot their password gets a one-time link from an admin (:meth:`UserService.
reset_link`, ``mobilise users reset-link``): signed with the secret key over the account's state,
not stored (:mod:`._reset_links`), short-lived, and spent by the password it sets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, func, select, update

from mobilise.errors import AuthenticationRequired, Conflict, NotFound, Problem, ValidationError
from mobilise.model.roles import ROLES
from mobilise.settings import DEFAULT_SECRET_KEY
from mobilise.store.records import (
    audit,
    insert_record,
    now,
    soft_delete_record,
    update_record,
)
from mobilise.store.tables import user_sessions, users
from mobilise.workspace._reset_links import make_token, matches, parse_token

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = [
    "MAX_PASSWORD",
    "MIN_PASSWORD",
    "RESET_LINK_INVALID",
    "ResetLink",
    "User",
    "UserService",
    "end_sessions",
]

_hasher = PasswordHasher()
MIN_PASSWORD = 10
MAX_PASSWORD = 1000  # argon2's work grows with the password: a megabyte one is refused, not hashed
WRONG = "Unknown username or wrong password."
RESET_LINK_INVALID = (
    "This password link does not work: it has expired, has been used already, or is not "
    "complete (copy the whole link). Ask an admin of this mobilise for a new one."
)


@dataclass(frozen=True)
class User:
    id: str
    username: str
    display_name: str
    role: str
    disabled: bool = False
    version: int = 1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ResetLink:
    """A one-time password link just issued: ``path`` is the page that sets the password."""

    user: User
    token: str
    expires_at: datetime

    @property
    def path(self) -> str:
        return f"/reset/{self.token}"

    def url(self, base_url: str) -> str:
        return base_url.rstrip("/") + self.path


@cache
def _dummy_hash() -> str:
    """A hash no password matches, verified for unknown usernames so that they cost the same
    argon2 work as known ones (the time of an answer does not tell who has an account)."""
    return _hasher.hash("mobilise: no such user, no such password")


def _password_problems(password: str, field: str = "password") -> list[Problem]:
    if len(password) < MIN_PASSWORD:
        return [Problem(f"a password of at least {MIN_PASSWORD} characters is needed", field=field)]
    if len(password) > MAX_PASSWORD:
        return [Problem(f"a password of at most {MAX_PASSWORD} characters is needed", field=field)]
    return []


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValidationError(
            "Cannot use that role.",
            problems=[Problem(f"role must be one of {', '.join(ROLES)}", field="role")],
        )


def end_sessions(connection: Connection, user_id: str, *, why: str, actor: str) -> int:
    """End every open session of a user (inside the caller's transaction); how many ended.

    The audit trail gets one entry naming how many and why (never a token or its hash)."""
    at = now()
    ended = connection.execute(
        update(user_sessions)
        .where(
            user_sessions.c.user_id == user_id,
            user_sessions.c.ended_at.is_(None),
            user_sessions.c.expires_at > at,
        )
        .values(
            ended_at=at,
            ended_why=why[:40],
            updated_at=at,
            updated_by=actor,
            version=user_sessions.c.version + 1,
        )
    ).rowcount
    if ended:
        audit(
            connection,
            actor=actor,
            entity_type="user",
            entity_id=user_id,
            action="end_sessions",
            summary=f"{ended} session{'s' if ended != 1 else ''} ended: {why}",
        )
    return int(ended)


class UserService:
    """Create and manage users and check their passwords.

    Users are named by id in these methods; :meth:`find` gives the user of a username.
    """

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    # -- reading ------------------------------------------------------------------------------
    def count(self) -> int:
        with self._ws.read() as connection:
            return int(
                connection.execute(
                    select(func.count()).select_from(users).where(users.c.deleted_at.is_(None))
                ).scalar_one()
            )

    def list(self) -> list[User]:
        """Every user not removed, disabled ones included, by username."""
        with self._ws.read() as connection:
            rows = connection.execute(
                select(users).where(users.c.deleted_at.is_(None)).order_by(users.c.username)
            ).all()
        return [user_from_row(r._mapping) for r in rows]

    def get(self, user_id: str) -> User | None:
        """The user with this id, unless removed (a disabled user is returned, marked so)."""
        with self._ws.read() as connection:
            row = connection.execute(
                select(users).where(users.c.id == user_id, users.c.deleted_at.is_(None))
            ).first()
        return user_from_row(row._mapping) if row else None

    def find(self, username: str) -> User:
        """The user with this username.

        Raises
        ------
        NotFound
            When there is none (or it was removed).
        """
        with self._ws.read() as connection:
            row = connection.execute(
                select(users).where(users.c.username == username, users.c.deleted_at.is_(None))
            ).first()
        if row is None:
            raise NotFound(f"No user {username!r}: `mobilise users list` shows them.")
        return user_from_row(row._mapping)

    # -- passwords ----------------------------------------------------------------------------
    def authenticate(self, username: str, password: str) -> User:
        """The user whose password this is; one error for any failure.

        Unknown, removed and disabled users cost the same argon2 verification as a wrong
        password, and get the same message, so neither the answer nor its time tells whether a
        username exists.
        """
        with self._ws.read() as connection:
            row = connection.execute(
                select(users).where(users.c.username == username, users.c.deleted_at.is_(None))
            ).first()
        stored = row.password_hash if row is not None else _dummy_hash()
        try:
            _hasher.verify(stored, password[:MAX_PASSWORD])
            matched = row is not None and len(password) <= MAX_PASSWORD
        except (VerificationError, InvalidHashError):
            matched = False
        if not matched or row is None or row.disabled_at is not None:
            raise AuthenticationRequired(WRONG)
        if _hasher.check_needs_rehash(row.password_hash):
            with self._ws.write() as connection:
                update_record(
                    connection,
                    users,
                    row.id,
                    {"password_hash": _hasher.hash(password)},
                    expected_version=None,
                    actor=row.username,
                    entity_type="user",
                    omit_from_audit=("password_hash",),
                )
        return user_from_row(row._mapping)

    def change_password(self, user_id: str, current: str, new: str) -> User:
        """A user's own change: ``current`` must be their password. Ends all their sessions
        (the caller starts a new one for the browser that made the change)."""
        user = self.get(user_id)
        problems = _password_problems(new, "new_password")
        if new == current:
            problems.append(Problem("the new password is the same as the current one"))
        if user is None:
            raise AuthenticationRequired("Sign in to change your password.")
        try:
            self.authenticate(user.username, current)
        except AuthenticationRequired:
            problems.insert(0, Problem("this is not your current password", field="password"))
        if problems:
            raise ValidationError("Your password was not changed.", problems=problems)
        return self.set_password(user_id, new)

    # -- one-time password links ----------------------------------------------------------------
    def reset_link(self, user_id: str, *, key: str, hours: int) -> ResetLink:
        """Issue a one-time link with which the user sets a new password, valid for ``hours``.

        The link is signed with ``key`` (the deployment's secret key) over the account's present
        state, so it stops working once a password is set with it or the account changes; it is
        not stored. The audit trail records that a link was issued, and until when (never the
        link).

        Raises
        ------
        NotFound
            No such user.
        Conflict
            The user is disabled (enable them first), or ``key`` is the default key of local
            mode, which no shared deployment uses.
        """
        if key == DEFAULT_SECRET_KEY:
            raise Conflict(
                "This mobilise has no secret key of its own: set MOBILISE_SECRET_KEY (as the "
                "server has it) before giving password links, or they will not work."
            )
        expires_at = now().replace(microsecond=0) + timedelta(hours=max(1, hours))
        with self._ws.write() as connection:
            row = connection.execute(
                select(users).where(users.c.id == user_id, users.c.deleted_at.is_(None))
            ).first()
            if row is None:
                raise NotFound(f"No user {user_id!r}.")
            if row.disabled_at is not None:
                raise Conflict(
                    f"{row.username} is disabled: enable them before giving them a password link."
                )
            expires = int(expires_at.timestamp())
            token = make_token(key, row.id, expires, row.password_hash, int(row.version))
            audit(
                connection,
                actor=self._ws.actor,
                entity_type="user",
                entity_id=row.id,
                action="reset_link",
                summary=f"one-time password link issued, valid until {expires_at.isoformat()}",
            )
        return ResetLink(user_from_row(row._mapping), token, expires_at)

    def reset_link_user(self, token: str, *, key: str) -> User:
        """The user a one-time link is for, while it works.

        Raises
        ------
        NotFound
            The link is not one, has expired or been used, or the account changed or is disabled
            (one message for all: :data:`RESET_LINK_INVALID`).
        """
        with self._ws.read() as connection:
            return user_from_row(self._link_row(connection, token, key)._mapping)

    def reset_password(self, token: str, password: str, *, key: str) -> User:
        """Set the password of a one-time link's user (the link is then spent); ends every
        session of theirs. The audit trail records it as done by the user, with the link.

        Raises
        ------
        ValidationError
            The password cannot be used (too short or too long).
        NotFound
            The link does not work (:meth:`reset_link_user`).
        """
        problems = _password_problems(password)
        if problems:
            raise ValidationError("Your password was not set.", problems=problems)
        password_hash = _hasher.hash(password)  # before the write lock: argon2 takes a while
        with self._ws.write() as connection:
            row = self._link_row(connection, token, key, lock=True)
            after = update_record(
                connection,
                users,
                row.id,
                {"password_hash": password_hash},
                expected_version=int(row.version),
                actor=row.username,
                entity_type="user",
                omit_from_audit=("password_hash",),
            )
            audit(
                connection,
                actor=row.username,
                entity_type="user",
                entity_id=row.id,
                action="reset_password",
                summary="password set with a one-time link",
            )
            end_sessions(connection, row.id, why="password reset", actor=row.username)
        return user_from_row(after)

    def _link_row(self, connection: Connection, token: str, key: str, *, lock: bool = False) -> Any:
        """The user row of a working link (locked for the transaction when ``lock``)."""
        invalid = NotFound(RESET_LINK_INVALID)
        parsed = parse_token(token)
        if parsed is None or parsed.expires_at <= now():
            raise invalid
        if lock:
            self._locked_rows(connection)
        query = select(users).where(users.c.id == parsed.user_id, users.c.deleted_at.is_(None))
        row = connection.execute(query.with_for_update() if lock else query).first()
        if row is None or row.disabled_at is not None:
            raise invalid
        if not matches(key, parsed, row.password_hash, int(row.version)):
            raise invalid
        return row

    # -- changes ------------------------------------------------------------------------------
    def create(self, username: str, password: str, *, role: str, display_name: str = "") -> User:
        username = username.strip()
        problems = []
        if not username or len(username) > 120:
            problems.append(
                Problem("a username of 1 to 120 characters is needed", field="username")
            )
        if len(display_name) > 200:
            problems.append(Problem("a name of at most 200 characters", field="display_name"))
        if role not in ROLES:
            problems.append(Problem(f"role must be one of {', '.join(ROLES)}", field="role"))
        problems += _password_problems(password)
        if problems:
            raise ValidationError("Cannot create the user.", problems=problems)
        with self._ws.write() as connection:
            found = connection.execute(
                select(users.c.deleted_at).where(users.c.username == username)
            ).first()
            if found is not None:
                removed = " (removed, and its name stays reserved)" if found.deleted_at else ""
                raise Conflict(f"A user {username!r} exists already{removed}.")
            row = insert_record(
                connection,
                users,
                {
                    "username": username,
                    "display_name": display_name or username,
                    "role": role,
                    "password_hash": _hasher.hash(password),
                },
                actor=self._ws.actor,
                entity_type="user",
                omit_from_audit=("password_hash",),
            )
        return user_from_row(row)

    def set_role(self, user_id: str, role: str, *, expected_version: int | None = None) -> User:
        """Give a user another role; ends their sessions (they sign in again to use it)."""
        _check_role(role)
        return self._change(
            user_id, {"role": role}, expected_version, why=f"role changed to {role}"
        )

    def set_password(
        self, user_id: str, password: str, *, expected_version: int | None = None
    ) -> User:
        """Set a user's password (an admin's reset, or :meth:`change_password`); ends their
        sessions."""
        problems = _password_problems(password)
        if problems:
            raise ValidationError("Cannot use that password.", problems=problems)
        return self._change(
            user_id,
            {"password_hash": _hasher.hash(password)},
            expected_version,
            why="password changed",
        )

    def disable(self, user_id: str, *, expected_version: int | None = None) -> User:
        """Stop a user signing in, and end their sessions; :meth:`enable` undoes it."""
        return self._change(user_id, {"disabled_at": now()}, expected_version, why="disabled")

    def enable(self, user_id: str, *, expected_version: int | None = None) -> User:
        return self._change(user_id, {"disabled_at": None}, expected_version, why="enabled")

    def remove(self, user_id: str, *, expected_version: int | None = None) -> None:
        """Remove a user (a soft deletion: their name stays in the audit trail and cannot be
        taken by a new user); ends their sessions."""
        with self._ws.write() as connection:
            row = self._locked(connection, user_id)
            self._keep_an_admin(connection, row, remains_admin=False, doing="removed")
            end_sessions(connection, user_id, why="removed", actor=self._ws.actor)
            soft_delete_record(
                connection,
                users,
                user_id,
                expected_version=expected_version,
                actor=self._ws.actor,
                entity_type="user",
            )

    def _change(
        self, user_id: str, changes: dict[str, Any], expected_version: int | None, *, why: str
    ) -> User:
        with self._ws.write() as connection:
            row = self._locked(connection, user_id)
            changed = {
                k: v for k, v in changes.items() if k == "password_hash" or row._mapping[k] != v
            }
            if "disabled_at" in changed and row.disabled_at is not None and changes["disabled_at"]:
                changed.pop("disabled_at")  # already disabled: keep the first date
            if not changed:
                return user_from_row(row._mapping)
            remains_admin = changes.get("role", row.role) == "admin" and (
                changes.get("disabled_at", row.disabled_at) is None
            )
            doing = "demoted" if "role" in changed else "disabled"
            self._keep_an_admin(connection, row, remains_admin=remains_admin, doing=doing)
            after = update_record(
                connection,
                users,
                user_id,
                changed,
                expected_version=expected_version,
                actor=self._ws.actor,
                entity_type="user",
                omit_from_audit=("password_hash",),
            )
            if why != "enabled":
                end_sessions(connection, user_id, why=why, actor=self._ws.actor)
        return user_from_row(after)

    def _locked_rows(self, connection: Connection) -> None:
        """Lock every admin's row, in one order (PostgreSQL), before any account change."""
        connection.execute(
            select(users.c.id)
            .where(users.c.role == "admin", users.c.deleted_at.is_(None))
            .order_by(users.c.id)
            .with_for_update()
        ).all()

    def _locked(self, connection: Connection, user_id: str) -> Any:
        """The user's row, locked for this transaction (PostgreSQL) after every admin's row, in
        one order, so two admins demoting each other at once queue instead of deadlocking;
        SQLite's writer lock already serialises account changes."""
        self._locked_rows(connection)
        row = connection.execute(
            select(users).where(users.c.id == user_id).with_for_update()
        ).first()
        if row is None or row.deleted_at is not None:
            raise NotFound(f"No user {user_id!r}.")
        return row

    def _keep_an_admin(
        self, connection: Connection, row: Any, *, remains_admin: bool, doing: str
    ) -> None:
        """Refuse a change that would leave the workspace without an active admin."""
        if remains_admin or row.role != "admin" or row.disabled_at is not None:
            return
        others = connection.execute(  # their rows are locked (_locked)
            select(users.c.id).where(
                users.c.role == "admin",
                users.c.id != row.id,
                users.c.deleted_at.is_(None),
                users.c.disabled_at.is_(None),
            )
        ).all()
        if not others:
            raise Conflict(
                f"{row.username} is the last active admin, so cannot be {doing}: make "
                "another user admin first (`mobilise users set-role NAME admin`)."
            )


def user_from_row(row: Mapping[Any, Any]) -> User:
    return User(
        row["id"],
        row["username"],
        row["display_name"],
        row["role"],
        disabled=row.get("disabled_at") is not None,
        version=int(row.get("version") or 1),
    )
