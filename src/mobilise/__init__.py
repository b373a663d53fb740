"""mobilise: mobilise community assets to tackle health inequalities.

>>> import mobilise
>>> ws = mobilise.open_workspace("consortium.sqlite")          # doctest: +SKIP
>>> [p.name for p in ws.places.list()]                         # doctest: +SKIP
"""

from importlib.metadata import PackageNotFoundError, version

from mobilise.errors import (
    AuthenticationRequired,
    ConfigurationError,
    Conflict,
    MobiliseError,
    NotFound,
    PermissionDenied,
    Problem,
    ValidationError,
)
from mobilise.workspace import Workspace, open_workspace

try:
    __version__ = version("mobilise")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = [
    "AuthenticationRequired",
    "ConfigurationError",
    "Conflict",
    "MobiliseError",
    "NotFound",
    "PermissionDenied",
    "Problem",
    "ValidationError",
    "Workspace",
    "__version__",
    "open_workspace",
]
