import datetime as dt
from types import SimpleNamespace

from kb.catalog import Catalog
from kb.config import get_settings
from kb.lexicon import Analyzer, load_synonym_groups
from kb.models import DocMeta, SourceDocument
from kb.retrieval import Retriever
from kb.store import ChunkRecord


def _doc(doc_id: str, products: list[str], category: str = "credit_card",
         body: str = "年费300元。") -> SourceDocument:
    meta = DocMeta(doc_id=doc_id, title=doc_id, category=category, products=products)
    return SourceDocument(meta=meta, body=body, source=f"{doc_id}.md", content_hash=doc_id)


def _retriever(*extra: SourceDocument) -> Retriever:
    docs = [_doc("gold", ["金卡", "经典金卡"]), _doc("platinum", ["白金卡", "旅行白金卡"]), *extra]
    chunks = [ChunkRecord(f"{d.meta.key}#0", d.body, {"doc_key": d.meta.key, "doc_id": d.meta.doc_id,
                                                      "section": "年费"}) for d in docs]
    catalog = Catalog(docs)
    analyzer = Analyzer(load_synonym_groups(), catalog.aliases())
    return Retriever(chunks, catalog, analyzer, SimpleNamespace(nearest=lambda q, n, live, also=(): {}), get_settings())


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
