"""A spoken answer's timed words: the text they make, and which word holds a character."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from scoring.delivery import UNSURE_PROBABILITY
from scoring.text import Token
from scoring.types import TimedWord


def join_words(words: Sequence[TimedWord]) -> tuple[str, list[tuple[int, int]]]:
    """The answer text made from recognised words, and each word's character span in it."""
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    position = 0
    for word in words:
        # recognisers mark a new word with a leading space, and "-commit" continues "pre";
        # words given bare are separated
        text = word.text
        if parts and text[:1].isalnum() and parts[-1][-1:].isalnum():
            text = " " + text
        parts.append(text)
        stripped = len(text) - len(text.lstrip())
        spans.append((position + stripped, position + len(text)))
        position += len(text)
    return "".join(parts), spans


def word_at(spans: list[tuple[int, int]], char: int) -> int:
    """Index of the word whose span holds (or first follows) character `char`."""
    ends = [end for _, end in spans]
    return min(bisect.bisect_right(ends, char), len(spans) - 1)


def unsure_flags(tokens: list[Token], words: Sequence[TimedWord],
                  spans: list[tuple[int, int]]) -> list[bool]:
    return [words[word_at(spans, token.start)].probability < UNSURE_PROBABILITY
            for token in tokens]
