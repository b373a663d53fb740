"""REFI-QDA (.qdpx) files (issue 16, item 4): what is written follows the REFI-QDA schema
(Project-mrt2019.xsd) and reads back to the same codes and spans; hostile files are refused
with a 422 naming the file."""

from __future__ import annotations

import io
import uuid
import zipfile

import pytest

from mobilise.errors import ValidationError
from mobilise.formats import refi_qda
from mobilise.settings import Limits


def _guid() -> str:
    return str(uuid.uuid4())


def _project() -> refi_qda.QdaProject:
    green, parks, cost = _guid(), _guid(), _guid()
    ana, bo = refi_qda.user_guid("ana"), refi_qda.user_guid("bo")
    source = refi_qda.QdaSource(
        _guid(),
        "Café: quote 1",
        "The park is lovely, but the bus costs too much — ça coûte",
        [
            refi_qda.QdaSelection(_guid(), green, ana, 0, 18, "the park"),
            refi_qda.QdaSelection(_guid(), cost, bo, 23, 57),
            refi_qda.QdaSelection(_guid(), parks, bo),  # the whole source
        ],
    )
    return refi_qda.QdaProject(
        name="testtown",
        users={ana: "ana", bo: "bo"},
        codes=[
            refi_qda.QdaCode(green, "Green space", "Parks & trees <3", "#1b7837",
                             [refi_qda.QdaCode(parks, "Parks")]),
            refi_qda.QdaCode(cost, "Cost and transport"),
        ],
        sources=[source],
    )  # fmt: skip


def test_an_export_follows_the_schema_and_reads_back_the_same():
    project = _project()
    data = refi_qda.write_qdpx(project)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        refi_qda.validate(archive.read("project.qde"))
        assert set(archive.namelist()) == {"project.qde", f"Sources/{project.sources[0].guid}.txt"}
    back = refi_qda.read_qdpx(data)
    assert back.users == project.users
    assert back.codes == project.codes
    assert back.sources[0].text == project.sources[0].text

    def spans(p):
        return sorted(
            (s.code, s.user, s.start, s.end, s.description) for s in p.sources[0].selections
        )

    assert spans(back) == spans(project)


def test_the_schema_refuses_what_is_not_a_project():
    bad = f'<Project xmlns="{refi_qda.NAMESPACE}"><Users><User name="x"/></Users></Project>'
    with pytest.raises(ValidationError) as error:
        refi_qda.validate(bad.encode())
    assert "REFI-QDA schema" in str(error.value)
    assert error.value.problems[0].row == 1


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&lol2;"/>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&x;"/>"""


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"not a zip", "not a zip"),
        (_zip({"other.xml": b"<a/>"}), "no project.qde"),
        (_zip({"project.qde": LAUGHS}), "DOCTYPE"),
        (_zip({"project.qde": EXTERNAL}), "DOCTYPE"),
        (_zip({"project.qde": b"<Project"}), "not well-formed"),
        (_zip({"project.qde": b"<Other/>"}), "not a REFI-QDA project"),
        (_zip({"project.qde": b"<a>" * 100 + b"</a>" * 100}), "nests deeper"),
    ],
)
def test_hostile_or_broken_files_are_refused_naming_the_file(data, said):
    with pytest.raises(ValidationError) as error:
        refi_qda.read_qdpx(data, name="up.qdpx")
    assert said in str(error.value) or said in str(error.value.problems)
    assert "up.qdpx" in str(error.value)


def test_limits_on_size_entries_and_inflation(monkeypatch):
    with pytest.raises(ValidationError) as error:
        refi_qda.read_qdpx(b"x" * (1024 * 1024 + 1), limits=Limits(max_upload_mb=1))
    assert "max_upload_mb" in str(error.value)
    monkeypatch.setattr(refi_qda, "MAX_ENTRIES", 3)
    many = _zip({f"Sources/{i}.txt": b"x" for i in range(4)} | {"project.qde": b"<a/>"})
    with pytest.raises(ValidationError, match="entries"):
        refi_qda.read_qdpx(many)
    bomb = _zip({"project.qde": b"<a/>", "Sources/big.txt": b"0" * (3 * 1024 * 1024)})
    with pytest.raises(ValidationError, match=r"max_decompressed_mb|max_compression_ratio"):
        refi_qda.read_qdpx(bomb, limits=Limits(max_decompressed_mb=1, max_compression_ratio=2))
