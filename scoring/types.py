"""Typed inputs and results of scoring. Results convert to plain dicts with `to_dict`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class TimedWord:
    """A word as a speech recogniser heard it: its text, when, and how sure it was (0-1)."""

    text: str
    start: float
    end: float
    probability: float = 1.0


@dataclass(frozen=True)
class Evidence:
    """The candidate's own words that show a concept, and when they were said."""

    text: str
    phrase: str  # the concept name or alias that matched
    start_char: int
    end_char: int
    start: float | None = None  # seconds, when word timings were given
    end: float | None = None
    fuzzy: bool = False  # matched despite a spelling difference


@dataclass(frozen=True)
class ConceptResult:
    name: str
    weight: float  # as given in the bank (or derived)
    status: str  # "covered", "possible" (a mis-heard word may be it) or "missed"
    evidence: Evidence | None = None
    shared: int = 0  # how many other questions' model answers mention it too

    @property
    def matched(self) -> bool:
        return self.status == "covered"

    def to_dict(self) -> dict[str, Any]:
        evidence = self.evidence
        return {
            "name": self.name,
            "matched": self.matched,
            "status": self.status,
            "evidence": evidence.text if evidence else None,
            "evidence_phrase": evidence.phrase if evidence else None,
            "evidence_start": evidence.start if evidence else None,
            "evidence_end": evidence.end if evidence else None,
            "evidence_chars": [evidence.start_char, evidence.end_char] if evidence else None,
            "weight": self.weight,
            "shared": self.shared,
        }


@dataclass(frozen=True)
class Pause:
    start: float
    end: float

    @property
    def length(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class UnsureWord:
    text: str
    start: float
    probability: float


@dataclass(frozen=True)
class DeliveryReport:
    """How the answer was said. Timing fields are None for typed answers."""

    word_count: int
    filler_count: int  # a minimum: recognisers drop many fillers
    fillers: dict[str, int] = field(default_factory=dict)
    repeated_phrases: tuple[str, ...] = ()
    duration_s: float | None = None
    speaking_s: float | None = None
    lead_in_s: float | None = None  # silence before the first word
    words_per_minute: float | None = None
    long_pauses: tuple[Pause, ...] = ()
    longest_pause_s: float | None = None
    unsure_words: tuple[UnsureWord, ...] = ()
    pace: str | None = None  # "slow", "good" or "fast"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["long_pause_count"] = len(self.long_pauses)
        data["long_pauses"] = [{"start": pause.start, "end": pause.end,
                                "length": round(pause.length, 2)} for pause in self.long_pauses]
        data["repeated_phrases"] = list(self.repeated_phrases)
        data["unsure_words"] = [asdict(word) for word in self.unsure_words]
        return data


@dataclass(frozen=True)
class ScoreReport:
    """The judgement of one answer."""

    question_id: str
    score: float  # 0-100
    band: str  # strong, partial, weak, off-topic, empty
    similarity: float  # 0-1: raw TF-IDF cosine with the model answer
    relevance: float  # 0-1: similarity above what an unrelated answer gets
    coverage: float  # 0-1: weighted share of key concepts covered
    concepts: tuple[ConceptResult, ...]
    keyword_list: bool = False
    derived_concepts: bool = False  # concepts were derived from the model answer
    word_count: int = 0
    similarity_points: float = 0.0  # the parts of the score, for the worked explanation
    coverage_points: float = 0.0
    capped_at: float | None = None  # the cap applied (keyword list), if any
    feedback: tuple[str, ...] = ()
    delivery: DeliveryReport | None = None

    @property
    def covered(self) -> tuple[ConceptResult, ...]:
        return tuple(concept for concept in self.concepts if concept.status == "covered")

    @property
    def possible(self) -> tuple[ConceptResult, ...]:
        return tuple(concept for concept in self.concepts if concept.status == "possible")

    @property
    def missed(self) -> tuple[ConceptResult, ...]:
        return tuple(concept for concept in self.concepts if concept.status == "missed")

    def to_dict(self) -> dict[str, Any]:
        return {
            "question_id": self.question_id,
            "score": round(self.score, 1),
            "band": self.band,
            "similarity": round(self.similarity, 4),
            "relevance": round(self.relevance, 4),
            "coverage": round(self.coverage, 4),
            "concepts": [concept.to_dict() for concept in self.concepts],
            "keyword_list": self.keyword_list,
            "derived_concepts": self.derived_concepts,
            "word_count": self.word_count,
            "similarity_points": round(self.similarity_points, 1),
            "coverage_points": round(self.coverage_points, 1),
            "capped_at": self.capped_at,
            "feedback": list(self.feedback),
            "delivery": self.delivery.to_dict() if self.delivery else None,
        }
