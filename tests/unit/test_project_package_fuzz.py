"""The project package reader on any input (issue 20, item 1): any bytes give a package or a
ValidationError, never another exception; so do packages whose descriptor or CSVs are mangled."""

from __future__ import annotations

import contextlib
import io
import json
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobilise.errors import ValidationError
from mobilise.formats.project_package import read_package

from .test_project_package import _zip

VALID = _zip()


def _read(data: bytes, *, frictionless: bool = False) -> None:
    with contextlib.suppress(ValidationError):
        read_package(data, frictionless=frictionless)


def _package(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return out.getvalue()


def _files() -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(VALID)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_any_bytes_are_a_package_or_a_validation_error(data):
    _read(data)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=len(VALID) - 1), st.binary(min_size=1, max_size=8))
def test_a_damaged_zip_is_a_validation_error(at, junk):
    _read(VALID[:at] + junk + VALID[at + len(junk) :])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["mobilise:project", "resources", "mobilise:profile", "title"]), json_values)
def test_a_mangled_descriptor_is_a_validation_error(key, value):
    files = _files()
    descriptor = json.loads(files["datapackage.json"])
    descriptor[key] = value
    files["datapackage.json"] = json.dumps(descriptor).encode()
    _read(_package(files))


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(["data/methods.csv", "data/reach.csv", "data/themes.csv"]),
    st.text(max_size=300),
)
def test_a_mangled_csv_is_a_validation_error(member, text):
    files = _files()
    files[member] = text.encode("utf-8", errors="surrogatepass")
    _read(_package(files), frictionless=True)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=0, max_value=30),
    st.dictionaries(st.text(max_size=12), json_values, max_size=3),
)
def test_a_mangled_resource_is_a_validation_error(which, extra):
    files = _files()
    descriptor = json.loads(files["datapackage.json"])
    resources = descriptor["resources"]
    resources[which % len(resources)].update(extra)
    files["datapackage.json"] = json.dumps(descriptor).encode()
    _read(_package(files))
