"""Closeness of meaning for the scorer: static word embeddings from WordLlama.

The PyPI package `wordllama` (pinned) carries 256-dimension embeddings (16 MB) and their
tokenizer inside its wheel; an answer's embedding is the average of its tokens'. What it adds
to agreement with human grades is measured by `python -m bench --only scoring`
(docs/scoring.md).

The two files are read here directly rather than through `wordllama.WordLlama`: importing that
package pulls in pydantic, requests and toml, and it widens the table to float32, which together
cost a practice session about 50 MB of its memory. The arithmetic is wordllama's own (its
`WordLlamaInference.embed` with `norm=True`), and a test holds the two equal.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

TOKENIZER_FILE = Path("tokenizers", "l2_supercat_tokenizer_config.json")
WEIGHTS_FILE = Path("weights", "l2_supercat_256.safetensors")
BATCH = 64  # texts padded together: bounds the memory of a large --jsonl batch


def wordllama_folder() -> Path:
    """The installed `wordllama` package folder, found without importing the package."""
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the wordllama package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


class WordLlamaEmbedder:
    """`scoring.TextEmbedder` over WordLlama's bundled 256-dimension model."""

    def __init__(self, folder: Path | None = None):
        from safetensors import safe_open
        from tokenizers import Tokenizer

        folder = folder or wordllama_folder()
        self._tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self._tokenizer.enable_padding()
        self._tokenizer.no_truncation()
        with safe_open(str(folder / WEIGHTS_FILE), framework="np") as weights:
            # kept as stored (float16): only the rows an answer uses are widened
            self._table = weights.get_tensor("embedding.weight")

    def embed(self, texts: list[str]) -> np.ndarray:
        vectors = np.empty((len(texts), self._table.shape[1]), dtype=np.float32)
        for start in range(0, len(texts), BATCH):
            vectors[start:start + BATCH] = self._embed_batch(texts[start:start + BATCH])
        return vectors

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encoded = self._tokenizer.encode_batch(texts, add_special_tokens=False)
        ids = np.array([item.ids for item in encoded], dtype=np.int64)
        mask = np.array([item.attention_mask for item in encoded], dtype=np.float32)
        np.clip(ids, 0, self._table.shape[0] - 1, out=ids)
        tokens = self._table[ids].astype(np.float32)
        counts = np.maximum(mask.sum(axis=1, keepdims=True), 1.0)
        pooled = np.sum(tokens * mask[..., np.newaxis], axis=1, dtype=np.float32) / counts
        with np.errstate(invalid="ignore", divide="ignore"):  # an empty text has no direction
            return np.nan_to_num(pooled / np.linalg.norm(pooled, axis=1, keepdims=True))


def load_embedder() -> WordLlamaEmbedder | None:
    """The embedder; None (scores then rest on TF-IDF alone, and say so in the log) when it
    cannot be loaded."""
    try:
        return WordLlamaEmbedder()
    except Exception as error:  # a damaged or missing install must not stop scoring
        log.warning("closeness of meaning is off: cannot load wordllama (%s); scores rest on "
                    "TF-IDF alone until it is reinstalled", error)
        return None
