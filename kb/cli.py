"""The `kb` command: each command builds the KnowledgeBase from settings and calls one method."""

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer
from typer.core import TyperGroup

from kb.config import get_settings
from kb.errors import GateRefused, KBError
from kb.knowledge_base import KnowledgeBase

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)

StoreOpt = typer.Option(None, "--store", help="Store folder (default .kb, or KB_STORE).")
UrlOpt = typer.Option(None, "--chroma-url", help="Chroma server URL instead of a store folder.")


def open_kb(store: Optional[Path], chroma_url: Optional[str]) -> KnowledgeBase:
    return KnowledgeBase(get_settings(store=store, chroma_url=chroma_url))


def fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def parse_day(value: Optional[str]) -> Optional[dt.date]:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"--as-of must be a date YYYY-MM-DD, not '{value}'")


@app.command()
def validate(source: Path, store: Optional[Path] = StoreOpt, chroma_url: Optional[str] = UrlOpt):
    """Dry run: report every problem of every document in SOURCE; nothing is written."""
    try:
        result = open_kb(store, chroma_url).validate(source)
    except KBError as exc:
        fail(str(exc))
    for problem in result.problems:
        typer.echo(str(problem), err=True)
    typer.echo(f"{len(result.documents)} documents valid, "
               f"{len(result.rejected_files)} files rejected")
    raise typer.Exit(1 if result.problems else 0)


@app.command()
def ingest(source: Path, store: Optional[Path] = StoreOpt, chroma_url: Optional[str] = UrlOpt):
    """Build or update the store from SOURCE; only changed documents are embedded again."""
    try:
        report = open_kb(store, chroma_url).ingest(source)
    except KBError as exc:
        fail(str(exc))
    for problem in report.problems:
        typer.echo(str(problem), err=True)
    typer.echo(report.summary())
    raise typer.Exit(1 if report.problems else 0)


