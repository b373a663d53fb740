"""Importing from feeds and OpenStreetMap through the CLI, against local servers on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mobilise import open_workspace
from mobilise.cli.main import run

from ..conftest import FIXTURES


@pytest.fixture
def serve_json() -> Iterator[callable]:
    """Start a local HTTP server answering every GET or POST with the given JSON file."""
    servers = []

    def start(path: Path) -> str:
        body = path.read_bytes()

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                if self.command == "POST":
                    self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                return None

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()


def test_import_oruk_feed(tmp_path, serve_json, capsys):
    url = serve_json(FIXTURES / "oruk" / "default_service_list.json")
    ws = tmp_path / "ws.sqlite"
    assert run(["-w", str(ws), "assets", "import-oruk", url, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["created"] == 1
    assert "assurer_email" in report["dropped"]
    with open_workspace(ws) as workspace:
        [asset] = workspace.assets.search().items
        assert asset.name == "Community Counselling"
        assert asset.source == f"oruk:{url}"
    # Importing the same feed again updates instead of duplicating.
    assert run(["-w", str(ws), "assets", "import-oruk", url, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["unchanged"] == 1


def test_the_validators_fail_mock_is_rejected_naming_the_field(tmp_path, serve_json, capsys):
    url = serve_json(FIXTURES / "oruk" / "fail_service_list.json")
    code = run(["-w", str(tmp_path / "ws.sqlite"), "assets", "import-oruk", url])
    err = capsys.readouterr().err
    assert code == 2
    assert "field 'email'" in err and "field 'url'" in err
    with open_workspace(tmp_path / "ws.sqlite") as workspace:
        assert workspace.assets.count() == 0


def test_download_osm_then_import(tmp_path, serve_json, capsys):
    url = serve_json(FIXTURES / "assets" / "overpass_small.json")
    saved = tmp_path / "osm.json"
    ws = tmp_path / "ws.sqlite"
    code = run(
        [
            "-w",
            str(ws),
            "assets",
            "download-osm",
            str(saved),
            "--bbox",
            "-0.2,51.4,0.1,51.6",
            "--url",
            url + "/api/interpreter",
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert json.loads(saved.read_text())["elements"]
    assert not ws.exists()  # a box needs no workspace: none is created
    capsys.readouterr()
    assert (
        run(["-w", str(ws), "assets", "import", str(saved), "--format", "overpass", "--json"]) == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["created"] >= 2
    assert report["dropped"]  # the unmapped element is reported, not silently lost


def test_download_osm_needs_place_or_box(tmp_path, capsys):
    assert run(["-w", str(tmp_path / "ws.sqlite"), "assets", "download-osm", "x.json"]) == 2
    assert "--place or --bbox" in capsys.readouterr().err


def test_skip_invalid_writes_a_report(tmp_path, capsys):
    source = tmp_path / "halls.csv"
    source.write_text((FIXTURES / "workspace" / "assets_bad.csv").read_text())
    ws = tmp_path / "ws.sqlite"
    assert run(["-w", str(ws), "assets", "import", str(source)]) == 2
    assert "row 2" in capsys.readouterr().err
    assert run(["-w", str(ws), "assets", "import", str(source), "--skip-invalid"]) == 0
    report = (tmp_path / "halls.csv.invalid.csv").read_text()
    assert "Bad Postcode Hall" in report and "postcode" in report and "Bad Latitude" in report
