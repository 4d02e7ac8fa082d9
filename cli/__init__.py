"""The `kb` command: each command builds the application from settings and calls one method."""

import sys

import typer

from cli import documents, evaluations, knowledge, users
from cli.common import Commands

app = typer.Typer(cls=Commands, add_completion=False, no_args_is_help=True, help=__doc__)
app.registered_commands += knowledge.app.registered_commands
app.add_typer(evaluations.eval_app, name="eval")
app.add_typer(evaluations.feedback_app, name="feedback")
app.add_typer(documents.docs_app, name="docs")
app.add_typer(users.users_app, name="users")


def main() -> None:
    sys.exit(app())
