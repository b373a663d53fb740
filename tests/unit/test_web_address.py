"""Web addresses without a scheme (and other ways sources write them) are kept as http(s) URLs,
and the change is recorded beside the asset (issue 21, item 3)."""

from __future__ import annotations

import csv
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mobilise.formats import oruk_feed
from mobilise.formats._oruk_checks import is_uri
from mobilise.formats._web_address import bare, web_address
from mobilise.formats.assets import read_assets

BASE = "https://feed.example.org/oruk"


@pytest.mark.parametrize(
    ("given", "url", "note"),
    [
        ("www.hackneyshowroom.com", "https://www.hackneyshowroom.com", "https:// added"),
        ("cellprojects.org", "https://cellprojects.org", "https:// added"),
        ("www.hoxtonhall.co.uk/hire/", "https://www.hoxtonhall.co.uk/hire/", "https:// added"),
        ("http/colomba.london", "http://colomba.london", "scheme corrected (was 'http/')"),
        ("https:x.org", "https://x.org", "scheme corrected (was 'https:')"),
        ("//cdn.example.org/a", "https://cdn.example.org/a", "https: added"),
        ("https://www.camdenartscentre.org", "https://www.camdenartscentre.org", ""),
        ("HTTP://Example.org/A", "http://example.org/A", "scheme corrected (was 'HTTP://')"),
        ("http://www.whitechapel.org/#", "http://www.whitechapel.org/", ""),
        ("www.\u200brpsgb.\u200borg/\u200bmuseum", "https://www.rpsgb.org/museum",
         "invisible characters removed; https:// added"),
        # the same zero-width spaces, their UTF-8 read as Latin-1 on the way (as in the GLA file)
        ("www.\u00e2\u0080\u008bfusiliermuseumlondon.\u00e2\u0080\u008borg",
         "https://www.fusiliermuseumlondon.org", "invisible characters removed; https:// added"),
        ("www.arbeit.org.uk / www.arebyte.com", "https://www.arbeit.org.uk",
         "https:// added; the first of 2 addresses kept (also: www.arebyte.com)"),
        ("Absorb-arts.co.uk and printclublondon.com", "https://absorb-arts.co.uk",
         "https:// added; the first of 2 addresses kept (also: printclublondon.com)"),
        ("https://münchen.de/ä", "https://xn--mnchen-3ya.de/%C3%A4", "characters percent-encoded"),
        ("info@chatspalace.co.uk", "", "an email address, not a web address"),
        ("mailto:info@example.org", "", "an email address, not a web address"),
        ("javascript:alert(1)", "", "not a web address"),
        ("ftp://example.org", "", "not a web address"),
        ("not a url", "", "not a web address"),
        ("localhost", "", "not a web address"),
        ("", "", ""),
        ("  ", "", ""),
    ],
)  # fmt: skip
def test_web_addresses_as_sources_write_them(given: str, url: str, note: str) -> None:
    assert web_address(given) == (url, note)


_LABEL = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
_PATH = st.from_regex(r"(?:/[A-Za-z0-9._~-]{0,8}){0,3}", fullmatch=True)


@given(
    labels=st.lists(_LABEL, min_size=1, max_size=3),
    tld=st.from_regex(r"[a-z]{2,6}", fullmatch=True),
    path=_PATH,
)
def test_a_domain_without_a_scheme_gets_https(labels: list[str], tld: str, path: str) -> None:
    address = ".".join([*labels, tld]) + path
    assert web_address(address) == (f"https://{address}", "https:// added")
    assert web_address(f"https://{address}") == (f"https://{address}", "")


@given(st.text(max_size=80) | st.from_regex(r"(https?[:/]{0,3})?[\w.\-/ ]{0,40}", fullmatch=True))
def test_any_cell_gives_a_valid_http_address_or_nothing(text: str) -> None:
    url, note = web_address(text)
    if url:
        parts = urlsplit(url)
        assert is_uri(url) and url.isascii()
        assert parts.scheme in ("http", "https") and parts.hostname
        assert web_address(url) == (url, "")  # normalising again changes nothing
    elif bare(text):
        assert note  # what could not be kept is said


