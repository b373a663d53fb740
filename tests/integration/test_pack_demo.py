"""Evidence packs of the demo places (issue 18, acceptance): a pack for each demo place and a
comparison pack are made; their PDFs are turned into images (pdftoppm) and text (pdftotext); the
page count agrees, the key facts are in the text, and no count of people below the disclosure
threshold is printed. Needs poppler-utils (``pdftoppm``, ``pdftotext``)."""

from __future__ import annotations

import html as entities
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from mobilise import open_workspace

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("pdftotext")),
    reason="poppler-utils (pdftoppm, pdftotext) is not installed",
)

LONDON, NORTHANTS = "inner-north-east-london", "northamptonshire"


@pytest.fixture(scope="module")
def packs(demo_workspace, tmp_path_factory):
    """A copy of the demo workspace (the shared one stays as it is) and its packs: the board
    pack of one place, the community pack of the other, and the two side by side."""
    folder = tmp_path_factory.mktemp("packs")
    copy = folder / "demo.sqlite"
    with sqlite3.connect(demo_workspace.engine.url.database) as live, sqlite3.connect(copy) as to:
        live.backup(to)
    ws = open_workspace(copy, actor="tester")
    made = {
        "board": ws.packs.build(NORTHANTS, audience="board"),
        "community": ws.packs.build(LONDON, audience="community"),
        "comparison": ws.packs.build(LONDON, compare=[NORTHANTS], audience="funder"),
    }
    yield ws, made, folder
    ws.close()


def _pdf_text(path: Path) -> str:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return " ".join(text.split())


def _key_facts(page: str) -> list[str]:
    block = re.search(r'<section class="key-facts".*?</section>', page, flags=re.S)
    assert block is not None
    items = re.findall(r"<li>(.*?)</li>", block.group(0), flags=re.S)
    return [" ".join(entities.unescape(i).split()) for i in items]


def _people_counts(page: str) -> list[str]:
    """The first count of each row of every table that counts people (took part, voices)."""
    found = []
    for table in re.findall(r"<table>.*?</table>", page, flags=re.S):
        if "Took part" not in table and "Voices" not in table:
            continue
        for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]:
            found += re.findall(r"<td>([^<]*)</td>", row)[:1]
    return found


@pytest.mark.parametrize("which", ["board", "community", "comparison"])
def test_each_pack_reads_as_its_reader_sees_it(packs, which, artifacts):
    ws, made, folder = packs
    pack = made[which]
    assert pack.status == "done"
    pdf = folder / f"{which}.pdf"
    ws.packs.save(pack.id, pdf)
    # every page rendered as an image: as many as the pack says, a sensible length
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(folder / which)], check=True)
    images = sorted(folder.glob(f"{which}-*.png"))
    assert len(images) == pack.pages
    assert 3 <= len(images) <= (20 if which == "comparison" else 14)
    shutil.copy(images[0], artifacts / f"pack-{which}-page-1.png")
    # the key facts, in plain words, are in the PDF's text, and come first
    page = ws.packs.html(pack.id)
    facts = _key_facts(page)
    assert len(facts) >= 5
    text = _pdf_text(pdf)
    for fact in facts:
        assert fact in text, fact
    assert text.index(facts[0]) < text.index("Sources")
    # no count of people from 1 to k - 1 is printed; such counts say "fewer than k"
    k = int(ws.project_settings.get("disclosure_k"))
    counts = _people_counts(page)
    assert counts and not {str(n) for n in range(1, k)} & set(counts)
    assert f"fewer than {k}" in text


def test_the_comparison_pack_sets_the_places_side_by_side(packs):
    ws, made, _ = packs
    manifest = ws.packs.manifest(made["comparison"].id)
    assert manifest["compare"] == [NORTHANTS]
    section = next(s for s in manifest["sections"] if s["key"] == "comparison")
    assert section["available"], section["note"]
    assert section["inputs"]["places"] == [LONDON, NORTHANTS]
    # the manifest names the runs and data it read
    access = next(
        s for s in ws.packs.manifest(made["board"].id)["sections"] if s["key"] == "access"
    )
    assert access["inputs"]["access_run"] and access["inputs"]["data_versions"]
