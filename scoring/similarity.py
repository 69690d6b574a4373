"""TF-IDF similarity between an answer and a model answer.

Representation chosen by measurement on human-graded answers (README, "How well the score
agrees with humans"): the mean of two cosines — character 2-5-grams within word boundaries and
whole words — over stemmed words, with sublinear term frequency, the question's own words removed
from both sides (repeating the question earns nothing), and the vocabulary and IDF fitted once on
the bank's model answers, so words no model answer uses neither help nor dilute an answer.

scikit-learn fits the vocabulary and IDF. Vectors for single answers are then built with plain
dicts by analyzers identical to scikit-learn's (a test checks it): several times faster per
answer, and a fitted state saved by the caller lets a new process score without importing
scikit-learn at all (about a second of start-up).
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from scoring.text import Token, tokenize

Vector = tuple[dict[str, float], ...]
STATE_VERSION = 1


def question_stems(question: str) -> frozenset[str]:
    return frozenset(token.stem for token in tokenize(question))


def prepare(text: str | list[Token], drop: frozenset[str] = frozenset()) -> str:
    """Stemmed words of `text` (or its tokens) without the question's words, as one string."""
    tokens = tokenize(text) if isinstance(text, str) else text
    return " ".join(token.stem for token in tokens if token.stem not in drop)


def char_wb_ngrams(text: str, min_n: int, max_n: int) -> list[str]:
    """scikit-learn's `analyzer="char_wb"`: n-grams inside each space-padded word."""
    grams: list[str] = []
    for word in text.split():
        grams.extend(_word_ngrams(word, min_n, max_n))
    return grams


@lru_cache(maxsize=65536)
def _word_ngrams(word: str, min_n: int, max_n: int) -> tuple[str, ...]:
    """The n-grams of one padded word (cached: answers reuse a small vocabulary)."""
    grams = []
    padded = f" {word} "
    length = len(padded)
    for n in range(min_n, max_n + 1):
        if length <= n:  # a short word counts once, whole
            grams.append(padded)
            break
        grams.extend(padded[offset:offset + n] for offset in range(length - n + 1))
    return tuple(grams)


class TfidfSimilarity:
    """Cosine similarity of TF-IDF vectors. Call `fit` once with the reference texts."""

    def __init__(self, char_ngram_range: tuple[int, int] = (2, 5), use_words: bool = True,
                 sublinear_tf: bool = True):
        self.char_ngram_range = char_ngram_range
        self.use_words = use_words
        self.sublinear_tf = sublinear_tf
        self.idf_: list[dict[str, float]] = []  # one per representation: term -> idf

    def fit(self, documents: Iterable[str]) -> TfidfSimilarity:
        """`documents`: prepared reference texts (see `prepare`)."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        documents = [document for document in documents if document.strip()] or ["empty"]
        vectorizers = [TfidfVectorizer(analyzer="char_wb", ngram_range=self.char_ngram_range,
                                       sublinear_tf=self.sublinear_tf, lowercase=False)]
        if self.use_words:
            vectorizers.append(TfidfVectorizer(analyzer="word", token_pattern=r"\S+",
                                               sublinear_tf=self.sublinear_tf, lowercase=False))
        self.idf_ = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a one-word corpus is fine, if not informative
            for vectorizer in vectorizers:
                vectorizer.fit(documents)
                self.idf_.append(dict(zip(vectorizer.get_feature_names_out().tolist(),
                                          vectorizer.idf_.tolist(), strict=True)))
        return self

    def _terms(self, representation: int, prepared: str) -> list[str]:
        if representation == 0:
            return char_wb_ngrams(prepared, *self.char_ngram_range)
        return prepared.split()

    def vectorize(self, prepared: str) -> Vector:
        """TF-IDF vectors of one prepared text, one per representation, L2-normalised
        (the weights scikit-learn's `transform` gives: sublinear tf, smoothed idf, l2)."""
        if not self.idf_:
            raise RuntimeError("TfidfSimilarity.fit must be called first")
        vectors = []
        for representation, idf in enumerate(self.idf_):
            counts = Counter(term for term in self._terms(representation, prepared)
                             if term in idf)
            weights = {term: (1.0 + math.log(count) if self.sublinear_tf else float(count))
                       * idf[term] for term, count in counts.items()}
            norm = math.sqrt(sum(weight * weight for weight in weights.values())) or 1.0
            vectors.append({term: weight / norm for term, weight in weights.items()})
        return tuple(vectors)

    @staticmethod
    def cosine(left: Vector, right: Vector) -> float:
        """Mean cosine over the representations."""
        total = 0.0
        for a, b in zip(left, right, strict=True):
            if len(a) > len(b):
                a, b = b, a
            total += sum(weight * b.get(term, 0.0) for term, weight in a.items())
        return min(1.0, max(0.0, total / max(1, len(left))))

    # -- a fitted state as plain data, so callers can keep it and skip fitting next time

    def get_state(self) -> dict[str, Any]:
        return {"version": STATE_VERSION, "char_ngram_range": list(self.char_ngram_range),
                "use_words": self.use_words, "sublinear_tf": self.sublinear_tf,
                "idf": self.idf_}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> TfidfSimilarity:
        if state.get("version") != STATE_VERSION:
            raise ValueError("fitted state of another version")
        similarity = cls(tuple(state["char_ngram_range"]), state["use_words"],
                         state["sublinear_tf"])
        similarity.idf_ = [dict(idf) for idf in state["idf"]]
        return similarity
