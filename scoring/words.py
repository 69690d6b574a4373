"""A spoken answer's timed words: the text they make, and which word holds a character."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from scoring.delivery import UNSURE_PROBABILITY
from scoring.text import Token
from scoring.types import TimedWord


def join_words(words: Sequence[TimedWord], limit: int) -> tuple[str, list[int]]:
    """The text of the recognised words starting within `limit` characters; each one's end."""
    parts: list[str] = []
    ends: list[int] = []
    position = 0
    for word in words:
        if position >= limit:
            break
        # recognisers mark a new word with a leading space, and "-commit" continues "pre";
        # words given bare are separated
        text = word.text
        if parts and text[:1].isalnum() and parts[-1][-1:].isalnum():
            text = " " + text
        parts.append(text)
        position += len(text)
        ends.append(position)
    return "".join(parts), ends


def word_at(ends: list[int], char: int) -> int:
    """Index of the word that holds (or first follows) character `char`: a binary search of
    the words' ends, made once per answer (rebuilding them for each token was quadratic)."""
    return min(bisect.bisect_right(ends, char), len(ends) - 1)


def unsure_flags(tokens: list[Token], words: Sequence[TimedWord],
                 ends: list[int]) -> list[bool]:
    return [words[word_at(ends, token.start)].probability < UNSURE_PROBABILITY
            for token in tokens]
