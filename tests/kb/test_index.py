"""The serving index follows the store: a version written by another process is added to a copy
of the index (the same answers as a full rebuild); a changed or removed version rebuilds it."""

import datetime as dt

QUESTIONS = ["星辰金卡年费多少", "金卡取现手续费", "彗星白金卡年费", "柜面跨行转账手续费多少",
             "卡丢了怎么办", "附属卡年费怎么免"]
COMET_NOW = """---
doc_id: cc-comet
title: 彗星白金卡产品说明
category: credit_card
products: [彗星白金卡, 彗星卡]
version: 2
---
# 彗星白金卡产品说明

## 一、年费

- 彗星白金卡主卡年费为每年1999元，刷卡满12次免次年年费。
"""


def answers(kb):
    return [(r.answer.status, r.answer.text, [c.doc_id for c in r.answer.citations], r.retrieved)
            for r in (kb.ask(q) for q in QUESTIONS)]


def test_a_version_written_elsewhere_is_added_without_a_rebuild(corpus, kb_factory):
    serving = kb_factory()
    serving.ingest(corpus)
    before = serving.index
    assert "1999元" not in serving.ask("彗星白金卡年费多少").answer.text
    (corpus / "credit_card" / "cc-comet-v2.md").write_text(COMET_NOW, encoding="utf-8")
    kb_factory().ingest(corpus)  # another process: the CLI, or another server worker

    assert serving.sync() is True
    grown = serving.index
    assert grown is not before and grown.retriever.bm25 is not before.retriever.bm25
    assert grown.analyzer is before.analyzer, "an added version must not rebuild the analyzer"
    assert "1999元" in serving.ask("彗星白金卡年费多少").answer.text
    assert "cc-comet@v2" not in before.catalog.by_key, "the old index stays as it was"
    assert serving.sync() is False, "nothing new: no work"
    assert answers(serving) == answers(kb_factory()), "a grown index answers as a fresh build"


def test_a_changed_version_rebuilds_the_index(corpus, kb_factory):
    serving = kb_factory()
    serving.ingest(corpus)
    before = serving.index
    path = corpus / "fee_rule" / "fee-transfer-v2.md"
    path.write_text(path.read_text(encoding="utf-8").replace("每笔5元", "每笔6元"), encoding="utf-8")
    kb_factory().ingest(corpus)

    assert serving.sync() is True
    assert serving.index.analyzer is not before.analyzer
    assert "6元" in serving.ask("柜面跨行转账手续费多少", as_of=dt.date.today()).answer.text


def test_a_renamed_file_written_elsewhere_is_followed(corpus, kb_factory):
    """A re-ingest that only records a new path writes no version: the store changes, no
    document is new, and following it must not fail (it did, asking Chroma for no ids)."""
    serving = kb_factory()
    serving.ingest(corpus)
    serving.ask("星辰金卡年费多少")  # the index is loaded
    old = corpus / "credit_card" / "cc-gold.md"
    old.rename(corpus / "credit_card" / "gold-card.md")
    kb_factory().ingest(corpus)

    assert serving.sync() is True
    assert serving.catalog.by_key["cc-gold@v1"].source.endswith("gold-card.md")
    assert serving.sync() is False
    assert "星辰金卡" in serving.ask("星辰金卡年费多少").answer.text


class FollowedMeanwhile:
    """The index lock, except that the first time it is taken another caller follows the store
    first: what happens when the publisher and the process's follower both see one write."""

    def __init__(self, kb):
        self.kb, self.lock, self.first = kb, kb._index_lock, True

    def __enter__(self):
        if self.first:
            self.first = False
            assert self.kb.sync() is True
        return self.lock.__enter__()

    def __exit__(self, *exc):
        return self.lock.__exit__(*exc)


def test_one_write_seen_by_two_followers_is_added_once(corpus, kb_factory):
    """The one that waited finds the work done (it used to ask the store for the documents
    that were new to it, none, and the publish failed)."""
    serving = kb_factory()
    serving.ingest(corpus)
    assert "1999元" not in serving.ask("彗星白金卡年费多少").answer.text
    (corpus / "credit_card" / "cc-comet-v2.md").write_text(COMET_NOW, encoding="utf-8")
    kb_factory().ingest(corpus)
    serving._index_lock = FollowedMeanwhile(serving)

    assert serving.sync() is False
    assert "1999元" in serving.ask("彗星白金卡年费多少").answer.text
