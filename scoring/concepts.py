"""Key-concept coverage: which concepts an answer mentions, how, and the words that show it.

A concept counts as said when one of its phrases (its name or an alias) occurs in the answer
after normalisation (`scoring.text`) under the precise rules of `scoring.phrases`: same word
forms, numbers exact, words in order. Two kinds of tolerance for speech-recognition spelling:

- a word may differ slightly ("trivvy" for "Trivy"): Levenshtein similarity of at least
  `fuzzy_threshold` (0-100), within the limits of `scoring.phrases.may_be_misspelt`;
- words may be split or joined ("git leaks" / "gitleaks", "pre commit" / "precommit").

Polarity. A phrase either affirms its concept when said plainly ("we rotate keys") or names the
hazard the concept avoids ("baked into" for "no secrets in images", "anonymous access" where the
model answer says "no anonymous access"): a negated mention of a hazard covers the concept, a
negated affirming mention contradicts it ("we never rotate keys"), and a plain mention of a
hazard contradicts it only when the clause endorses it ("I'd keep trusting the internal
network"); otherwise it says nothing either way. When one sentence both rejects and affirms a
concept ("we never rotate keys because rotation breaks things"), the rejection stands unless a
contrast word ("but", "instead") separates them.

A concept the recogniser may have mis-heard is "possible" rather than missed (`scoring.heard`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np
from rapidfuzz import fuzz, process

from scoring.negation import Negation
from scoring.phrases import (
    MIN_FUZZY_LENGTH,
    MIN_JOINED_LETTERS,
    WINDOW_SLACK,
    Phrase,
    in_order,
    joinable,
    may_be_misspelt,
    phrase_from_text,
    phrase_texts,
    same_word,
)
from scoring.text import STOP_WORDS, Token
from scoring.types import ConceptStatus

COVERED, POSSIBLE = ConceptStatus.COVERED, ConceptStatus.POSSIBLE
CONTRADICTED = ConceptStatus.CONTRADICTED

# The lowest threshold whose rate of concepts "found" in other questions' answers stays close
# to exact matching's, on recognised speech (`python -m bench --only asr`, its threshold
# sweep); lower thresholds invent concepts.
DEFAULT_FUZZY_THRESHOLD = 88.0
# words that, in the clause of a plainly said hazard, say the answer keeps it
ENDORSING = frozenset("keep keeps kept keeping still allow allows allowed allowing rely relies "
                      "relying fine okay ok enough acceptable trust trusts trusting "
                      "continue".split())
RELATIVE = frozenset({"whose", "which", "who", "whom"})
CONTRAST = frozenset("but instead rather however though although whereas yet".split())


@dataclass(frozen=True)
class ConceptSpec:
    """A concept as the matcher needs it (built from a bank concept or derived)."""

    name: str
    phrases: tuple[str, ...]
    weight: float = 1.0
    avoid: bool = False  # names an absence or a practice to avoid ("no secrets in images")
    description: str = ""


@dataclass(frozen=True)
class PhraseMatch:
    """Where a concept was found: token positions in the answer and how."""

    concept: int
    phrase: str
    first: int  # token indices (inclusive)
    last: int
    rule: str  # exact | stem | fuzzy | joined | unsure | sound
    status: ConceptStatus  # COVERED, POSSIBLE or CONTRADICTED
    negated: bool = False  # said inside a negation ("we don't rotate keys")
    cue: int | None = None  # the token that negates it
    size: int = 1  # words in the phrase: a longer phrase is more specific evidence

    @property
    def fuzzy(self) -> bool:
        return self.rule in ("fuzzy", "unsure", "sound")

    def rank(self) -> tuple:
        """Lower is better: sure, exact, the longer phrase, the tighter span."""
        return (self.status is POSSIBLE, self.fuzzy, -self.size, self.last - self.first)


class ConceptMatcher:
    """Finds a fixed set of concepts in answers. Build once per question, call `match` often.

    `is_english_word` tells ordinary words from misspellings (no fuzzy match onto a word)."""

    def __init__(self, concepts: Sequence[ConceptSpec],
                 fuzzy_threshold: float = DEFAULT_FUZZY_THRESHOLD,
                 is_english_word: Callable[[str], bool] = lambda word: False):
        self.concepts = tuple(concepts)
        self.fuzzy_threshold = fuzzy_threshold
        self.is_english_word = is_english_word
        phrases = []
        for index, concept in enumerate(self.concepts):
            for text in phrase_texts(concept.phrases):
                phrase = phrase_from_text(index, text)
                if phrase is not None:
                    phrases.append(phrase)
        # longer phrases first: "static application security testing" before "security"
        self.phrases = sorted(phrases, key=lambda phrase: -len(phrase.words))
        # a phrase names a hazard when its concept is one to avoid and the phrase does not say
        # the negation itself; the model answer may say otherwise (`learn_stances`)
        self.hazard = [self.concepts[phrase.concept].avoid and not phrase.self_negating
                       for phrase in self.phrases]
        self._fuzzy_vocabulary = sorted({word for phrase in self.phrases for word in phrase.words
                                         if len(word) >= MIN_FUZZY_LENGTH
                                         and word not in STOP_WORDS})
        self._joined = sorted({phrase.joined for phrase in self.phrases
                               if len(phrase.joined) >= MIN_JOINED_LETTERS})
        # a phrase that says its own negation may not lose the negation to spelling tolerance
        self._fuzzy_joined = sorted({phrase.joined for phrase in self.phrases
                                     if not phrase.self_negating and not phrase.numeric
                                     and len(phrase.joined) >= MIN_FUZZY_LENGTH + 2})

    def learn_stances(self, tokens: Sequence[Token], negation: Negation) -> None:
        """Read the stance of a practice's phrases from the model answer: a phrase it says only
        negated names a hazard ("anonymous access" in "no anonymous access"). The phrases of a
        concept to avoid are hazards whatever the model answer does with them (it may describe
        the hazard: "partitioning by user ID would create millions of files"); reading a remedy
        as a hazard only withholds credit, reading a hazard as a remedy would credit the
        opposite."""
        positions = self._word_positions(tokens)
        joined = self._joined_positions(tokens)
        for index, phrase in enumerate(self.phrases):
            concept = self.concepts[phrase.concept]
            if phrase.self_negating or concept.avoid or _names_the_practice(phrase, concept):
                continue
            found = list(self._candidates(phrase, positions, joined, tokens, negation))
            if found:
                self.hazard[index] = all(match.negated for match in found)

    def match(self, tokens: Sequence[Token], unsure: Sequence[bool] | None = None,
              negation: Negation | None = None,
              sentences: Sequence[int] | None = None) -> list[PhraseMatch | None]:
        """For each concept, how the answer treats it (None: not mentioned).

        `unsure[i]` marks token i as a word the speech recogniser was unsure of; `negation`
        says which tokens are negated; `sentences[i]` is token i's sentence."""
        count = len(self.concepts)
        if not tokens or not self.phrases:
            return [None] * count
        negation = negation or Negation.none(len(tokens))
        positions = self._word_positions(tokens)
        joined = self._joined_positions(tokens)
        supporting: list[PhraseMatch | None] = [None] * count
        against: list[PhraseMatch | None] = [None] * count
        for index, phrase in enumerate(self.phrases):
            for found in self._candidates(phrase, positions, joined, tokens, negation):
                verdict = self._verdict(found, self.hazard[index], tokens, negation)
                chosen = supporting if verdict is COVERED else against if verdict else None
                if chosen is None:
                    continue
                current = chosen[phrase.concept]
                if current is None or found.rank() < current.rank():
                    chosen[phrase.concept] = found
        best = [self._resolve(supporting[c], against[c], tokens, sentences)
                for c in range(count)]
        if unsure is not None:
            from scoring.heard import heard_matches

            for index, match in enumerate(best):  # resting on an unsure word: only possible
                if match is not None and match.status is COVERED and match.fuzzy and any(
                        unsure[position] for position in range(match.first, match.last + 1)
                        if position < len(unsure)):
                    best[index] = replace(match, status=POSSIBLE)
            heard_matches(self, tokens, unsure, best, negation)
        return best

    # -- polarity

    def _verdict(self, match: PhraseMatch, hazard: bool, tokens: Sequence[Token],
                 negation: Negation) -> ConceptStatus | None:
        """COVERED (the mention supports the concept), CONTRADICTED, or None (neither)."""
        if match.negated != hazard:
            if match.negated and _in_relative_clause(match, tokens, negation):
                return None  # "runs nothing whose signature it cannot verify" describes a thing
            return CONTRADICTED if match.negated or self._endorsed(match, tokens, negation) \
                else None
        return COVERED

    @staticmethod
    def _endorsed(match: PhraseMatch, tokens: Sequence[Token], negation: Negation) -> bool:
        clause = negation.clause[match.first]
        inside = range(match.first, match.last + 1)
        return any(negation.clause[token.index] == clause and token.norm in ENDORSING
                   and token.index not in inside for token in tokens)

    @staticmethod
    def _resolve(supporting: PhraseMatch | None, against: PhraseMatch | None,
                 tokens: Sequence[Token], sentences: Sequence[int] | None
                 ) -> PhraseMatch | None:
        if against is None:
            return supporting
        against = replace(against, status=CONTRADICTED)
        if supporting is None:
            return against
        sentence_of = sentences or [0] * len(tokens)
        if sentence_of[supporting.first] != sentence_of[against.first]:
            return supporting  # said plainly elsewhere: the candidate holds it
        low, high = sorted((supporting.first, against.first))
        contrast = any(tokens[index].norm in CONTRAST for index in range(low, high + 1))
        return supporting if contrast else against

    # -- finding phrases

    def _word_positions(self, tokens: Sequence[Token]) -> dict[str, list[tuple[int, str]]]:
        """For each phrase word: the token indices where it occurs, and by which rule."""
        found: dict[str, list[tuple[int, str]]] = {}
        by_stem: dict[str, list[int]] = {}
        by_norm: dict[str, list[int]] = {}
        for token in tokens:
            by_stem.setdefault(token.stem, []).append(token.index)
            by_norm.setdefault(token.norm, []).append(token.index)
        for phrase in self.phrases:
            for word, word_stem in zip(phrase.words, phrase.stems, strict=True):
                if word in found:
                    continue
                if word in STOP_WORDS:  # function words must match exactly
                    found[word] = [(index, "exact") for index in by_norm.get(word, [])]
                    continue
                found[word] = [(index, "exact" if tokens[index].norm == word else "stem")
                               for index in by_stem.get(word_stem, [])
                               if same_word(word, tokens[index].norm)]
        # Fuzzy: every phrase word against every distinct answer word, in one vectorised call
        answer_words = sorted(word for word in by_norm
                              if len(word) >= MIN_FUZZY_LENGTH and word not in STOP_WORDS)
        if answer_words and self._fuzzy_vocabulary:
            scores = process.cdist(self._fuzzy_vocabulary, answer_words, scorer=fuzz.ratio,
                                   score_cutoff=self.fuzzy_threshold, dtype=np.uint8,
                                   workers=1)
            rows, cols = np.nonzero(scores)
            for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
                word, said = self._fuzzy_vocabulary[row], answer_words[col]
                if not may_be_misspelt(word, said, self.is_english_word):
                    continue
                known = {index for index, _ in found.get(word, [])}
                found.setdefault(word, []).extend(
                    (index, "fuzzy") for index in by_norm[said] if index not in known)
        return found

    def _joined_positions(self, tokens: Sequence[Token]) -> dict[str, tuple[int, int, str]]:
        """Phrases written split or joined: 1-3 consecutive answer words, letters joined."""
        spans: dict[str, tuple[int, int]] = {}
        for width in (1, 2, 3):
            for start in range(len(tokens) - width + 1):
                if joinable(tokens[start:start + width]):
                    joined = "".join(token.norm for token in tokens[start:start + width])
                    spans.setdefault(joined, (start, start + width - 1))
        hits: dict[str, tuple[int, int, str]] = {}
        for joined in self._joined:
            if joined in spans:
                hits[joined] = (*spans[joined], "joined")
        candidates = [joined for joined in spans if len(joined) >= MIN_FUZZY_LENGTH + 2]
        targets = [joined for joined in self._fuzzy_joined if joined not in hits]
        if candidates and targets:
            scores = process.cdist(targets, candidates, scorer=fuzz.ratio,
                                   score_cutoff=self.fuzzy_threshold, dtype=np.uint8)
            for row, target in enumerate(targets):
                for col in np.argsort(-scores[row].astype(np.int16))[:3].tolist():
                    said = candidates[col]
                    if scores[row, col] and may_be_misspelt(target, said, self.is_english_word):
                        hits[target] = (*spans[said], "fuzzy")
                        break
        return hits

    def _candidates(self, phrase: Phrase, positions: dict[str, list[tuple[int, str]]],
                    joined_hits: dict[str, tuple[int, int, str]], tokens: Sequence[Token],
                    negation: Negation) -> Iterator[PhraseMatch]:
        """Every place the phrase is said, each marked negated or not."""
        for chosen in ordered_groups([positions.get(word, []) for word in phrase.words],
                                     phrase, tokens):
            indices = [index for index, _ in chosen]
            rules = {rule for _, rule in chosen}
            rule = "fuzzy" if "fuzzy" in rules else "stem" if "stem" in rules else "exact"
            yield polarised(PhraseMatch(phrase.concept, phrase.text, min(indices), max(indices),
                                        rule, COVERED, size=len(phrase.words)),
                            phrase, negation)
        joined = joined_hits.get(phrase.joined)
        if joined and (joined[1] > joined[0] or len(phrase.words) > 1):
            yield polarised(PhraseMatch(phrase.concept, phrase.text, joined[0], joined[1],
                                        joined[2], COVERED, size=len(phrase.words)),
                            phrase, negation)


