"""A transcript the candidate corrected, laid over the recogniser's timed words.

The corrected text is what is scored; the times stay those of the recording, so pace, pauses
and evidence times are still measured. Words the candidate kept keep their times and the
recogniser's confidence; a word they changed or added takes the time of the words it replaced
(or of its neighbours) and full confidence, since the candidate says it was said.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from scoring import TimedWord

_WORD = re.compile(r"\S+")


def _key(word: str) -> str:
    return re.sub(r"[^\w]", "", word.lower())


def corrected_words(recognised: Sequence[TimedWord], text: str) -> list[TimedWord]:
    """The words of `text`, timed from the recogniser's words they line up with."""
    # a leading space marks a new word, as the recognisers write them, so the scored text is
    # the corrected text word for word
    new = [("" if index == 0 else " ") + word
           for index, word in enumerate(_WORD.findall(text))]
    if not recognised:
        return [TimedWord(word, 0.0, 0.0, 1.0) for word in new]
    matcher = difflib.SequenceMatcher(None, [_key(word.text) for word in recognised],
                                      [_key(word) for word in new], autojunk=False)
    result: list[TimedWord] = []
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            result += [TimedWord(new[new_start + offset], word.start, word.end,
                                 word.probability)
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
