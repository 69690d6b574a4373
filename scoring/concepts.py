"""Key-concept coverage: which concepts an answer mentions, and the words that show it.

A concept counts as said when one of its phrases (its name or an alias) occurs in the answer
after normalisation (`scoring.text`): same stems ("rotated" / "rotation"), numbers as words,
hyphens as spaces. Two kinds of tolerance for speech-recognition spelling:

- a word may differ slightly ("trivvy" for "Trivy"): Levenshtein similarity of at least
  `fuzzy_threshold` (0-100) for words of 4 letters or more; shorter words must be exact;
- words may be split or joined ("git leaks" / "gitleaks", "pre commit" / "precommit"): the
  phrase's letters, joined, are compared with 1-3 joined words of the answer.

The words of a multi-word phrase may come in any order within a small window ("credentials
that are short-lived" says "short-lived credentials").

A concept the recogniser may have mis-heard is "possible" rather than missed: no phrase
matched, but a word the recogniser was unsure of resembles one of the concept's words, or a few
words around one it was unsure of sound like one of its phrases (`scoring.phonetic`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np
from rapidfuzz import fuzz, process

from scoring.negation import Negation, is_cue_phrase
from scoring.phonetic import MIN_KEY_LENGTH, SOUND_SIMILARITY, sound_key
from scoring.text import STOP_WORDS, Token, stem, tokenize
from scoring.types import ConceptStatus

COVERED, POSSIBLE = ConceptStatus.COVERED, ConceptStatus.POSSIBLE

# The lowest threshold whose rate of concepts "found" in other questions' answers stays close
# to exact matching's, on recognised speech (`python -m bench --only asr`, its threshold
# sweep); lower thresholds invent concepts.
DEFAULT_FUZZY_THRESHOLD = 88.0
UNSURE_SIMILARITY = 70.0  # how close an unsure word must be to count as "possibly said"
MIN_FUZZY_LENGTH = 4
WINDOW_SLACK = 4  # extra words allowed between the words of one phrase


@dataclass(frozen=True)
class ConceptSpec:
    """A concept as the matcher needs it (built from a bank concept or derived)."""

    name: str
    phrases: tuple[str, ...]
    weight: float = 1.0


@dataclass(frozen=True)
class _Phrase:
    concept: int
    text: str
    words: tuple[str, ...]  # the normalised words that must occur (see _phrase_from_text)
    stems: tuple[str, ...]
    joined: str  # all normalised words without spaces, for split/joined forms
    span: int  # number of words in the phrase as written
    self_negating: bool  # says a negation itself ("no public IPs"): matched with it


@dataclass(frozen=True)
class PhraseMatch:
    """Where a concept was found: token positions in the answer and how."""

    concept: int
    phrase: str
    first: int  # token indices (inclusive)
    last: int
    fuzzy: bool
    status: ConceptStatus  # COVERED or POSSIBLE
    negated: bool = False  # said inside a negation ("we don't rotate keys")
    cue: int | None = None  # the token that negates it
    size: int = 1  # words in the phrase: a longer phrase is more specific evidence

    def rank(self, expected_negated: bool) -> tuple:
        """Lower is better: the polarity the model answer uses, then sure, exact, the longer
        phrase, the tighter span."""
        return (self.negated != expected_negated, self.status is not COVERED, self.fuzzy,
                -self.size, self.last - self.first)


def _phrase_from_text(concept: int, text: str) -> _Phrase | None:
    tokens = tokenize(text)
    if not tokens:
        return None
    content = [token for token in tokens if not token.is_stop]
    # Function words may be left out ("short-lived credentials" is said as "credentials that
    # are short-lived"), unless that leaves too little: "just in time" is not "time".
    if not content or (len(content) < 2 and len(tokens) >= 2):
        content = tokens
    return _Phrase(concept=concept, text=text,
                   words=tuple(token.norm for token in content),
                   stems=tuple(token.stem for token in content),
                   joined="".join(token.norm for token in tokens), span=len(tokens),
                   self_negating=is_cue_phrase(tokens))


def _groups_near(options: list[list[tuple[int, bool]]], window: int, prefer_unflagged: bool
                 ) -> Iterator[list[tuple[int, bool]]]:
    """For each place the first word of a phrase occurs: the (position, flag) of each word
    nearest to it, when all of them lie within `window` words. With `prefer_unflagged`, an
    unflagged occurrence (an exact match) beats a nearer flagged one."""
    for anchor in options[0]:
        def closeness(item: tuple[int, bool], anchor: int = anchor[0]):
            distance = abs(item[0] - anchor)
            return (item[1], distance) if prefer_unflagged else distance

        chosen = [anchor]
        for positions in options[1:]:
            near = [item for item in positions if abs(item[0] - anchor[0]) < window]
            if not near:
                break
            chosen.append(min(near, key=closeness))
        else:
            indices = [index for index, _ in chosen]
            if max(indices) - min(indices) < window:
                yield chosen


class ConceptMatcher:
    """Finds a fixed set of concepts in answers. Build once per question, call `match` often."""

    def __init__(self, concepts: Sequence[ConceptSpec],
                 fuzzy_threshold: float = DEFAULT_FUZZY_THRESHOLD):
        self.concepts = tuple(concepts)
        self.fuzzy_threshold = fuzzy_threshold
        phrases = []
        for index, concept in enumerate(self.concepts):
            for text in dict.fromkeys(concept.phrases):
                phrase = _phrase_from_text(index, text)
                if phrase is not None:
                    phrases.append(phrase)
        # longer phrases first: "static application security testing" before "security"
        self.phrases = sorted(phrases, key=lambda phrase: -len(phrase.words))
        self._fuzzy_vocabulary = sorted({word for phrase in self.phrases for word in phrase.words
                                         if len(word) >= MIN_FUZZY_LENGTH
                                         and word not in STOP_WORDS})
        self._joined = sorted({phrase.joined for phrase in self.phrases})
        self._sound_keys = {phrase.joined: sound_key(phrase.joined) for phrase in self.phrases}
        # a phrase that says its own negation may not lose the negation to spelling tolerance
        # ("public IPs" is not "no public IPs")
        self._fuzzy_joined = sorted({phrase.joined for phrase in self.phrases
                                     if not phrase.self_negating})

    def match(self, tokens: Sequence[Token], unsure: Sequence[bool] | None = None,
              negation: Negation | None = None,
              expected_negated: Sequence[bool] | None = None) -> list[PhraseMatch | None]:
        """For each concept, its best match in `tokens` or None.

        `unsure[i]` marks token i as a word the speech recogniser was unsure of; `negation`
        says which tokens are negated, and `expected_negated[c]` whether concept c is said
        negated in the model answer ("secrets never go into git"): a match of the other
        polarity is returned only when there is no match of the expected one.
        """
        best: list[PhraseMatch | None] = [None] * len(self.concepts)
        if not tokens or not self.phrases:
            return best
        negation = negation or Negation.none(len(tokens))
        expected = expected_negated or [False] * len(self.concepts)
        positions_by_word = self._word_positions(tokens)
        joined_hits = self._joined_positions(tokens)
        for phrase in self.phrases:
            current = best[phrase.concept]
            want = expected[phrase.concept]
            if current is not None and current.rank(want)[:3] == (False, False, False):
                continue  # phrases come longest first: a sure, exact match is not beaten
            found = self._find(phrase, positions_by_word, joined_hits, negation, want)
            if found is not None and (current is None or found.rank(want) < current.rank(want)):
                best[phrase.concept] = found
        if unsure is not None:
            # a spelling-tolerant match resting on a word the recogniser was unsure of is
            # only "possibly said"
            for index, match in enumerate(best):
                if match is not None and match.fuzzy and any(
                        unsure[position] for position in range(match.first, match.last + 1)
                        if position < len(unsure)):
                    best[index] = replace(match, status=POSSIBLE)
            self._possible_matches(tokens, unsure, best, negation, expected)
        return best

    # -- internals

    def _word_positions(self, tokens: Sequence[Token]) -> dict[str, list[tuple[int, bool]]]:
        """For each phrase word: the token indices where it occurs, and whether fuzzily."""
        found: dict[str, list[tuple[int, bool]]] = {}
        by_stem: dict[str, list[int]] = {}
        by_norm: dict[str, list[int]] = {}
        for token in tokens:
            by_stem.setdefault(token.stem, []).append(token.index)
            by_norm.setdefault(token.norm, []).append(token.index)
        for phrase in self.phrases:
            for word, word_stem in zip(phrase.words, phrase.stems, strict=True):
                if word not in found:
                    # function words must match exactly; content words by stem
                    hits = by_norm.get(word, []) if word in STOP_WORDS else \
                        by_stem.get(word_stem, [])
                    found[word] = [(index, False) for index in hits]
        # Fuzzy: every phrase word against every distinct answer word, in one vectorised call
        answer_words = sorted(word for word in by_norm
                              if len(word) >= MIN_FUZZY_LENGTH and word not in STOP_WORDS)
        if answer_words and self._fuzzy_vocabulary:
            scores = process.cdist(self._fuzzy_vocabulary, answer_words, scorer=fuzz.ratio,
                                   score_cutoff=self.fuzzy_threshold, dtype=np.uint8,
                                   workers=1)
            rows, cols = np.nonzero(scores)
            for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
                word = self._fuzzy_vocabulary[row]
                exact = {index for index, _ in found.get(word, [])}
                for index in by_norm[answer_words[col]]:
                    if index not in exact:
                        found.setdefault(word, []).append((index, True))
        return found

    def _joined_positions(self, tokens: Sequence[Token]) -> dict[str, tuple[int, int, bool]]:
        """Phrases written split or joined: 1-3 consecutive answer words, letters joined."""
        spans: dict[str, tuple[int, int]] = {}
        for width in (1, 2, 3):
            for start in range(len(tokens) - width + 1):
                joined = "".join(token.norm for token in tokens[start:start + width])
                spans.setdefault(joined, (start, start + width - 1))
        hits: dict[str, tuple[int, int, bool]] = {}
        for joined in self._joined:
            if joined in spans:
                hits[joined] = (*spans[joined], False)
        candidates = [joined for joined in spans if len(joined) >= MIN_FUZZY_LENGTH + 2]
        targets = [joined for joined in self._fuzzy_joined
                   if joined not in hits and len(joined) >= MIN_FUZZY_LENGTH + 2]
        if candidates and targets:
            scores = process.cdist(targets, candidates, scorer=fuzz.ratio,
                                   score_cutoff=self.fuzzy_threshold, dtype=np.uint8)
            for row, target in enumerate(targets):
                col = int(np.argmax(scores[row]))
                if scores[row, col]:
                    hits[target] = (*spans[candidates[col]], True)
        return hits

    def _find(self, phrase: _Phrase, positions_by_word: dict[str, list[tuple[int, bool]]],
              joined_hits: dict[str, tuple[int, int, bool]], negation: Negation,
              want: bool) -> PhraseMatch | None:
        candidates = list(self._window_matches(phrase, positions_by_word, negation))
        joined = joined_hits.get(phrase.joined)
        if joined:
            candidates.append(_polarised(PhraseMatch(phrase.concept, phrase.text, joined[0],
                                                     joined[1], joined[2], COVERED,
                                                     size=len(phrase.words)),
                                         phrase, negation))
        if not candidates:
            return None
        return min(candidates, key=lambda match: (match.rank(want), match.first))

    def _window_matches(self, phrase: _Phrase,
                        positions_by_word: dict[str, list[tuple[int, bool]]],
                        negation: Negation) -> Iterator[PhraseMatch]:
        """Every place the phrase's words occur near each other."""
        lists = [positions_by_word.get(word, []) for word in phrase.words]
        if any(not positions for positions in lists):
            return
        # a word matched exactly is preferred to a fuzzy match of it, then the nearest
        for chosen in _groups_near(lists, phrase.span + WINDOW_SLACK, prefer_unflagged=True):
            indices = [index for index, _ in chosen]
            fuzzy = any(is_fuzzy for _, is_fuzzy in chosen)
            yield _polarised(PhraseMatch(phrase.concept, phrase.text, min(indices),
                                         max(indices), fuzzy, COVERED,
                                         size=len(phrase.words)), phrase, negation)

    def _possible_matches(self, tokens: Sequence[Token], unsure: Sequence[bool],
                          best: list[PhraseMatch | None], negation: Negation,
                          expected: Sequence[bool]) -> None:
        """A concept is possibly said when every word of one of its phrases is there, near
        each other, and at least one of them only as a word the recogniser was unsure of
        that resembles it."""
        unsure_tokens = [token for token, flag in zip(tokens, unsure, strict=False)
                         if flag and not token.is_stop and len(token.norm) >= 3]
        if not unsure_tokens:
            return
        by_stem: dict[str, list[int]] = {}
        for token in tokens:
            by_stem.setdefault(token.stem, []).append(token.index)
        for phrase in self.phrases:
            if best[phrase.concept] is not None:
                continue
            sure_or_unsure: list[list[tuple[int, bool]]] = []
            for word in phrase.words:
                options = [(index, False) for index in by_stem.get(stem(word), [])]
                if len(word) >= 3:
                    options += [(token.index, True) for token in unsure_tokens
                                if fuzz.ratio(word, token.norm) >= UNSURE_SIMILARITY]
                if not options:
                    break
                sure_or_unsure.append(options)
            else:
                for chosen in _groups_near(sure_or_unsure, phrase.span + WINDOW_SLACK,
                                           prefer_unflagged=False):
                    if any(flag for _, flag in chosen):
                        positions = [index for index, _ in chosen]
                        match = _polarised(PhraseMatch(phrase.concept, phrase.text,
                                                       min(positions), max(positions), True,
                                                       POSSIBLE, size=len(phrase.words)),
                                           phrase, negation)
                        if match.negated == expected[phrase.concept]:
                            best[phrase.concept] = match  # never "possibly" contradicted
                            break
        self._sound_alike_matches(tokens, unsure, best, negation, expected)

    def _sound_alike_matches(self, tokens: Sequence[Token], unsure: Sequence[bool],
                             best: list[PhraseMatch | None], negation: Negation,
                             expected: Sequence[bool]) -> None:
        """A concept is possibly said when a few words around one the recogniser was unsure
        of sound like one of its phrases (their Metaphone keys are close)."""
        windows: dict[tuple[int, int], str] = {}  # (first, last) -> sound key
        for phrase in self.phrases:
            key = self._sound_keys[phrase.joined]
            if best[phrase.concept] is not None or phrase.self_negating or \
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
                    match = _polarised(PhraseMatch(phrase.concept, phrase.text, first, last,
                                                   True, POSSIBLE, size=len(phrase.words)),
                                       phrase, negation)
                    if match.negated == expected[phrase.concept]:
                        best[phrase.concept] = match
                        break
                if best[phrase.concept] is not None:
                    break


def _polarised(match: PhraseMatch, phrase: _Phrase, negation: Negation) -> PhraseMatch:
    """The match, marked negated when one of its words is in a negation's scope (unless the
    phrase says the negation itself)."""
    if phrase.self_negating:
        return match
    for position in range(match.first, match.last + 1):
        if negation.negated[position]:
            return replace(match, negated=True, cue=negation.cue[position])
    return match
