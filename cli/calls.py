"""`kb call replay` (a recorded call fed as the call platform would post it) and `kb eval-calls`
(how well the quality check finds what inspectors find on recorded calls)."""

import json
import time
from pathlib import Path
from typing import Optional

import httpx
import typer

from cli.common import fail, open_kb
from kb.calls.transcript import read_transcript

call_app = typer.Typer(no_args_is_help=True, help="Live calls.")


@call_app.command("replay")
def replay(ctx: typer.Context, transcript: Path, speed: float = typer.Option(10.0, "--speed", min=0.1,
           help="How many times faster than spoken (the utterances' `at` times)."),
           url: Optional[str] = typer.Option(None, "--url", help="A running server (default: this store, in process)."),
           token: Optional[str] = typer.Option(None, "--token", envvar="KB_TOKEN", help="An integration role's API token.")):
    """Feed TRANSCRIPT (JSON Lines) utterance by utterance, then end the call; prints each
    utterance's events and the scorecard."""
    call = read_transcript(transcript)
    post = _poster(ctx, url, token)
    previous = None
    for said in call.utterances:
        if previous is not None:
            time.sleep(max(0.0, (said.at - previous).total_seconds()) / speed)
        previous = said.at
        heard = post(f"/calls/{call.call_id}/utterances", {**said.to_dict(), "agent": call.agent})
        kinds = ", ".join(e["kind"] for e in heard["events"]) or "-"
        typer.echo(f"{heard['utterance']:>3} {said.speaker:<8} {kinds}")
    card = post(f"/calls/{call.call_id}/end", None)
    found = "; ".join(f"{f['kind']}@{f['utterance'] or '-'}" for f in card["findings"])
    typer.echo(f"score {card['score']}: {found or 'no findings'}")


def _poster(ctx: typer.Context, url: Optional[str], token: Optional[str]):
    """POST to a running server, or straight to this store's call desk."""
    if url:
        client = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"} if token else {}, timeout=30)

        def remote(path: str, body):
            response = client.post(path, json=body)
            if response.status_code >= 400:
                fail(f"{path}: HTTP {response.status_code}: {response.text[:300]}", 1)
            return response.json()
        return remote
    from kb.calls.transcript import utterance

    kb = open_kb(ctx)

    def local(path: str, body):
        call_id = path.split("/")[2]
        if body is None:
            return json.loads(kb.calls.end(call_id).model_dump_json())
        number, events = kb.calls.hear(call_id, body.pop("agent", None), utterance(body))
        return {"utterance": number, "events": [json.loads(e.model_dump_json()) for e in events]}
    return local


def eval_calls(ctx: typer.Context, folder: Path = typer.Argument(Path("evals/calls")),
               report_out: Optional[Path] = typer.Option(None, "--report-out", help="Write the figures as JSON.")):
    """Listen to every recorded call under FOLDER and compare the findings with the expected
    ones: precision and recall by kind, suggestions within one utterance, and the disclosure
    share that best separates read from skipped. Folders in FOLDER/sealed.txt print totals only."""
    figures = open_kb(ctx).evaluate_calls(folder)
    if report_out:
        report_out.write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
    for name, f in figures["sets"].items():
        typer.echo(f"{name:<10} {f['calls']:>3} calls  precision {_fmt(f['precision'])}  recall {_fmt(f['recall'])}"
                   f"  suggested {_fmt(f['suggestion_hit'])}  utterance p50 {f['utterance_p50_ms']:.1f} ms"
                   f" p95 {f['utterance_p95_ms']:.1f} ms")
    for kind, f in figures["read"]["by_kind"].items():
        typer.echo(f"  {kind:<24} found {f['found']:>3} expected {f['expected']:>3} "
                   f"precision {_fmt(f['precision'])} recall {_fmt(f['recall'])}")
    typer.echo(f"(by kind: the read sets only) disclosure share fitted on the read sets: {figures['fitted_covered_share']}")
    typer.echo(f"run: {figures['run']}")


def _fmt(value) -> str:
    return "  -  " if value is None else f"{value:.3f}"
