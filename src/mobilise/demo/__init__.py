"""The demo's bundled real open data for two contrasting places (see ``data/LICENCES.md``).

This package holds data only; the workspace builds the demo from it (``Workspace.demo``).
"""

from pathlib import Path

__all__ = ["DEMO_DATA"]

DEMO_DATA = Path(__file__).parent / "data"
"""The folder of the bundled files, with ``datasets.json`` describing each one's source."""
