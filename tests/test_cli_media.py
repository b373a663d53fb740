"""The media commands (issue 16): add a picture (its GPS removed, a file named as another type
refused), describe it, link it to an area, and list a gallery; errors exit non-zero in one
line."""

from __future__ import annotations

import io
import json

from PIL import Image

from mobilise.cli.main import run
from mobilise.workspace import open_workspace

from ._coproduction import add_event, png
from .conftest import FIXTURES


def _json(capsys):
    return json.loads(capsys.readouterr().out)


def test_add_describe_link_and_gallery(tmp_path, capsys):
    path = tmp_path / "ws.sqlite"
    ws = ["-w", str(path)]
    with open_workspace(path) as workspace:
        workspace.areas.import_boundaries(FIXTURES / "workspace" / "three_lsoas.geojson")
        event = add_event(workspace, "Open day")
    picture = tmp_path / "mural.jpg"
    exif = Image.Exif()
    exif.get_ifd(0x8825)[1] = "N"
    out = io.BytesIO()
    Image.new("RGB", (80, 60), "orange").save(out, "JPEG", exif=exif.tobytes())
    picture.write_bytes(out.getvalue())
    media = [*ws, "media"]
    added_args = [*media, "add", event, str(picture), "--group", "Table 2", "--json"]
    assert run(added_args) == 0
    added = _json(capsys)
    assert added["media_type"] == "image/jpeg" and added["public"] is False
    assert run([*media, "describe", added["id"], "--public"]) == 2  # no alt text yet
    assert "alt_text" in capsys.readouterr().err
    describe = [*media, "describe", added["id"], "--alt", "An orange wall", "--words", "Ours"]
    assert run([*describe, "--public", "--json"]) == 0
    assert _json(capsys)["public"] is True
    assert run([*media, "link", added["id"], "area", "E01000001"]) == 0
    capsys.readouterr()
    assert run([*media, "links", added["id"], "--json"]) == 0
    assert [x["target_id"] for x in _json(capsys)] == ["E01000001"]
    assert run([*media, "gallery", "--event", event, "--json"]) == 0
    [shown] = _json(capsys)
    assert (shown["alt_text"], shown["maker_words"], shown["by"]) == (
        "An orange wall",
        "Ours",
        "Table 2",
    )
    stored = (tmp_path / "ws.sqlite.media").iterdir()
    assert all(not Image.open(p).getexif() for p in stored if not p.name.startswith("."))
    wrong = tmp_path / "photo.jpg"
    wrong.write_bytes(png())
    assert run([*media, "add", event, str(wrong), "--group", "T"]) == 2
    assert "photo.jpg" in capsys.readouterr().err
