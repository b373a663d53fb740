"""The events commands: add, list, show, register (with the waiting list), attend, cancel,
summary; errors as one line and a non-zero exit."""

from __future__ import annotations

import json

from mobilise import open_workspace
from mobilise.cli.main import run


def _json(capsys):
    return json.loads(capsys.readouterr().out)


def test_an_event_from_adding_to_its_summary(tmp_path, capsys):
    path = tmp_path / "ws.sqlite"
    with open_workspace(path) as ws:
        ws.places.create("testtown", "Testtown")
        people = [ws.participants.add().code for _ in range(3)]
    w = ["-w", str(path)]
    add = [*w, "events", "add", "Café on parks", "--kind", "world_cafe"]
    window = ["--starts", "2030-06-01T10:00", "--ends", "2030-06-01T12:00"]
    assert run([*add, *window, "--place", "testtown", "--capacity", "1", "--json"]) == 0
    event = _json(capsys)
    assert (event["status"], event["capacity"], event["place"]) == ("planned", 1, "testtown")

    statuses = []
    for code in people[:2]:
        assert run([*w, "events", "register", event["id"], code, "--json"]) == 0
        statuses.append(_json(capsys)["status"])
    assert statuses == ["registered", "waiting"]
    assert run([*w, "events", "register", event["id"], people[0], "--cancel", "--json"]) == 0
    capsys.readouterr()
    assert run([*w, "events", "show", event["id"], "--json"]) == 0
    shown = _json(capsys)
    assert (shown["registered"], shown["waiting"]) == (1, 0)  # the waiting one moved up

    assert run([*w, "events", "attend", event["id"], people[2].lower(), "--json"]) == 0
    assert _json(capsys)["attended"] is True
    assert run([*w, "events", "list", "--place", "testtown", "--json"]) == 0
    assert _json(capsys)["total"] == 1
    assert run([*w, "events", "list", "--from", "2030-06-02", "--json"]) == 0
    assert _json(capsys)["total"] == 0
    assert run([*w, "events", "summary", event["id"], "--json"]) == 0
    assert _json(capsys)["attended"] == "0"  # counted only with a consent to take part
    with open_workspace(path) as ws:
        sheet = ws.consent.add_sheet("Taking part", "1", "Text.")
        ws.consent.give(
            people[2], information_sheet=sheet.id, method="paper", scopes={"take_part": True}
        )
    assert run([*w, "events", "summary", event["id"], "--json"]) == 0
    assert _json(capsys)["attended"] == "1"  # the operator sees every count

    assert run([*w, "events", "cancel", event["id"]]) == 0
    capsys.readouterr()
    assert run([*w, "events", "attend", event["id"], people[1]]) == 2
    err = capsys.readouterr().err
    assert "cancelled" in err and "field 'event'" in err


def test_bad_input_is_one_error_naming_the_fields(tmp_path, capsys):
    w = ["-w", str(tmp_path / "ws.sqlite")]
    window = ["--starts", "2030-06-01T12:00", "--ends", "2030-06-01T10:00"]
    code = run([*w, "events", "add", "X", "--kind", "rave", *window, "--place", "atlantis"])
    assert code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for field in ("kind", "ends_at", "place"):
        assert f"field '{field}'" in err
    assert run([*w, "events", "show", "no-such-event"]) == 3
