"""`kb eval`: answer every item of an evaluation set, write the answers file and the report."""

import datetime as dt
import json
import time
from pathlib import Path

from evals.report import EvalReport
from evals.scoring import figures
from kb.errors import BadRequest, KBError

REQUIRED = {"id": str, "question": str, "answerable": bool}


def load_dataset(path: Path) -> list[dict]:
    """Items of a JSONL set; every malformed line is reported at once, by line number."""
    if not path.is_file():
        raise BadRequest(f"{path}: no such evaluation set")
    return parse_dataset(path.read_bytes(), str(path))


def parse_dataset(data: bytes, name: str) -> list[dict]:
    """The items of a set's bytes, named `name` in every problem (an upload is checked this way
    before anything of it is written)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"{name}: not UTF-8 (byte {exc.start}); save the set as UTF-8 JSON Lines") from None
    items, problems = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        item, problem = _item(line, f"{name}:{number}")
        problems += problem
        if item is not None:
            items.append(item)
    if problems:
        raise BadRequest("\n".join(problems))
    return items


def _item(line: str, where: str) -> tuple[dict | None, list[str]]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, [f"{where}: not JSON ({exc.msg})"]
    except RecursionError:
        return None, [f"{where}: nested too deeply to be an evaluation item"]
    if not isinstance(item, dict):
        return None, [f"{where}: must be a JSON object"]
    return item, [f"{where}: {field}: required, of type {kind.__name__}"
                  for field, kind in REQUIRED.items() if not isinstance(item.get(field), kind)]


def answer_item(kb, item: dict) -> dict:
    """One item's answers-file line; a failure is recorded and the run goes on."""
    started = time.perf_counter()
    try:
        as_of = dt.date.fromisoformat(item["as_of"]) if item.get("as_of") else None
        response = kb.ask(item["question"], as_of)
    except (KBError, ValueError) as exc:
        return {"id": item["id"], "response": None, "error": str(exc), "retrieved": [],
                "latency_ms": round((time.perf_counter() - started) * 1000, 2)}
    return {"id": item["id"], "response": response.contract_dict(),
            "retrieved": response.retrieved, "latency_ms": response.latency_ms}


def run_evaluation(kb, dataset: Path, answers_out: Path | None = None,
                   report_out: Path | None = None, progress=None) -> EvalReport:
    """`progress(done, total)` is called after each item (the pages show it)."""
    items = load_dataset(dataset)
    kb.warm_up()
    lines = []
    for item in items:
        lines.append(answer_item(kb, item))
        if progress:
            progress(len(lines), len(items))
    if answers_out:
        answers_out.write_text("".join(json.dumps(l, ensure_ascii=False) + "\n" for l in lines),
                               encoding="utf-8")
    results = [{**line, "item": item} for line, item in zip(lines, items)]
    report = EvalReport(dataset=str(dataset), figures=figures(results), results=results)
    if report_out:
        report.write(report_out)
    return report
