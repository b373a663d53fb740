"""Fetching a live Open Referral UK 3.0 feed page by page (private; :func:`fetch_oruk_feed` is
public through :mod:`mobilise.formats.oruk`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from mobilise.errors import Problem, ValidationError
from mobilise.formats._limits import DEFAULT_LIMITS, check_rows, limit_error, load_json
from mobilise.settings import Limits

__all__ = ["fetch_oruk_feed"]


def _feed_error(url: str, message: str, *, field: str = "url") -> ValidationError:
    return ValidationError(
        f"The ORUK feed at {url} cannot be read.",
        problems=[Problem(message, file=url, field=field)],
    )


def _services_url(url: str) -> str:
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _feed_error(url, "give the feed's address as http(s)://host/path")
    path = parts.path.rstrip("/")
    path = path if path.endswith("/services") else f"{path}/services"
    return parts._replace(path=path).geturl()


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _get_page(
    client: httpx.Client, endpoint: str, number: int, per_page: int, url: str, limits: Limits
) -> Any:
    params: dict[str, str | int] = {"page": number, "per_page": per_page, "full": "true"}
    try:
        with client.stream("GET", endpoint, params=params) as response:
            body = _body(response, number, url, limits)
    except httpx.TimeoutException as exc:
        raise _feed_error(
            url, f"page {number} did not come in time ({type(exc).__name__})"
        ) from exc
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise _feed_error(
            url, f"cannot connect for page {number}: {exc}; check the address and the network"
        ) from exc
    if response.status_code >= 400:
        hint = "; is this the feed's base address?" if response.status_code == 404 else ""
        raise _feed_error(
            url,
            f"page {number} answered HTTP {response.status_code} {response.reason_phrase}{hint}",
        )
    kind = response.headers.get("content-type", "no content type")
    start = body[:40].decode("utf-8", errors="replace").strip()
    return load_json(
        body,
        name=f"page {number} of {url}",
        limits=limits,
        unreadable=lambda _: _feed_error(
            url, f"page {number} is not JSON ({kind}; it starts {start!r})", field="contents"
        ),
    )


def _body(response: httpx.Response, number: int, url: str, limits: Limits) -> bytes:
    """A page's body (decompressed as the server sent it), refused past the decompressed-size
    limit while it streams in."""
    if response.status_code >= 400:
        return b""
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limits.decompressed_bytes:
            message = f"page {number} is larger than {limits.max_decompressed_mb} MB"
            raise limit_error(url, message, "max_decompressed_mb")
        chunks.append(chunk)
    return b"".join(chunks)


def _contents(page: Any, number: int, url: str) -> list[Any]:
    """The page's ``contents`` list of services (a page without one is refused)."""
    contents = page.get("contents") if isinstance(page, dict) else None
    if not isinstance(contents, list):
        hint = ""
        if isinstance(page, dict) and isinstance(page.get("content"), list):
            hint = " (it has 'content': an ORUK 1.0 feed? mobilise reads ORUK 3.0)"
        raise _feed_error(
            url, f"page {number} has no 'contents' list of services{hint}", field="contents"
        )
    return contents


def _fingerprint(contents: list[Any]) -> str:
    ids = [item.get("id") if isinstance(item, Mapping) else None for item in contents]
    basis = ids if all(ids) else contents
    return hashlib.sha1(json.dumps(basis, sort_keys=True, default=str).encode()).hexdigest()


def _says_more_follow(page: Mapping[str, Any], number: int, read: int) -> bool:
    """Whether page ``number`` says more pages follow the ``read`` services before it."""
    total_items, total_pages = _int(page.get("total_items")), _int(page.get("total_pages"))
    return (
        page.get("last_page") is False
        or (total_pages is not None and total_pages >= number)
        or (total_items is not None and total_items > read)
    )


def _is_last(page: Mapping[str, Any], contents: list[Any], number: int, read: int) -> bool:
    """Whether page ``number`` ends the feed, ``read`` services having been read with it."""
    total_items, total_pages = _int(page.get("total_items")), _int(page.get("total_pages"))
    return (
        not contents
        or page.get("last_page") is True
        or (total_pages is not None and number >= total_pages)
        or (total_items is not None and read >= total_items)
    )


def fetch_oruk_feed(
    url: str,
    *,
    client: httpx.Client | None = None,
    per_page: int = 100,
    max_pages: int = 10_000,
    progress: Callable[[int, int], None] | None = None,
    limits: Limits | None = None,
) -> Iterator[dict[str, Any]]:
    """The pages of an ORUK 3.0 feed's ``/services``, fully nested (``full=true``).

    Pages are asked for as ``{url}/services?page=N&per_page=...&full=true`` from ``page=1``
    until a page is empty, says ``last_page``, reaches ``total_pages`` or completes
    ``total_items``. Page sizes come from the feed, so feeds that ignore ``per_page`` are read
    whole.

    Parameters
    ----------
    url
        The feed's base address (its ``GET /`` gives the API details); an address that already
        ends in ``/services`` is used as it is.
    client
        The HTTP client to use (e.g. with a proxy or a test transport); by default a new one
        with a 30 s timeout that follows redirects.
    per_page
        Services asked for per page.
    max_pages
        The most pages to read before giving up.
    progress
        Called after each page with the services read so far and the feed's ``total_items``
        (0 when the feed does not say).
    limits
        What a page may hold (its size and nesting) and how many services the feed may
        have (``max_rows``); by default the settings' defaults.

    Yields
    ------
    dict
        Each page as the feed sent it, with its ``contents`` list.

    Raises
    ------
    mobilise.errors.ValidationError
        When the feed cannot be reached, answers an HTTP error, sends something that is not
        JSON or has no ``contents`` list, sends the same page again while saying more pages
        follow (it ignores ``page``), or has more than ``max_pages`` pages.
    """
    endpoint = _services_url(url)
    http = client or httpx.Client(
        timeout=30.0, follow_redirects=True, headers={"Accept": "application/json"}
    )
    seen: dict[str, int] = {}
    read = 0
    try:
        for number in range(1, max_pages + 1):
            page = _get_page(http, endpoint, number, per_page, url, limits or DEFAULT_LIMITS)
            contents = _contents(page, number, url)
            fingerprint = _fingerprint(contents)
            if contents and fingerprint in seen:
                if _says_more_follow(page, number, read):
                    total = _int(page.get("total_items"))
                    raise _feed_error(
                        url,
                        f"page {number} repeats the services of page {seen[fingerprint]} although "
                        f"the feed says more follow: it seems to ignore 'page' (read {read} "
                        f"services of {total if total is not None else 'unknown'})",
                        field="page",
                    )
                return  # a one-page feed that answers every page with that page
            seen[fingerprint] = number
            read += len(contents)
            check_rows(read, name=url, limits=limits, what="services")
            if progress is not None:
                progress(read, _int(page.get("total_items")) or 0)
            yield page
            if _is_last(page, contents, number, read):
                return
        raise _feed_error(url, f"the feed has more than {max_pages} pages", field="page")
    finally:
        if client is None:
            http.close()
