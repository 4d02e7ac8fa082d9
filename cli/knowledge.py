"""The commands over the knowledge itself: validate and ingest a folder, ask, serve."""

import json
import os
from pathlib import Path
from typing import Optional

import typer

from application import Application
from cli.common import given, open_kb, parse_day
from kb.config import get_settings

app = typer.Typer()


@app.command()
def validate(ctx: typer.Context, source: Path):
    """Dry run: report every problem of every document in SOURCE; nothing is written."""
    result = open_kb(ctx).validate(source)
    for problem in result.problems:
        typer.echo(str(problem), err=True)
    typer.echo(f"{len(result.documents)} documents valid, "
               f"{len(result.rejected_files)} files rejected")
    raise typer.Exit(1 if result.problems else 0)


@app.command()
def ingest(ctx: typer.Context, source: Path):
    """Build or update the store from SOURCE; only changed documents are embedded again."""
    report = open_kb(ctx).ingest(source)
    for problem in report.problems:
        typer.echo(str(problem), err=True)
    typer.echo(report.summary())
    raise typer.Exit(1 if report.problems else 0)


@app.command()
def ask(ctx: typer.Context, question: str, as_of: Optional[str] = typer.Option(None, "--as-of", help="Answer as of YYYY-MM-DD.")):
    """Answer QUESTION with citations and the disclosures to read."""
    response = open_kb(ctx).ask(question, parse_day(as_of))
    if given(ctx).as_json:
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


@app.command()
def serve(ctx: typer.Context, host: str = typer.Option("127.0.0.1", "--host"), port: int = typer.Option(8000, "--port"),
          workers: int = typer.Option(1, "--workers", min=1, help="Processes (call contexts are shared "
                                      "through the app database; live calls' events reach the panels of one process)."),
          graceful: int = typer.Option(30, "--graceful-seconds", min=0,
                                       help="On SIGTERM, how long requests in flight may take to finish."),
          forwarded_allow_ips: str = typer.Option(
              "127.0.0.1", "--forwarded-allow-ips",
              help="Addresses of the TLS proxy whose X-Forwarded-Proto and -For are trusted (comma-separated, "
              "or '*'): the sign-in cookie is then marked Secure and lockouts count the client's address.")):
    """Serve the assist API and the agents' side panel."""
    import uvicorn

    options = given(ctx)
    settings = get_settings(store=options.store, chroma_url=options.chroma_url)
    knowledge = Application(settings)
    knowledge.check_bind(host)
    typer.echo(_listening_line(host, port, workers, local=not knowledge.users.any()))
    if workers == 1:
        from ui.app import create_app

        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning",
                    forwarded_allow_ips=forwarded_allow_ips, timeout_graceful_shutdown=graceful)
        return
    # Worker processes build their own app from KB_*: hand them this command's options, and
    # each its share of the cores (more model threads than cores spin against each other).
    threads = settings.torch_threads or max(1, (os.cpu_count() or 1) // workers)
    os.environ.update(settings.model_copy(update={"torch_threads": threads}).as_environment())
    uvicorn.run("ui.app:create_app", factory=True, host=host, port=port,
                workers=workers, log_level="warning", forwarded_allow_ips=forwarded_allow_ips,
                timeout_graceful_shutdown=graceful)


def _listening_line(host: str, port: int, workers: int, local: bool) -> str:
    where = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    mode = ("local mode: no users, everything allowed to this machine only; add one with `kb users add`"
            if local else "users sign in")
    return f"kb serving on {where} ({workers} process{'es' if workers > 1 else ''}; {mode})"
