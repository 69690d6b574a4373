"""Typed inputs and results of scoring. Results convert to plain dicts with `to_dict` and back
with `from_dict`, so stored reports are read as the same objects they were written from.

Scoring needs very little of a question: its id, its text, its model answer and its key
concepts. `ScorableQuestion` and `ScorableConcept` say exactly that, so any object with those
attributes can be scored (the bank's `Question`, or one built from a JSON line).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any, Protocol


class ScorableConcept(Protocol):
    """A key idea: its name, the other ways to say it, how much it counts, what it means in
    this question (one line, may be empty) and its polarity: "practice" (a good answer says
    it) or "avoid" (it names an absence or a practice to avoid: "no secrets in images").
    Objects without `description` or `polarity` are read as "" and "practice"."""

    @property
    def name(self) -> str: ...

    @property
    def phrases(self) -> tuple[str, ...]: ...  # the name followed by its aliases

    @property
    def weight(self) -> float: ...

    @property
    def description(self) -> str: ...

    @property
    def polarity(self) -> str: ...


class ScorableQuestion(Protocol):
    """What the scorer reads of a question."""

    @property
    def id(self) -> str: ...

    @property
    def text(self) -> str: ...

    @property
    def model_answer(self) -> str: ...

    @property
    def concepts(self) -> Sequence[ScorableConcept]: ...


class ConceptStatus(str, Enum):
    """How an answer treated a key concept."""

    COVERED = "covered"
    # not said in its words, but a word the recogniser was unsure of may be it, or a sentence
    # says something close to it in other words
    POSSIBLE = "possible"
    CONTRADICTED = "contradicted"  # said, but negated ("we never rotate keys")
    MISSED = "missed"

    def __str__(self) -> str:
        return self.value


class Band(str, Enum):
    """A word for a score, for people."""

    STRONG = "strong"
    PARTIAL = "partial"
    WEAK = "weak"
    OFF_TOPIC = "off-topic"
    EMPTY = "empty"  # no words at all

    def __str__(self) -> str:
        return self.value

    @classmethod
    def for_score(cls, score: float, empty: bool = False) -> Band:
        if empty:
            return cls.EMPTY
        for band, lower in BAND_FLOORS:
            if score >= lower:
                return band
        return cls.OFF_TOPIC


# Lowest score of each band, below the last: off-topic. Calibrated on the interview set's
# grades (bench/interview): 5 -> strong, 4 -> strong (or partial at 60 or more), 3 -> partial,
# 2 -> weak, 0-1 -> weak or off-topic; these floors agree with 83% of the development part.
BAND_FLOORS = ((Band.STRONG, 70.0), (Band.PARTIAL, 35.0), (Band.WEAK, 10.0))


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
    start_char: int  # offsets into ScoreReport.text
    end_char: int
    start: float | None = None  # seconds, when word timings were given
    end: float | None = None
    fuzzy: bool = False  # matched despite a spelling difference
    cue: str | None = None  # the negating word, when the mention is negated ("never")
    # how it was found: exact | stem | fuzzy | joined | unsure | sound (words); meaning (the
    # sentence says it in other words: `closeness` is how close, 0-1)
    rule: str = "exact"
    closeness: float | None = None

    @property
    def in_other_words(self) -> bool:
        return self.rule == "meaning"


@dataclass(frozen=True)
class ConceptResult:
    name: str
    weight: float  # as given in the bank (or derived)
    status: ConceptStatus
    evidence: Evidence | None = None
    shared: int = 0  # how many other questions' model answers mention it too
    explained: bool = True  # False: named in a sentence that explains nothing (a list, filler)

    @property
    def matched(self) -> bool:
        return self.status is ConceptStatus.COVERED

    def to_dict(self) -> dict[str, Any]:
        evidence = self.evidence
        return {
            "name": self.name,
            "matched": self.matched,
            "status": self.status.value,
            "evidence": evidence.text if evidence else None,
            "evidence_phrase": evidence.phrase if evidence else None,
            "evidence_start": evidence.start if evidence else None,
            "evidence_end": evidence.end if evidence else None,
            "evidence_chars": [evidence.start_char, evidence.end_char] if evidence else None,
            "evidence_fuzzy": evidence.fuzzy if evidence else None,
            "evidence_cue": evidence.cue if evidence else None,
            "evidence_rule": evidence.rule if evidence else None,
            "evidence_closeness": evidence.closeness if evidence else None,
            "weight": self.weight,
            "shared": self.shared,
            "explained": self.explained,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConceptResult:
        evidence = None
        if data.get("evidence") is not None:
            chars = data.get("evidence_chars") or [0, 0]
            evidence = Evidence(text=data["evidence"], phrase=data.get("evidence_phrase") or "",
                                start_char=int(chars[0]), end_char=int(chars[1]),
                                start=data.get("evidence_start"), end=data.get("evidence_end"),
                                fuzzy=bool(data.get("evidence_fuzzy")),
                                cue=data.get("evidence_cue"),
                                rule=data.get("evidence_rule") or "exact",
                                closeness=data.get("evidence_closeness"))
        return cls(name=data["name"], weight=float(data.get("weight", 1.0)),
                   status=ConceptStatus(data.get("status") or (
                       "covered" if data.get("matched") else "missed")),
                   evidence=evidence, shared=int(data.get("shared", 0)),
                   explained=bool(data.get("explained", True)))


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
    time_limit_reached: bool = False  # the answer was cut off, not finished

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["long_pause_count"] = len(self.long_pauses)
        data["long_pauses"] = [{"start": pause.start, "end": pause.end,
                                "length": round(pause.length, 2)} for pause in self.long_pauses]
        data["repeated_phrases"] = list(self.repeated_phrases)
        data["unsure_words"] = [asdict(word) for word in self.unsure_words]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DeliveryReport:
        return cls(
            word_count=int(data.get("word_count", 0)),
            filler_count=int(data.get("filler_count", 0)),
            fillers=dict(data.get("fillers") or {}),
            repeated_phrases=tuple(data.get("repeated_phrases") or ()),
            duration_s=data.get("duration_s"), speaking_s=data.get("speaking_s"),
            lead_in_s=data.get("lead_in_s"), words_per_minute=data.get("words_per_minute"),
            long_pauses=tuple(Pause(p["start"], p["end"]) for p in data.get("long_pauses") or ()),
            longest_pause_s=data.get("longest_pause_s"),
            unsure_words=tuple(UnsureWord(w["text"], w["start"], w["probability"])
                               for w in data.get("unsure_words") or ()),
            pace=data.get("pace"),
            time_limit_reached=bool(data.get("time_limit_reached", False)))


@dataclass(frozen=True)
class ScoreReport:
    """The judgement of one answer."""

    question_id: str
    score: float  # 0-100
    band: Band
    similarity: float  # 0-1: raw TF-IDF cosine with the model answer
    relevance: float  # 0-1: similarity above what an unrelated answer gets
    coverage: float  # 0-1: weighted share of key concepts covered
    concepts: tuple[ConceptResult, ...]
    text: str = ""  # the text that was scored; evidence offsets point into it
    keyword_list: bool = False
    derived_concepts: bool = False  # concepts were derived from the model answer
    word_count: int = 0
    similarity_points: float = 0.0  # the parts of the score, for the worked explanation
    coverage_points: float = 0.0
    capped_at: float | None = None  # the cap applied (keyword list), if any
    feedback: tuple[str, ...] = ()
    delivery: DeliveryReport | None = None

    def with_status(self, status: ConceptStatus) -> tuple[ConceptResult, ...]:
        return tuple(concept for concept in self.concepts if concept.status is status)

    @property
    def covered(self) -> tuple[ConceptResult, ...]:
        return self.with_status(ConceptStatus.COVERED)

    @property
    def possible(self) -> tuple[ConceptResult, ...]:
        return self.with_status(ConceptStatus.POSSIBLE)

    @property
    def contradicted(self) -> tuple[ConceptResult, ...]:
        return self.with_status(ConceptStatus.CONTRADICTED)

    @property
    def missed(self) -> tuple[ConceptResult, ...]:
        return self.with_status(ConceptStatus.MISSED)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question_id": self.question_id,
            "score": round(self.score, 1),
            "band": self.band.value,
            "similarity": round(self.similarity, 4),
            "relevance": round(self.relevance, 4),
            "coverage": round(self.coverage, 4),
            "concepts": [concept.to_dict() for concept in self.concepts],
            "text": self.text,
            "keyword_list": self.keyword_list,
            "derived_concepts": self.derived_concepts,
            "word_count": self.word_count,
            "similarity_points": round(self.similarity_points, 1),
            "coverage_points": round(self.coverage_points, 1),
            "capped_at": self.capped_at,
            "feedback": list(self.feedback),
            "delivery": self.delivery.to_dict() if self.delivery else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScoreReport:
        """A report as `to_dict` wrote it (older stored reports lack some fields)."""
        delivery = data.get("delivery")
        return cls(
            question_id=str(data.get("question_id", "")),
            score=float(data.get("score", 0.0)),
            band=Band(data.get("band") or Band.for_score(float(data.get("score", 0.0)))),
            similarity=float(data.get("similarity", 0.0)),
            relevance=float(data.get("relevance", 0.0)),
            coverage=float(data.get("coverage", 0.0)),
            concepts=tuple(ConceptResult.from_dict(item) for item in data.get("concepts", ())),
            text=data.get("text") or "",
            keyword_list=bool(data.get("keyword_list", False)),
            derived_concepts=bool(data.get("derived_concepts", False)),
            word_count=int(data.get("word_count", 0)),
            similarity_points=float(data.get("similarity_points", 0.0)),
            coverage_points=float(data.get("coverage_points", 0.0)),
            capped_at=data.get("capped_at"),
            feedback=tuple(data.get("feedback") or ()),
            delivery=DeliveryReport.from_dict(delivery) if delivery else None)
