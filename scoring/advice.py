"""Advice on a question's concepts: aliases that will misfire, read as the scorer reads them.

`bank validate` shows these as warnings (the bank is valid; it will just score worse):

- an alias that is one ordinary English word, written in lower case ("noise", "tuning"): it
  matches wherever the word is said, in any sense;
- a bare number ("409"): it matches any mention of that number;
- an alias of three letters or fewer that is not an acronym in capitals, or is also a word
  ("pod", "ace"): it is matched only as written, and collides with ordinary words;
- a hazard written as an alias of a concept to avoid ("baked into" for "no secrets in
  images"): it counts only when the answer negates it, and contradicts the concept when the
  answer keeps it; writing the absence ("never baked into images") says so plainly;
- an alias of a practice that the model answer says negated ("no anonymous access" for
  "minimal RBAC"): it names the hazard, so an answer that says it plainly gets credit for the
  opposite of the practice;
- a concept that the model answer never says in any of its phrases: the scorer cannot learn
  from the model answer what the concept means there, and a candidate who answers like the
  model answer is told the concept is missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from scoring.concepts import ConceptMatcher
from scoring.lexicon import is_common_word, is_english_word
from scoring.model import concept_spec
from scoring.negation import find_negation
from scoring.phrases import SHORT_WORD, phrase_from_text
from scoring.text import tokenize
from scoring.types import ScorableQuestion


@dataclass(frozen=True)
class Advice:
    concept: str  # the concept's name
    phrase: str | None  # the alias it is about, or None for the concept as a whole
    message: str


def question_advice(question: ScorableQuestion) -> list[Advice]:
    """Every warning about the concepts of one question (none when it has no concepts)."""
    advice: list[Advice] = []
    specs = [concept_spec(concept) for concept in question.concepts]
    if not specs:
        return advice
    for spec in specs:
        for alias in spec.phrases[1:]:
            message = _alias_problem(alias, spec.name, spec.avoid)
            if message:
                advice.append(Advice(spec.name, alias, message))
    matcher = ConceptMatcher(specs, is_english_word=is_english_word)
    tokens = tokenize(question.model_answer)
    negation = find_negation(question.model_answer, tokens)
    found = matcher.match(tokens, negation=negation)
    matcher.learn_stances(tokens, negation)
    for phrase, hazard in zip(matcher.phrases, matcher.hazard, strict=True):
        spec = specs[phrase.concept]
        if hazard and not spec.avoid:
            advice.append(Advice(spec.name, phrase.text, (
                f"'{phrase.text}' is said negated in the model answer, so it names what "
                f"'{spec.name}' guards against; an answer that says it plainly would be "
                "credited for the opposite. Write the alias with its negation (e.g. 'no "
                f"{phrase.text}') or move it to a concept with polarity: avoid")))
    for spec, match in zip(specs, found, strict=True):
        if match is None:
            advice.append(Advice(spec.name, None, (
                f"the model answer never says '{spec.name}' or any of its aliases in these "
                "words (in this order); add the words the model answer uses as an alias, or "
                "say the concept in the model answer, so an answer like it gets the credit")))
    return advice


def _alias_problem(alias: str, name: str, avoid: bool) -> str | None:
    letters = "".join(char for char in alias if char.isalpha())
    words = alias.split()
    if alias.strip().replace(".", "").replace(",", "").isdigit():
        return (f"'{alias}' is a bare number: it matches any mention of that number; put it in "
                "a phrase ('HTTP 409', 'error 409')")
    if len(letters) <= SHORT_WORD and (not alias.isupper() or is_english_word(alias.lower())):
        return (f"'{alias}' is {len(letters)} letters: it is matched only as that exact word "
                "and collides with ordinary words; write a longer phrase (or the acronym in "
                "capitals when it is one)")
    if len(words) == 1 and alias.islower() and is_common_word(alias.lower()):
        return (f"'{alias}' is a common English word: it matches wherever the word is said, "
                "in any sense; use a phrase that only this concept uses")
    phrase = phrase_from_text(0, alias)
    if avoid and phrase is not None and not phrase.self_negating:
        return (f"'{alias}' is read as the hazard '{name}' avoids: it counts only when "
                "negated ('never ...') and contradicts the concept when the answer keeps it; if "
                "it is a remedy, move it to a practice concept; to be explicit, write the "
                "absence ('no ...')")
    return None
