"""mobilise partners and mobilise network: the README-style commands, JSON output, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

from mobilise.cli.main import run
from mobilise.errors import NotFound

from ._partnership import partnership_workspace
from .conftest import FIXTURES

NFDI_2019 = FIXTURES / "networks" / "nfdi_netzwerk_2019.csv"
HEALTH = FIXTURES / "networks" / "global_health_io_practices_1970_2017_edges.csv"


def cli(*args: str, workspace: Path) -> list[str]:
    return ["-w", str(workspace), *args]


@pytest.fixture
def demo_partnership(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A workspace holding the demo places (empty) and the illustrative consortium."""
    ws = tmp_path / "ws.sqlite"
    partnership_workspace(ws, actor="local").close()
    capsys.readouterr()
    return ws


def test_partners_import_and_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = tmp_path / "ws.sqlite"
    csv = tmp_path / "partners.csv"
    csv.write_bytes(
        "\ufeffid;name;sector\r\nnhs;Northfield NHS Trust;NHS trust\r\narts;Riverside Arts;arts\r\n".encode()
    )
    assert run(cli("partners", "import", str(csv), "--json", workspace=ws)) == 0
    assert json.loads(capsys.readouterr().out)["created"] == 2
    assert run(cli("partners", "list", "--json", "--sector", "arts", workspace=ws)) == 0
    [arts] = json.loads(capsys.readouterr().out)
    assert (arts["key"], arts["sector"]) == ("arts", "arts_culture")

    bad = tmp_path / "bad.csv"
    bad.write_text("id,name,sector\nx,Somewhere,spaceport\n")
    assert run(cli("partners", "import", str(bad), workspace=ws)) == 2
    err = capsys.readouterr().err
    assert "bad.csv" in err and "row 1" in err and "sector" in err and "Traceback" not in err


