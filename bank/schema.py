"""Typed question-bank records. Loading and validation live in `bank.loader`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CATEGORIES = ("technical", "behavioral", "situational")
# other spellings a bank may use for a category
CATEGORY_SPELLINGS = {"behavioural": "behavioral"}
# what a concept names: a practice a good answer describes, or one it says to avoid (an
# absence: "no secrets in images"), which a negated mention of its hazard covers
POLARITIES = ("practice", "avoid")


@dataclass(frozen=True)
class Concept:
    """A key idea a good answer mentions.

    `aliases` are the other ways a person (or a speech recogniser) might say it:
    abbreviations, spelled-out forms, tool names that stand for it, mis-hearings.
    """

    name: str
    aliases: tuple[str, ...] = ()
    weight: float = 1.0
    description: str = ""  # one line: what the concept means in this question
    polarity: str = "practice"  # or "avoid" (see POLARITIES)

    @property
    def phrases(self) -> tuple[str, ...]:
        """The name followed by every alias: each is a way of saying this concept."""
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class FollowUp:
    """A question to ask when the answer missed `concept` (a concept name of the question).

    A follow-up is an answer of its own: it is scored against `concepts` (what it probes; by
    default the missed concept) and its optional short `model_answer`."""

    concept: str
    text: str
    concepts: tuple[Concept, ...] = ()
    model_answer: str = ""


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    category: str
    model_answer: str
    concepts: tuple[Concept, ...] = ()
    tags: tuple[str, ...] = ()
    look_for: tuple[str, ...] = ()
    follow_ups: tuple[FollowUp, ...] = ()
    time_limit: int | None = None  # seconds


@dataclass(frozen=True)
class Bank:
    id: str
    title: str
    role: str
    language: str
    version: str
    questions: tuple[Question, ...]
    description: str = ""
    vocabulary: tuple[str, ...] = ()  # extra domain terms for speech recognition ("glossary")
    source: str = field(default="", compare=False)  # where it was loaded from

    def get(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(question.id for question in self.questions)

    def glossary(self) -> tuple[str, ...]:
        """Domain terms for biasing a speech recogniser, spelled as they should be written.

        The bank's own `glossary` list first, then the acronyms and proper names (words with a
        capital letter or digit) of every concept name. Built from the whole bank, never from
        one question's answer key, so recognition cannot be steered towards one answer.
        """
        seen: dict[str, None] = dict.fromkeys(self.vocabulary)
        for question in self.questions:
            for concept in question.concepts:
                for word in re.findall(r"[A-Za-z0-9][\w.+/-]*[A-Za-z0-9]|[A-Z]", concept.name):
                    if any(ch.isupper() or ch.isdigit() for ch in word):
                        seen.setdefault(word, None)
        return tuple(seen)
