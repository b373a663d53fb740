"""Docs that cannot drift: settings, the CLI reference, the README's commands."""

from __future__ import annotations

import re
from pathlib import Path

from mobilise.cli.docs import cli_reference
from mobilise.cli.main import app
from mobilise.settings import setting_names

ROOT = Path(__file__).parent.parent


def test_every_setting_is_documented():
    text = (ROOT / "docs" / "settings.md").read_text()
    missing = [name for name in setting_names() if f"`{name}`" not in text]
    assert missing == []


def test_cli_reference_is_current():
    committed = (ROOT / "docs" / "cli.md").read_text()
    assert committed == cli_reference(app), "run: python -m mobilise.cli.docs > docs/cli.md"


def test_readme_commands_exist():
    readme = (ROOT / "README.md").read_text()
    makefile = (ROOT / "Makefile").read_text()
    for target in re.findall(r"^make (\w+)", readme, flags=re.M):
        assert re.search(rf"^{target}:", makefile, flags=re.M), target
    assert "make demo" in readme and "make test" in readme
    commands = set(re.findall(r"^mobilise(?: -w \S+)? ([a-z-]+)", readme, flags=re.M))
    reference = (ROOT / "docs" / "cli.md").read_text()
    for command in commands:
        assert f"`mobilise {command}" in reference, command


def test_ci_runs_make_test():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
