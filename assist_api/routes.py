"""The JSON API: /assist, /check, /feedback (agents), /health and /metrics (public: no
knowledge and no personal data in them). Each route calls one method of the core; the side
panel's pages call the same methods."""

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from assist_api.deps import KB, AppMetrics, Asker
from assist_api.schemas import AssistRequest, CheckRequest, CheckResponse, FeedbackRequest, FeedbackStored, Health
from kb.models import AssistResponse

router = APIRouter()


@router.post("/assist", response_model=AssistResponse,
             summary="Answer an agent's question (the contract's assist response)")
def assist(body: AssistRequest, kb: KB, metrics: AppMetrics, _: Asker) -> JSONResponse:
    response = kb.assist(body.query, as_of=body.as_of, session_id=body.session_id)
    metrics.answered(response.answer.status, (response.latency_ms or 0) / 1000)
    return JSONResponse(response.contract_dict())


@router.post("/check", summary="Check an agent's draft reply for forbidden phrases")
def check(body: CheckRequest, kb: KB, _: Asker) -> CheckResponse:
    return CheckResponse(alerts=kb.check(body.draft, as_of=body.as_of))


@router.post("/feedback", status_code=201, summary="Thumbs up or down on an answer")
def feedback(body: FeedbackRequest, kb: KB, _: Asker) -> FeedbackStored:
    stored = kb.feedback.record(body.query, body.response, body.rating, body.comment,
                                body.session_id)
    return FeedbackStored(id=stored)


@router.get("/health", summary="Liveness, and what the store holds")
def health(kb: KB) -> Health:
    return Health(status="ok", documents=len(kb.catalog), chunks=len(kb.retriever.chunks),
                  embed_model=kb.store.model_id)


@router.get("/ready", summary="Readiness: 200 once the process serves, 503 while it loads or stops",
            responses={503: {"description": "Loading or stopping: send requests elsewhere"}})
def ready(request: Request) -> JSONResponse:
    serving = bool(getattr(request.app.state, "ready", False))
    return JSONResponse({"status": "ready" if serving else "unavailable"}, status_code=200 if serving else 503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(metrics: AppMetrics) -> Response:
    return Response(metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")
