"""A knowledge base of many chunks, served the way a bank would at scale: documents generated from
templates (evals/bench_publish.py's generator: eight categories, varied figures), ingested into a
Chroma server with the default model, with the embedding cache cold and then warm; then `kb ask`
p50/p95 with the vectors searched in Chroma (above KB_MEMORY_VECTORS_MAX), the memory of a serving
process, and the time for one publish to be answered by a second process. Figures are printed,
never asserted.

    python -m evals.bench_scale --docs 30000     # about 100,000 chunks: hours of embedding on 2 cores
    python -m evals.bench_scale --docs 300       # a quick run of the same steps

The embedding cache lives in a folder of the run's own (cold, then warm); --keep keeps the run's
folder (store, cache, corpus) for a later look, and --reuse DIR asks and publishes again on a kept
folder, without generating or ingesting anything. --warm-docs K times the warm ingest on K of the
documents only (a throughput, in chunks a second, like the cold one), where re-ingesting all of a
large base would take most of an hour again; the questions and the publish use the whole cold store.
--cache DIR starts from the embedding cache of an earlier run, stopped or finished (the texts are
generated the same way each time): a 100,000-chunk run can be taken up again where its embedding
stopped, and its "cold" ingest is then only as cold as that cache, which the run says.
"""

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from application import Application  # the writer publishes as a server does (the evaluation gate included)
from evals.bench_publish import fee_question, generate_document, live_doc, sample_questions, updated_file, write_corpus
from evals.scoring import percentile
from ingest.indexer import ingest_into
from kb.config import get_settings
from kb.knowledge_base import KnowledgeBase


def chroma_cli() -> str:
    here = Path(sys.executable).parent / "chroma"
    return str(here) if here.exists() else (shutil.which("chroma") or "chroma")


def heartbeat(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def start_chroma(folder: Path, port: int) -> subprocess.Popen:
    process = subprocess.Popen([chroma_cli(), "run", "--path", str(folder / "chroma"), "--host", "127.0.0.1",
                                "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while not heartbeat(port):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("chroma run did not start")
        time.sleep(0.2)
    return process


def ingest_timed(settings, corpus: Path) -> tuple[float, int]:
    kb = KnowledgeBase(settings)
    started = time.perf_counter()
    report = ingest_into(kb, corpus)
    if not report.ok:
        raise SystemExit(f"the generated corpus does not ingest clean: {report.summary()}")
    return time.perf_counter() - started, report.chunks_embedded


def ask_figures(kb: KnowledgeBase, questions: list[str]) -> dict:
    kb.warm_up(prepare_chunks=0)
    latencies = []
    for question in questions:
        started = time.perf_counter()
        kb.ask(question)
        latencies.append((time.perf_counter() - started) * 1000)
    return {"ask_p50_ms": round(percentile(latencies, 50), 1), "ask_p95_ms": round(percentile(latencies, 95), 1),
            "peak_rss_mb_of_this_process_ingest_included": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def publish_everywhere(writer: KnowledgeBase, reader: KnowledgeBase) -> float:
    """Seconds from a publish through one process to its new fee answered by another, both
    already serving (the writer's own first load of the base is not a publish's cost)."""
    writer.warm_up(prepare_chunks=0)
    doc = next(d for d in (live_doc(reader, key.split("@")[0]) for key in reader.index.hashes)
               if d.meta.category == "credit_card")
    fee = 4321 + doc.meta.version  # a fee the document does not state yet, on a kept store too
    started = time.perf_counter()
    writer.publisher.publish(f"{doc.meta.doc_id}.md", updated_file(doc, fee), {}, user="bench")
    while str(fee) not in reader.ask(fee_question(doc)).answer.text:
        reader.sync()
        if time.perf_counter() - started > 120:
            return float("nan")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--warm-docs", type=int, default=0, help="warm ingest on this many documents (0: all)")
    parser.add_argument("--reuse", type=Path, help="a folder an earlier run kept: only ask and publish again")
    parser.add_argument("--cache", type=Path, help="an earlier run's embedding cache to start from (not cold)")
    args = parser.parse_args()
    root = args.reuse or Path(tempfile.mkdtemp(prefix="kb-scale-"))
    chroma = start_chroma(root, args.port)
    try:
        (serve if args.reuse else run)(args, root)
    finally:
        chroma.terminate()
        chroma.wait(timeout=30)
        if not (args.keep or args.reuse):
            shutil.rmtree(root, ignore_errors=True)


def sample_of(folder: Path, total: int, count: int) -> Path:
    """The first `count` documents of the `total` generated, written again unchanged (so their chunks
    are cached); whole groups of eight, so each sampled document's disclosure is in the sample."""
    for i in range(count - count % 8 or count):
        rel, text = generate_document(i, total, seed=7)
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")
    return folder


def settings_of(args, root: Path) -> dict:
    # the app database too lives in the run's folder, never in the `.kb` of the folder it is run from
    return {"chroma_url": f"http://127.0.0.1:{args.port}", "cache_dir": args.cache or root / "cache",
            "memory_vectors_max": 0, "store": root / "reader"}


def run(args, root: Path) -> None:
    corpus = write_corpus(root / "corpus", args.docs)
    common = settings_of(args, root)
    cold, chunks = ingest_timed(get_settings(collection_prefix="cold", **common), corpus)
    state = f"the cache of {args.cache} (partly warm)" if args.cache else "the cache cold"
    print(f"{args.docs} documents, {chunks} chunks: ingest {cold:.0f} s with {state} "
          f"({chunks / cold:.1f} chunks/s)", flush=True)
    warm_corpus = sample_of(root / "warm", args.docs, args.warm_docs) if args.warm_docs else corpus
    warm, warm_chunks = ingest_timed(get_settings(collection_prefix="warm", **common), warm_corpus)
    warm_docs = sum(1 for p in warm_corpus.rglob("*.md"))
    print(f"warm: {warm_docs} documents, {warm_chunks} chunks, cache hits only: "
          f"{warm:.1f} s ({warm_chunks / warm:.1f} chunks/s)", flush=True)
    serve(args, root)


def serve(args, root: Path) -> None:
    """The questions and the publish, on the cold run's store (a kept folder's, with --reuse)."""
    settings = get_settings(collection_prefix="cold", **settings_of(args, root))
    reader, writer = KnowledgeBase(settings), Application(settings.model_copy(update={"store": root / "writer"}))
    questions = sample_questions(reader, args.questions, seed=11)
    print({**ask_figures(reader, questions), "questions": len(questions)}, flush=True)
    print(f"one publish answered by another process after {publish_everywhere(writer, reader):.2f} s")


if __name__ == "__main__":
    sys.exit(main())
