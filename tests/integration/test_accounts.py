"""Accounts and sessions in the store (SQLite and PostgreSQL): sign-in limits counted in the
database, the same work for unknown users, sessions that end, the last admin kept."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from mobilise import AuthenticationRequired, Conflict, RateLimited, ValidationError
from mobilise.store.tables import audit_log, login_attempts, user_sessions
from mobilise.workspace import open_workspace
from mobilise.workspace.sessions import SignInPolicy

POLICY = SignInPolicy(failures_per_account=3, failures_per_address=5, window_minutes=15)
WHERE = "203.0.113.5"


@pytest.fixture
def people(workspace, hasher):  # hasher: tests/conftest.py
    """An admin and an analyst."""
    workspace.users.create("ada", "admin password 1", role="admin")
    workspace.users.create("ana", "correct horse battery", role="analyst")
    return workspace


def _shift(ws, column, by: timedelta) -> None:
    """Move every stored time of ``column`` by ``by`` (as if the clock had moved the other way)."""
    table = column.table
    with ws.write() as connection:
        for key, at in connection.execute(select(table.c.id, column)).all():
            connection.execute(
                update(table).where(table.c.id == key).values({column.name: at + by})
            )


def _sign_in(ws, username, password, address=WHERE):
    return ws.sessions.sign_in(username, password, address=address, policy=POLICY)


def test_unknown_and_known_users_cost_the_same_argon2_work(people, hasher):
    for username in ("ana", "nobody-at-all", "ada"):
        before = hasher.verified
        with pytest.raises(AuthenticationRequired, match="Unknown username or wrong password"):
            _sign_in(people, username, "wrong password", address=f"198.51.100.{len(username)}")
        assert hasher.verified - before == 1, username
    people.users.disable(people.users.find("ana").id)
    before = hasher.verified
    with pytest.raises(AuthenticationRequired, match="Unknown username or wrong password"):
        _sign_in(people, "ana", "correct horse battery")  # disabled: the same answer
    assert hasher.verified - before == 1


def test_an_account_is_locked_after_its_failures_across_processes(people, hasher):
    other_process = open_workspace(people.engine.url.render_as_string(hide_password=False))
    try:
        for ws in (people, other_process, people):
            with pytest.raises(AuthenticationRequired):
                _sign_in(ws, "ana", "wrong password")
        work = hasher.verified
        with pytest.raises(RateLimited) as refused:
            _sign_in(other_process, "ana", "correct horse battery")
        assert hasher.verified == work  # refused before any password is checked
        assert 0 < refused.value.retry_after <= 15 * 60
        assert "Too many failed sign-ins for this account" in refused.value.message
        # An unknown username is counted just the same: the limit tells nothing about who exists.
        for _ in range(3):
            with pytest.raises(AuthenticationRequired):
                _sign_in(people, "nobody", "x" * 12, address="192.0.2.1")
        with pytest.raises(RateLimited):
            _sign_in(people, "nobody", "x" * 12, address="192.0.2.1")
    finally:
        other_process.close()


def test_an_address_is_limited_whatever_the_account(people):
    for k in range(5):
        with pytest.raises(AuthenticationRequired):
            _sign_in(people, f"guess{k}", "wrong password")
    with pytest.raises(RateLimited, match="your address"):
        _sign_in(people, "ada", "admin password 1")
    assert _sign_in(people, "ada", "admin password 1", address="192.0.2.99").user.username == "ada"


def test_the_window_passes_and_a_success_clears_the_account(people):
    for _ in range(2):
        with pytest.raises(AuthenticationRequired):
            _sign_in(people, "ana", "wrong password")
    assert _sign_in(people, "ana", "correct horse battery").user.role == "analyst"
    for _ in range(3):  # the two before the success no longer count
        with pytest.raises(AuthenticationRequired):
            _sign_in(people, "ana", "wrong password", address="192.0.2.7")
    with pytest.raises(RateLimited):
        _sign_in(people, "ana", "correct horse battery", address="192.0.2.8")
    _shift(people, login_attempts.c.at, -timedelta(minutes=16))  # sixteen minutes later
    assert _sign_in(people, "ana", "correct horse battery").user.username == "ana"


def test_attempts_out_of_the_window_are_deleted_as_new_ones_come(people):
    for n in range(4):
        with pytest.raises(AuthenticationRequired):
            _sign_in(people, f"nobody-{n}", "guess", address=f"198.51.100.{n}")
    _shift(people, login_attempts.c.at, -timedelta(minutes=16))
    assert _sign_in(people, "ana", "correct horse battery").user.username == "ana"
    with people.read() as connection:
        kept = connection.execute(select(login_attempts.c.account)).scalars().all()
    assert kept == ["ana"]


def test_sessions_end_on_sign_out_and_on_every_account_change(people):
    ana = people.users.find("ana")
    sessions = people.sessions

    signed = _sign_in(people, "ana", "correct horse battery")
    assert sessions.user(signed.token) == people.users.get(ana.id)
    assert sessions.end(signed.token) and sessions.user(signed.token) is None
    assert not sessions.end(signed.token)

    changes = {
        "password": lambda: people.users.set_password(ana.id, "a brand new password"),
        "role": lambda: people.users.set_role(ana.id, "viewer"),
        "disabled": lambda: people.users.disable(ana.id),
        "removed": lambda: people.users.remove(ana.id),
    }
    password = "correct horse battery"
    for why, change in changes.items():
        if why == "removed":
            people.users.enable(ana.id)
        tokens = [_sign_in(people, "ana", password).token for _ in range(2)]
        change()
        password = "a brand new password"
        assert [sessions.user(t) for t in tokens] == [None, None], why
    with people.read() as connection:
        ended = connection.execute(
            select(user_sessions.c.ended_why).where(user_sessions.c.ended_at.is_not(None))
        ).scalars()
        assert set(ended) == {
            "signed out",
            "password changed",
            "role changed to viewer",
            "disabled",
            "removed",
        }
    with pytest.raises(AuthenticationRequired):
        _sign_in(people, "ana", password)


def test_a_session_expires_and_is_noted_at_most_every_few_minutes(people):
    signed = _sign_in(people, "ana", "correct horse battery")
    with people.read() as connection:
        first = connection.execute(select(user_sessions.c.last_seen_at)).scalar_one()
    for _ in range(3):
        assert people.sessions.user(signed.token) is not None
    with people.read() as connection:
        assert connection.execute(select(user_sessions.c.last_seen_at)).scalar_one() == first
    _shift(people, user_sessions.c.last_seen_at, -timedelta(minutes=10))  # ten minutes on
    assert people.sessions.user(signed.token) is not None
    with people.read() as connection:
        assert connection.execute(select(user_sessions.c.last_seen_at)).scalar_one() > first
        assert len(connection.execute(select(user_sessions.c.token_hash)).scalar_one()) == 64
    _shift(people, user_sessions.c.expires_at, -timedelta(days=15))  # past its expiry
    assert people.sessions.user(signed.token) is None


def test_the_last_admin_is_kept(people):
    ada = people.users.find("ada")
    for change in (
        lambda: people.users.remove(ada.id),
        lambda: people.users.disable(ada.id),
        lambda: people.users.set_role(ada.id, "analyst"),
    ):
        with pytest.raises(Conflict, match="last active admin"):
            change()
    ana = people.users.set_role(people.users.find("ana").id, "admin")
    people.users.set_role(ada.id, "viewer")
    with pytest.raises(Conflict, match="ana is the last active admin"):
        people.users.disable(ana.id)
    assert [u.role for u in people.users.list()] == ["viewer", "admin"]


def test_own_password_change_needs_the_current_password(people):
    ana = people.users.find("ana")
    with pytest.raises(ValidationError) as refused:
        people.users.change_password(ana.id, "not my password", "short")
    assert [p.field for p in refused.value.problems] == ["password", "new_password"]
    people.users.change_password(ana.id, "correct horse battery", "my new long password")
    assert _sign_in(people, "ana", "my new long password").user.id == ana.id


def test_account_changes_are_audited_without_hashes_or_tokens(people):
    ana = people.users.find("ana")
    token = _sign_in(people, "ana", "correct horse battery").token
    people.users.set_password(ana.id, "a brand new password")
    people.users.set_role(ana.id, "viewer")
    people.users.disable(ana.id)
    people.users.enable(ana.id)
    people.users.remove(ana.id)
    with people.read() as connection:
        entries = connection.execute(
            select(audit_log)
            .where(audit_log.c.entity_type.in_(["user", "session"]))
            .order_by(audit_log.c.id)
        ).all()
    text = repr([tuple(e) for e in entries])
    assert "password_hash" not in text and "$argon2" not in text and token not in text
    actions = [e.action for e in entries if e.entity_id == ana.id]
    assert actions == [
        "create",
        "update",  # password
        "end_sessions",
        "update",  # role
        "update",  # disabled
        "update",  # enabled
        "delete",
    ]
    with pytest.raises(Conflict, match="removed"):
        people.users.create("ana", "another password here", role="viewer")


def test_two_admins_demoting_each_other_at_once_leave_one_admin(people):
    from concurrent.futures import ThreadPoolExecutor

    ada, ana = people.users.find("ada"), people.users.set_role(people.users.find("ana").id, "admin")
    start = threading.Barrier(2)

    def demote(user_id: str) -> str:
        ws = open_workspace(people.engine.url.render_as_string(hide_password=False))
        try:
            start.wait(timeout=30)
            ws.users.set_role(user_id, "viewer")
            return "demoted"
        except Conflict:
            return "refused"
        finally:
            ws.close()

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(demote, [ada.id, ana.id]))
    assert outcomes == ["demoted", "refused"]
    assert [u.role for u in people.users.list()].count("admin") == 1
