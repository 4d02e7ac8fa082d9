import numpy as np
import pytest

from kb.embeddings import Embedder, _load, _question_vector, default_model_path

QUESTIONS = ["信用卡取现手续费怎么收", "credit card cash advance fee", "分期 APR 係幾多"]


@pytest.fixture(scope="module")
def llama_model():
    return _load(str(default_model_path()))


def test_question_vector_is_the_one_llama_index_gives(llama_model):
    """The question path skips `encode`; it must still give the vectors the store was built to match."""
    for question in QUESTIONS:
        expected = np.array(llama_model.get_query_embedding(question))
        assert np.abs(np.array(_question_vector(llama_model._model, question)) - expected).max() < 1e-5
    assert Embedder(None).query_uncached(QUESTIONS[0]) == pytest.approx(
        llama_model.get_query_embedding(QUESTIONS[0]), abs=1e-5)


def test_a_model_with_a_query_prompt_keeps_its_prompt():
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    prompted = HuggingFaceEmbedding(model_name=str(default_model_path()), device="cpu",
                                    query_instruction="Represent this question: ")
    plain = np.array(_question_vector(_load(str(default_model_path()))._model, QUESTIONS[1]))
    expected = np.array(prompted.get_query_embedding(QUESTIONS[1]))
    assert np.abs(np.array(_question_vector(prompted._model, QUESTIONS[1])) - expected).max() < 1e-5
    assert np.abs(plain - expected).max() > 1e-3
