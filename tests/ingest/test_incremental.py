"""Incremental ingest into a real embedded Chroma store: only changes are embedded, history is kept,
broken files change nothing, a store never mixes two embedding models.

Each test builds its own store (they mutate it); the model is loaded once per process.
"""

import os
from pathlib import Path

import pytest

from ingest.indexer import doc_nodes
from ingest.reader import read_file
from kb.config import get_settings
from kb.default_model import folder_id
from kb.embeddings import Embedder
from kb.errors import StoreMismatch

ALL_KEYS = sorted(["cc-gold@v1", "disc-x@v1", "fee-transfer@v1", "fee-transfer@v2",
                   "script-lost-card@v1", "cc-comet@v1"])


def chunk_rows(kb) -> dict[str, tuple[str, str]]:
    """chunk id -> (doc_key, text), straight from the Chroma collection."""
    collection = kb.store.chunks()
    got = collection.get(include=["documents", "metadatas"])
    return {i: (m["doc_key"], t) for i, m, t in zip(got["ids"], got["metadatas"], got["documents"])}


def expected_chunks(corpus: Path, rel: str) -> int:
    """How many chunks the project's own pipeline makes of one file (embedding not involved)."""
    return len(doc_nodes(read_file(corpus / rel, rel)))


def stored(kb) -> dict[str, object]:
    return {d.meta.key: d for d in kb.store.document_records()}


@pytest.fixture
def built(corpus, kb_factory):
    kb = kb_factory()
    report = kb.ingest(corpus)
    assert report.ok, [str(p) for p in report.problems]
    assert sorted(report.added) == ALL_KEYS
    return kb


def test_first_ingest_embeds_every_chunk_once(built, corpus, kbtest):
    rows = chunk_rows(built)
    total = sum(expected_chunks(corpus, rel) for rel in kbtest.BASE_FILES)
    assert built.store.chunks().count() == total == len(rows)
    # ids are doc_id@vN:hash#i, dense from 0, one per chunk
    hashes = {k: d.content_hash[:12] for k, d in stored(built).items()}
    for key in ALL_KEYS:
        ids = sorted(i for i, (k, _) in rows.items() if k == key)
        assert ids == sorted(f"{key}:{hashes[key]}#{n}" for n in range(len(ids))), ids


def test_a_folder_written_in_groups_commits_every_version_once(corpus, kb_factory, kbtest, monkeypatch):
    """Versions are written a group at a time (KB_WRITE_GROUP_CHUNKS): with groups of four chunks
    the corpus takes several, and each version still has its chunks once, its record, and one
    entry in the change log."""
    kb = kb_factory(write_group_chunks=4)
    writes = []
    monkeypatch.setattr(kb.store, "_put_group", _counting(kb.store._put_group, writes))
    assert kb.ingest(corpus).ok
    assert len(writes) > 2
    rows = chunk_rows(kb)
    assert len(rows) == sum(expected_chunks(corpus, rel) for rel in kbtest.BASE_FILES)
    assert sorted(stored(kb)) == ALL_KEYS
    assert sorted(c.key for c in kb.store.changes_since(0)) == ALL_KEYS
    assert "5元" in kb.ask("柜面跨行转账手续费多少").answer.text


def _counting(write, calls: list):
    def counted(versions, model_id):
        calls.append(len(versions))
        return write(versions, model_id)
    return counted


def test_reingest_without_change_embeds_nothing(built, corpus):
    before = chunk_rows(built)
    hashes = {k: d.content_hash for k, d in stored(built).items()}
    report = built.ingest(corpus)
    assert report.chunks_embedded == 0
    assert sorted(report.unchanged) == ALL_KEYS
    assert report.added == report.updated == report.removed == []
    assert report.ok
    assert chunk_rows(built) == before
    assert {k: d.content_hash for k, d in stored(built).items()} == hashes
    assert "0 chunks embedded" in report.summary()


def test_editing_one_doc_reembeds_only_that_doc(built, corpus):
    rel = "fee_rule/fee-transfer-v2.md"
    path = corpus / rel
    path.write_text(path.read_text(encoding="utf-8").replace("每笔5元", "每笔6元"), encoding="utf-8")
    before = chunk_rows(built)
    report = built.ingest(corpus)
    assert report.updated == ["fee-transfer@v2"]
    assert report.added == report.removed == []
    assert sorted(report.unchanged) == sorted(k for k in ALL_KEYS if k != "fee-transfer@v2")
    assert report.chunks_embedded == expected_chunks(corpus, rel) > 0
    after = chunk_rows(built)
    # the other documents keep their chunk ids and text; the edited one's chunks are replaced
    # (new content, new ids: the old chunks stay whole until the new record commits)
    unchanged = {i: row for i, row in before.items() if row[0] != "fee-transfer@v2"}
    assert {i: row for i, row in after.items() if row[0] != "fee-transfer@v2"} == unchanged
    old_ids = {i for i, row in before.items() if row[0] == "fee-transfer@v2"}
    new_ids = {i for i, row in after.items() if row[0] == "fee-transfer@v2"}
    assert len(new_ids) == len(old_ids) and not new_ids & old_ids
    response = built.ask("柜面跨行转账手续费多少")
    assert "6元" in response.answer.text and "5元" not in response.answer.text


