"""`mobilise participants`: add, list, show, edit, identity, erase-identity, consent, withdraw,
sheets and settings; bad input is a non-zero exit naming the field, with nothing written."""

from __future__ import annotations

import json

from mobilise import open_workspace
from mobilise.cli.main import run


def _json(argv: list[str], capsys) -> object:
    capsys.readouterr()
    assert run(argv) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def _error(capsys) -> str:
    return " ".join(capsys.readouterr().err.split())  # rich wraps it to the terminal


def test_participants_from_the_command_line(tmp_path, capsys):
    w = ["-w", str(tmp_path / "ws.sqlite")]
    added = _json(
        [*w, "participants", "add", "--answer", "age_band=25_34", "--name", "Jo Bloggs", "--json"],
        capsys,
    )
    code = added["code"]
    assert "Jo Bloggs" not in json.dumps(added)  # the record holds no identity
    text = tmp_path / "sheet.txt"
    text.write_text("What taking part means.\n\nYou can stop at any time.", encoding="utf-8")
    sheet = _json(
        [*w, "participants", "sheets", "add", "Taking part", "v1", str(text), "--json"], capsys
    )
    assert [s["id"] for s in _json([*w, "participants", "sheets", "list", "--json"], capsys)] == [
        sheet["id"]
    ]
    given = [*w, "participants", "consent", code, "--sheet", sheet["id"], "--grant", "take_part"]
    assert run([*given, "--quote", "anonymous"]) == 0
    assert (
        run([*w, "participants", "withdraw", code, "--scope", "quote", "--cut-off", "2026-06-01"])
        == 0
    )
    shown = _json([*w, "participants", "show", code, "--json"], capsys)
    assert shown["consent"]["state"]["granted"] == ["take_part"]
    assert shown["consent"]["state"]["withdrawn"] == {"quote": "2026-06-01"}
    assert shown["identity"]["name"] == "Jo Bloggs"  # the operator reads identity
    listed = _json([*w, "participants", "list", "--json"], capsys)
    assert [p["code"] for p in listed["items"]] == [code] and listed["total"] == 1
    assert run([*w, "participants", "edit", code, "--answer", "sex=prefer_not_to_say"]) == 0
    assert run([*w, "participants", "identity", code, "--email", "jo@example.org"]) == 0
    assert _json([*w, "participants", "identity", code, "--json"], capsys)["identity"]["email"] == (
        "jo@example.org"
    )
    assert run([*w, "participants", "erase-identity", code, "--yes"]) == 0
    capsys.readouterr()
    assert run([*w, "participants", "identity", code]) == 0
    assert "Identity erased on" in capsys.readouterr().out
    assert run([*w, "participants", "show", code]) == 0
    shown_text = capsys.readouterr().out
    assert "Consent now: take_part" in shown_text and "Identity: none held" in shown_text
    assert run([*w, "participants", "list"]) == 0 and code in capsys.readouterr().out
    assert _json([*w, "participants", "settings", "disclosure_k", "5", "--json"], capsys) == {
        "disclosure_k": 5
    }
    groups = '{"care_leavers": "Care leavers"}'
    assert run([*w, "participants", "settings", "lived_experience", groups]) == 0
    assert _json([*w, "participants", "settings", "--json"], capsys)["lived_experience"] == {
        "care_leavers": "Care leavers"
    }


def test_bad_input_is_a_non_zero_exit_naming_the_field(tmp_path, capsys):
    location = tmp_path / "ws.sqlite"
    w = ["-w", str(location)]
    capsys.readouterr()
    assert run([*w, "participants", "add", "--answer", "ethnic_group=martian"]) == 2
    assert "field 'ethnic_group'" in _error(capsys)
    assert run([*w, "participants", "add", "--postcode", "not a postcode"]) == 2
    assert "field 'postcode'" in _error(capsys)
    assert run([*w, "participants", "add", "--answer", "age_band"]) == 2
    assert "QUESTION=ANSWER" in _error(capsys)
    code = _json([*w, "participants", "add", "--json"], capsys)["code"]
    assert run([*w, "participants", "consent", code, "--grant", "take_part"]) == 2
    assert "field 'information_sheet'" in _error(capsys)
    assert run([*w, "participants", "withdraw", code, "--scope", "telepathy"]) == 2
    assert run([*w, "participants", "settings", "retention", "forever"]) == 2
    assert "field 'retention'" in _error(capsys)
    assert run([*w, "participants", "show", "P-NOBODY"]) == 3
    ws = open_workspace(location)
    try:
        assert ws.participants.count() == 1  # only the good one
        assert ws.consent.ledger(code) == []
        assert ws.project_settings.get("retention") == "remove"
    finally:
        ws.close()
