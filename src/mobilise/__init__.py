"""mobilise: mobilise community assets to tackle health inequalities.

>>> import mobilise
>>> ws = mobilise.open_workspace("consortium.sqlite")          # doctest: +SKIP
>>> [p.name for p in ws.places.list()]                         # doctest: +SKIP

The names below load lazily (SPEC 1): ``import mobilise.analysis.access`` in a notebook loads
neither the workspace nor SQLAlchemy nor FastAPI; ``mobilise.open_workspace`` loads the workspace
the first time it is used.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    __version__: str
    from mobilise.errors import (
        AuthenticationRequired,
        ConfigurationError,
        Conflict,
        MobiliseError,
        NotFound,
        PermissionDenied,
        Problem,
        RateLimited,
        ValidationError,
    )
    from mobilise.workspace import Workspace, open_workspace

_LAZY = {
    "AuthenticationRequired": "mobilise.errors",
    "ConfigurationError": "mobilise.errors",
    "Conflict": "mobilise.errors",
    "MobiliseError": "mobilise.errors",
    "NotFound": "mobilise.errors",
    "PermissionDenied": "mobilise.errors",
    "Problem": "mobilise.errors",
    "RateLimited": "mobilise.errors",
    "ValidationError": "mobilise.errors",
    "Workspace": "mobilise.workspace",
    "open_workspace": "mobilise.workspace",
}

_SUBMODULES = frozenset(
    {"analysis", "cli", "demo", "errors", "formats", "geo", "model", "settings", "store", "web"}
    | {"workspace", "serve"}
)

__all__ = [
    "AuthenticationRequired",
    "ConfigurationError",
    "Conflict",
    "MobiliseError",
    "NotFound",
    "PermissionDenied",
    "Problem",
    "RateLimited",
    "ValidationError",
    "Workspace",
    "__version__",
    "open_workspace",
]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mobilise")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        return "0.0.0"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value: Any = _version()
        globals()[name] = value
        return value
    if name in _SUBMODULES:  # `import mobilise; mobilise.analysis.access` works as it did
        return import_module(f"mobilise.{name}")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mobilise' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
