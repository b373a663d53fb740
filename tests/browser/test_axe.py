"""The accessibility check itself: axe-core finds what it should, so a page that passes it has
been looked at (a check that could not fail would pass every page)."""

from __future__ import annotations


def test_axe_finds_an_image_without_words_and_a_nameless_button(page, axe):
    page.set_content(
        '<!doctype html><html lang="en"><head><title>t</title></head><body><main>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        "<button></button></main></body></html>"
    )
    found = axe(page)
    assert any(v.startswith("image-alt:") for v in found), found
    assert any(v.startswith("button-name:") for v in found), found
    page.set_content(
        '<!doctype html><html lang="en"><head><title>t</title></head><body><main>'
        '<h1>Fine</h1><img alt="A park" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        "<button>Save</button></main></body></html>"
    )
    assert axe(page) == []
