"""The `kb` command: each command builds the application from settings and calls one method."""

import sys
from pathlib import Path
from typing import Optional

import typer

from cli import calls, documents, evaluations, knowledge, users
from cli.common import Commands, Options

app = typer.Typer(cls=Commands, add_completion=False, no_args_is_help=True, help=__doc__)
app.registered_commands += knowledge.app.registered_commands
app.add_typer(evaluations.eval_app, name="eval")
app.add_typer(evaluations.feedback_app, name="feedback")
app.add_typer(documents.docs_app, name="docs")
app.add_typer(users.users_app, name="users")
app.add_typer(calls.call_app, name="call")
app.command("eval-calls")(calls.eval_calls)


@app.callback()
def root(ctx: typer.Context,
         store: Optional[Path] = typer.Option(None, "--store", help="Store folder (default .kb, or KB_STORE)."),
         chroma_url: Optional[str] = typer.Option(None, "--chroma-url", help="Chroma server URL instead of a store folder."),
         as_json: bool = typer.Option(False, "--json", help="Print JSON where a command can (ask, docs show).")):
    """Flags for every command, given before it: `kb --store .kb ask 年费多少`."""
    ctx.obj = Options(store, chroma_url, as_json)



def main() -> None:
    sys.exit(app())
