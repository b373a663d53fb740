"""Limits on what one request may hold, checked before any route sees it.

:class:`RequestLimits` is pure ASGI middleware (no per-request task; a body is copied only when
it is a JSON or form body, which it must read to check):

* **Size** (``max_upload_mb``): a request whose ``Content-Length`` is over the limit is answered
  413 before a byte of its body is read; a body sent without one (chunked) is counted as it
  streams and refused at the limit.
* **Numbers** that fit no stored number: a whole number outside signed 64 bits, or a number so
  large it is infinite, in the query string, the path, a form or a JSON body, is answered 422
  naming the parameter (never an ``OverflowError`` deeper down).
* **Nesting** (``max_json_depth``): a JSON body nested deeper is answered 422 (never a
  ``RecursionError``).

Every answer names the limit and the setting that raises it, in the one error shape.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, unquote

from fastapi import Request
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mobilise.errors import MobiliseError, Problem, ValidationError
from mobilise.settings import Limits
from mobilise.web.errors import render_error

__all__ = ["RequestLimits"]

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_NUMBER = re.compile(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*")
_WHOLE = re.compile(r"\s*[+-]?\d+\s*")
_CHECKED_TYPES = ("application/json", "application/x-www-form-urlencoded")


class TooLarge(MobiliseError):
    """A request over the size limit (413)."""

    status_code = 413
    code = "too_large"


def setting_words(setting: str) -> str:
    return f"the limit {setting}, set by MOBILISE_{setting.upper()}"


def number_problem(text: str) -> str | None:
    """Why ``text`` cannot be taken as a number mobilise stores, or ``None`` when it can (or is
    not a number at all)."""
    if len(text) > 400 or not _NUMBER.fullmatch(text):
        return None if not text.strip().lstrip("+-").isdigit() else _too_long(text)
    if _WHOLE.fullmatch(text):
        if not INT64_MIN <= int(text) <= INT64_MAX:
            return f"{text.strip()} is outside the whole numbers mobilise stores (signed 64 bits)"
        return None
    if not math.isfinite(float(text)):
        return f"{text.strip()} is too large a number"
    return None


def _too_long(text: str) -> str:
    return f"a number of {len(text.strip()):,} digits is outside the numbers mobilise stores"


def _pairs_problems(pairs: list[tuple[str, str]], where: str) -> list[Problem]:
    return [
        Problem(f"{problem} (in the {where})", field=name)
        for name, value in pairs
        if (problem := number_problem(value)) is not None
    ]


def _json_numbers(value: Any, max_depth: int) -> Iterator[Problem]:
    """Problems of a parsed JSON body: nesting past ``max_depth``, and whole numbers outside
    signed 64 bits (walked without recursion)."""
    stack: list[tuple[Any, int, str]] = [(value, 1, "")]
    while stack:
        item, depth, path = stack.pop()
        if isinstance(item, dict | list):
            if depth > max_depth:
                yield Problem(
                    f"the JSON body nests deeper than {max_depth} levels "
                    f"({setting_words('max_json_depth')})",
                    field=path or None,
                )
                return
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            stack.extend((v, depth + 1, f"{path}.{k}" if path else str(k)) for k, v in pairs)
        elif isinstance(item, int) and not INT64_MIN <= item <= INT64_MAX:
            message = f"{item} is outside the whole numbers mobilise stores (signed 64 bits)"
            yield Problem(message, field=path or None)


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is too large a number")
    return number


def json_body_problems(body: bytes, max_depth: int) -> list[Problem]:
    """What is wrong with a JSON body's numbers or nesting (a body that is not JSON is left
    to the route, which says so)."""
    try:
        parsed = json.loads(body, parse_float=_finite)
    except RecursionError:
        message = f"the JSON body nests too deeply ({setting_words('max_json_depth')})"
        return [Problem(message)]
    except ValueError as error:
        text = str(error)
        if "too large a number" in text or "digits" in text:
            return [Problem(text.split(": line")[0])]
        return []
    return list(_json_numbers(parsed, max_depth))


class RequestLimits:
    """Pure ASGI middleware holding every HTTP request to ``limits`` (see the module)."""

    def __init__(self, app: ASGIApp, *, limits: Limits | None = None) -> None:
        self.app = app
        self.limits = limits or Limits()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        refusal = self._head_refusal(request)
        if refusal is not None:
            await render_error(request, refusal)(scope, receive, send)
            return
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if scope["method"] in ("GET", "HEAD", "OPTIONS") or content_type not in _CHECKED_TYPES:
            await self.app(scope, self._counting(receive, scope), send)
            return
        body, refusal = await self._read_body(receive, self._most(scope))
        if refusal is None:
            refusal = self._body_refusal(body, content_type)
        if refusal is not None:
            await render_error(request, refusal)(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    def _too_large(self, size: str, scope: Scope | None = None) -> TooLarge:
        if scope is not None and _carries_an_extract(scope):
            most = self._most(scope)
            message = (
                f"The request is larger than {most:,} bytes ({setting_words('max_osm_bytes')})."
            )
            return TooLarge(message, problems=[Problem(f"{size}; at most {most:,} are accepted")])
        limit = self.limits.max_upload_mb
        message = f"The request is larger than {limit} MB ({setting_words('max_upload_mb')})."
        return TooLarge(message, problems=[Problem(f"{size}; at most {limit} MB are accepted")])

    def _most(self, scope: Scope) -> int:
        """The largest body this request may have: an OpenStreetMap extract has its own limit."""
        if _carries_an_extract(scope):
            return max(self.limits.upload_bytes, int(self.limits.max_osm_bytes))
        return self.limits.upload_bytes

    def _head_refusal(self, request: Request) -> MobiliseError | None:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._most(request.scope):
            return self._too_large(f"its body is {int(declared):,} bytes", request.scope)
        query = request.scope.get("query_string", b"").decode("latin-1")
        problems = _pairs_problems(parse_qsl(query, keep_blank_values=True), "query")
        segments = [unquote(part) for part in request.url.path.split("/") if part]
        problems += _pairs_problems([("path", s) for s in segments], "address")
        if problems:
            return ValidationError("A number in the request cannot be used.", problems=problems)
        return None

    def _body_refusal(self, body: bytes, content_type: str) -> MobiliseError | None:
        if content_type == "application/json":
            problems = json_body_problems(body, self.limits.max_json_depth)
        else:
            form = parse_qsl(body.decode("latin-1"), keep_blank_values=True)
            problems = _pairs_problems(form, "form")
        if problems:
            return ValidationError("The request body cannot be used.", problems=problems)
        return None

    async def _read_body(self, receive: Receive, most: int) -> tuple[bytes, MobiliseError | None]:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > most:
                return b"", self._too_large(f"its body is over {size:,} bytes")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks), None

    def _counting(self, receive: Receive, scope: Scope) -> Receive:
        """``receive`` that refuses a body growing past the limit (a body sent in chunks)."""
        received = 0
        limit = self._most(scope)

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    error = self._too_large(f"its body is over {received:,} bytes", scope)
                    raise HTTPException(413, detail=error.message)
            return message

        return counted


def _carries_an_extract(scope: Scope) -> bool:
    """A street network's upload (``POST .../places/{slug}/networks``), held to
    ``max_osm_bytes`` rather than ``max_upload_mb``."""
    path = str(scope.get("path", "")).rstrip("/")
    return scope.get("method") == "POST" and path.endswith("/networks") and "/places/" in path


def _replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` that gives the body already read, then whatever the client sends next."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
