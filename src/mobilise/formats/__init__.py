"""Readers and writers for external file formats; no storage, web or CLI here.

Each reader takes a path first and named options after it, returns plain pandas / GeoPandas objects
(or a small dataclass of them), and reports every problem in a file at once as one
:class:`mobilise.errors.ValidationError` whose problems name the file, row and field.

Modules
-------
indicators
    :class:`~mobilise.formats.indicators.IndicatorMeta`, ``IndicatorData``, ``national_breaks`` and
    ``read_indicator_csv`` for any small-area indicator CSV (wide or long).
imd
    English Indices of Deprivation 2019 files (MHCLG Files 1, 2, 6, 8 and mySociety's scores):
    ``IOD_INDICATORS``, ``read_iod``, ``read_iod_population``.
ons
    ONS boundary files (GeoJSON, GeoPackage, shapefile): ``read_boundaries`` -> ``BoundaryData``.
lookups
    ONS lookups between geographies, rural-urban classification and area centroids.
postcodes
    Postcode -> LSOA and coordinates lookups (OS Code-Point Open with LSOA 2011).
oruk
    Open Referral UK 3.0 feeds read as community assets: ``read_oruk_services``,
    ``fetch_oruk_feed``, and ``validate`` against the bundled ORUK 3.0 schemas.
oruk_feed
    Open Referral UK 3.0 documents of mobilise's own feed, built from stored assets:
    ``service_json``, ``organization_json``, ``taxonomy_json``, ``page_wrapper`` and the rest.
arts_council
    Arts Council England's Investment Programme: ``read_funded_organisations`` and
    ``link_funded_organisations`` (a venue of another source gets its funded organisation).

Importing this package imports none of them, so ``import mobilise.formats`` stays cheap.
"""

from importlib import import_module
from importlib.util import find_spec


def __getattr__(name: str) -> object:
    """A module of this package, imported when first used (``mobilise.formats.x`` after
    ``import mobilise``); importing the package itself imports none of them."""
    if name.startswith("__") or find_spec(f"{__name__}.{name}") is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return import_module(f"{__name__}.{name}")
