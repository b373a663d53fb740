"""The house's rules check themselves (docs/architecture.md).

The layer contracts live in pyproject.toml and are checked by import-linter here, so CI fails when
a change breaks one. The other tests start fresh interpreters and look at what an import loaded:
the analysis works in a notebook without the application, and the faces start without the heavy
libraries that only some of their work needs.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import mobilise

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "mobilise"

APPLICATION = ("sqlalchemy", "alembic", "fastapi", "starlette", "uvicorn", "typer")
HEAVY = ("pandas", "numpy", "geopandas", "scipy", "shapely", "networkx", "sklearn", "esda")


def modules_of(package: str) -> list[str]:
    """Every module of a subpackage of mobilise, by name."""
    folder = SRC / package.split(".", 1)[1].replace(".", "/")
    return [f"{package}.{m.name}" for m in pkgutil.iter_modules([str(folder)])]


def loaded_by(*modules: str, then: str = "") -> set[str]:
    """The top-level packages a fresh interpreter has loaded after importing ``modules`` (and
    running the statement ``then``)."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {list(modules)!r}:\n"
        "    importlib.import_module(name)\n"
        f"{then}\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_the_layer_contracts_hold():
    """import-linter checks every contract of pyproject.toml (layers, thin faces, a pure core, a
    light ground floor, no cycles)."""
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint), str(ROOT / "pyproject.toml"), "--no-cache", "--no-logo"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert "BROKEN" not in done.stdout


@pytest.mark.parametrize("package", ["mobilise.analysis", "mobilise.formats", "mobilise.model"])
def test_the_core_loads_without_the_application(package):
    """Importing any analysis, formats or model module loads neither the database layer nor the
    web framework (a notebook needs neither)."""
    modules = modules_of(package)
    assert len(modules) > 5
    found = loaded_by(*modules) & set(APPLICATION)
    if found:  # name the culprits, one fresh interpreter each
        culprits = {m: sorted(loaded_by(m) & set(APPLICATION)) for m in modules}
        pytest.fail(f"{package} loads {sorted(found)}: {[m for m, v in culprits.items() if v]}")


def test_the_issue_check_prints_false():
    """The issue's own check, as written."""
    code = "import mobilise.analysis.access, sys; print('sqlalchemy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_the_ground_floor_is_light():
    """The model offers the faces their vocabularies without loading pandas or the database."""
    found = loaded_by(*modules_of("mobilise.model")) & {*HEAVY, *APPLICATION}
    assert not found, f"the model loads {sorted(found)}"


def test_the_command_line_starts_light():
    """`mobilise --help` builds every command without loading the analysis libraries or the
    database: each command loads what it needs when it runs."""
    build = "import typer.main, mobilise.cli.main as m; typer.main.get_command(m.app)"
    found = loaded_by(then=build) & {*HEAVY, "sqlalchemy", "alembic", "fastapi"}
    assert not found, f"mobilise --help loads {sorted(found)}"


def test_the_web_app_starts_light():
    """A server worker imports the app without the analysis libraries: a page loads them the first
    time it needs them, so workers start fast even on a loaded machine."""
    found = loaded_by("mobilise.web.app") & {*HEAVY, "typer"}
    assert not found, f"the web app loads {sorted(found)} at start"


def test_the_public_api_loads_lazily():
    """`import mobilise` loads nothing of the application until a name is used."""
    found = loaded_by("mobilise") & {*HEAVY, *APPLICATION}
    assert not found, f"import mobilise loads {sorted(found)}"
    assert mobilise.open_workspace.__module__ == "mobilise.workspace.core"
