"""The evaluations API for evaluators: the same core methods as `kb eval runs|diff|export` and
the evaluators' pages."""

from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from assist_api.deps import KB, Evaluator, RowId, RowIdQuery
from assist_api.documents import read_limited
from kb.errors import BadRequest

router = APIRouter(prefix="/api/evaluations", tags=["evaluations"])

MEDIA = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}


@router.get("", summary="Recorded evaluation runs, oldest first, with their figures")
def list_runs(kb: KB, _: Evaluator) -> list[dict]:
    return kb.runs.summaries()


@router.get("/diff", summary="Two runs' figures side by side and the items that flipped")
def diff(a: RowIdQuery, b: RowIdQuery, kb: KB, _: Evaluator) -> dict:
    return asdict(kb.runs.diff(a, b))


@router.get("/{run_id}", summary="A run's figures and its failures grouped by cause")
def show_run(run_id: RowId, kb: KB, _: Evaluator) -> dict:
    summary = kb.runs.summary(run_id)
    failures = kb.runs.failures_by_cause(run_id)
    return {**summary, "failures": {cause: [asdict(o) for o in found] for cause, found in failures.items()}}


@router.get("/{run_id}/export", summary="A run's items with verdicts, as CSV or JSON Lines")
def export(run_id: RowId, kb: KB, _: Evaluator, format: Literal["csv", "jsonl"] = "jsonl") -> Response:
    return export_response(kb, run_id, format)


@router.post("/jobs", status_code=202, summary="Start a run in the background (a known set's path, or an uploaded JSONL set)")
async def start(kb: KB, evaluator: Evaluator, dataset: Annotated[str, Form()] = "",
                file: Annotated[UploadFile | None, File()] = None) -> dict:
    return job_view(await started_job(kb, dataset, file, evaluator.name))


@router.get("/jobs/{job_id}", summary="A background run's progress, and its run id once recorded")
def job(job_id: RowId, kb: KB, _: Evaluator) -> dict:
    return job_view(kb.jobs.get(job_id))


async def started_job(kb, dataset: str, file: UploadFile | None, user: str):
    """A run of an uploaded set (kept beside the store), or of a set an earlier run used, named as
    the pages name it or by its path."""
    if file is not None and file.filename:
        data = await read_limited(file, kb.settings.upload_max_bytes)
        return await run_in_threadpool(kb.jobs.start_uploaded, file.filename, data, user)
    known = kb.runs.dataset_names()
    path = known.get(dataset) or (dataset if dataset in known.values() else None)
    if path is None:
        raise BadRequest("choose an evaluation set that an earlier run used, or upload a JSONL set")
    return kb.jobs.start(Path(path), user)


def export_response(kb, run_id: int, fmt: str) -> Response:
    text = kb.runs.export(run_id, fmt)
    return Response(text, media_type=MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="run-{run_id}.{fmt}"'})


def job_view(job) -> dict:
    return {k: getattr(job, k) for k in ("id", "dataset", "started_by", "started_at", "total", "done",
                                         "percent", "finished", "run_id", "error")}