def test_partners_edit_leave_and_rejoin(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = tmp_path / "ws.sqlite"
    csv = tmp_path / "partners.csv"
    csv.write_text("id,name,sector,joined\nnhs,Northfield NHS Trust,nhs_trust,2024-01-01\n")
    assert run(cli("partners", "import", str(csv), workspace=ws)) == 0
    capsys.readouterr()
    args = ("partners", "edit", "nhs", "--name", "Northfield Health", "--population", "carers")
    assert run(cli(*args, "--population", "young people", "--json", workspace=ws)) == 0
    edited = json.loads(capsys.readouterr().out)
    assert edited["name"] == "Northfield Health" and edited["sector"] == "nhs_trust"
    assert edited["populations"] == ["carers", "young people"] and edited["version"] == 2
    assert run(cli("partners", "edit", "nhs", workspace=ws)) == 2  # nothing to change
    assert "Say what to change" in capsys.readouterr().err
    assert run(cli("partners", "edit", "nhs", "--sector", "spaceport", workspace=ws)) == 2
    assert "spaceport" in capsys.readouterr().err
    assert run(cli("partners", "edit", "nhs", "--url", "javascript:alert(1)", workspace=ws)) == 2
    capsys.readouterr()

    assert run(cli("partners", "leave", "nhs", "--on", "2025-06-30", workspace=ws)) == 0
    capsys.readouterr()
    assert run(cli("partners", "rejoin", "nhs", "--on", "2025-03-01", workspace=ws)) == 2
    assert "before it left" in capsys.readouterr().err
    assert run(cli("partners", "rejoin", "nhs", "--on", "2026-01-05", workspace=ws)) == 0
    assert "joined again on 2026-01-05" in capsys.readouterr().out
    assert run(cli("partners", "list", "--current", "--json", workspace=ws)) == 0
    [back] = json.loads(capsys.readouterr().out)
    assert [(m["joined_on"], m["left_on"]) for m in back["memberships"]] == [
        ("2024-01-01", "2025-06-30"),
        ("2026-01-05", None),
    ]
    assert run(cli("partners", "rejoin", "nhs", workspace=ws)) == 2  # a member already


def test_a_file_with_repeated_pairs_is_refused_or_one_row_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "ws.sqlite"
    args = ("network", "metrics", str(HEALTH), "--round", "2005", "--json")
    assert run(cli(*args, workspace=ws)) == 2
    err = " ".join(capsys.readouterr().err.split())  # as one line (the console wraps)
    assert "row 983" in err and "again at row 988" in err and "Traceback" not in err
    assert "keep the first or the last (--repeats first or --repeats last)" in err  # issue 17
    assert run(cli(*args, "--repeats", "last", workspace=ws)) == 0
    captured = capsys.readouterr()
    found = json.loads(captured.out)
    assert found["round"]["name"] == "2005" and len(found["left_out"]) == 2
    told = " ".join(captured.err.split())
    assert "row 983" in told and "kept row 988" in told
    assert run(cli(*args, "--repeats", "mean", workspace=ws)) == 2
    assert "repeats must be one of refuse, first, last" in " ".join(capsys.readouterr().err.split())
    stored = ("network", "metrics", "--repeats", "first")
    assert run(cli(*stored, workspace=ws)) == 2
    assert "--repeats is for a FILE" in " ".join(capsys.readouterr().err.split())

    imported = ("network", "import", str(HEALTH), "--default-sector", "academic", "--json")
    assert run(cli(*imported, workspace=ws)) == 2
    capsys.readouterr()
    assert run(cli(*imported, "--repeats", "first", workspace=ws)) == 0
    summary = json.loads(capsys.readouterr().out)
    assert "2 repeated rows left out" in summary["notes"] and summary["created"] == 8


def test_network_metrics_of_a_stored_round(
    demo_partnership: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(cli("network", "rounds", "--json", workspace=demo_partnership)) == 0
    rounds = json.loads(capsys.readouterr().out)
    assert [r["submitted"] for r in rounds] == [32, 31]
    args = ("network", "metrics", "--round", "Round 1 — spring 2025", "--json")
    assert run(cli(*args, workspace=demo_partnership)) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert (metrics["partners"], metrics["respondents"], metrics["ties"]) == (40, 32, 222)
    assert metrics["suppressed"] is True and metrics["ei"]["permutations"] == 1000
    assert run(cli("network", "metrics", workspace=demo_partnership)) == 0
    out = capsys.readouterr().out
    assert "Round 2 — spring 2026" in out and "31 of 41 partners answered" in out


def test_network_change_between_rounds(
    demo_partnership: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("network", "change", "Round 1 — spring 2025", "Round 2 — spring 2026")
    assert run(cli(*args, "--json", workspace=demo_partnership)) == 0
    change = json.loads(capsys.readouterr().out)
    assert (change["kept"], change["new"], change["lost"]) == (260, 67, 14)
    assert change["introductions"] and all(i["reason"] for i in change["introductions"])
    assert run(cli(*args, workspace=demo_partnership)) == 0
    out = capsys.readouterr().out
    assert "260 were kept, 67 are new and 14 were lost" in out and "Fading ties" in out
    args = ("network", "change", "Round 1 — spring 2025", "Round 9")
    assert run(cli(*args, workspace=demo_partnership)) == NotFound.exit_code
    err = capsys.readouterr().err
    assert "Round 9" in err


def test_network_metrics_on_an_edge_list_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(cli("network", "metrics", str(NFDI_2019), "--json", workspace=tmp_path / "x")) == 0
    metrics = json.loads(capsys.readouterr().out)
    raw = nx.read_edgelist(NFDI_2019, delimiter=";", create_using=nx.DiGraph)
    raw.remove_nodes_from(["from", "to"])
    assert metrics["partners"] == raw.number_of_nodes()
    assert metrics["ties"] == raw.to_undirected().number_of_edges()
    assert metrics["ei"] is None  # no sectors in the file: no sector measures
    assert not (tmp_path / "x").exists()  # a file needs no workspace


def test_survey_round_invite_and_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = tmp_path / "ws.sqlite"
    csv = tmp_path / "partners.csv"
    csv.write_text("id,name,sector,joined\na,Alpha,vcse,2025-01-01\nb,Beta,icb,2025-01-01\n")
    run(cli("partners", "import", str(csv), workspace=ws))
    assert (
        run(cli("network", "new-round", "Spring", "--date", "2026-04-01", "--open", workspace=ws))
        == 0
    )
    assert run(cli("network", "invite", "Spring", "--json", workspace=ws)) == 0
    capsys.readouterr()
    assert run(cli("network", "invite", "Spring", "--json", "--partner", "a", workspace=ws)) == 0
    links = json.loads(capsys.readouterr().out)
    assert [link["partner_name"] for link in links] == ["Alpha"]
    assert links[0]["url"].startswith("http://127.0.0.1:8765/survey/")
    assert run(cli("network", "status", "Spring", "--json", workspace=ws)) == 0
    assert {r["status"] for r in json.loads(capsys.readouterr().out)} == {"invited"}
    out = tmp_path / "round.graphml"
    assert run(cli("network", "export", "Spring", "-o", str(out), workspace=ws)) == 0
    assert nx.read_graphml(out).number_of_nodes() == 2


def test_network_export_refuses_an_unknown_format_and_writes_nothing(
    demo_partnership: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "round.json"
    args = ("network", "export", "Round 1 — spring 2025", "-o", str(out))
    assert run(cli(*args, workspace=demo_partnership)) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "round.json" in err and ".csv, .graphml or .gexf" in err and "Traceback" not in err
    assert not out.exists()
    out = tmp_path / "round.gexf"
    assert run(cli(*args[:-1], str(out), workspace=demo_partnership)) == 0
    assert "Wrote" in capsys.readouterr().out
    assert nx.read_gexf(out).number_of_nodes() == 40
