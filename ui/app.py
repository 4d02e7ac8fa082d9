"""The whole site: the JSON API with the agents', editors', evaluators' and admins' pages on top,
their static files, and errors rendered for a browser. `kb serve` and the tests build it here."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from assist_api.app import create_api
from kb.config import Settings
from ui.account import router as account_router
from ui.calls import router as calls_pages
from ui.editor import router as editor_router
from ui.errors import page_for
from ui.evaluations import router as evaluations_pages
from ui.review import router as review_router
from ui.routes import router as panel_router
from ui.users import router as users_pages

STATIC = Path(__file__).resolve().parent / "static"
API_DOCS = """<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title>
<link rel="icon" href="/static/favicon.svg"><link rel="stylesheet" href="/static/swagger/swagger-ui.css">
</head><body><div id="swagger-ui"></div>
<script src="/static/swagger/swagger-ui-bundle.js"></script><script src="/static/swagger/init.js"></script>
</body></html>"""


def create_app(settings: Settings | None = None, warm_up: bool = True) -> FastAPI:
    app = create_api(settings, warm_up, page_errors=page_for)
    for router in (panel_router, calls_pages, account_router, editor_router, review_router, evaluations_pages, users_pages):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/docs", include_in_schema=False)
    def api_docs():
        """Swagger UI from the app's own files (FastAPI's default page loads it from a CDN and
        starts it with an inline script, which the Content-Security-Policy refuses)."""
        return HTMLResponse(API_DOCS.replace("{title}", f"{app.title} — docs"))

    return app
