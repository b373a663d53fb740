"""The application layer: one :class:`Workspace` facade with a service per capability.

This is the only layer that combines storage, analysis and formats; every write goes through it, in
one transaction with its audit entries.
"""

from mobilise.workspace.core import Workspace, open_workspace

__all__ = ["Workspace", "open_workspace"]
