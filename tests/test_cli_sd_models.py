"""mobilise maps with system dynamics models (issue 22): a Vensim model without a sketch is
imported from its equations with its loops signed, and exported for PRSM compressed, with a
warning when PRSM will cut the title."""

from __future__ import annotations

import json

from mobilise.cli.main import run
from mobilise.formats._lzstring import decompress_from_utf16

TEACUP = (
    "Characteristic Time = 10 ~ Minutes ~ |\n"
    "Heat Loss to Room = (Teacup Temperature - Room Temperature) / Characteristic Time ~~|\n"
    "Room Temperature = 70 ~ Degrees ~ |\n"
    "Teacup Temperature = INTEG(-Heat Loss to Room, 180) ~ Degrees ~ |\n"
)
LONG_TITLE = "How a cup of tea cools towards the temperature of the room it stands in"


def test_teacup_import_loops_and_compressed_prsm_export(tmp_path, capsys):
    model = tmp_path / "teacup.mdl"
    model.write_text(TEACUP)
    ws = ["-w", str(tmp_path / "ws.sqlite")]
    assert run([*ws, "maps", "import", str(model), "--title", LONG_TITLE, "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert run([*ws, "maps", "loops", made["id"], "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"] == {
        "reinforcing": 0,
        "balancing": 1,
        "undetermined": 0,
    }
    out = tmp_path / "teacup.prsm"
    code = run([*ws, "maps", "export", made["id"], "-o", str(out), "--compressed"])
    assert code == 0
    printed = " ".join(capsys.readouterr().out.split())  # the console wraps lines
    assert "Warning" in printed and "first 50 characters" in printed
    text = out.read_text("utf-8")
    assert not text.startswith("{")
    document = json.loads(decompress_from_utf16(text) or "")
    assert document["mapTitle"] == LONG_TITLE
    assert len(document["nodes"]) == 4


def test_compressed_is_only_for_prsm(tmp_path, capsys):
    model = tmp_path / "teacup.mdl"
    model.write_text(TEACUP)
    out = tmp_path / "teacup.csv"
    assert run(["maps", "export", str(model), "-o", str(out), "--compressed"]) != 0
    assert "Only a PRSM map can be written compressed" in capsys.readouterr().err
    assert not out.exists()
