"""The project package (issue 20, item 1): written, validated with frictionless, read back; a
bad resource, a wrong schema, a personal field and an unsuppressed small cell are refused, each
named (resource, row, field)."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from mobilise.errors import ValidationError
from mobilise.formats.project_package import RESOURCES, read_package, write_package
from mobilise.model.methods_vocab import METHODS, method_label

META = {
    "key": str(uuid.UUID(int=7)),
    "title": "Green spaces together",
    "lead_organisation": "A university",
    "places": [{"name": "Testtown", "code": "testtown", "lat": 51.5, "lon": -0.1}],
    "focus": "Parks and health",
    "partner_types": ["local authority", "voluntary sector"],
    "metadata_only": False,
    "release": 1,
    "released_at": "2026-12-07T10:00:00+00:00",
    "software": "mobilise 0.1",
    "disclosure_k": 5,
}


def _tables() -> dict[str, pd.DataFrame]:
    return {
        "methods": pd.DataFrame(
            {"method": ["world_cafe", "photovoice"], "used": [True, True], "said": ["=good", ""]}
        ),
        "assets": pd.DataFrame({"place": ["testtown"], "category": ["library"], "count": [4]}),
        "reach": pd.DataFrame(
            {
                "dimension": ["age_band"] * 3 + ["sex"] * 2,
                "group": ["16_24", "25_34", "65_plus", "female", "male"],
                "count": [20, None, None, 15, 12],
                "suppressed": [False, True, True, False, False],
            }
        ),
        "themes": pd.DataFrame(
            {
                "theme": ["Safety", "Cost"],
                "definition": ["Feeling safe", "What it costs"],
                "kind": ["barrier", "other"],
                "segments": [12, 2],
                "contributors": [8, None],
            }
        ),
    }


def _zip(tables=None, meta=None, public=None) -> bytes:
    out = io.BytesIO()
    write_package(meta or META, tables or _tables(), out, public=public or {"methods": True})
    return out.getvalue()


def _edit(data: bytes, change) -> bytes:
    """The package with its files changed by ``change(files)`` (name -> bytes)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    change(files)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return out.getvalue()


def _descriptor(files) -> dict:
    return json.loads(files["datapackage.json"])


def _refused(data: bytes, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as error:
        read_package(data, **kwargs)
    return error.value


def test_written_package_validates_with_frictionless_and_reads_back(tmp_path: Path):
    import frictionless

    data = _zip()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(tmp_path)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "message"])
    package = read_package(data)
    assert package.meta["title"] == "Green spaces together"
    assert package.public == {"methods": True, "assets": False, "reach": False, "themes": False}
    reach = package.tables["reach"]
    assert reach["count"].isna().tolist() == [False, True, True, False, False]
    assert package.tables["methods"]["said"].tolist()[0] == "=good"  # guarded, then unguarded
    assert len(package.sha256) == 64
    # a directory package reads the same
    folder = tmp_path / "dir"
    folder.mkdir()
    write_package(META, _tables(), folder, public={})
    assert read_package(folder).tables["assets"]["count"].tolist() == [4]


def test_a_formula_is_not_a_formula_in_the_csv():
    with zipfile.ZipFile(io.BytesIO(_zip())) as archive:
        text = archive.read("data/methods.csv").decode()
    assert "'=good" in text


def test_an_unknown_resource_is_refused_naming_it():
    def add(files):
        descriptor = _descriptor(files)
        descriptor["resources"].append(
            {"name": "people", "path": "data/people.csv", "mobilise:public": False, "schema": {}}
        )
        files["datapackage.json"] = json.dumps(descriptor).encode()
        files["data/people.csv"] = b"a\n1\n"

    error = _refused(_edit(_zip(), add))
    assert any(p.file == "people" and "unknown resource" in p.message for p in error.problems)


def test_a_bad_resource_is_refused_naming_row_and_field():
    def spoil(files):
        files["data/assets.csv"] = b"place,category,count\ntesttown,library,lots\n"

    error = _refused(_edit(_zip(), spoil))
    problem = error.problems[0]
    assert (problem.file, problem.row, problem.field) == ("assets", 1, "count")


def test_a_wrong_schema_is_refused():
    def retype(files):
        descriptor = _descriptor(files)
        assets = next(r for r in descriptor["resources"] if r["name"] == "assets")
        assets["schema"]["fields"][2]["type"] = "string"
        files["datapackage.json"] = json.dumps(descriptor).encode()

    error = _refused(_edit(_zip(), retype))
    assert any(p.file == "assets" and p.field == "schema" for p in error.problems)


def test_an_email_column_is_refused_as_personal():
    def add_email(files):
        descriptor = _descriptor(files)
        assets = next(r for r in descriptor["resources"] if r["name"] == "assets")
        assets["schema"]["fields"].append({"name": "email", "type": "string"})
        files["datapackage.json"] = json.dumps(descriptor).encode()
        files["data/assets.csv"] = b"place,category,count,email\ntesttown,library,4,a@b.org\n"

    error = _refused(_edit(_zip(), add_email))
    assert any(
        p.file == "assets" and p.field == "email" and "personal" in p.message
        for p in error.problems
    )


