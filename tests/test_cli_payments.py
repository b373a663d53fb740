"""The payments and contributions commands (issue 15): rates, a payment with its warning, the
finance export, contributions under consent, and linking a map participant to a person."""

from __future__ import annotations

import csv
import json

from mobilise.cli.main import run
from mobilise.workspace import open_workspace

from ._coproduction import add_event, consenting, png


def _json(capsys):
    return json.loads(capsys.readouterr().out)


def test_rates_payments_totals_and_the_finance_export(tmp_path, capsys):
    path = tmp_path / "ws.sqlite"
    ws = ["-w", str(path)]
    with open_workspace(path) as workspace:
        person = workspace.participants.add(identity={"name": "Dana Example"})
        workspace.project_settings.set("payment_warning_pence", 10_000)
    assert run([*ws, "payments", "rates", "--json"]) == 0
    assert len(_json(capsys)) == 3
    pay = [*ws, "payments"]
    assert (
        run([*pay, "set-rate", "Walk leader", "--unit", "session", "--amount-pence", "4000"]) == 0
    )
    capsys.readouterr()
    walk = ["--activity", "Walk leader", "--units", "2", "--paid-on", "2025-04-06"]
    assert run([*pay, "add", person.code, *walk]) == 0
    out = capsys.readouterr().out
    assert "£80.00" in out and "Warning" in out and "near" in out  # 80% of £100
    assert run([*ws, "payments", "totals", "--tax-year", "2025-26", "--json"]) == 0
    assert [(t["code"], t["status"]) for t in _json(capsys)] == [(person.code, "near")]
    target = tmp_path / "finance.csv"
    assert run([*ws, "payments", "export", str(target), "--tax-year", "2025-26"]) == 0
    rows = list(csv.reader(target.open(encoding="utf-8")))
    assert rows == [
        ["code", "paid_on", "activity", "kind", "amount_pence"],
        [person.code, "2025-04-06", "Walk leader", "payment", "8000"],
    ]
    assert run([*ws, "payments", "add", person.code, "--activity", "Unpriced"]) != 0
    assert "amount_pence" in capsys.readouterr().err
    assert run([*ws, "payments", "list", "--tax-year", "2025"]) != 0


def test_contributions_follow_consent_and_maps_link_people(tmp_path, capsys):
    path = tmp_path / "ws.sqlite"
    ws = ["-w", str(path)]
    with open_workspace(path) as workspace:
        sheet = workspace.consent.add_sheet("Taking part", "v1", "What taking part means ...")
        person = consenting(workspace, sheet.id, quote="anonymous", photos=True)
        event = add_event(workspace)
        made = workspace.maps.create("Our map")
        workspace.maps.join(made.id, "Heron")
    picture = tmp_path / "park.png"
    picture.write_bytes(png())
    add = [*ws, "contributions", "add", event, "--participant", person.code]
    assert run([*add, "--kind", "quote", "--text", "Buses stop at six"]) == 0
    capsys.readouterr()
    assert run([*add, "--kind", "photo", "--media", str(picture), "--json"]) == 0
    photo = _json(capsys)
    assert run([*ws, "contributions", "media", photo["id"], str(tmp_path / "out.png")]) == 0
    assert (tmp_path / "out.png").read_bytes().startswith(b"\x89PNG")
    with open_workspace(path) as workspace:
        workspace.consent.withdraw(person.id, scopes=["quote", "photos"], method="online")
    capsys.readouterr()
    assert run([*ws, "contributions", "list", event, "--json"]) == 0
    assert _json(capsys) == []
    target = tmp_path / "contributions.json"
    assert run([*ws, "contributions", "export", str(target), "--format", "json"]) == 0
    assert json.loads(target.read_text())["contributions"] == []
    assert run([*ws, "contributions", "media", photo["id"], str(tmp_path / "again.png")]) != 0
    assert run([*ws, "maps", "link-person", made.id, "Heron", "--person", person.code]) == 0
    assert f"Heron is linked to {person.code}" in capsys.readouterr().out
    assert run([*ws, "maps", "link-person", made.id, "Heron"]) != 0
