"""What became of each concept, with the candidate's own words as evidence (and their times in
the recording, for speech)."""

from __future__ import annotations

from dataclasses import replace

from scoring.concepts import ConceptSpec, PhraseMatch
from scoring.explanation import Explanation
from scoring.text import Token
from scoring.types import ConceptResult, ConceptStatus, Evidence, TimedWord
from scoring.words import word_at


def _times(words: list[TimedWord] | None, word_ends: list[int], start_char: int,
           end_char: int) -> tuple[float | None, float | None]:
    if not words:
        return None, None
    return (round(words[word_at(word_ends, start_char)].start, 2),
            round(words[word_at(word_ends, max(start_char, end_char - 1))].end, 2))


def concept_result(spec: ConceptSpec, shared: int, match: PhraseMatch | None,
                   explanation: Explanation | None, tokens: list[Token], answer: str,
                   words: list[TimedWord] | None,
                   word_ends: list[int]) -> ConceptResult:
    """A concept as its words were (or were not) found."""
    if match is None:
        return ConceptResult(spec.name, spec.weight, ConceptStatus.MISSED, None, shared)
    status, cue = match.status, None
    first, last = match.first, match.last
    if match.negated and match.cue is not None:  # quoted from the negation, either way
        cue = answer[tokens[match.cue].start:tokens[match.cue].end]
        first, last = min(first, match.cue), max(last, match.cue)
    explained = status is ConceptStatus.CONTRADICTED or explanation is None or \
        explanation.explains(match.first, match.last)
    start_char, end_char = tokens[first].start, tokens[last].end
    start_time, end_time = _times(words, word_ends, start_char, end_char)
    evidence = Evidence(text=answer[start_char:end_char].strip(), phrase=match.phrase,
                        start_char=start_char, end_char=end_char, start=start_time,
                        end=end_time, fuzzy=match.fuzzy, cue=cue, rule=match.rule)
    return ConceptResult(spec.name, spec.weight, status, evidence, shared, explained)


def said_in_other_words(result: ConceptResult, answer: str, tokens: list[Token], first: int,
                        last: int, words: list[TimedWord] | None,
                        word_ends: list[int], closeness: float,
                        covered: bool) -> ConceptResult:
    """A missed concept that the sentence at tokens first..last says in other words."""
    start_char, end_char = tokens[first].start, tokens[last].end
    start_time, end_time = _times(words, word_ends, start_char, end_char)
    evidence = Evidence(text=answer[start_char:end_char].strip(), phrase="in other words",
                        start_char=start_char, end_char=end_char, start=start_time,
                        end=end_time, rule="meaning", closeness=round(closeness, 3))
    status = ConceptStatus.COVERED if covered else ConceptStatus.POSSIBLE
    return replace(result, status=status, evidence=evidence, explained=True)
