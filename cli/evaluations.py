"""`kb eval` (run, runs, diff, export) and `kb feedback`, for evaluators."""

import json
from pathlib import Path
from typing import Optional

import typer
from typer.core import TyperGroup

from cli.common import open_kb


class EvalGroup(TyperGroup):
    """`kb eval DATASET ...` runs an evaluation; `kb eval runs` and `kb eval diff A B` read the
    recorded ones."""

    def resolve_command(self, ctx, args):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().resolve_command(ctx, args)


eval_app = typer.Typer(cls=EvalGroup, no_args_is_help=True, help=EvalGroup.__doc__)


@eval_app.command("run")
def evaluate(ctx: typer.Context, dataset: Path, answers_out: Optional[Path] = typer.Option(None, "--answers-out"),
             report_out: Optional[Path] = typer.Option(None, "--report-out"),
             min_accuracy: float = typer.Option(0.85, "--min-accuracy"),
             baseline: Optional[int] = typer.Option(None, "--baseline", help="A recorded run that "
                                                    "no figure may fall below and no item flip from."),
             margin: float = typer.Option(0.01, "--margin", help="How far a figure may fall below "
                                          "the baseline's."),
             if_changed: bool = typer.Option(False, "--if-changed", help="Record no new run when the "
                                             "latest one used the same set, documents, model and settings.")):
    """Answer every item of DATASET (JSONL), score it, write the answers and the report, record
    the run; the last line printed is `run: ID`."""
    kb = open_kb(ctx)
    same = kb.unchanged_run(dataset) if if_changed and dataset.is_file() else None
    if same is not None:
        typer.echo(f"unchanged since run {same} (same set, documents in force, model and settings): no new run")
        typer.echo(f"run: {same}")
        raise typer.Exit(0)
    report = kb.evaluate(dataset, answers_out=answers_out, report_out=report_out)
    regressions = kb.runs.regressions(baseline, report, margin) if baseline else []
    typer.echo(report.text())
    failed = report.figures["accuracy"] < min_accuracy
    if failed:
        typer.echo(f"accuracy {report.figures['accuracy']:.3f} is below --min-accuracy "
                   f"{min_accuracy}", err=True)
    for problem in regressions:
        typer.echo(f"regression against run {baseline}: {problem}", err=True)
    typer.echo(f"run: {report.run_id}")
    raise typer.Exit(1 if failed or regressions else 0)


@eval_app.command("runs")
def eval_runs(ctx: typer.Context):
    """The recorded evaluation runs with their figures."""
    for run in open_kb(ctx).runs.runs():
        f = json.loads(run.figures_json)
        typer.echo(f"{run.id:>4}  {run.created_at:%Y-%m-%d %H:%M}  accuracy {f['accuracy']:.3f}  "
                   f"unanswerable {_fmt(f['unanswerable_accuracy'])}  disclosure recall "
                   f"{_fmt(f['disclosure_recall'])}  p95 {_fmt(f['latency_p95_ms'])} ms  {run.dataset}")


@eval_app.command("diff")
def eval_diff(ctx: typer.Context, run_a: int, run_b: int):
    """Figures of two runs side by side, and the items whose verdict flipped."""
    diff = open_kb(ctx).runs.diff(run_a, run_b)
    for name, (before, after) in diff.figures.items():
        typer.echo(f"{name:<22} {_fmt(before):>8} {_fmt(after):>8}")
    typer.echo(f"{len(diff.flips)} items flipped")
    for flip in diff.flips:
        change = "correct → wrong" if flip.was_correct else "wrong → correct"
        typer.echo(f"  {flip.item_id}  {change}  {flip.question}  | now {flip.answer}")


@eval_app.command("export")
def eval_export(ctx: typer.Context, run_id: int, fmt: str = typer.Option("jsonl", "--format", help="jsonl or csv"),
                out: Optional[Path] = typer.Option(None, "--out", help="File to write (default: stdout).")):
    """A recorded run's items, with responses and verdicts, as JSON Lines or CSV."""
    text = open_kb(ctx).runs.export(run_id, fmt)
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)


def _fmt(value) -> str:
    return "n/a" if value is None else f"{value:.3f}"


feedback_app = typer.Typer(no_args_is_help=True, help="Agents' feedback, for evaluators.")


@feedback_app.command("list")
def feedback_list(ctx: typer.Context, rating: Optional[str] = typer.Option("down", "--rating", help="up, down, or all"),
                  limit: int = typer.Option(100, "--limit")):
    """The review queue: newest feedback first (thumbs down by default)."""
    rows = open_kb(ctx).feedback.recent(limit, None if rating == "all" else rating)
    for row in rows:
        typer.echo(f"{row.id:>5}  {row.created_at:%Y-%m-%d %H:%M}  {row.rating:<4} {row.answer_status:<9} "
                   f"{row.query}  | {row.comment}")


@feedback_app.command("promote")
def feedback_promote(ctx: typer.Context, feedback_id: int,
                     dataset: Path = typer.Option(..., "--to", help="JSONL set to append to."),
                     item_id: str = typer.Option(..., "--id"),
                     docs: list[str] = typer.Option([], "--doc", help="An expected doc_id (repeat); none: unanswerable."),
                     facts: list[str] = typer.Option([], "--fact", help="A key fact, alternatives split by | (repeat)."),
                     category: Optional[str] = typer.Option(None, "--category"),
                     ):
    """Turn a feedback entry into an evaluation item appended to a contract JSONL set."""
    item = open_kb(ctx).feedback.as_eval_item(feedback_id, item_id, docs, facts, category)
    with dataset.open("a", encoding="utf-8") as out:
        out.write(json.dumps(item, ensure_ascii=False) + "\n")
    typer.echo(f"{item_id} appended to {dataset}")


@feedback_app.command("export")
def feedback_export(ctx: typer.Context,
                    out: Optional[Path] = typer.Option(None, "--out", help="File to write (default: stdout).")):
    """The items promoted on the review page (or /api/review), as a contract JSONL set."""
    from evals.review import review_queue

    text = review_queue(open_kb(ctx)).export_jsonl()
    if out:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"{text.count(chr(10))} items written to {out}", err=True)
    else:
        typer.echo(text, nl=False)
