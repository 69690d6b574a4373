"""A transcript the candidate corrected, laid over the recogniser's timed words.

The corrected text is what is scored; the times stay those of the recording, so pace, pauses
and evidence times are still measured. Words the candidate kept keep their times; a word they
changed or added takes the time of the words it replaced (or of its neighbours). Every word
takes full confidence: the candidate read the whole transcript and says this is what was said,
so no word is left "unsure" and no concept only "possibly said" for the recogniser's doubt.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Sequence

from scoring import TimedWord

_WORD = re.compile(r"\S+")
_NOT_WORD = re.compile(r"[^\w]")


def _key(word: str) -> str:
    return _NOT_WORD.sub("", word.lower())


def corrected_words(recognised: Sequence[TimedWord], text: str) -> list[TimedWord]:
    """The words of `text`, timed from the recogniser's words they line up with."""
    # a leading space marks a new word, as the recognisers write them, so the scored text is
    # the corrected text word for word
    new = [("" if index == 0 else " ") + word
           for index, word in enumerate(_WORD.findall(text))]
    if not recognised:
        return [TimedWord(word, 0.0, 0.0, 1.0) for word in new]
    opcodes = _opcodes(_matching_blocks([_key(word.text) for word in recognised],
                                        [_key(word) for word in new]), len(recognised), len(new))
    result: list[TimedWord] = []
    for tag, old_start, old_end, new_start, new_end in opcodes:
        if tag == "equal":
            result += [TimedWord(new[new_start + offset], word.start, word.end, 1.0)
                       for offset, word in enumerate(recognised[old_start:old_end])]
            continue
        if new_start == new_end:
            continue  # words the candidate removed
        start, end = _span(recognised, old_start, old_end, result)
        step = (end - start) / (new_end - new_start)
        result += [TimedWord(new[new_start + offset], start + offset * step,
                             start + (offset + 1) * step, 1.0)
                   for offset in range(new_end - new_start)]
    return result


def _span(recognised: Sequence[TimedWord], old_start: int, old_end: int,
          so_far: list[TimedWord]) -> tuple[float, float]:
    """The time the replaced words took; for inserted words, the gap where they go."""
    if old_end > old_start:
        return recognised[old_start].start, recognised[old_end - 1].end
    before = so_far[-1].end if so_far else recognised[0].start
    after = recognised[old_start].start if old_start < len(recognised) else before
    return before, max(before, after)


# difflib's alignment takes time of the order of the product of the two lengths: beyond this
# product a stretch is first cut at words found once in each (patience diff), so the time
# grows with the length, not its square (python -m bench --only faults)
DIFFLIB_MAX_PRODUCT = 1_000_000


def _matching_blocks(old: list[str], new: list[str]) -> list[tuple[int, int, int]]:
    """(old index, new index, length) of the stretches the two word lists share, in order."""
    blocks: list[tuple[int, int, int]] = []
    stack = [(0, len(old), 0, len(new))]
    while stack:
        old_lo, old_hi, new_lo, new_hi = stack.pop()
        while old_lo < old_hi and new_lo < new_hi and old[old_lo] == new[new_lo]:
            blocks.append((old_lo, new_lo, 1))  # the common start
            old_lo, new_lo = old_lo + 1, new_lo + 1
        while old_hi > old_lo and new_hi > new_lo and old[old_hi - 1] == new[new_hi - 1]:
            old_hi, new_hi = old_hi - 1, new_hi - 1
            blocks.append((old_hi, new_hi, 1))  # the common end
        if old_lo == old_hi or new_lo == new_hi:
            continue
        if (old_hi - old_lo) * (new_hi - new_lo) <= DIFFLIB_MAX_PRODUCT:
            matcher = difflib.SequenceMatcher(None, old[old_lo:old_hi], new[new_lo:new_hi],
                                              autojunk=False)
            blocks += [(old_lo + i, new_lo + j, size)
                       for i, j, size in matcher.get_matching_blocks() if size]
            continue
        anchors = _unique_anchors(old, new, old_lo, old_hi, new_lo, new_hi)
        if not anchors:
            continue  # nothing in common to go by: the stretch is replaced as a whole
        edges = [(old_lo - 1, new_lo - 1), *anchors, (old_hi, new_hi)]
        for (i, j), (next_i, next_j) in zip(edges, edges[1:], strict=False):
            if (i, j) != edges[0]:
                blocks.append((i, j, 1))
            stack.append((i + 1, next_i, j + 1, next_j))
    return sorted(blocks)


def _unique_anchors(old: list[str], new: list[str], old_lo: int, old_hi: int, new_lo: int,
                    new_hi: int) -> list[tuple[int, int]]:
    """Words found exactly once in each stretch, as (old, new) positions, the longest run of
    them in the same order in both (none: the stretch is replaced as a whole)."""
    def once(words: list[str], lo: int, hi: int) -> dict[str, int]:
        seen: dict[str, int] = {}
        for index in range(lo, hi):
            seen[words[index]] = -1 if words[index] in seen else index
        return {word: index for word, index in seen.items() if index >= 0}

    in_new = once(new, new_lo, new_hi)
    pairs = [(i, in_new[word]) for word, i in once(old, old_lo, old_hi).items()
             if word in in_new]
    pairs.sort()
    # longest increasing run of new positions (patience sorting), O(n log n)
    tails: list[int] = []
    tail_at: list[int] = []
    previous = [-1] * len(pairs)
    for index, (_, j) in enumerate(pairs):
        place = bisect.bisect_left(tails, j)
        previous[index] = tail_at[place - 1] if place else -1
        if place == len(tails):
            tails.append(j)
            tail_at.append(index)
        else:
            tails[place], tail_at[place] = j, index
    chain, index = [], tail_at[-1] if tail_at else -1
    while index >= 0:
        chain.append(pairs[index])
        index = previous[index]
    return chain[::-1]


def _opcodes(blocks: list[tuple[int, int, int]], old_size: int, new_size: int) -> list[tuple]:
    """difflib-style opcodes from matching blocks sorted in order."""
    codes, i, j = [], 0, 0
    for old_at, new_at, size in [*blocks, (old_size, new_size, 0)]:
        tag = "replace" if i < old_at and j < new_at else "delete" if i < old_at else \
            "insert" if j < new_at else None
        if tag:
            codes.append((tag, i, old_at, j, new_at))
        if size:
            codes.append(("equal", old_at, old_at + size, new_at, new_at + size))
        i, j = old_at + size, new_at + size
    return codes
