"""How far an answer's similarity rises above what an unrelated answer of the same length gets.

Ordinary shared vocabulary should earn nothing, so each question has a baseline: the median
similarity of the *other* questions' model answers to its model answer. Similarity depends on
length, though: a 30-word answer shares fewer words with a 130-word model answer than another
130-word text does, whether it is right or not. So the baseline is measured at several lengths
(the first 10, 20, 40 and 80 words of each other model answer, and the whole of it) and read at
the answer's own length; a concise answer is compared with concise unrelated text.
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections.abc import Callable, Sequence

LENGTHS = (10, 20, 40, 80)
MAX_OTHERS = 40  # enough for a stable median; keeps fitting a large set of references quick
DEFAULT_BASELINE = 0.15  # when there is no other model answer to compare with


def baseline_curve(others: Sequence[str],
                   similarities: Callable[[list[str]], Sequence[float]]
                   ) -> list[tuple[int, float]]:
    """(length in words, median similarity) points from the other model answers, prepared
    (stemmed words joined by spaces); `similarities` compares a batch of prepared texts with
    the model answer. A text shorter than a length stands for itself at that length."""
    if not others:
        return [(1, DEFAULT_BASELINE)]
    step = max(1, len(others) // MAX_OTHERS)
    chosen = [text.split() for text in others[::step][:MAX_OTHERS]]
    # every distinct text compared once, in one batch (an embedder is far quicker so)
    texts = [" ".join(words) for words in chosen]
    texts += [" ".join(words[:length]) for words in chosen for length in LENGTHS
              if length < len(words)]
    value = dict(zip(texts, similarities(texts), strict=True))
    per_length = {length: [value[" ".join(words[:length])] for words in chosen]
                  for length in LENGTHS}
    whole_values = [value[" ".join(words)] for words in chosen]
    typical = int(statistics.median(len(words) for words in chosen)) or 1
    curve = [(length, statistics.median(values)) for length, values in per_length.items()
             if length < typical]
    curve.append((max(typical, curve[-1][0] + 1) if curve else typical,
                  statistics.median(whole_values)))
    return _monotone(curve)


def _monotone(curve: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Longer unrelated text is never less similar than shorter (smooths sampling noise)."""
    result, highest = [], 0.0
    for length, value in sorted(curve):
        highest = max(highest, value)
        result.append((length, highest))
    return result


def baseline_at(curve: list[tuple[int, float]], words: int) -> float:
    """The baseline for an answer of `words` prepared words, interpolated in log length."""
    lengths = [length for length, _ in curve]
    if words <= lengths[0]:
        return curve[0][1]
    if words >= lengths[-1]:
        return curve[-1][1]
    index = bisect.bisect_right(lengths, words)
    (low, low_value), (high, high_value) = curve[index - 1], curve[index]
    share = (math.log(words) - math.log(low)) / (math.log(high) - math.log(low))
    return low_value + share * (high_value - low_value)
