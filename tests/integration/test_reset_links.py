"""One-time password links issued by an admin (issue 17, item 4), on SQLite and PostgreSQL: a
link works once, for a while, for its own user only, with the key that signed it; using it ends
the user's sessions; issuing and using it are in the audit trail (never the link)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mobilise import Conflict, NotFound, RateLimited, ValidationError
from mobilise.settings import DEFAULT_SECRET_KEY
from mobilise.workspace import users as users_module
from mobilise.workspace.sessions import SignInPolicy

KEY = "a-long-random-test-secret-for-reset-links"
POLICY = SignInPolicy(failures_per_account=3, failures_per_address=5, window_minutes=15)
WHERE = "203.0.113.9"
NEW = "a brand new password"


@pytest.fixture
def people(workspace, hasher):  # hasher: tests/conftest.py
    workspace.users.create("ada", "admin password 1", role="admin")
    workspace.users.create("ana", "correct horse battery", role="analyst")
    workspace.users.create("vic", "another long secret", role="viewer")
    return workspace


def _link(ws, username="ana", hours=24):
    return ws.as_actor("ada").users.reset_link(ws.users.find(username).id, key=KEY, hours=hours)


def _reset(ws, token, password=NEW, key=KEY, address=WHERE):
    return ws.sessions.reset_password(token, password, key=key, address=address, policy=POLICY)


def test_a_link_sets_the_password_once_and_ends_the_sessions(people):
    ana = people.users.find("ana")
    signed = people.sessions.sign_in("ana", "correct horse battery", address=WHERE, policy=POLICY)
    link = _link(people)
    assert link.path == f"/reset/{link.token}" and ana.id in link.token
    assert people.users.reset_link_user(link.token, key=KEY).username == "ana"

    assert _reset(people, link.token).username == "ana"
    assert people.users.authenticate("ana", NEW).id == ana.id
    assert people.sessions.user(signed.token) is None  # signed out everywhere
    with pytest.raises(NotFound, match="has been used already"):
        _reset(people, link.token, "yet another password")  # spent: one time only
    assert people.users.authenticate("ana", NEW).id == ana.id


def test_a_link_expires(people, monkeypatch):
    link = _link(people, hours=1)
    later = users_module.now() + timedelta(hours=1, minutes=1)
    monkeypatch.setattr(users_module, "now", lambda: later)
    with pytest.raises(NotFound, match="has expired"):
        people.users.reset_link_user(link.token, key=KEY)
    with pytest.raises(NotFound):
        _reset(people, link.token)
    monkeypatch.undo()
    people.users.authenticate("ana", "correct horse battery")  # unchanged


def test_a_link_is_for_its_own_user_only(people):
    ana, vic = people.users.find("ana"), people.users.find("vic")
    token = _link(people, "ana").token
    as_vic = token.replace(ana.id, vic.id)  # the same signature, another user's id
    with pytest.raises(NotFound):
        _reset(people, as_vic)
    people.users.authenticate("vic", "another long secret")  # vic's password unchanged
    with pytest.raises(NotFound):
        _reset(people, token, key="another-deployments-secret-key-0123456789")
    for broken in ("", "nonsense", token[:-3], token + "x", "a.b.c", "x" * 5000):
        with pytest.raises(NotFound):
            people.users.reset_link_user(broken, key=KEY)


def test_any_change_to_the_account_ends_its_links(people):
    ana = people.users.find("ana")
    token = _link(people).token
    people.users.set_role(ana.id, "viewer")
    with pytest.raises(NotFound):
        _reset(people, token)
    token = _link(people).token
    people.users.disable(ana.id)
    with pytest.raises(NotFound):
        people.users.reset_link_user(token, key=KEY)
    with pytest.raises(Conflict, match="disabled"):
        _link(people)


def test_a_bad_password_keeps_the_link_working(people):
    token = _link(people).token
    with pytest.raises(ValidationError, match="not set"):
        _reset(people, token, "short")
    assert _reset(people, token).username == "ana"


def test_links_are_never_signed_with_the_default_key(people):
    with pytest.raises(Conflict, match="MOBILISE_SECRET_KEY"):
        people.users.reset_link(people.users.find("ana").id, key=DEFAULT_SECRET_KEY, hours=1)


def test_guessing_links_is_held_to_the_sign_in_limits(people):
    token = _link(people).token
    guesses = [token[:-4] + suffix for suffix in ("AAAA", "BBBB", "CCCC")]
    for guess in guesses:
        with pytest.raises(NotFound):
            people.sessions.open_reset_link(guess, key=KEY, address=WHERE, policy=POLICY)
    with pytest.raises(RateLimited):  # the account's limit: even the right link waits now
        people.sessions.open_reset_link(token, key=KEY, address=WHERE, policy=POLICY)


def test_issuing_and_using_a_link_are_audited_without_the_link(people):
    ana = people.users.find("ana")
    link = _link(people)
    _reset(people, link.token)
    entries = people.audit.entries(entity_type="user", entity_id=ana.id)
    actions = [(e.actor, e.action) for e in entries]
    assert ("ada", "reset_link") in actions
    assert ("ana", "reset_password") in actions
    issued = next(e for e in entries if e.action == "reset_link")
    assert link.expires_at.isoformat() in issued.summary
    said = repr([(e.before, e.after, e.summary) for e in entries])
    assert link.token not in said and link.token.split(".")[-1] not in said
    assert "password_hash" not in said
