"""The one convention for the workspace's file verbs (workspace/_files.py): what a source is
called in messages, the private copies readers get, and exports that reach their target only
when complete."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mobilise.errors import ValidationError
from mobilise.workspace._files import (
    read_bytes,
    reading_path,
    source_name,
    write_bytes,
    writing_path,
)


def test_a_path_keeps_its_own_name_in_messages(tmp_path):
    assert source_name(tmp_path / "demand (2021).csv") == "demand (2021).csv"
    assert source_name(str(tmp_path / "démand.csv")) == "démand.csv"


def test_an_upload_names_only_its_last_part():
    assert source_name(b"", "C:\\Users\\ana\\partners.csv") == "partners.csv"
    assert source_name(io.BytesIO(), "../../etc/passwd") == "passwd"
    assert source_name(b"") == "upload"


@given(st.text(max_size=80))
def test_any_upload_name_gives_a_private_copy_inside_its_folder(name):
    with reading_path(b"data", name=name) as path:
        assert path.read_bytes() == b"data"
        assert path.parent.name.startswith("mobilise-")
        assert path.parent.resolve() in path.resolve().parents


@pytest.mark.parametrize("kind", ["path", "bytes", "stream"])
def test_every_source_reads_the_same(tmp_path, kind):
    file = tmp_path / "areas.csv"
    file.write_bytes(b"code\nE01000001\n")
    source = {"path": file, "bytes": file.read_bytes(), "stream": file.open("rb")}[kind]
    with reading_path(source, name="areas.csv") as path:
        assert path.name == "areas.csv" and path.read_bytes() == b"code\nE01000001\n"
    assert read_bytes(file) == file.read_bytes()


def test_an_export_that_fails_leaves_the_old_file_and_nothing_else(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError), writing_path(target, name="out.csv") as path:
        assert path.suffix == ".csv"  # writers that choose by suffix still can
        path.write_text("half")
        raise RuntimeError("the writer failed")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_an_export_reaches_a_path_or_a_stream_whole(tmp_path):
    write_bytes(tmp_path / "new" / "out.csv", b"a,b\n")
    assert (tmp_path / "new" / "out.csv").read_bytes() == b"a,b\n"
    stream = io.BytesIO()
    with writing_path(stream, name="out.gpkg") as path:
        path.write_bytes(b"whole")
    assert stream.getvalue() == b"whole"


def test_an_export_to_a_folder_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(ValidationError, match="is a folder"), writing_path(tmp_path, name="x"):
        pytest.fail("the writer must not run")
    assert list(tmp_path.iterdir()) == [] and not list(Path(tmp_path.parent).glob(".*partial*"))