def test_shrinking_a_doc_leaves_no_orphan_chunks(built, corpus):
    rel = "credit_card/cc-gold.md"
    path = corpus / rel
    text = path.read_text(encoding="utf-8")
    cut = text.index("## 三、结算币种")
    path.write_text(text[:cut], encoding="utf-8")  # drop the currency and cash sections
    old = [i for i, (k, _) in chunk_rows(built).items() if k == "cc-gold@v1"]
    report = built.ingest(corpus)
    assert report.updated == ["cc-gold@v1"]
    new_count = expected_chunks(corpus, rel)
    assert report.chunks_embedded == new_count < len(old)
    rows = chunk_rows(built)
    ids = sorted(i for i, (k, _) in rows.items() if k == "cc-gold@v1")
    prefix = f"cc-gold@v1:{stored(built)['cc-gold@v1'].content_hash[:12]}"
    assert ids == sorted(f"{prefix}#{n}" for n in range(new_count))
    assert not any("美元" in t for k, t in rows.values() if k == "cc-gold@v1")
    assert built.ask("星辰金卡有美元币种吗").answer.status == "no_answer"


def test_chunk_count_never_grows_on_reingest(built, corpus):
    counts = [built.store.chunks().count()]
    ids = set(chunk_rows(built))
    path = corpus / "script/script-lost-card.md"
    original = path.read_text(encoding="utf-8")
    for n in range(3):
        # touch (mtime only), then real edits that keep the structure
        os.utime(path)
        built.ingest(corpus)
        counts.append(built.store.chunks().count())
        path.write_text(original.replace("马上", "马上" + "立即" * (n + 1)), encoding="utf-8")
        built.ingest(corpus)
        counts.append(built.store.chunks().count())
    assert len(set(counts)) == 1, counts
    assert {i.split(":")[0] + "#" + i.split("#")[1] for i in chunk_rows(built)} == {
        i.split(":")[0] + "#" + i.split("#")[1] for i in ids}, "same chunks, one copy each"
    texts = [(k, t) for k, t in chunk_rows(built).values()]
    assert len(texts) == len(set(texts)), "two chunks hold the same text of the same doc"


def test_reopened_store_sees_same_chunks(built, corpus, kb_factory):
    before = chunk_rows(built)
    reopened = kb_factory()
    report = reopened.ingest(corpus)
    assert report.chunks_embedded == 0
    assert chunk_rows(reopened) == before


def test_deleting_a_file_removes_its_doc(built, corpus):
    before = built.store.chunks().count()
    gone = sum(1 for k, _ in chunk_rows(built).values() if k == "script-lost-card@v1")
    assert gone > 0
    (corpus / "script/script-lost-card.md").unlink()
    report = built.ingest(corpus)
    assert report.removed == ["script-lost-card@v1"]
    assert report.chunks_embedded == 0
    assert "script-lost-card@v1" not in stored(built)
    assert not any(k == "script-lost-card@v1" for k, _ in chunk_rows(built).values())
    assert built.store.chunks().count() == before - gone
    response = built.ask("客户卡片丢失挂失话术，核实身份要提供什么")
    assert "script-lost-card" not in {c.doc_id for c in response.answer.citations}


def test_replacing_v1_by_v2_in_same_file_keeps_v1_history(tmp_path, kb_factory, kbtest):
    files = {k: v for k, v in kbtest.BASE_FILES.items() if "fee-transfer" not in k}
    files["fee_rule/fee-transfer.md"] = kbtest.FEE_V1
    corpus = kbtest.write_corpus(tmp_path / "c", files)
    kb = kb_factory()
    assert kb.ingest(corpus).ok
    assert "8元" in kb.ask("柜面跨行转账手续费多少", as_of=kbtest.V1_DAY).answer.text

    (corpus / "fee_rule/fee-transfer.md").write_text(kbtest.FEE_V2, encoding="utf-8")
    report = kb.ingest(corpus)
    assert report.added == ["fee-transfer@v2"]
    assert report.removed == []
    assert {"fee-transfer@v1", "fee-transfer@v2"} <= set(stored(kb))
    old = kb.ask("柜面跨行转账手续费多少", as_of=kbtest.V1_DAY)
    assert {(c.doc_id, c.version) for c in old.answer.citations} == {("fee-transfer", 1)}
    assert "8元" in old.answer.text
    new = kb.ask("柜面跨行转账手续费多少")
    assert {(c.doc_id, c.version) for c in new.answer.citations} == {("fee-transfer", 2)}
    assert "5元" in new.answer.text

    # re-ingesting the folder again keeps the history too
    again = kb.ingest(corpus)
    assert again.removed == [] and again.chunks_embedded == 0
    assert "fee-transfer@v1" in stored(kb)


