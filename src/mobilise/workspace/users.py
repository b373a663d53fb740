"""Users and roles, for shared (non-local) deployments."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from mobilise.errors import AuthenticationRequired, Conflict, Problem, ValidationError
from mobilise.model.roles import ROLES
from mobilise.store.records import insert_record, update_record
from mobilise.store.tables import users

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["User", "UserService"]

_hasher = PasswordHasher()
MIN_PASSWORD = 10


@dataclass(frozen=True)
class User:
    id: str
    username: str
    display_name: str
    role: str

    def to_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


class UserService:
    """Create users and check their passwords (argon2id hashes; passwords are never stored)."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    def create(self, username: str, password: str, *, role: str, display_name: str = "") -> User:
        username = username.strip()
        problems = []
        if not username or len(username) > 120:
            problems.append(
                Problem("a username of 1 to 120 characters is needed", field="username")
            )
        if role not in ROLES:
            problems.append(Problem(f"role must be one of {', '.join(ROLES)}", field="role"))
        if len(password) < MIN_PASSWORD:
            problems.append(
                Problem(
                    f"a password of at least {MIN_PASSWORD} characters is needed", field="password"
                )
            )
        if problems:
            raise ValidationError("Cannot create the user.", problems=problems)
        with self._ws.write() as connection:
            if connection.execute(select(users.c.id).where(users.c.username == username)).first():
                raise Conflict(f"A user {username!r} exists already.")
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
        return _user(row)

    def count(self) -> int:
        with self._ws.read() as connection:
            return int(
                connection.execute(
                    select(func.count()).select_from(users).where(users.c.deleted_at.is_(None))
                ).scalar_one()
            )

    def list(self) -> list[User]:
        with self._ws.read() as connection:
            rows = connection.execute(
                select(users).where(users.c.deleted_at.is_(None)).order_by(users.c.username)
            ).all()
        return [_user(r._mapping) for r in rows]

    def authenticate(self, username: str, password: str) -> User:
        """The user whose password this is; one error for any failure (no user enumeration)."""
        with self._ws.read() as connection:
            row = connection.execute(
                select(users).where(users.c.username == username, users.c.deleted_at.is_(None))
            ).first()
        failure = AuthenticationRequired("Unknown username or wrong password.")
        if row is None:
            raise failure
        try:
            _hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise failure from None
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
        return _user(row._mapping)

    def get(self, user_id: str) -> User | None:
        with self._ws.read() as connection:
            row = connection.execute(
                select(users).where(users.c.id == user_id, users.c.deleted_at.is_(None))
            ).first()
        return _user(row._mapping) if row else None


def _user(row: Mapping[Any, Any]) -> User:
    return User(row["id"], row["username"], row["display_name"], row["role"])
