"""`mobilise users`: add, list, set-role, set-password, disable, enable, remove; the last admin
is kept; errors are one line and a non-zero exit."""

from __future__ import annotations

import json

from mobilise import open_workspace
from mobilise.cli.main import run


def _users(path, capsys) -> dict[str, dict]:
    capsys.readouterr()
    assert run(["-w", str(path), "users", "list", "--json"]) == 0
    return {u["username"]: u for u in json.loads(capsys.readouterr().out)}


def test_the_account_commands(tmp_path, capsys, monkeypatch, hasher):
    path = tmp_path / "ws.sqlite"
    monkeypatch.setenv("MOBILISE_NEW_PASSWORD", "first long password")
    for name, role in (("ada", "admin"), ("ana", "analyst")):
        assert run(["-w", str(path), "users", "add", name, "--role", role]) == 0
    ws = open_workspace(path)
    ana = ws.users.find("ana")
    token = ws.sessions.start(ana.id, address="127.0.0.1", hours=1).token

    assert run(["-w", str(path), "users", "set-role", "ana", "facilitator"]) == 0
    assert "their sessions have ended" in capsys.readouterr().out
    assert ws.sessions.user(token) is None
    assert _users(path, capsys)["ana"]["role"] == "facilitator"

    monkeypatch.setenv("MOBILISE_NEW_PASSWORD", "second long password")
    assert run(["-w", str(path), "users", "set-password", "ana"]) == 0
    assert ws.users.authenticate("ana", "second long password").id == ana.id

    assert run(["-w", str(path), "users", "disable", "ana"]) == 0
    assert _users(path, capsys)["ana"]["disabled"] is True
    assert run(["-w", str(path), "users", "enable", "ana"]) == 0
    assert _users(path, capsys)["ana"]["disabled"] is False

    capsys.readouterr()
    assert run(["-w", str(path), "users", "remove", "ada"]) == 4  # the last admin: a conflict
    error = " ".join(capsys.readouterr().err.split())  # rich wraps it to the terminal
    assert error.startswith("Error: ada is the last active admin, so cannot be removed")
    assert run(["-w", str(path), "users", "remove", "ana"]) == 0
    assert set(_users(path, capsys)) == {"ada"}
    assert run(["-w", str(path), "users", "disable", "nobody"]) == 3
    assert "No user 'nobody'" in capsys.readouterr().err
    ws.close()


def test_reset_link_gives_a_one_time_link_signed_with_the_servers_key(
    tmp_path, capsys, monkeypatch, hasher
):
    path = tmp_path / "ws.sqlite"
    monkeypatch.setenv("MOBILISE_NEW_PASSWORD", "first long password")
    assert run(["-w", str(path), "users", "add", "ana", "--role", "analyst"]) == 0
    capsys.readouterr()
    # Without the server's key the link would work nowhere: refused, in one line.
    assert run(["-w", str(path), "users", "reset-link", "ana"]) == 4
    assert "MOBILISE_SECRET_KEY" in capsys.readouterr().err

    key = "the-servers-long-random-secret-key-0123456789"
    monkeypatch.setenv("MOBILISE_SECRET_KEY", key)
    argv = ["-w", str(path), "users", "reset-link", "ana", "--base-url", "https://m.example.org/"]
    assert run([*argv, "--json"]) == 0
    link = json.loads(capsys.readouterr().out)
    assert link["username"] == "ana" and link["url"].startswith("https://m.example.org/reset/")
    token = link["url"].rsplit("/", 1)[1]
    ws = open_workspace(path)
    assert ws.users.reset_link_user(token, key=key).username == "ana"
    ws.users.reset_password(token, "second long password", key=key)
    assert ws.users.authenticate("ana", "second long password").username == "ana"
    ws.close()

    assert run(argv) == 0
    said = capsys.readouterr().out
    assert "One-time password link for ana" in said and "https://m.example.org/reset/" in said
    assert run(["-w", str(path), "users", "reset-link", "nobody"]) == 3