NEW_DOC = """---
doc_id: deposit-demand
title: 活期存款利率说明
category: deposit
products: [活期存款]
---
# 活期存款利率说明

## 利率

- 个人活期存款年利率为0.10%。
"""


@pytest.mark.parametrize("rel, breakage, field, rule", [
    ("credit_card/cc-gold.md", ("category: credit_card", "category: 信用卡"),
     "category", "must be one of"),
    ("credit_card/cc-gold.md", ("products: [星辰金卡, 金卡, 星辰信用卡金卡]", "products: [星辰金卡, 金卡"),
     "products", "invalid YAML"),
    ("disclosure/disc-x.md", ("title: 信用卡利息及费用风险提示\n", ""), "title", "required"),
    ("fee_rule/fee-transfer-v2.md", ("effective_from: 2026-01-01", "effective_from: 2026/01/01"),
     "effective_from", "ISO date"),
    # an impossible calendar date: PyYAML itself fails on it, so either field names it
    ("fee_rule/fee-transfer-v2.md", ("effective_from: 2026-01-01", "effective_from: 2026-02-30"),
     ("effective_from", "front matter"), ""),
])
def test_broken_file_leaves_stored_version_live(built, corpus, rel, breakage, field, rule):
    key = {"credit_card/cc-gold.md": "cc-gold@v1", "disclosure/disc-x.md": "disc-x@v1",
           "fee_rule/fee-transfer-v2.md": "fee-transfer@v2"}[rel]
    before_doc = stored(built)[key]
    before_chunks = {i: r for i, r in chunk_rows(built).items() if r[0] == key}
    path = corpus / rel
    text = path.read_text(encoding="utf-8")
    assert breakage[0] in text
    # the file is broken AND its body edited: nothing of the edit may reach the store
    path.write_text(text.replace(breakage[0], breakage[1]).replace("。", "。（已修改）", 1),
                    encoding="utf-8")
    # in the same run, a new document arrives and another one is edited
    (corpus / "deposit").mkdir()
    (corpus / "deposit/deposit-demand.md").write_text(NEW_DOC, encoding="utf-8")
    script = corpus / "script/script-lost-card.md"
    script.write_text(script.read_text(encoding="utf-8").replace("不要着急", "别着急"), encoding="utf-8")

    report = built.ingest(corpus)

    assert not report.ok
    assert {p.file for p in report.problems} == {rel}
    fields = field if isinstance(field, tuple) else (field,)
    assert any(p.field in fields and rule in p.rule and p.rule for p in report.problems), \
        [str(p) for p in report.problems]
    assert any(str(p).startswith(f"{rel}: {p.field}: ") and p.field in fields for p in report.problems)
    assert key not in report.removed + report.updated + report.added
    # the stored version is untouched and still live
    after_doc = stored(built)[key]
    assert after_doc.content_hash == before_doc.content_hash
    assert after_doc.body == before_doc.body and "已修改" not in after_doc.body
    assert {i: r for i, r in chunk_rows(built).items() if r[0] == key} == before_chunks
    # the others went in
    assert report.added == ["deposit-demand@v1"]
    assert report.updated == ["script-lost-card@v1"]
    assert built.ask("活期存款利率多少").answer.citations[0].doc_id == "deposit-demand"
    gold = built.ask("星辰金卡年费多少")
    assert gold.answer.citations[0].doc_id == "cc-gold" and "300元" in gold.answer.text
    assert [d.doc_id for d in gold.disclosures] == ["disc-x"]
    fee = built.ask("柜面跨行转账手续费多少")
    assert {(c.doc_id, c.version) for c in fee.answer.citations} == {("fee-transfer", 2)}


def test_broken_new_file_is_not_stored(built, corpus):
    (corpus / "deposit").mkdir()
    (corpus / "deposit/bad.md").write_text(NEW_DOC.replace("doc_id: deposit-demand", "doc_id: Bad_ID"),
                                          encoding="utf-8")
    report = built.ingest(corpus)
    assert [(p.file, p.field) for p in report.problems] == [("deposit/bad.md", "doc_id")]
    assert sorted(stored(built)) == ALL_KEYS
    assert sorted(report.unchanged) == ALL_KEYS


