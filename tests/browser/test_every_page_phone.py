"""Every page at a phone's size (390 px), as an admin of a shared deployment: it fits the
window and passes axe. The desktop size and the visitor's walk are in test_every_page.py; this
file holds the phone's walk so that make test's workers (a file each) walk both at once."""

from __future__ import annotations

from .test_csp import demo_copy  # noqa: F401 (a fixture: the demo served from a copy)
from .test_every_page import ADMIN, Walk, _walk, served  # noqa: F401 (served: a fixture)


def test_every_page_fits_a_phone_and_passes_axe(browser, served, axe_source, artifacts):  # noqa: F811
    """Every page, as an admin of a shared deployment (who may open them all), at 390 px."""
    url, pages = served
    assert len(pages) > 60
    walk = Walk(url, pages, artifacts / "every-page" / "admin-phone", axe_source)
    _walk(browser, walk, sizes=("phone",), sign_in=ADMIN)
    assert walk.problems == [], "\n".join(walk.problems)