def test_the_feed_keeps_addresses_the_old_feed_dropped() -> None:
    """The feed writes every address through the same normaliser as the readers."""
    asset = {
        "id": "6c0b1b5e-0d5f-4b8e-9a39-1f7d0e1d2c3b",
        "name": "117 Wallis Road",
        "url": "www.arbeit.org.uk / www.arebyte.com",
    }
    document = oruk_feed.service_json(asset, base_url=BASE)
    assert document["url"] == "https://www.arbeit.org.uk"
    organisation = {"id": asset["id"], "name": "Arebyte", "url": "www.\u200barebyte.com"}
    assert oruk_feed.organization_json(organisation, base_url=BASE)["website"] == (
        "https://www.arebyte.com"
    )


def test_reading_a_file_keeps_the_address_and_records_the_change(tmp_path: Path) -> None:
    path = tmp_path / "venues.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "category", "website", "email"])
        writer.writerow(["Hackney Showroom", "arts_culture", "www.hackneyshowroom.com", ""])
        writer.writerow(["Chats Palace", "arts_culture", "info@chatspalace.co.uk", ""])
        writer.writerow(["Plain", "arts_culture", "https://plain.example.org", ""])
    showroom, chats, plain = read_assets(path).records
    assert showroom.url == "https://www.hackneyshowroom.com"
    assert showroom.extra["mobilise:normalised"] == {
        "url": {"given": "www.hackneyshowroom.com", "note": "https:// added"}
    }
    assert (chats.url, chats.email) == ("", "info@chatspalace.co.uk")
    assert chats.extra["mobilise:normalised"]["email"]["note"] == "taken from the website column"
    assert plain.url == "https://plain.example.org" and plain.extra == {}


# Pieces of addresses as files write them, and odd ones: cases, dots, hyphens, ports, users,
# IDNA and non-ASCII hosts, characters to encode, "%", queries and fragments.
_HOST_PART = st.sampled_from(
    ["a", "Ab", "x-y", "a", "Ab", "-x", "y-", "", "xn--p1ai", "münchen", "a" * 64, "WWW", "b_c"]
)
_TLD_PART = st.sampled_from(["org", "ORG", "uk", "c0m", "x", "", "xn--p1ai", "org.", "de"])
_TAIL = st.lists(
    st.sampled_from([*"aZ09/.-_~!$&'()*+,;=:@%?# é[]\u200b\t", "%41", "%zz"]), max_size=12
).map("".join)


@settings(max_examples=400)
@given(
    scheme=st.sampled_from(["http://", "https://", "HTTPS://", "Http://", "https:/", "ftp://", ""]),
    labels=st.lists(_HOST_PART, min_size=0, max_size=3),
    tld=_TLD_PART,
    port=st.sampled_from(["", ":8080", ":", ":x"]),
    user=st.sampled_from(["", "u@", "u:p@"]),
    tail=_TAIL,
)
def test_the_fast_path_for_plain_addresses_equals_the_full_one(
    scheme: str, labels: list[str], tld: str, port: str, user: str, tail: str
) -> None:
    """Addresses of a plain http(s) form skip urlsplit, quote and the RFC 3986 check and have
    their host checked once per host: what comes out is what the full treatment gives."""
    from mobilise.formats._web_address import _encoded, _encoded_in_full

    url = f"{scheme}{user}{'.'.join([*labels, tld])}{port}{tail}"
    assert _encoded(url) == _encoded_in_full(url)
    plain = f"https://{'.'.join([*labels, 'org'])}/{tail}"
    assert _encoded(plain) == _encoded_in_full(plain)


def test_plain_addresses_of_one_host_check_the_host_once() -> None:
    from mobilise.formats._web_address import _ascii_host

    _ascii_host.cache_clear()
    urls = [web_address(f"https://Library.Example.org/branch/{n}")[0] for n in range(50)]
    assert urls[7] == "https://library.example.org/branch/7"
    assert _ascii_host.cache_info().misses == 1