def test_renamed_then_broken_file_keeps_stored_version(built, corpus):
    (corpus / "credit_card/cc-gold.md").rename(corpus / "credit_card/gold-card.md")
    first = built.ingest(corpus)
    assert first.ok and first.removed == []
    path = corpus / "credit_card/gold-card.md"
    path.write_text(path.read_text(encoding="utf-8").replace("category: credit_card", "category: 信用卡"),
                    encoding="utf-8")
    report = built.ingest(corpus)
    assert [p.file for p in report.problems] == ["credit_card/gold-card.md"]
    assert "cc-gold@v1" not in report.removed
    assert "cc-gold@v1" in stored(built)
    assert built.ask("星辰金卡年费多少").answer.status == "answered"


def test_deleting_a_disclosure_still_listed_never_drops_it_from_answers(built, corpus):
    (corpus / "disclosure/disc-x.md").unlink()
    report = built.ingest(corpus)
    response = built.ask("星辰金卡年费多少")
    assert response.answer.citations and response.answer.citations[0].doc_id == "cc-gold"
    # contract: disclosures listed by a cited document must accompany every answer citing it
    assert "disc-x" in [d.doc_id for d in response.disclosures], (
        f"answer cites cc-gold without disc-x; ingest problems: {[str(p) for p in report.problems]}")


@pytest.fixture
def other_model_dir(tmp_path) -> Path:
    """A second embedding model folder for KB_EMBED_MODEL.

    No second model is installed (and nothing may be downloaded), so this is a symlink to the
    packaged model under another folder name. Embedder names a configured folder
    `<folder name>:<weights bytes>`, so the store sees a genuinely different model id through
    the real settings path - no monkeypatching of Embedder.id or of the store's metadata.
    """
    link = tmp_path / "other-minilm"
    link.symlink_to(Embedder(get_settings()).path, target_is_directory=True)
    return link


def test_store_refuses_another_embedding_model(built, corpus, kb_factory, other_model_dir):
    assert built.store.model_id == folder_id()
    before = chunk_rows(built)
    other = kb_factory(embed_model=str(other_model_dir))
    assert other.embedder.id != built.store.model_id
    assert other.embedder.id.startswith("other-minilm:")

    path = corpus / "fee_rule/fee-transfer-v2.md"
    path.write_text(path.read_text(encoding="utf-8").replace("每笔5元", "每笔7元"), encoding="utf-8")
    with pytest.raises(StoreMismatch) as refused:
        other.ingest(corpus)
    assert folder_id() in str(refused.value) and "other-minilm" in str(refused.value)
    with pytest.raises(StoreMismatch):
        other.ask("柜面跨行转账手续费多少")

    # nothing of the refused run reached the store: no vectors of the second model were mixed in
    fresh = kb_factory()
    assert fresh.store.model_id == folder_id()
    assert chunk_rows(fresh) == before
    assert "5元" in fresh.ask("柜面跨行转账手续费多少").answer.text


def test_new_store_records_the_configured_model(tmp_path, kb_factory, kbtest, other_model_dir):
    corpus = kbtest.write_corpus(tmp_path / "c", {"disclosure/disc-x.md": kbtest.DISC_X})
    kb = kb_factory(tmp_path / "store-b", embed_model=str(other_model_dir))
    assert kb.ingest(corpus).ok
    assert kb.store.model_id == kb.embedder.id != folder_id()
    # and the default model is refused on that store
    with pytest.raises(StoreMismatch):
        kb_factory(tmp_path / "store-b").ask("信用卡透支利率多少")


def test_chunks_of_an_earlier_release_without_a_hash_still_answer_until_rewritten(built, corpus):
    """A store written before chunks carried their content hash: its chunks belong to their
    record; once an ingest rewrites the document, only the new chunks count and the old go."""
    chunks = built.store.chunks()
    got = chunks.get(where={"doc_key": "cc-gold@v1"}, include=["documents", "metadatas", "embeddings"])
    legacy = [{k: v for k, v in m.items() if k != "content_hash"} for m in got["metadatas"]]
    chunks.delete(ids=got["ids"])
    chunks.add(ids=[i.replace(":", "-old:") for i in got["ids"]], documents=got["documents"],
               metadatas=legacy, embeddings=got["embeddings"])
    reopened = type(built)(built.settings)
    assert len([c for c in reopened.store.chunk_records() if c.meta["doc_key"] == "cc-gold@v1"]) == len(legacy)
    assert "300元" in reopened.ask("星辰金卡年费多少").answer.text
    assert reopened.store.collect_garbage() == 0, "legacy chunks are not garbage"

    doc = next(d for d in reopened.store.document_records() if d.meta.key == "cc-gold@v1")
    from ingest.indexer import doc_nodes

    nodes = reopened.embedder.component(doc_nodes(doc))
    reopened.store.put_document(doc, nodes, reopened.embedder.id)
    rows = [i for i, (k, _) in chunk_rows(reopened).items() if k == "cc-gold@v1"]
    assert len(rows) == len(legacy) and not any("-old:" in i for i in rows)
