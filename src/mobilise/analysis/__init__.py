"""Pure analysis functions over pandas, GeoPandas, NetworkX and numpy objects.

Nothing here knows of storage, the web or the CLI: every function can be used from a notebook.
"""

from importlib import import_module
from importlib.util import find_spec


def __getattr__(name: str) -> object:
    """A module of this package, imported when first used (``mobilise.analysis.x`` after
    ``import mobilise``); importing the package itself imports none of them."""
    if name.startswith("__") or find_spec(f"{__name__}.{name}") is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return import_module(f"{__name__}.{name}")
