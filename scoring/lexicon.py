"""Ordinary English words, to tell a word from a misspelling of a term.

"sale" is a word, not a recogniser's misspelling of "stale"; "trivvy" is no word, so it may be
"Trivy". The list is the whole-word entries of the bundled sentence model's WordPiece vocabulary
(`scoring.sentence_model`): about 20,000 words chosen by frequency in English books and
Wikipedia. Without that package the list is empty and every spelling-tolerant match is allowed
(as before this rule).
"""

from __future__ import annotations

from functools import lru_cache

VOCABULARY_FILE = "vocab.txt"
MIN_LETTERS = 2
# The vocabulary lists words roughly by frequency: those before this entry are the few
# thousand most common ("noise", "evidence", "target"), which an alias should not be alone.
COMMON_RANK = 8000


@lru_cache(maxsize=1)
def _ranks() -> dict[str, int]:
    from scoring.sentence_model import minilm_folder

    try:
        lines = (minilm_folder() / VOCABULARY_FILE).read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    return {line: rank for rank, line in enumerate(lines)
            if len(line) >= MIN_LETTERS and line.isalpha() and line.isascii()}


def english_words() -> frozenset[str]:
    return frozenset(_ranks())


def is_english_word(word: str) -> bool:
    return word in _ranks()


def is_common_word(word: str) -> bool:
    """One of the few thousand most frequent English words."""
    return _ranks().get(word, COMMON_RANK) < COMMON_RANK
