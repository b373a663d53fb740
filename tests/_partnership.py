"""The illustrative demo consortium in a workspace of its own, for the partnership tests of every
face (CLI, web, browser)."""

from __future__ import annotations

from pathlib import Path

from mobilise import Workspace, open_workspace
from mobilise.demo import DEMO_DATA
from mobilise.workspace.demo import build_partnership

PARTNERSHIP = DEMO_DATA / "partnership"


def partnership_workspace(path: Path, *, actor: str = "tester") -> Workspace:
    """A workspace at ``path`` holding the demo places (empty) and the illustrative consortium:
    43 partners and two closed survey rounds. The caller closes it."""
    workspace = open_workspace(path, actor=actor)
    workspace.places.create("northamptonshire", "Northamptonshire")
    workspace.places.create("inner-north-east-london", "Inner north-east London")
    build_partnership(workspace, PARTNERSHIP)
    return workspace
