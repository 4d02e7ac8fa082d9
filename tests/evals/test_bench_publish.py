import pytest

"""The update benchmark's generated knowledge base is valid, and the benchmark runs end to end on a
handful of documents (its timings are printed, never checked here)."""

from collections import Counter

from evals import bench_publish
from ingest.indexer import doc_nodes
from ingest.reader import read_folder
from kb.models import CATEGORIES


def test_generated_documents_are_valid_small_and_spread_over_the_categories(tmp_path):
    folder = bench_publish.write_corpus(tmp_path / "corpus", 24)
    read = read_folder(folder)
    assert not read.problems, [str(p) for p in read.problems]
    assert len(read.documents) == 24
    assert Counter(d.meta.category for d in read.documents) == {c: 3 for c in CATEGORIES}
    assert all(2 <= len(doc_nodes(d)) <= 4 for d in read.documents)
    assert len({d.meta.doc_id for d in read.documents}) == 24
    names = [p for d in read.documents for p in d.meta.products]
    assert len(names) == len(set(names)), "product names and aliases are unique"
    assert all(1 <= len(d.meta.products) - 1 <= 2 for d in read.documents
               if d.meta.category in ("credit_card", "loan", "deposit", "wealth"))
    assert bench_publish.generate_document(5, 24) == bench_publish.generate_document(5, 24), "deterministic"


def test_the_update_changes_only_the_fee_and_leaves_the_version_to_the_publisher(tmp_path):
    folder = bench_publish.write_corpus(tmp_path / "corpus", 8)
    card = next(d for d in read_folder(folder).documents if d.meta.category == "credit_card")
    text = bench_publish.updated_file(card, 2345).decode("utf-8")
    front, body = text.split("---\n", 2)[1:]
    assert "version:" not in front
    changed = [(old, new) for old, new in zip(card.body.splitlines(), body.splitlines()) if old != new]
    assert len(body.splitlines()) == len(card.body.splitlines()) and len(changed) == 1
    assert changed[0][1].startswith(f"| {card.meta.products[0]} | 2345元/年 |")


@pytest.mark.model
def test_the_benchmark_runs_end_to_end_on_a_handful_of_documents(tmp_path, capsys):
    figures = bench_publish.main(["--docs", "16", "--repeats", "1", "--questions", "5",
                                  "--store", str(tmp_path / "store"), "--corpus", str(tmp_path / "corpus")])
    out = capsys.readouterr().out
    assert "publish p50 / max" in out and "peak RSS" in out
    assert figures["documents"] == 16 and figures["found"] == [True] and figures["sync_found"] == [True]
    card = next(d for d in read_folder(tmp_path / "corpus").documents if d.meta.doc_id == "cc-00000")
    assert figures["embedded"] == [len(doc_nodes(card))], "only the updated document is embedded"
    again = bench_publish.main(["--docs", "16", "--repeats", "1", "--questions", "5",
                                "--store", str(tmp_path / "store")])
    assert again["reused"] and again["found"] == [True]
