"""A follow-up as a question of its own, for the one scorer: what it probes and what a good
answer to it says.

A follow-up is scored against its own concepts (by default the concept of the parent that
was missed) and its own model answer. A bank may leave the model answer out; then the
reference is what the parent's model answer says about those concepts (its sentences that
name them), with the concepts' descriptions, so the follow-up is never judged on everything
the parent question asked.
"""

from __future__ import annotations

import dataclasses
import re

from bank import FollowUp, Question

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def follow_up_question(parent: Question, follow_up: FollowUp) -> Question:
    """The follow-up as a `Question` (a `ScorableQuestion`): the parent's id and category
    (it is stored as the parent's, linked to the parent's answer), the follow-up's text,
    concepts and model answer."""
    concepts = follow_up.concepts or tuple(
        concept for concept in parent.concepts if concept.name == follow_up.concept)
    model_answer = follow_up.model_answer.strip() or derived_model_answer(parent, concepts)
    return dataclasses.replace(parent, text=follow_up.text, model_answer=model_answer,
                               concepts=concepts, follow_ups=(), look_for=())


def derived_model_answer(parent: Question, concepts) -> str:
    """The parent's model-answer sentences naming one of `concepts` (by name or alias), then
    each concept's description; the parent's whole model answer if neither says anything."""
    phrases = [phrase.lower() for concept in concepts for phrase in concept.phrases]
    sentences = [sentence for sentence in _SENTENCE_END.split(parent.model_answer.strip())
                 if any(_mentions(sentence.lower(), phrase) for phrase in phrases)]
    descriptions = [concept.description.strip() for concept in concepts
                    if concept.description.strip()]
    parts = sentences + [text if text.endswith((".", "!", "?")) else f"{text}."
                         for text in descriptions]
    return " ".join(parts) or parent.model_answer


def _mentions(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None


def question_answered(parent: Question, prompt: str, follow_up_of: int | None) -> Question:
    """What a stored answer was scored against: its question, or, for a follow-up, the
    follow-up the bank has with that text (one the bank no longer has is scored on the
    concepts the scorer derives from the parent's model answer)."""
    if follow_up_of is None:
        return parent
    follow_up = next((item for item in parent.follow_ups if item.text == prompt),
                     FollowUp(concept="", text=prompt))
    return follow_up_question(parent, follow_up)
