"""What every command shares: the store options, opening the application, failing with a message."""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import typer
from typer.core import TyperGroup

from application import Application
from kb.config import get_settings
from kb.errors import BadRequest, GateRefused, KBError


@dataclass
class Options:
    """What the root command's flags say, for every command under it (`kb --store S ask Q`)."""

    store: Optional[Path] = None
    chroma_url: Optional[str] = None
    as_json: bool = False

    def application(self) -> Application:
        return Application(get_settings(store=self.store, chroma_url=self.chroma_url))


def given(ctx: typer.Context) -> Options:
    """The root flags of this invocation (defaults when a command is invoked alone, as in tests)."""
    return ctx.find_root().obj or Options()


def open_kb(ctx: typer.Context) -> Application:
    return given(ctx).application()


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


def gate_text(gate) -> str:
    """The evaluation gate's verdict, with each item a change would break."""
    lines = [gate.summary()]
    for f in gate.failures:
        lines += [f"  {f.item_id}: {f.question}", f"    expected {', '.join(f.expected_doc_ids)}"
                  f" with {' ; '.join(f.key_facts) or 'no key facts'}",
                  f"    got {f.status}: {f.answer} [{', '.join(f.cited)}]"]
    return "\n".join(lines)



class Commands(TyperGroup):
    """The one place a core error becomes a message on stderr and an exit code: 2 when the request
    itself was wrong (a bad date, an empty question), 1 when it could not be done."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KBError as error:
            shown = f"{error}\n{gate_text(error.result)}" if isinstance(error, GateRefused) else str(error)
            fail(shown, code=2 if isinstance(error, BadRequest) else 1)
