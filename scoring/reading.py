"""Reading an answer's sentences with the sentence model (`scoring.meaning`), for every answer
of a batch at once: concepts said in other words are credited, and a concept named in a
sentence that says nothing of what it means here (terms dropped into filler) counts as named,
not explained — that sentence then earns no similarity either."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from scoring.explanation import Explanation
from scoring.meaning import Unit, credited, unit_texts
from scoring.model import QuestionModel, SentenceMeanings
from scoring.results import said_in_other_words
from scoring.text import Token
from scoring.types import ConceptResult, ConceptStatus, DeliveryReport, ScorableQuestion, TimedWord

LEXICAL = ("exact", "stem", "fuzzy", "joined", "unsure", "sound")
MIN_CLAUSE_WORDS = 4
# a sentence says a concept in other words only with at least this many words that are not
# stop words: "CI" alone came close enough to "scrubbed CI logs and artifacts" to be credited
MIN_MEANING_WORDS = 3


@dataclass
class Analysis:
    """One answer, read: its tokens, what became of each concept, and the tokens whose
    similarity counts (sentences that only name concepts are left out)."""

    question: ScorableQuestion
    model: QuestionModel
    answer: str
    tokens: list[Token]
    results: list[ConceptResult]
    chosen: list[Token]
    delivery: DeliveryReport | None
    empty: bool = False
    units: list[Unit] = field(default_factory=list)  # sentences the sentence model reads
    words: list[TimedWord] | None = None
    word_ends: list[int] = field(default_factory=list)
    explanation: Explanation | None = None
    mentions: list[tuple[int, int]] = field(default_factory=list)
    clause_of: tuple[int, ...] = ()  # each token's clause (`scoring.negation.clauses`)

    def choose_for_similarity(self) -> None:
        """The tokens whose similarity counts: all but sentences that name concepts and
        explain none of them."""
        if self.empty:
            return
        if self.explanation is not None:
            sentence_of = self.explanation.sentence_of
            named: dict[bool, set[int]] = {True: set(), False: set()}
            for result in self.results:
                if result.evidence is not None and result.evidence.rule in LEXICAL:
                    span = _token_span(self, result)
                    if len(span):
                        named[result.explained].add(sentence_of[span[0]])
            for sentence in named[False] - named[True]:
                self.explanation.withdraw_sentence(sentence)
        kept = self.explanation.kept_for_similarity(self.mentions) if self.explanation \
            else [True] * len(self.tokens)
        self.chosen = [token for token, keep in zip(self.tokens, kept, strict=True) if keep]


def read_sentences(sentences: SentenceMeanings, analyses: list[Analysis],
                   possible_margin: float, covered_margin: float,
                   explain_margin: float) -> None:
    worth = [(analysis, _worth_reading(analysis)) for analysis in analyses
             if analysis.model.meanings is not None and analysis.units]
    work = [(analysis, chosen, _clauses_naming(analysis, chosen))
            for analysis, chosen in worth if chosen]
    texts = [text for analysis, chosen, clauses in work
             for text in unit_texts(analysis.answer, analysis.tokens, chosen + clauses)]
    if not texts:
        return
    vectors = sentences.embed(texts)
    start = 0
    for analysis, chosen, clauses in work:
        own = vectors[start:start + len(chosen) + len(clauses)]
        start += len(chosen) + len(clauses)
        _check_explained(analysis, chosen + clauses, own, explain_margin)
        _in_other_words(analysis, chosen, own[:len(chosen)], possible_margin, covered_margin)


def _clauses_naming(analysis: Analysis, chosen: list[Unit]) -> list[Unit]:
    """The clauses of sentences that name two concepts or more, each of them apart: "...
    instead of stored keys, and a scanner such as gitleaks runs before each commit" is read
    for gitleaks in its own clause too (a long sentence about two things is close to
    neither)."""
    clause_of = analysis.clause_of
    if not clause_of:
        return []
    spans = [_token_span(analysis, result) for result in analysis.results
             if result.evidence is not None and result.evidence.rule in LEXICAL]
    found: list[Unit] = []
    for unit in chosen:
        inside = [span for span in spans if len(span) and unit.first <= span[0] <= unit.last]
        if len({clause_of[span[0]] for span in inside}) < 2:
            continue
        for number in sorted({clause_of[span[0]] for span in inside}):
            members = [index for index in range(unit.first, unit.last + 1)
                       if clause_of[index] == number]
            if len(members) >= MIN_CLAUSE_WORDS:
                found.append(Unit(members[0], members[-1], unit.negated, unit.topical))
    return found


def _worth_reading(analysis: Analysis) -> list[Unit]:
    """The sentences that can change a verdict: those naming a concept (is it explained?)
    and, when a concept is missed, those on the topic that could say it in other words."""
    assert analysis.model.meanings is not None
    named = {index for result in analysis.results if result.evidence is not None
             and result.evidence.rule in LEXICAL and result.status is not
             ConceptStatus.CONTRADICTED for index in _token_span(analysis, result)}
    open_concepts = any(result.status is ConceptStatus.MISSED for result in analysis.results)
    return [unit for unit in analysis.units
            if any(unit.first <= index <= unit.last for index in named) or
            (open_concepts and unit.topical)]


def _token_span(analysis: Analysis, result: ConceptResult) -> range:
    assert result.evidence is not None
    inside = [token.index for token in analysis.tokens
              if result.evidence.start_char <= token.start < result.evidence.end_char]
    return range(inside[0], inside[-1] + 1) if inside else range(0)


def _check_explained(analysis: Analysis, chosen: list[Unit], vectors: np.ndarray,
                     margin: float) -> None:
    """A concept named in a sentence that comes no closer to its meaning than unrelated
    sentences do (by `margin`) is named, not explained: the sentence is about something else
    ("dual writes are words you hear a lot in our industry"). (Measured against asking the
    sentence to come close to any of the question's concepts instead: agreement was higher on
    both banks' held-out parts and the roles development part this way.)"""
    meanings = analysis.model.meanings
    assert meanings is not None
    lift = meanings.closeness(vectors) - meanings.floor[None, :]
    for concept, result in enumerate(analysis.results):
        if result.evidence is None or result.evidence.rule not in LEXICAL or \
                result.status is ConceptStatus.CONTRADICTED or not result.explained:
            continue
        span = _token_span(analysis, result)
        holding = [index for index, unit in enumerate(chosen)
                   if any(unit.first <= token <= unit.last for token in span)]
        if holding and max(lift[index, concept] for index in holding) < margin:
            analysis.results[concept] = ConceptResult(
                result.name, result.weight, result.status, result.evidence, result.shared,
                explained=False)


def _in_other_words(analysis: Analysis, chosen: list[Unit], vectors: np.ndarray,
                    possible_margin: float, covered_margin: float) -> None:
    meanings = analysis.model.meanings
    assert meanings is not None
    open_concepts = [index for index, result in enumerate(analysis.results)
                     if result.status is ConceptStatus.MISSED]
    eligible = [index for index, unit in enumerate(chosen) if unit.topical and sum(
        not token.is_stop for token in analysis.tokens[unit.first:unit.last + 1])
        >= MIN_MEANING_WORDS]
    if not open_concepts or not eligible:
        return
    found = credited(meanings, [chosen[index] for index in eligible], vectors[eligible],
                     open_concepts, possible_margin, covered_margin)
    for concept, (position, closeness, covered) in found.items():
        unit = chosen[eligible[position]]
        analysis.results[concept] = said_in_other_words(
            analysis.results[concept], analysis.answer, analysis.tokens, unit.first,
            unit.last, analysis.words, analysis.word_ends, closeness, covered)