@app.command()
def ask(question: str, store: Optional[Path] = StoreOpt, chroma_url: Optional[str] = UrlOpt,
        as_of: Optional[str] = typer.Option(None, "--as-of", help="Answer as of YYYY-MM-DD."),
        as_json: bool = typer.Option(False, "--json", help="Print the contract's JSON.")):
    """Answer QUESTION with citations and the disclosures to read."""
    try:
        response = open_kb(store, chroma_url).ask(question, parse_day(as_of))
    except KBError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps(response.contract_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(render_response(response))


def render_response(response) -> str:
    answer = response.answer
    if answer.status == "no_answer":
        return f"[no answer] {answer.text}"
    lines = [answer.text, "", "Sources:"]
    for n, c in enumerate(answer.citations, 1):
        lines.append(f"  [{n}] {c.title} › {c.section} ({c.doc_id} v{c.version})")
        lines.append(f"      「{c.quote}」")
    for d in response.disclosures:
        lines += ["", f"Read to the customer — {d.title} ({d.doc_id}):", d.text]
    return "\n".join(lines)


class EvalGroup(TyperGroup):
    """`kb eval DATASET ...` runs an evaluation; `kb eval runs` and `kb eval diff A B` read the
    recorded ones."""

    def resolve_command(self, ctx, args):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().resolve_command(ctx, args)


eval_app = typer.Typer(cls=EvalGroup, no_args_is_help=True, help=EvalGroup.__doc__)
app.add_typer(eval_app, name="eval")


@eval_app.command("run")
def evaluate(dataset: Path, store: Optional[Path] = StoreOpt, chroma_url: Optional[str] = UrlOpt,
             answers_out: Optional[Path] = typer.Option(None, "--answers-out"),
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
    kb = open_kb(store, chroma_url)
    same = kb.unchanged_run(dataset) if if_changed and dataset.is_file() else None
    if same is not None:
        typer.echo(f"unchanged since run {same} (same set, documents in force, model and settings): no new run")
        typer.echo(f"run: {same}")
        raise typer.Exit(0)
    try:
        report = kb.evaluate(dataset, answers_out=answers_out, report_out=report_out)
        regressions = kb.runs.regressions(baseline, report, margin) if baseline else []
    except KBError as exc:
        fail(str(exc))
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
def eval_runs(store: Optional[Path] = StoreOpt, chroma_url: Optional[str] = UrlOpt):
    """The recorded evaluation runs with their figures."""
    for run in open_kb(store, chroma_url).runs.runs():
        f = json.loads(run.figures_json)
        typer.echo(f"{run.id:>4}  {run.created_at:%Y-%m-%d %H:%M}  accuracy {f['accuracy']:.3f}  "
                   f"unanswerable {_fmt(f['unanswerable_accuracy'])}  disclosure recall "
                   f"{_fmt(f['disclosure_recall'])}  p95 {_fmt(f['latency_p95_ms'])} ms  {run.dataset}")


@eval_app.command("diff")
def eval_diff(run_a: int, run_b: int, store: Optional[Path] = StoreOpt,
              chroma_url: Optional[str] = UrlOpt):
    """Figures of two runs side by side, and the items whose verdict flipped."""
    try:
        diff = open_kb(store, chroma_url).runs.diff(run_a, run_b)
    except KBError as exc:
        fail(str(exc), code=1)
    for name, (before, after) in diff.figures.items():
        typer.echo(f"{name:<22} {_fmt(before):>8} {_fmt(after):>8}")
    typer.echo(f"{len(diff.flips)} items flipped")
    for flip in diff.flips:
        change = "correct → wrong" if flip.was_correct else "wrong → correct"
        typer.echo(f"  {flip.item_id}  {change}  {flip.question}  | now {flip.answer}")


@eval_app.command("export")
def eval_export(run_id: int, store: Optional[Path] = StoreOpt, chroma_url: Optional[str] = UrlOpt,
                fmt: str = typer.Option("jsonl", "--format", help="jsonl or csv"),
                out: Optional[Path] = typer.Option(None, "--out", help="File to write (default: stdout).")):
    """A recorded run's items, with responses and verdicts, as JSON Lines or CSV."""
    try:
        text = open_kb(store, chroma_url).runs.export(run_id, fmt)
    except KBError as exc:
        fail(str(exc), code=1)
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)


def _fmt(value) -> str:
    return "n/a" if value is None else f"{value:.3f}"


feedback_app = typer.Typer(no_args_is_help=True, help="Agents' feedback, for evaluators.")
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("list")
def feedback_list(store: Optional[Path] = StoreOpt, chroma_url: Optional[str] = UrlOpt,
                  rating: Optional[str] = typer.Option("down", "--rating", help="up, down, or all"),
                  limit: int = typer.Option(100, "--limit")):
    """The review queue: newest feedback first (thumbs down by default)."""
    rows = open_kb(store, chroma_url).feedback.recent(limit, None if rating == "all" else rating)
    for row in rows:
        typer.echo(f"{row.id:>5}  {row.created_at:%Y-%m-%d %H:%M}  {row.rating:<4} {row.answer_status:<9} "
                   f"{row.query}  | {row.comment}")


@feedback_app.command("promote")
def feedback_promote(feedback_id: int, dataset: Path = typer.Option(..., "--to", help="JSONL set to append to."),
                     item_id: str = typer.Option(..., "--id"),
                     docs: list[str] = typer.Option([], "--doc", help="An expected doc_id (repeat); none: unanswerable."),
                     facts: list[str] = typer.Option([], "--fact", help="A key fact, alternatives split by | (repeat)."),
                     category: Optional[str] = typer.Option(None, "--category"),
                     store: Optional[Path] = StoreOpt, chroma_url: Optional[str] = UrlOpt):
    """Turn a feedback entry into an evaluation item appended to a contract JSONL set."""
    try:
        item = open_kb(store, chroma_url).feedback.as_eval_item(feedback_id, item_id, docs, facts, category)
    except KBError as exc:
        fail(str(exc), code=1)
    with dataset.open("a", encoding="utf-8") as out:
        out.write(json.dumps(item, ensure_ascii=False) + "\n")
    typer.echo(f"{item_id} appended to {dataset}")


@feedback_app.command("export")
def feedback_export(out: Optional[Path] = typer.Option(None, "--out", help="File to write (default: stdout)."),
                    store: Optional[Path] = StoreOpt, chroma_url: Optional[str] = UrlOpt):
    """The items promoted on the review page (or /api/review), as a contract JSONL set."""
    from evals.review import review_queue

    text = review_queue(open_kb(store, chroma_url)).export_jsonl()
    if out:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"{text.count(chr(10))} items written to {out}", err=True)
    else:
        typer.echo(text, nl=False)


