import datetime as dt
from types import SimpleNamespace

import numpy as np

from kb.catalog import Catalog
from kb.config import get_settings
from kb.fitted import Fusion
from kb.lexicon import Analyzer, load_synonym_groups
from kb.models import DocMeta, SourceDocument
from kb.retrieval import Retriever
from kb.store import ChunkRecord
from kb.units import UnitTable


def _doc(doc_id: str, products: list[str], category: str = "credit_card",
         body: str = "年费300元。") -> SourceDocument:
    meta = DocMeta(doc_id=doc_id, title=doc_id, category=category, products=products)
    return SourceDocument(meta=meta, body=body, source=f"{doc_id}.md", content_hash=doc_id)


def _retriever(*extra: SourceDocument, unit_vector=lambda text: [0.0, 0.0], question=(1.0, 0.0),
               fusion: Fusion = Fusion(1.0, 0.0, 0.0, 0.3, 0.2)) -> Retriever:
    """A retriever over one chunk per document; the units' and the question's vectors are given
    (2-d), the chunks' own dense search finds nothing."""
    docs = [_doc("gold", ["金卡", "经典金卡"]), _doc("platinum", ["白金卡", "旅行白金卡"]), *extra]
    chunks = [ChunkRecord(f"{d.meta.key}#0", d.body, {"doc_key": d.meta.key, "doc_id": d.meta.doc_id,
                                                      "section": "年费"}) for d in docs]
    catalog = Catalog(docs)
    analyzer = Analyzer(load_synonym_groups(), catalog.aliases())
    units = UnitTable.build(chunks, lambda c: c.meta["doc_id"],
                            lambda texts: np.array([unit_vector(t) for t in texts], dtype=np.float32))
    dense = SimpleNamespace(nearest=lambda q, n, live, also=(): {}, embed=lambda q: list(question))
    return Retriever(chunks, catalog, analyzer, dense, get_settings(), units, fusion)


def test_a_named_product_is_found_whole():
    retriever = _retriever()
    assert retriever.named_docs("金卡年费多少") == {"gold"}
    assert retriever.named_docs("白金卡年费多少") == {"platinum"}      # not 金卡 inside 白金卡
    assert retriever.named_docs("年费多少") == set()


def test_the_named_document_ranks_first_when_the_text_ties():
    hits = _retriever().search("白金卡年费", dt.date(2026, 1, 1))
    assert hits[0].chunk.meta["doc_id"] == "platinum"


def test_a_question_asking_what_to_say_prefers_a_script():
    script = _doc("script-fee", [], "script", "客户质疑年费时，先致歉，再说明年费300元的收取规则。")
    rules = _doc("fee-rules", [], "fee_rule", "客户质疑年费时，年费300元按年收取。")
    retriever = _retriever(script, rules)
    assert retriever.cued_categories("客户质疑年费 怎么说") == {"script"}
    hits = retriever.search("客户质疑年费 怎么说", dt.date(2026, 1, 1))
    assert hits[0].chunk.meta["doc_id"] == "script-fee"
    assert retriever.search("客户质疑年费", dt.date(2026, 1, 1))[0].chunk.meta["doc_id"] != "script-fee"


def test_a_paraphrase_finds_the_chunk_whose_sentence_means_it():
    """No word of the question is in either chunk; the one whose unit is nearest in meaning
    comes first, by the weight fusion gives unit similarity."""
    withdraw = _doc("withdraw", [], "deposit", "提前支取按活期利率计息。")
    transfer = _doc("transfer", [], "deposit", "可以转让给本行其他客户。")
    near = lambda text: [1.0, 0.0] if "提前支取" in text else [0.0, 1.0]
    hits = _retriever(withdraw, transfer, unit_vector=near, fusion=Fusion(1.0, 0.0, 1.0, 0.3, 0.2)).search(
        "钱能提前拿出来吗", dt.date(2026, 1, 1))
    assert hits[0].chunk.meta["doc_id"] == "withdraw"
    assert hits[0].unit_best > 0.99 and hits[0].unit_dense.tolist() == [1.0]


def test_every_hit_carries_how_near_the_question_comes_to_the_documents_in_force():
    """The backdrop is read over the units of live documents only: a retired document's units,
    however near the question, do not raise it."""
    retired = _doc("retired", ["钻石卡"], body="钻石卡年费2000元。")
    retired.meta.effective_to = dt.date(2025, 12, 31)
    near = {"retired": [1.0, 0.0], "gold": [0.6, 0.8], "platinum": [0.0, 1.0]}
    retriever = _retriever(retired, unit_vector=lambda text: next(v for k, v in near.items() if k in text))
    hits = retriever.search("年费", dt.date(2026, 1, 1))
    live = np.array([0.6, 0.0])   # the question (1, 0) against gold's and platinum's units
    assert {h.backdrop for h in hits} == {hits[0].backdrop}
    assert hits[0].backdrop.mean == np.float32(live.mean())
    assert hits[0].backdrop.spread == np.float32(live.std())
    assert hits[0].backdrop.nearest == np.float32(live.mean())   # fewer units than the nearest ten
