"""The app factory: one KnowledgeBase per process, loaded and warmed up before the first call."""

import gc
import logging
import threading
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from assist_api import errors
from assist_api.documents import router as documents_router
from assist_api.evaluations import router as evaluations_router
from assist_api.gaps import router as gaps_router
from assist_api.headers import SecurityHeaders
from assist_api.limits import BodyLimits
from assist_api.metrics import Metrics, MetricsMiddleware
from assist_api.review import router as review_api_router
from assist_api.routes import router as api_router
from assist_api.users import router as users_router
from kb.config import Settings, get_settings
from kb.errors import KBError
from kb.knowledge_base import KnowledgeBase
from ui.account import router as account_router
from ui.editor import router as editor_router
from ui.review import router as review_router
from ui.evaluations import router as evaluations_pages
from ui.routes import router as ui_router
from ui.users import router as users_pages

log = logging.getLogger("kb")
API_DOCS = """<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title>
<link rel="icon" href="/static/favicon.svg"><link rel="stylesheet" href="/static/swagger/swagger-ui.css">
</head><body><div id="swagger-ui"></div>
<script src="/static/swagger/swagger-ui-bundle.js"></script><script src="/static/swagger/init.js"></script>
</body></html>"""
STATIC = Path(__file__).resolve().parents[1] / "ui" / "static"


def _follow_store(knowledge: KnowledgeBase, stop: threading.Event) -> None:
    """Keep this process's index in line with the store: another worker or `kb ingest` may
    have published since. Questions never wait for this."""
    while not stop.wait(knowledge.settings.sync_seconds):
        try:
            knowledge.sync()
        except Exception:  # a failed look (the store busy, a Chroma server away) must not end the loop
            log.exception("could not bring the index in line with the store; trying again")


def create_app(settings: Settings | None = None, warm_up: bool = True) -> FastAPI:
    """`kb serve` and the tests build the app here; with no settings they come from KB_*."""
    knowledge = KnowledgeBase(settings or get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if warm_up:
            knowledge.warm_up()
            # The loaded dictionaries and indexes are millions of long-lived objects; frozen, the
            # collector stops walking them, which otherwise stalls an answer for half a second.
            gc.collect()
            gc.freeze()
        stop = threading.Event()
        threading.Thread(target=_follow_store, args=(knowledge, stop), daemon=True, name="kb-sync").start()
        yield
        stop.set()

    app = FastAPI(title="kb assist API", version="1", lifespan=lifespan, docs_url=None,
                  redoc_url=None,
                  description="Cited answers, disclosures, scripts and alerts for agents mid-call.")
    app.state.kb = knowledge
    app.state.metrics = Metrics()
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    app.add_middleware(BodyLimits, knowledge=knowledge)
    app.add_middleware(SecurityHeaders)
    errors.install(app)

    @app.middleware("http")
    async def local_mode_names_this_machine(request: Request, call_next):
        """In local mode, a request that names another host than this machine is refused (DNS
        rebinding: another site's page whose name now resolves to 127.0.0.1)."""
        try:
            knowledge.check_host(request.headers.get("host"))
        except KBError as error:
            return JSONResponse(errors.error_body(error), status_code=errors.status_of(error))
        return await call_next(request)
    app.include_router(api_router)
    app.include_router(documents_router)
    app.include_router(evaluations_router)
    app.include_router(users_router)
    app.include_router(gaps_router)
    app.include_router(review_api_router)
    app.include_router(ui_router)
    app.include_router(account_router)
    app.include_router(editor_router)
    app.include_router(review_router)
    app.include_router(evaluations_pages)
    app.include_router(users_pages)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/docs", include_in_schema=False)
    def api_docs():
        """Swagger UI from the app's own files (FastAPI's default page loads it from a CDN and
        starts it with an inline script, which the Content-Security-Policy refuses)."""
        return HTMLResponse(API_DOCS.replace("{title}", f"{app.title} — docs"))

    return app
