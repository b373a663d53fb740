"""Web addresses as sources write them, made into absolute http(s) URLs (private).

Sources write a venue's website as ``www.hackneyshowroom.com``, ``http/colomba.london``, two
addresses in one cell (``www.arbeit.org.uk / www.arebyte.com``), with zero-width spaces pasted
from a web page, or with an email address in the website column. :func:`web_address` keeps what
can be kept as an ``https://`` (or the given ``http://``) address and says what it changed, so
the reader can record it beside the asset; the ORUK feed writes addresses through it too.

Only the standard library is used: ``urllib.parse`` splits and percent-encodes, Python's IDNA
codec writes a non-ASCII host name in ASCII, and :func:`~._oruk_checks.is_uri` (RFC 3986) checks
the result. URL libraries parse addresses that are already absolute; the repairs here (a missing
or broken scheme, invisible characters, several addresses in one cell) come before that.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from mobilise.formats._oruk_checks import is_email, is_uri

__all__ = ["bare", "email_address", "web_address"]

# Zero-width and other invisible characters pasted with addresses from web pages, also as they
# read when their UTF-8 bytes were decoded as Latin-1 or Windows-1252 on the way ("â\x80\x8b").
_INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"


def _misread(character: str, codec: str) -> str:
    try:
        return character.encode("utf-8").decode(codec)
    except UnicodeDecodeError:  # a byte Windows-1252 does not define
        return character


_MISREAD = {_misread(c, codec) for c in _INVISIBLE for codec in ("latin-1", "cp1252")}
_INVISIBLE_RE = re.compile(
    "|".join(re.escape(m) for m in sorted(_MISREAD, key=len, reverse=True) if len(m) > 1)
    + f"|[{_INVISIBLE}]"
)
# "http/x", "http//x", "http:/x", "https:x", "HTTP://x": a scheme written wrongly.
_SCHEME_RE = re.compile(r"^(https?)(?::?/{1,3}|:)(?=[^/])", re.IGNORECASE)
_OTHER_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:(?!\d)")
_LABEL_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_TLD_RE = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")
_JOINERS = {"and", "or", "&", "/", "|", "+", "-", "–"}
# What may stay as it is in a path, query or fragment (RFC 3986 pchar, "/", "?", "%").
_SAFE = "/?@!$&'()*+,;=:%~-._"
_PCT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")
# An address as most files write it: http(s), an ASCII host name without user or port, and a
# path only of characters that stay as they are (no "%", query or fragment). ``urlsplit``,
# ``quote`` and ``urlunsplit`` would give it back as it is, but for the host's case.
_PLAIN_RE = re.compile(r"(https?)://([A-Za-z0-9.-]+)(/[A-Za-z0-9/@!$&'()*+,;=:~._-]*)?", re.ASCII)


def web_address(text: Any) -> tuple[str, str]:
    """An absolute http(s) URL from a website cell, and a note of what was changed.

    Returns ``("", "")`` for a blank cell, ``("", note)`` when nothing in it is a web address
    (the note says why), and ``(url, "")`` when the cell was already an absolute http(s) URL.
    The note, when there is one, reads as "https:// added" and the like.
    """
    return _web_address(text if isinstance(text, str) else "" if text is None else str(text))


@lru_cache(maxsize=1 << 16)  # a feed writes the same addresses again and again
def _web_address(given: str) -> tuple[str, str]:
    notes: list[str] = []
    if _INVISIBLE_RE.search(given):
        notes.append("invisible characters removed")
    text = bare(given)
    if not text:
        return "", ""
    tokens = [t.strip(",;") for t in text.split()]
    tokens = [t for t in tokens if t and t.casefold() not in _JOINERS]
    kept = ""
    for number, token in enumerate(tokens):
        url, note = _one(token)
        if url:
            kept = url
            if note:
                notes.append(note)
            if len(tokens) > 1:
                others = [t for k, t in enumerate(tokens) if k != number]
                notes.append(
                    f"the first of {len(tokens)} addresses kept (also: {' '.join(others)})"
                )
            break
    if not kept:
        if email_address(text):
            return "", "an email address, not a web address"
        return "", "not a web address"
    return kept, "; ".join(notes)


def bare(text: str) -> str:
    """A cell without invisible characters, surrounding space, quotes and angle brackets ("" for
    a blank cell, which :func:`web_address` answers with no note)."""
    return _INVISIBLE_RE.sub("", text).strip().strip("<>\"'").strip()


def email_address(text: str) -> str:
    """The email address a website cell holds instead of a web address (``mailto:`` too), or
    ""."""
    found = _INVISIBLE_RE.sub("", text).strip()
    found = found[7:] if found[:7].casefold() == "mailto:" else found
    return found if is_email(found) else ""


def _one(token: str) -> tuple[str, str]:
    """One address: (url, note) or ("", "")."""
    note = ""
    repaired = token
    scheme = _SCHEME_RE.match(token)
    if scheme is not None:
        repaired = f"{scheme.group(1).lower()}://{token[scheme.end() :]}"
        if repaired != token:
            note = f"scheme corrected (was {token[: scheme.end()]!r})"
    if repaired.startswith("//"):
        repaired = "https:" + repaired
        note = "https: added"
    elif not repaired.startswith(("http://", "https://")):
        if _OTHER_SCHEME_RE.match(repaired) or "@" in repaired.split("/", 1)[0]:
            return "", ""  # mailto:, ftp:, an email address ...
        repaired = "https://" + repaired
        note = "https:// added"
    url = _encoded(repaired)
    if not url:
        return "", ""
    if url.lower() != repaired.lower().removesuffix("#") and not note:
        note = "characters percent-encoded"
    return url, note


def _encoded(url: str) -> str:
    """``url`` with a checked, ASCII host and its path, query and fragment percent-encoded;
    "" when it has no host name that could be on the web."""
    plain = _PLAIN_RE.fullmatch(url)
    if plain is not None:  # most addresses: only the host needs a look, once per host
        scheme, host, path = plain.groups()
        ascii_host = _ascii_host(host.lower())
        return f"{scheme.lower()}://{ascii_host}{path or ''}" if ascii_host else ""
    return _encoded_in_full(url)


def _encoded_in_full(url: str) -> str:
    """:func:`_encoded` for any address: split, the host checked, the rest percent-encoded."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return ""
    if not host or parts.username or parts.password:
        return ""
    ascii_host = _ascii_host(host)
    if not ascii_host:
        return ""
    netloc = ascii_host if port is None else f"{ascii_host}:{port}"
    path, query, fragment = (
        _PCT_RE.sub("%25", quote(part, safe=_SAFE))
        for part in (parts.path, parts.query, parts.fragment)
    )
    result = urlunsplit((parts.scheme.lower(), netloc, path, query, fragment))
    return result if is_uri(result) else ""


@lru_cache(maxsize=1 << 14)  # a file names a few hosts many times
def _ascii_host(host: str) -> str:
    """A host name (lower case, as ``urlsplit`` gives it) in ASCII, checked as a name on the
    web: dotted labels of letters, digits and hyphens ending in a top-level domain; "" if not."""
    try:
        ascii_host = host.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        return ""
    labels = ascii_host.split(".")
    if len(labels) < 2 or not all(_LABEL_RE.match(label) for label in labels):
        return ""
    return ascii_host if _TLD_RE.match(labels[-1]) else ""
