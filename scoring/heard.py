"""Concepts the speech recogniser may have mis-heard: "possibly said" rather than missed.

A concept is possibly said when every word of one of its phrases is there, in order, and at
least one of them only as a word the recogniser was unsure of that resembles it; or when a few
words around one it was unsure of sound like one of its phrases (`scoring.phonetic`). Such a
match only ever supports a concept (half credit, shown as "heard as ..."); it never contradicts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from scoring.negation import Negation
from scoring.phonetic import MIN_KEY_LENGTH, SOUND_SIMILARITY, sound_key
from scoring.phrases import same_word
from scoring.text import Token
from scoring.types import ConceptStatus

if TYPE_CHECKING:
    from scoring.concepts import ConceptMatcher, PhraseMatch

UNSURE_SIMILARITY = 70.0  # how close an unsure word must be to count as "possibly said"
POSSIBLE = ConceptStatus.POSSIBLE


def heard_matches(matcher: ConceptMatcher, tokens: Sequence[Token], unsure: Sequence[bool],
                  best: list[PhraseMatch | None], negation: Negation) -> None:
    """Fill `best[c]` for concepts not found, from words the recogniser was unsure of."""
    from scoring.concepts import PhraseMatch, ordered_groups, polarised

    unsure_tokens = [token for token, flag in zip(tokens, unsure, strict=False)
                     if flag and not token.is_stop and len(token.norm) >= 3]
    if not unsure_tokens:
        return
    by_stem: dict[str, list[int]] = {}
    for token in tokens:
        by_stem.setdefault(token.stem, []).append(token.index)
    for index, phrase in enumerate(matcher.phrases):
        if best[phrase.concept] is not None:
            continue
        options: list[list[tuple[int, str]]] = []
        for word, word_stem in zip(phrase.words, phrase.stems, strict=True):
            found = [(position, "stem") for position in by_stem.get(word_stem, [])
                     if same_word(word, tokens[position].norm)]
            if len(word) >= 3:
                found += [(token.index, "unsure") for token in unsure_tokens
                          if fuzz.ratio(word, token.norm) >= UNSURE_SIMILARITY]
            if not found:
                break
            options.append(found)
        else:
            for chosen in ordered_groups(options, phrase, tokens):
                if any(rule == "unsure" for _, rule in chosen):
                    positions = [position for position, _ in chosen]
                    match = polarised(PhraseMatch(phrase.concept, phrase.text, min(positions),
                                                  max(positions), "unsure", POSSIBLE,
                                                  size=len(phrase.words)), phrase, negation)
                    if match.negated == matcher.hazard[index]:
                        best[phrase.concept] = match  # never "possibly" contradicted
                        break
    _sound_alike(matcher, tokens, unsure, best, negation)


def _sound_alike(matcher: ConceptMatcher, tokens: Sequence[Token], unsure: Sequence[bool],
                 best: list[PhraseMatch | None], negation: Negation) -> None:
    """A concept is possibly said when a few words around one the recogniser was unsure of
    sound like one of its phrases (their Metaphone keys are close)."""
    from scoring.concepts import PhraseMatch, polarised

    windows: dict[tuple[int, int], str] = {}  # (first, last) -> sound key
    for index, phrase in enumerate(matcher.phrases):
        key = sound_key(phrase.joined)
        if best[phrase.concept] is not None or phrase.self_negating or phrase.numeric or \
                len(key) < MIN_KEY_LENGTH:
            continue
        for width in range(max(1, phrase.span - 1), phrase.span + 2):
            for first in range(len(tokens) - width + 1):
                last = first + width - 1
                if not any(unsure[first:last + 1]) or tokens[first].is_stop or \
                        tokens[last].is_stop:
                    continue
                if (first, last) not in windows:
                    windows[first, last] = sound_key(
                        "".join(token.norm for token in tokens[first:last + 1]))
                if fuzz.ratio(key, windows[first, last]) < SOUND_SIMILARITY:
                    continue
                match = polarised(PhraseMatch(phrase.concept, phrase.text, first, last,
                                              "sound", POSSIBLE, size=len(phrase.words)),
                                  phrase, negation)
                if match.negated == matcher.hazard[index]:
                    best[phrase.concept] = match
                    break
            if best[phrase.concept] is not None:
                break
