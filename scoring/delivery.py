"""Delivery metrics: pace, pauses, fillers, repetition, and words the recogniser was unsure of.

Filler counts are a minimum: speech recognisers (Whisper especially) leave out many "um"s and
"uh"s, so a count of zero means "none heard", not "none said".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from scoring.types import DeliveryReport, Pause, TimedWord, UnsureWord

LONG_PAUSE_S = 2.0
WORD_GAP_S = 0.5  # gaps shorter than this are part of speaking
UNSURE_PROBABILITY = 0.5
SLOW_WPM, FAST_WPM = 110.0, 170.0

SINGLE_FILLERS = frozenset("um umm uh uhh uhm er erm ah ahh hmm mm mhm basically literally "
                           "actually".split())
PHRASE_FILLERS = (("you", "know"), ("i", "mean"), ("sort", "of", "like"), ("kind", "of", "like"))
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


_FILLER_LIKE = re.compile(r",\s*like\b\s*,?|\blike\s*,", re.IGNORECASE)


def _lower_words(text: str) -> list[str]:
    return [word.lower() for word in _WORD.findall(text)]


def count_fillers(text: str, words: list[str] | None = None) -> dict[str, int]:
    """Filler words and phrases in `text` (a minimum count)."""
    words = _lower_words(text) if words is None else words
    counts: Counter[str] = Counter()
    index = 0
    while index < len(words):
        for phrase in PHRASE_FILLERS:
            if tuple(words[index:index + len(phrase)]) == phrase:
                counts[" ".join(phrase)] += 1
                index += len(phrase)
                break
        else:
            if words[index] in SINGLE_FILLERS:
                counts[words[index]] += 1
            index += 1
    likes = len(_FILLER_LIKE.findall(text))  # "like" only as a filler: set off by commas
    if likes:
        counts["like"] = likes
    return dict(counts)


# of each kind; every phrase is compared with those already kept, so a long paste with
# thousands of repeated phrases took seconds (and nobody reads past the first few)
MAX_PHRASES = 10


def repeated_phrases(text: str, words: list[str] | None = None) -> tuple[str, ...]:
    """Immediate repetitions ("we we", "I would I would") and 3-word phrases said 3+ times."""
    words = _lower_words(text) if words is None else words
    found: dict[str, None] = {}
    for size in (2, 1):
        index = 0
        while index + 2 * size <= len(words):
            chunk = words[index:index + size]
            if chunk == words[index + size:index + 2 * size] and not all(
                    word.isdigit() for word in chunk):
                phrase = " ".join(chunk)
                if len(found) < MAX_PHRASES and not any(phrase in longer for longer in found):
                    found[f"{phrase} {phrase}"] = None
                index += 2 * size
            else:
                index += 1
    trigrams = Counter(tuple(words[i:i + 3]) for i in range(len(words) - 2))
    picked: list[tuple[str, ...]] = []
    for trigram, count in trigrams.most_common():
        if count < 3 or len(picked) == MAX_PHRASES:
            break
        # "a b c a b c a b c" repeats "b c a" too: keep phrases that share no word pair
        pairs = {trigram[:2], trigram[1:]}
        if any(pairs & {other[:2], other[1:]} for other in picked):
            continue
        picked.append(trigram)
        found[f"{' '.join(trigram)} (x{count})"] = None
    return tuple(found)


def _is_content(text: str) -> bool:
    from scoring.text import STOP_WORDS

    words = [word.lower() for word in _WORD.findall(text)]
    return any(word not in STOP_WORDS and not word.startswith("i'") for word in words)


def delivery_metrics(text: str, words: Sequence[TimedWord] | None = None,
                     duration_s: float | None = None) -> DeliveryReport:
    """Metrics of one answer. `words` (with timings) come from speech; typed answers omit them.

    `duration_s` is the whole recording; time before the first word is reported as lead-in.
    """
    lower_words = _lower_words(text)
    fillers = count_fillers(text, lower_words)
    repeats = repeated_phrases(text, lower_words)
    word_count = len(lower_words)
    if not words:
        return DeliveryReport(word_count=word_count, filler_count=sum(fillers.values()),
                              fillers=fillers, repeated_phrases=repeats,
                              duration_s=duration_s)
    ordered = sorted(words, key=lambda word: word.start)
    first, last = ordered[0].start, max(word.end for word in ordered)
    speaking = 0.0
    pauses = []
    stretch_start, stretch_end = ordered[0].start, ordered[0].end
    for word in ordered[1:]:
        gap = word.start - stretch_end
        if gap > LONG_PAUSE_S:
            pauses.append(Pause(round(stretch_end, 2), round(word.start, 2)))
        if gap > WORD_GAP_S:
            speaking += stretch_end - stretch_start
            stretch_start = word.start
        stretch_end = max(stretch_end, word.end)
    speaking += stretch_end - stretch_start
    spoken_words = sum(1 for word in ordered if _WORD.search(word.text))
    wpm = spoken_words / speaking * 60 if speaking > 0 else None
    pace = None
    if wpm is not None and spoken_words >= 10:
        pace = "slow" if wpm < SLOW_WPM else "fast" if wpm > FAST_WPM else "good"
    unsure = tuple(UnsureWord(word.text.strip(), round(word.start, 2), round(word.probability, 3))
                   for word in ordered
                   if word.probability < UNSURE_PROBABILITY and _is_content(word.text))
    total = duration_s if duration_s is not None else last
    return DeliveryReport(
        word_count=word_count, filler_count=sum(fillers.values()), fillers=fillers,
        repeated_phrases=repeats, duration_s=round(total, 2), speaking_s=round(speaking, 2),
        lead_in_s=round(first, 2), words_per_minute=round(wpm, 1) if wpm else None,
        long_pauses=tuple(pauses),
        longest_pause_s=round(max((pause.length for pause in pauses), default=0.0), 2),
        unsure_words=unsure, pace=pace)