@pytest.mark.parametrize(
    "value",
    ["jo.bloggs@example.org", "call 07700 900123", "lives at NW1 2DB"],
)
def test_personal_values_are_refused(value):
    tables = _tables()
    tables["methods"].loc[0, "said"] = value
    with pytest.raises(ValidationError) as error:
        _zip(tables)
    assert error.value.problems[0].field == "said"

    def put(files):
        files["data/methods.csv"] = f"method,used,said\nworld_cafe,true,{value}\n".encode()

    problem = _refused(_edit(_zip(), put)).problems[0]
    assert (problem.file, problem.row, problem.field) == ("methods", 1, "said")


def test_area_codes_and_place_names_are_not_postcodes():
    tables = _tables()
    tables["assets"] = pd.DataFrame(
        {"place": ["E01000001", "Kettering"], "category": ["library", "faith"], "count": [3, 9]}
    )
    assert len(read_package(_zip(tables)).tables["assets"]) == 2


def test_an_unsuppressed_small_cell_is_refused():
    def small(files):
        files["data/reach.csv"] = (
            b"dimension,group,count,suppressed\nsex,female,30,false\nsex,male,2,false\n"
        )

    problem = _refused(_edit(_zip(), small)).problems[0]
    assert (problem.file, problem.row, problem.field) == ("reach", 2, "count")
    assert "below k=5" in problem.message
    with pytest.raises(ValidationError):
        tables = _tables()
        tables["themes"].loc[1, "contributors"] = 3
        _zip(tables)


def test_a_suppressed_cell_recoverable_from_the_total_is_refused():
    def one_hidden(files):
        files["data/reach.csv"] = (
            b"dimension,group,count,suppressed\n"
            b"sex,female,30,false\nsex,male,,true\n"
            b"age_band,16_24,20,false\nage_band,25_34,12,false\n"
        )

    error = _refused(_edit(_zip(), one_hidden))
    assert "worked out" in error.problems[0].message
    assert error.problems[0].file == "reach"

    def two_tiny(files):  # two hidden, but the total shows they add up to 2
        files["data/reach.csv"] = (
            b"dimension,group,count,suppressed\n"
            b"sex,female,30,false\nsex,male,,true\nsex,other,,true\n"
            b"age_band,16_24,20,false\nage_band,25_34,12,false\n"
        )

    assert "gives them away" in _refused(_edit(_zip(), two_tiny)).problems[0].message


def test_the_reader_takes_the_stricter_k():
    tables = _tables()
    tables["assets"]["count"] = [4]
    data = _zip(tables)
    assert read_package(data, k=3)  # counts of assets are not people
    tables["reach"].loc[0, "count"] = 6
    tables["reach"].loc[3:4, "count"] = [12, 12]
    data = _zip(tables)
    error = _refused(data, k=10)
    assert "below k=10" in error.problems[0].message


def test_an_unknown_method_is_refused():
    tables = _tables()
    tables["methods"].loc[0, "method"] = "seance"
    with pytest.raises(ValidationError) as error:
        _zip(tables)
    assert error.value.problems[0].field == "method"


def test_bad_metadata_is_named():
    meta = {**META, "release": 0, "key": "nope", "places": [{"lat": 400}]}
    with pytest.raises(ValidationError) as error:
        _zip(meta=meta)
    fields = {p.field for p in error.value.problems}
    assert {"release", "key", "places[1]"} <= fields


def test_a_metadata_only_package_holds_only_methods():
    meta = {**META, "metadata_only": True}
    data = _zip({"methods": _tables()["methods"]}, meta=meta)
    assert list(read_package(data).tables) == ["methods"]

    def add_assets(files):
        descriptor = _descriptor(files)
        full = _descriptor(_files(_zip()))
        descriptor["resources"].append(next(r for r in full["resources"] if r["name"] == "assets"))
        files["datapackage.json"] = json.dumps(descriptor).encode()
        files["data/assets.csv"] = b"place,category,count\ntesttown,library,4\n"

    assert "metadata-only" in str(_refused(_edit(data, add_assets)))


def _files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_path_outside_the_package_or_a_stray_file_is_refused():
    def elsewhere(files):
        descriptor = _descriptor(files)
        descriptor["resources"][0]["path"] = "https://example.org/methods.csv"
        files["datapackage.json"] = json.dumps(descriptor).encode()
        files["notes.txt"] = b"names of people"

    error = _refused(_edit(_zip(), elsewhere))
    messages = " ".join(p.message for p in error.problems)
    assert "its path must be" in messages and "no resource describes" in messages


def test_limits_are_named():
    from mobilise.settings import Limits

    error = _refused(_zip(), limits=Limits(max_upload_mb=0))
    assert "max_upload_mb" in str(error)


def test_not_a_zip_is_a_validation_error():
    error = _refused(b"not a zip at all")
    assert "not a zip" in str(error)


def test_every_method_has_a_label_and_definition():
    assert len(METHODS) >= 16
    for key, method in METHODS.items():
        assert method.label and method.definition.endswith(".")
        label, _definition = method
        assert method_label(key) == label
    assert set(RESOURCES) >= {"methods", "reach", "themes", "access"}
