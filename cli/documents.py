"""`kb docs`: the documents of the store, for editors."""

import datetime as dt
from pathlib import Path
from typing import Optional

import typer

from cli.common import gate_text, given, open_kb, parse_day

docs_app = typer.Typer(no_args_is_help=True, help="The documents of the store, for editors.")


InForceOpt = dict(formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", help="Versions in force on at least one day between "
                  "--in-force-from and --in-force-to (inclusive; either end may be left out), one line each.")


@docs_app.command("list")
def docs_list(ctx: typer.Context, category: Optional[str] = typer.Option(None, "--category"),
              product: Optional[str] = typer.Option(None, "--product"),
              status: Optional[str] = typer.Option(None, "--status", help="live, scheduled, superseded, retired"),
              search: Optional[str] = typer.Option(None, "--search", help="Text in titles and bodies."),
              as_of: Optional[str] = typer.Option(None, "--as-of", help="The day statuses are given for."),
              in_force_from: Optional[dt.datetime] = typer.Option(None, "--in-force-from", **InForceOpt),
              in_force_to: Optional[dt.datetime] = typer.Option(None, "--in-force-to", **InForceOpt)):
    """One line per document (its current version), or per version with --status or --in-force-*."""
    rows = open_kb(ctx).documents(
        parse_day(as_of), category=category, product=product, status=status, search=search,
        in_force_from=in_force_from and in_force_from.date(), in_force_to=in_force_to and in_force_to.date())
    for row in rows:
        window = f"{row.effective_from or '…'} → {row.effective_to or '…'}"
        typer.echo(f"{row.doc_id:<28} v{row.version:<3} {row.status:<10} {row.category:<12} {window:<25} {row.title}")
    typer.echo(f"{len(rows)} documents")


@docs_app.command("show")
def docs_show(ctx: typer.Context, doc_id: str, as_of: Optional[str] = typer.Option(None, "--as-of")):
    """A document's metadata, its versions and their status, and its chunks as retrieval sees them."""
    found = open_kb(ctx).document(doc_id, parse_day(as_of))
    if given(ctx).as_json:
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


@docs_app.command("publish")
def docs_publish(ctx: typer.Context, file: Path, meta: list[str] = MetaOpt, by: str = ByOpt, override: str = OverrideOpt,
                 preview: bool = typer.Option(False, "--preview", help="Validate and show chunks and diff; store nothing.")):
    """Publish FILE as a new document or a new version (no version given: the next one)."""
    form = dict(item.partition("=")[::2] for item in meta)
    kb = open_kb(ctx)
    if preview:
        shown = kb.publisher.preview(file.name, file.read_bytes(), form)
        typer.echo(f"{shown.document.meta.key} would be {shown.status}; {len(shown.chunks)} chunks")
        typer.echo("\n".join(shown.diff))
        typer.echo(f"evaluation gate: {gate_text(shown.gate)}" if shown.gate else "")
        return
    _published(kb.publisher.publish(file.name, file.read_bytes(), form, by, override))
@docs_app.command("rollback")
def docs_rollback(ctx: typer.Context, doc_id: str, to_version: int = typer.Option(..., "--to-version", min=1),
                  by: str = ByOpt,
                  override: str = OverrideOpt):
    """Make an earlier version's content live again, as a new version."""
    _published(open_kb(ctx).publisher.rollback(doc_id, to_version, by, override))
@docs_app.command("retire")
def docs_retire(ctx: typer.Context, doc_id: str, last_day: str = typer.Option(..., "--last-day", help="YYYY-MM-DD"),
                by: str = ByOpt,
                override: str = OverrideOpt):
    """Stop a document answering after its last day."""
    _published(open_kb(ctx).publisher.retire(doc_id, parse_day(last_day), by, override))
@docs_app.command("history")
def docs_history(ctx: typer.Context, doc_id: str):
    """The audit log of a document: who changed it, when, from which content to which (a change
    whose write did not complete is marked so)."""
    for e in open_kb(ctx).history(doc_id):
        typer.echo(f"{e.at:%Y-%m-%d %H:%M}  {e.user:<12} {e.action:<9} v{e.version:<3} "
                   f"{(e.old_hash or '-')[:12]:>12} → {e.new_hash[:12]}  "
                   f"{'' if e.applied else '(not applied: the write did not complete) '}{e.reason}")
