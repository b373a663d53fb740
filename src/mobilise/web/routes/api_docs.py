"""The API's interactive docs (Swagger UI), served from the vendored copy in ``static/vendor``.

FastAPI's own docs page loads Swagger UI from a CDN and starts it with an inline script; this
one loads nothing from elsewhere and runs no inline script, so it works offline and under the
app's Content-Security-Policy.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from mobilise.web.deps import TemplatesDep

router = APIRouter(include_in_schema=False)


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request, templates: TemplatesDep) -> Response:
    return templates.TemplateResponse(
        request, "api_docs.html", {"openapi_url": request.app.openapi_url}
    )
