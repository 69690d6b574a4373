"""Closeness of meaning for the scorer: static word embeddings from WordLlama.

The PyPI package `wordllama` (pinned) carries 256-dimension embeddings (16 MB) inside its wheel
and loads them with no network; an answer's embedding is the average of its tokens'. Measured
with it (README, "How well the score agrees with humans"): better agreement on SemEval-2013
and Mohler than TF-IDF alone, at about a millisecond an answer. A bigger sentence model
(MiniLM) was measured too: +0.01 on Mohler for 10-30 ms an answer and 90 MB, so not used.
"""

from __future__ import annotations

import functools
import logging
import warnings
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)


class WordLlamaEmbedder:
    """`scoring.TextEmbedder` backed by WordLlama's bundled 256-dimension model."""

    def __init__(self):
        root = logging.getLogger()
        handlers, level = list(root.handlers), root.level
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import wordllama

            self._model = wordllama.WordLlama.load(cache_dir=Path(wordllama.__file__).parent,
                                                   disable_download=True)
        # wordllama calls logging.basicConfig at import; keep the application's own logging
        root.handlers[:], root.level = handlers, level

    def embed(self, texts: list[str]) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.nan_to_num(self._model.embed(texts, norm=True))


@functools.lru_cache(maxsize=1)
def load_embedder() -> WordLlamaEmbedder | None:
    """The process's embedder, loaded once; None (scores then rest on TF-IDF alone, and say
    so in the log) when it cannot be loaded."""
    try:
        return WordLlamaEmbedder()
    except Exception as error:  # a damaged or missing install must not stop scoring
        log.warning("closeness of meaning is off: cannot load wordllama (%s); reinstall with "
                    "scripts/setup.sh", error)
        return None
