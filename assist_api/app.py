"""The API's factory: one Application per process, loaded and warmed up before the first call. The
pages add themselves on top of it (ui/app.py builds the whole site)."""

import asyncio
import gc
import logging
import threading
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from application import Application
from assist_api import errors
from assist_api.calls import router as calls_router
from assist_api.documents import router as documents_router
from assist_api.evaluations import router as evaluations_router
from assist_api.gaps import router as gaps_router
from assist_api.headers import SecurityHeaders
from assist_api.limits import BodyLimits
from assist_api.live import CallStreams, PollingRelay, PostgresRelay
from assist_api.metrics import Metrics, MetricsMiddleware
from assist_api.review import router as review_api_router
from assist_api.routes import router as api_router
from assist_api.users import router as users_router
from kb.config import Settings, get_settings
from kb.errors import KBError

log = logging.getLogger("kb")
def _follow_store(knowledge: Application, stop: threading.Event) -> None:
    """Keep this process's index in line with the store: another worker or `kb ingest` may
    have published since. Questions never wait for this."""
    while not stop.wait(knowledge.settings.sync_seconds):
        try:
            knowledge.sync()
        except Exception:  # a failed look (the store busy, a Chroma server away) must not end the loop
            log.exception("could not bring the index in line with the store; trying again")


def _local_mode_guard(knowledge: Application):
    """In local mode, a request that names another host than this machine is refused (DNS
    rebinding: another site's page whose name now resolves to 127.0.0.1)."""

    async def guard(request: Request, call_next):
        try:
            knowledge.check_host(request.headers.get("host"))
        except KBError as error:
            return JSONResponse(errors.error_body(error), status_code=errors.status_of(error))
        return await call_next(request)

    return guard


def _relay(knowledge: Application, streams: CallStreams) -> PostgresRelay | PollingRelay:
    """Several processes may serve: hand on the call events the others hear (PostgreSQL announces
    them; on SQLite, with `--workers N` on one machine, the events are polled)."""
    engine, loop = knowledge.database, asyncio.get_running_loop()
    relay: PostgresRelay | PollingRelay
    if engine.dialect.name == "postgresql":
        url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        relay = PostgresRelay(url, knowledge.calls.events, knowledge.calls.origin, streams, loop)
    else:
        relay = PollingRelay(knowledge.calls.events, knowledge.calls.origin, streams, loop,
                              knowledge.settings.call_events_poll_seconds)
    relay.start()
    return relay


def create_api(settings: Settings | None = None, warm_up: bool = True, page_errors=None) -> FastAPI:
    """The JSON API over one Application; with no settings they come from KB_*. `page_errors`:
    how the pages render an error for a browser (see errors.install)."""
    knowledge = Application(settings or get_settings())

    app = FastAPI(title="kb assist API", version="1", lifespan=_lifespan(knowledge, warm_up), docs_url=None,
                  redoc_url=None,
                  description="Cited answers, disclosures, scripts and alerts for agents mid-call.")
    app.state.kb = knowledge
    app.state.metrics = Metrics()
    app.state.streams = CallStreams()
    app.state.ready = False
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    app.add_middleware(BodyLimits, knowledge=knowledge)
    app.add_middleware(SecurityHeaders)
    app.middleware("http")(_local_mode_guard(knowledge))
    errors.install(app, page_errors)
    for router in (api_router, calls_router, documents_router, evaluations_router, users_router, gaps_router, review_api_router):
        app.include_router(router)
    return app


def _lifespan(knowledge: Application, warm_up: bool):
    """Start: warm up, follow the store's publishes, relay call events; stop: leave the load
    balancer's rotation and let requests in flight finish."""
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
        relay = _relay(knowledge, app.state.streams)
        app.state.ready = True
        yield
        # Shutting down: the load balancer takes this process out (GET /ready answers 503) while
        # requests in flight finish; the panels' event streams close so that none holds it open
        # (each reconnects to another process).
        app.state.ready = False
        app.state.streams.close_all()
        relay.stop.set()
        stop.set()
    return lifespan
