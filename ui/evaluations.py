"""The evaluators' pages: runs over time, one run's failures by cause, two runs compared, and
a run started in the background. They call the same core methods as `kb eval` and the API."""

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from assist_api.deps import KB, Evaluator, RowId
from assist_api.evaluations import export_response, started_job
from evals.causes import CAUSES
from evals.charts import bars, line_chart
from ui.labels import zh
from ui.templating import templates

router = APIRouter(prefix="/evaluations", include_in_schema=False)

QUALITY = {key: zh(key, "figure") for key in ("accuracy", "unanswerable_accuracy", "disclosure_recall")}


@router.get("", response_class=HTMLResponse)
def runs(request: Request, kb: KB, _: Evaluator):
    summaries = kb.runs.summaries()
    latest = summaries[-1] if summaries else None
    return templates.TemplateResponse(request, "evals_runs.html", {
        "runs": summaries[::-1], "latest": latest, "causes": CAUSES, "datasets": list(kb.runs.dataset_names()),
        "failures": kb.runs.failures_by_cause(latest["id"]) if latest else {},
        "categories": bars(latest["figures"].get("per_category", {})) if latest else [],
        "tags": bars(latest["figures"].get("per_tag", {})) if latest else [],
        "charts": [line_chart("质量", summaries, QUALITY, top=1.0),
                   line_chart("延迟 p95（毫秒）", summaries, {"latency_p95_ms": zh("latency_p95_ms", "figure")}, percent=False)]})


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run(request: Request, run_id: RowId, kb: KB, _: Evaluator):
    summary = kb.runs.summary(run_id)
    return templates.TemplateResponse(request, "evals_run.html", {
        "run": summary, "causes": CAUSES, "failures": kb.runs.failures_by_cause(run_id),
        "categories": bars(summary["figures"].get("per_category", {})),
        "tags": bars(summary["figures"].get("per_tag", {}))})


@router.get("/runs/{run_id}/export.{fmt}")
def export(run_id: RowId, fmt: str, kb: KB, _: Evaluator) -> Response:
    return export_response(kb, run_id, fmt)


@router.get("/diff", response_class=HTMLResponse)
def diff(request: Request, kb: KB, _: Evaluator, a: int | None = None, b: int | None = None):
    ids = [s["id"] for s in kb.runs.summaries()]
    a = a if a is not None else (ids[-2] if len(ids) > 1 else None)
    b = b if b is not None else (ids[-1] if ids else None)
    found = kb.runs.diff(a, b) if a is not None and b is not None else None
    return templates.TemplateResponse(request, "evals_diff.html", {
        "ids": ids[::-1], "a": a, "b": b, "diff": found, "causes": CAUSES})


@router.post("/jobs", response_class=HTMLResponse)
async def start(request: Request, kb: KB, evaluator: Evaluator, dataset: Annotated[str, Form()] = "",
                file: Annotated[UploadFile | None, File()] = None):
    """Start a run of a known set or an uploaded one; the answer polls its progress (a refused
    set is shown by the one error renderer)."""
    job = await started_job(kb, dataset, file, evaluator.name)
    return templates.TemplateResponse(request, "_eval_job.html", {"job": job}, status_code=202)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job(request: Request, job_id: RowId, kb: KB, _: Evaluator):
    return templates.TemplateResponse(request, "_eval_job.html", {"job": kb.jobs.get(job_id)})