@app.command()
def serve(store: Optional[Path] = StoreOpt, chroma_url: Optional[str] = UrlOpt,
          host: str = typer.Option("127.0.0.1", "--host"), port: int = typer.Option(8000, "--port"),
          workers: int = typer.Option(1, "--workers", min=1,
                                      help="Processes; each keeps its own call contexts."),
          forwarded_allow_ips: str = typer.Option(
              "127.0.0.1", "--forwarded-allow-ips",
              help="Addresses of the TLS proxy whose X-Forwarded-Proto and -For are trusted (comma-separated, "
              "or '*'): the sign-in cookie is then marked Secure and lockouts count the client's address.")):
    """Serve the assist API and the agents' side panel."""
    import uvicorn

    settings = get_settings(store=store, chroma_url=chroma_url)
    knowledge = KnowledgeBase(settings)
    try:
        knowledge.check_bind(host)
    except KBError as error:
        fail(str(error))
    typer.echo(_listening_line(host, port, workers, local=not knowledge.users.any()))
    if workers == 1:
        from assist_api.app import create_app

        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning",
                    forwarded_allow_ips=forwarded_allow_ips)
        return
    # Worker processes build their own app from KB_*: hand them this command's options, and
    # each its share of the cores (more model threads than cores spin against each other).
    threads = settings.torch_threads or max(1, (os.cpu_count() or 1) // workers)
    os.environ.update(settings.model_copy(update={"torch_threads": threads}).as_environment())
    uvicorn.run("assist_api.app:create_app", factory=True, host=host, port=port,
                workers=workers, log_level="warning", forwarded_allow_ips=forwarded_allow_ips)


def _listening_line(host: str, port: int, workers: int, local: bool) -> str:
    where = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    mode = ("local mode: no users, everything allowed to this machine only; add one with `kb users add`"
            if local else "users sign in")
    return f"kb serving on {where} ({workers} process{'es' if workers > 1 else ''}; {mode})"


docs_app = typer.Typer(no_args_is_help=True, help="The documents of the store, for editors.")
app.add_typer(docs_app, name="docs")


InForceOpt = dict(formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", help="Versions in force on at least one day between "
                  "--in-force-from and --in-force-to (inclusive; either end may be left out), one line each.")


@docs_app.command("list")
def docs_list(store: Optional[Path] = StoreOpt, chroma_url: Optional[str] = UrlOpt,
              category: Optional[str] = typer.Option(None, "--category"),
              product: Optional[str] = typer.Option(None, "--product"),
              status: Optional[str] = typer.Option(None, "--status", help="live, scheduled, superseded, retired"),
              search: Optional[str] = typer.Option(None, "--search", help="Text in titles and bodies."),
              as_of: Optional[str] = typer.Option(None, "--as-of", help="The day statuses are given for."),
              in_force_from: Optional[dt.datetime] = typer.Option(None, "--in-force-from", **InForceOpt),
              in_force_to: Optional[dt.datetime] = typer.Option(None, "--in-force-to", **InForceOpt)):
    """One line per document (its current version), or per version with --status or --in-force-*."""
    try:
        rows = open_kb(store, chroma_url).documents(
            parse_day(as_of), category=category, product=product, status=status, search=search,
            in_force_from=in_force_from and in_force_from.date(), in_force_to=in_force_to and in_force_to.date())
    except KBError as exc:
        fail(str(exc))
    for row in rows:
        window = f"{row.effective_from or '…'} → {row.effective_to or '…'}"
        typer.echo(f"{row.doc_id:<28} v{row.version:<3} {row.status:<10} {row.category:<12} {window:<25} {row.title}")
    typer.echo(f"{len(rows)} documents")


@docs_app.command("show")
def docs_show(doc_id: str, store: Optional[Path] = StoreOpt, chroma_url: Optional[str] = UrlOpt,
              as_of: Optional[str] = typer.Option(None, "--as-of"),
              as_json: bool = typer.Option(False, "--json")):
    """A document's metadata, its versions and their status, and its chunks as retrieval sees them."""
    try:
        found = open_kb(store, chroma_url).document(doc_id, parse_day(as_of))
    except KBError as exc:
        fail(str(exc), code=1)
    if as_json:
        typer.echo(found.model_dump_json(indent=2))
        return
    meta = found.current.meta
    typer.echo(f"{meta.doc_id}: {meta.title} ({meta.category}) products: {', '.join(meta.products) or '-'}")
    for version in found.versions:
        v = version.meta
        typer.echo(f"  v{v.version} {version.status:<10} {v.effective_from or '…'} → {v.effective_to or '…'}  "
                   f"{version.source}  {version.content_hash[:12]}")
    for chunk in found.chunks[meta.version]:
        typer.echo(f"\n[{chunk.id}] {chunk.section}\n{chunk.text}")


MetaOpt = typer.Option([], "--meta", help="A metadata field for a file without front matter or "
                       "sidecar, as field=value (repeat); lists comma-separated.")
ByOpt = typer.Option("cli", "--by", help="Who is making the change, for the audit log.")
OverrideOpt = typer.Option("", "--override", metavar="REASON", help="Publish although the evaluation "
                           "gate refuses; the reason goes into the audit log.")


def _published(done) -> None:
    for warning in done.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if done.unchanged:
        typer.echo(f"{done.doc_id} v{done.version} unchanged (same content as published)")
    else:
        typer.echo(f"{done.doc_id} v{done.version} {done.status} ({done.content_hash[:12]})")


def _gate_text(gate) -> str:
    lines = [gate.summary()]
    for f in gate.failures:
        lines += [f"  {f.item_id}: {f.question}", f"    expected {', '.join(f.expected_doc_ids)}"
                  f" with {' ; '.join(f.key_facts) or 'no key facts'}",
                  f"    got {f.status}: {f.answer} [{', '.join(f.cited)}]"]
    return "\n".join(lines)


def fail_change(exc: KBError) -> None:
    """A refused change; a gate refusal shows each item it would break."""
    fail(f"{exc}\n{_gate_text(exc.result)}" if isinstance(exc, GateRefused) else str(exc), code=1)


@docs_app.command("publish")
def docs_publish(file: Path, store: Optional[Path] = StoreOpt, chroma_url: Optional[str] = UrlOpt,
                 meta: list[str] = MetaOpt, by: str = ByOpt, override: str = OverrideOpt,
                 preview: bool = typer.Option(False, "--preview", help="Validate and show chunks and diff; store nothing.")):
    """Publish FILE as a new document or a new version (no version given: the next one)."""
    form = dict(item.partition("=")[::2] for item in meta)
    try:
        kb = open_kb(store, chroma_url)
        if preview:
            shown = kb.publisher.preview(file.name, file.read_bytes(), form)
            typer.echo(f"{shown.document.meta.key} would be {shown.status}; {len(shown.chunks)} chunks")
            typer.echo("\n".join(shown.diff))
            typer.echo(f"evaluation gate: {_gate_text(shown.gate)}" if shown.gate else "")
            return
        _published(kb.publisher.publish(file.name, file.read_bytes(), form, by, override))
    except KBError as exc:
        fail_change(exc)


@docs_app.command("rollback")
def docs_rollback(doc_id: str, to_version: int = typer.Option(..., "--to-version", min=1),
                  store: Optional[Path] = StoreOpt, chroma_url: Optional[str] = UrlOpt, by: str = ByOpt,
                  override: str = OverrideOpt):
    """Make an earlier version's content live again, as a new version."""
    try:
        _published(open_kb(store, chroma_url).publisher.rollback(doc_id, to_version, by, override))
    except KBError as exc:
        fail_change(exc)


@docs_app.command("retire")
def docs_retire(doc_id: str, last_day: str = typer.Option(..., "--last-day", help="YYYY-MM-DD"),
                store: Optional[Path] = StoreOpt, chroma_url: Optional[str] = UrlOpt, by: str = ByOpt,
                override: str = OverrideOpt):
    """Stop a document answering after its last day."""
    try:
        _published(open_kb(store, chroma_url).publisher.retire(doc_id, parse_day(last_day), by, override))
    except KBError as exc:
        fail_change(exc)


@docs_app.command("history")
def docs_history(doc_id: str, store: Optional[Path] = StoreOpt, chroma_url: Optional[str] = UrlOpt):
    """The audit log of a document: who changed it, when, from which content to which (a change
    whose write did not complete is marked so)."""
    for e in open_kb(store, chroma_url).history(doc_id):
        typer.echo(f"{e.at:%Y-%m-%d %H:%M}  {e.user:<12} {e.action:<9} v{e.version:<3} "
                   f"{(e.old_hash or '-')[:12]:>12} → {e.new_hash[:12]}  "
                   f"{'' if e.applied else '(not applied: the write did not complete) '}{e.reason}")


users_app = typer.Typer(no_args_is_help=True, help="Users, roles and API tokens, for admins.")
app.add_typer(users_app, name="users")


@users_app.command("add")
def users_add(name: str, role: str = typer.Option(..., "--role", help="agent, editor, evaluator or admin"),
              password: Optional[str] = typer.Option(None, "--password", help="For signing in to the pages "
                                                     "(prompted when --ask-password)."),
              ask_password: bool = typer.Option(False, "--ask-password"),
              store: Optional[Path] = StoreOpt, chroma_url: Optional[str] = UrlOpt):
    """Add a user; prints their API token once, as the last word."""
    if ask_password:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        token = open_kb(store, chroma_url).users.add(name, role, password)
    except KBError as exc:
        fail(str(exc), code=1)
    typer.echo(f"added {name} ({role}); API token, shown once: {token}")


@users_app.command("list")
def users_list(store: Optional[Path] = StoreOpt, chroma_url: Optional[str] = UrlOpt):
    for user in open_kb(store, chroma_url).users.list():
        typer.echo(f"{user['name']:<24} {user['role']:<10} {user['created_at']:%Y-%m-%d}"
                   f"{'  disabled' if user['disabled'] else ''}")


@users_app.command("token")
def users_token(name: str, store: Optional[Path] = StoreOpt, chroma_url: Optional[str] = UrlOpt):
    """Replace a user's API token (the old one stops working); prints the new one as the last word."""
    try:
        token = open_kb(store, chroma_url).users.new_token(name)
    except KBError as exc:
        fail(str(exc), code=1)
    typer.echo(f"new API token for {name}, shown once: {token}")


def _user_change(store, chroma_url, done: str, change) -> None:
    try:
        change(open_kb(store, chroma_url).users)
    except KBError as exc:
        fail(str(exc), code=1)
    typer.echo(done)


@users_app.command("disable")
def users_disable(name: str, store: Optional[Path] = StoreOpt, chroma_url: Optional[str] = UrlOpt):
    """Off-board a user: their token, password and sign-ins stop working at once."""
    _user_change(store, chroma_url, f"{name} disabled", lambda users: users.disable(name))


@users_app.command("enable")
def users_enable(name: str, store: Optional[Path] = StoreOpt, chroma_url: Optional[str] = UrlOpt):
    _user_change(store, chroma_url, f"{name} enabled", lambda users: users.enable(name))


@users_app.command("role")
def users_role(name: str, role: str = typer.Option(..., "--role", help="agent, editor, evaluator or admin"),
               store: Optional[Path] = StoreOpt, chroma_url: Optional[str] = UrlOpt):
    _user_change(store, chroma_url, f"{name} is now {role}", lambda users: users.set_role(name, role))


@users_app.command("password")
def users_password(name: str, password: Optional[str] = typer.Option(None, "--password"),
                   ask_password: bool = typer.Option(False, "--ask-password"),
                   store: Optional[Path] = StoreOpt, chroma_url: Optional[str] = UrlOpt):
    """Set a user's password; their sign-ins end."""
    if ask_password or password is None:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    _user_change(store, chroma_url, f"password of {name} set", lambda users: users.set_password(name, password))


@users_app.command("remove")
def users_remove(name: str, store: Optional[Path] = StoreOpt, chroma_url: Optional[str] = UrlOpt):
    _user_change(store, chroma_url, f"{name} removed", lambda users: users.remove(name))


def main() -> None:
    sys.exit(app())
