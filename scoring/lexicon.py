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


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    from scoring.sentence_model import minilm_folder

    try:
        lines = (minilm_folder() / VOCABULARY_FILE).read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset()
    return frozenset(line for line in lines
                     if len(line) >= MIN_LETTERS and line.isalpha() and line.isascii())


def is_english_word(word: str) -> bool:
    return word in english_words()
