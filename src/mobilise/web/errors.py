"""One error renderer: the documented JSON shape for the API, friendly pages for people."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from mobilise.errors import (
    AuthenticationRequired,
    MobiliseError,
    Problem,
    RateLimited,
    ValidationError,
)

log = logging.getLogger("mobilise.web")

_TITLES = {
    400: "That request could not be understood",
    401: "Please sign in",
    403: "You cannot do that",
    404: "Page not found",
    405: "That is not allowed here",
    409: "Someone else changed this first",
    422: "Some of that input cannot be used",
    429: "Please try again later",
    500: "Something went wrong on our side",
}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path.startswith("/oruk")


def render_error(
    request: Request, error: MobiliseError, *, status: int | None = None, code: str | None = None
) -> Response:
    """The error as JSON (API paths) or as a friendly page; ``status``/``code`` override the error's
    own (for HTTP errors such as 405 that have no MobiliseError of their own)."""
    status = status or error.status_code
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else {}
    if _wants_json(request):
        body = error.to_dict()
        body["error"]["code"] = code or error.code
        if request.url.path.startswith("/oruk"):
            headers["Access-Control-Allow-Origin"] = "*"
        return JSONResponse(body, status_code=status, headers=headers)
    if isinstance(error, AuthenticationRequired):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)
    templates = request.app.state.templates
    return templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "title": _TITLES.get(status, "Error"), "error": error},
        status_code=status,
        headers=headers,
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(MobiliseError)
    async def mobilise_error(request: Request, error: MobiliseError) -> Response:
        return render_error(request, error)

    @app.exception_handler(RequestValidationError)
    async def request_error(request: Request, error: RequestValidationError) -> Response:
        problems = [
            Problem(
                str(e.get("msg", "invalid")),
                field=".".join(
                    str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path")
                ),
            )
            for e in error.errors()
        ]
        return render_error(
            request, ValidationError("The request is not valid.", problems=problems)
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        message = str(error.detail) if error.detail else _TITLES.get(error.status_code, "Error")
        if error.status_code == 404:
            message = f"Nothing at {request.url.path}."
        return render_error(request, MobiliseError(message), status=error.status_code, code=code)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        log.exception("Unexpected error on %s %s", request.method, request.url.path, exc_info=error)
        response = render_error(
            request, MobiliseError("Something went wrong; the error has been logged.")
        )
        # This answer is sent from outside every middleware (Starlette's server-error layer),
        # so it carries the security headers itself.
        for name, value in getattr(request.app.state, "security_headers", ()):
            response.headers[name.decode()] = value.decode()
        return response


__all__ = ["install", "render_error"]