def _names_the_practice(phrase: Phrase, concept: ConceptSpec) -> bool:
    """Whether a phrase shares a word with its concept's name ("verify" for "verification at
    admission"): it names the practice itself, even where the model answer negates it ("an
    image whose signature it cannot verify")."""
    name = phrase_from_text(0, concept.name)
    return name is not None and any(
        _related(word_stem, other_stem) and same_word(word, other)
        for word, word_stem in zip(phrase.words, phrase.stems, strict=True)
        for other, other_stem in zip(name.words, name.stems, strict=True)
        if word not in STOP_WORDS)


def _in_relative_clause(match: PhraseMatch, tokens: Sequence[Token],
                        negation: Negation) -> bool:
    """Whether the negation of a mention sits in a relative clause ("anything whose signature
    it cannot verify"): it then describes a thing, and rejects nothing."""
    if match.cue is None or not negation.clause:
        return False
    clause = negation.clause[match.cue]
    first = next(index for index, number in enumerate(negation.clause) if number == clause)
    return tokens[first].norm in RELATIVE


def _related(left: str, right: str) -> bool:
    """Stems of one word family ("verifi" / "verif")."""
    short, long = sorted((left, right), key=len)
    return left == right or (len(short) >= 4 and long.startswith(short))


def ordered_groups(options: list[list[tuple[int, str]]], phrase: Phrase,
                   tokens: Sequence[Token]) -> Iterator[list[tuple[int, str]]]:
    """Groups of (position, rule), one per phrase word, that read as the phrase (in order, or
    its last word first: `scoring.phrases.in_order`); the nearest occurrences are chosen."""
    if any(not positions for positions in options):
        return
    window = phrase.span + WINDOW_SLACK + 3
    starts = [(options[0], options[1:], False)]
    if len(options) > 1:
        starts.append((options[-1], options[:-1], True))
    for anchors, rest, head_first in starts:
        for anchor in anchors:
            group, previous = [anchor], anchor[0]
            for positions in rest:
                after = [item for item in positions if previous < item[0] < previous + window]
                if not after:
                    break
                choice = min(after, key=lambda item: (item[0], item[1] == "fuzzy"))
                group.append(choice)
                previous = choice[0]
            else:
                ordered = group[1:] + group[:1] if head_first else group
                if in_order([index for index, _ in ordered], phrase, tokens):
                    yield ordered


def polarised(match: PhraseMatch, phrase: Phrase, negation: Negation) -> PhraseMatch:
    """The match, marked negated when one of its words is in a negation's scope (unless the
    phrase says the negation itself)."""
    if phrase.self_negating:
        return match
    for position in range(match.first, match.last + 1):
        if negation.negated[position]:
            return replace(match, negated=True, cue=negation.cue[position])
    return match
