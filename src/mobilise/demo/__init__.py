"""The demo: real open data for two contrasting places, bundled with the package, and its builder."""

from mobilise.demo.builder import DEMO_DATA, DEMO_PLACES, build_demo, licences_text

__all__ = ["DEMO_DATA", "DEMO_PLACES", "build_demo", "licences_text"]
