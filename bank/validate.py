"""Validating a bank's plain data and building the typed `Bank` from it.

Validation collects every problem instead of stopping at the first, and each problem knows
the line it comes from, so a person editing a bank by hand can fix them all in one pass:
``banks/mine.yaml:42: questions[3].concepts[1].aliases: expected a list of text ...``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bank.errors import FieldPath, Problem
from bank.parse import Document
from bank.schema import (
    CATEGORIES,
    CATEGORY_SPELLINGS,
    POLARITIES,
    Bank,
    Concept,
    FollowUp,
    Question,
)

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
MAX_TIME_LIMIT = 3600
MAX_WEIGHT = 10.0

BANK_FIELDS = {
    "id": "required",
    "title": "required",
    "questions": "required",
    "role": "optional",
    "language": "optional",
    "version": "optional",
    "description": "optional",
    "glossary": "optional",
}
QUESTION_FIELDS = {
    "id": "required",
    "text": "required",
    "category": "required",
    "model_answer": "required",
    "concepts": "optional",
    "tags": "optional",
    "look_for": "optional",
    "follow_ups": "optional",
    "time_limit": "optional",
}
CONCEPT_FIELDS = {"name": "required", "aliases": "optional", "weight": "optional",
                  "description": "optional", "polarity": "optional"}
FOLLOW_UP_FIELDS = {"concept": "required", "text": "required", "concepts": "optional",
                    "model_answer": "optional"}

def build_bank(data: Any, file: str, lines: dict[FieldPath, int] | None = None
               ) -> tuple[Bank | None, list[Problem]]:
    """Validate plain data (as parsed from YAML/JSON, or built by an importer).

    `lines` maps a field path such as ("questions", 2, "text") to the line it came from, so
    problems point into the original file (a CSV row, for instance).
    """
    doc = Document(file)
    doc.data = data
    doc.lines = dict(lines or {})
    bank = BankValidator(doc, Path(file)).build()
    return (bank if not doc.problems else None), doc.problems


def build_concepts(data: Any, file: str) -> tuple[tuple[Concept, ...], list[Problem]]:
    """Validate a list of concepts given outside a bank (a `score --jsonl` line) by the same
    rules as a bank's: names or {name, aliases, weight, description, polarity}."""
    doc = Document(file)
    doc.data = {"concepts": data}
    concepts = BankValidator(doc, Path(file))._concepts(doc.data, ())
    return concepts, doc.problems


class BankValidator:
    def __init__(self, doc: Document, path: Path):
        self.doc = doc
        self.path = path

    # -- small typed readers; each reports a problem and returns a fallback when wrong

    def _mapping(self, value: Any, path: FieldPath, fields: dict[str, str],
                 what: str) -> dict | None:
        if not isinstance(value, dict):
            self.doc.problem(path, f"expected {what} (a block of 'key: value' lines), "
                                   f"got {_kind(value)}")
            return None
        for key in value:
            if key not in fields:
                close = difflib.get_close_matches(key, list(fields), n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'?" if close else \
                    f"allowed keys: {', '.join(fields)}"
                self.doc.problem(path + (key,), f"unknown key '{key}'; {hint}")
        for key, need in fields.items():
            if need == "required" and key not in value:
                self.doc.problem(path, f"missing required key '{key}'; add it")
        return value

    def _text(self, mapping: dict, key: str, path: FieldPath, required: bool,
              scalar_ok: bool = False) -> str:
        if key not in mapping or mapping[key] is None:
            if key in mapping and required:
                self.doc.problem(path + (key,), "is empty; write a value")
            return ""
        value = mapping[key]
        if scalar_ok and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.doc.problem(path + (key,), f"expected text, got {_kind(value)}; "
                                            "put the value in quotes")
            return ""
        if required and not value.strip():
            self.doc.problem(path + (key,), "is empty; write a value")
        return " ".join(value.split()) if key not in ("model_answer", "description") \
            else value.strip()

    def _text_list(self, mapping: dict, key: str, path: FieldPath) -> tuple[str, ...]:
        value = mapping.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.doc.problem(path + (key,), f"expected a list of text, got {_kind(value)}")
            return ()
        items = []
        for index, item in enumerate(value):
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str):
                self.doc.problem(path + (key, index),
                                 f"expected text, got {_kind(item)}; put it in quotes")
            elif not item.strip():
                self.doc.problem(path + (key, index), "is empty; remove it or write a value")
            else:
                items.append(" ".join(item.split()))
        return tuple(items)

    def _check_id(self, value: str, path: FieldPath) -> None:
        if value and not ID_PATTERN.match(value):
            self.doc.problem(path, f"'{value}' is not a usable id; use letters, digits, '.', "
                                   "'_' and '-' only, starting with a letter or digit")

    # -- the structure

    def build(self) -> Bank | None:
        top = self._mapping(self.doc.data, (), BANK_FIELDS, "a bank")
        if top is None:
            return None
        bank_id = self._text(top, "id", (), True, scalar_ok=True)
        self._check_id(bank_id, ("id",))
        title = self._text(top, "title", (), True)
        role = self._text(top, "role", (), False) or title
        language = self._text(top, "language", (), False) or "en"
        version = self._text(top, "version", (), False, scalar_ok=True) or "1"
        description = self._text(top, "description", (), False)
        vocabulary = self._text_list(top, "glossary", ())
        raw_questions = top.get("questions")
        questions: list[Question] = []
        if "questions" in top:
            if raw_questions is None or raw_questions == []:
                self.doc.problem(("questions",), "the bank has no questions; add at least one")
            elif not isinstance(raw_questions, list):
                self.doc.problem(("questions",), f"expected a list of questions (lines "
                                                 f"starting with '- '), got {_kind(raw_questions)}")
            else:
                seen_ids: dict[str, int] = {}
                for index, raw in enumerate(raw_questions):
                    question = self._question(raw, ("questions", index))
                    if question is None:
                        continue
                    if question.id in seen_ids:
                        self.doc.problem(("questions", index, "id"),
                                         f"duplicate id '{question.id}' (first used on line "
                                         f"{seen_ids[question.id]}); give each question its "
                                         "own id")
                    else:
                        seen_ids[question.id] = self.doc.line_of(("questions", index, "id"))
                    questions.append(question)
        return Bank(id=bank_id, title=title, role=role, language=language, version=version,
                    questions=tuple(questions), description=description,
                    vocabulary=vocabulary, source=str(self.path))

    def _question(self, raw: Any, path: FieldPath) -> Question | None:
        mapping = self._mapping(raw, path, QUESTION_FIELDS, "a question")
        if mapping is None:
            return None
        qid = self._text(mapping, "id", path, True, scalar_ok=True)
        self._check_id(qid, path + ("id",))
        text = self._text(mapping, "text", path, True)
        category = self._text(mapping, "category", path, True).lower()
        category = CATEGORY_SPELLINGS.get(category, category)
        if category and category not in CATEGORIES:
            close = difflib.get_close_matches(category, CATEGORIES, n=1, cutoff=0.5)
            hint = f"did you mean '{close[0]}'?" if close else \
                f"use one of: {', '.join(CATEGORIES)}"
            self.doc.problem(path + ("category",), f"unknown category '{category}'; {hint}")
        model_answer = self._text(mapping, "model_answer", path, True)
        tags = tuple(tag.lower() for tag in self._text_list(mapping, "tags", path))
        look_for = self._text_list(mapping, "look_for", path)
        time_limit = self._time_limit(mapping, path)
        concepts = self._concepts(mapping, path)
        follow_ups = self._follow_ups(mapping, path, concepts)
        return Question(id=qid, text=text, category=category, model_answer=model_answer,
                        concepts=concepts, tags=tags, look_for=look_for,
                        follow_ups=follow_ups, time_limit=time_limit)

    def _time_limit(self, mapping: dict, path: FieldPath) -> int | None:
        value = mapping.get("time_limit")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.doc.problem(path + ("time_limit",), f"expected a number of seconds, got "
                                                     f"{_kind(value)} (for example: 120)")
            return None
        if not 5 <= value <= MAX_TIME_LIMIT:
            self.doc.problem(path + ("time_limit",), f"{value} seconds is out of range; use "
                                                     f"5 to {MAX_TIME_LIMIT}")
            return None
        return int(value)

    def _concepts(self, mapping: dict, path: FieldPath,
                  known: dict[str, Concept] | None = None) -> tuple[Concept, ...]:
        """The concepts under `path`; with `known` (a follow-up's parent concepts), a bare
        name of one of them stands for that concept."""
        raw = mapping.get("concepts")
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.doc.problem(path + ("concepts",), f"expected a list of concepts, got "
                                                   f"{_kind(raw)}")
            return ()
        concepts: list[Concept] = []
        owner_of_phrase: dict[str, tuple[str, int]] = {}
        for index, item in enumerate(raw):
            cpath = path + ("concepts", index)
            if known is not None and isinstance(item, str) and item.strip() in known:
                concepts.append(known[item.strip()])
                continue
            if isinstance(item, str):  # shorthand: a bare name
                item = {"name": item}
                self.doc.lines.setdefault(cpath + ("name",), self.doc.line_of(cpath))
            concept_map = self._mapping(item, cpath, CONCEPT_FIELDS, "a concept")
            if concept_map is None:
                continue
            name = self._text(concept_map, "name", cpath, True, scalar_ok=True)
            aliases = self._text_list(concept_map, "aliases", cpath)
            weight = self._weight(concept_map, cpath)
            description = " ".join(self._text(concept_map, "description", cpath, False)
                                   .split())
            polarity = self._polarity(concept_map, cpath)
            phrases = [(name, cpath + ("name",))] + [
                (alias, cpath + ("aliases", number)) for number, alias in enumerate(aliases)]
            for phrase, phrase_path in phrases:
                if phrase and not _has_word(phrase):
                    self.doc.problem(phrase_path, f"'{phrase}' has no letters or digits, so it "
                                                  "can never be matched; write words")
            if name and not any(_has_word(phrase) for phrase, _ in phrases):
                continue
            for phrase, phrase_path in phrases:
                key = _phrase_key(phrase)
                if not key:
                    continue
                if key in owner_of_phrase and owner_of_phrase[key][1] != index:
                    other, line = owner_of_phrase[key][0], self.doc.line_of(
                        path + ("concepts", owner_of_phrase[key][1]))
                    what = "duplicate concept" if phrase_path[-1] == "name" and \
                        _phrase_key(other) == key else "duplicate concept phrase"
                    self.doc.problem(phrase_path, f"{what}: '{phrase}' is already used by "
                                                  f"concept '{other}' (line {line}); "
                                                  "merge them or remove one")
                owner_of_phrase.setdefault(key, (name, index))
            unique_aliases = tuple(dict.fromkeys(
                alias for alias in aliases if _phrase_key(alias) != _phrase_key(name)))
            if name:
                concepts.append(Concept(name=name, aliases=unique_aliases, weight=weight,
                                        description=description, polarity=polarity))
        return tuple(concepts)

    def _polarity(self, mapping: dict, path: FieldPath) -> str:
        value = mapping.get("polarity")
        if value is None:
            return "practice"
        if not isinstance(value, str) or value.strip().lower() not in POLARITIES:
            shown = f"'{value}'" if isinstance(value, str) else _kind(value)
            self.doc.problem(path + ("polarity",), f"{shown} is not a polarity; use one of "
                                                   f"{', '.join(POLARITIES)} ('avoid' marks a "
                                                   "practice to avoid or an absence)")
            return "practice"
        return value.strip().lower()

    def _weight(self, mapping: dict, path: FieldPath) -> float:
        value = mapping.get("weight", 1.0)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.doc.problem(path + ("weight",), f"expected a number such as 1 or 2, got "
                                                 f"{_kind(value)}")
            return 1.0
        if not 0 < value <= MAX_WEIGHT:
            self.doc.problem(path + ("weight",), f"{value} is out of range; use a number "
                                                 f"above 0 and at most {MAX_WEIGHT:g}")
            return 1.0
        return float(value)

    def _follow_ups(self, mapping: dict, path: FieldPath,
                    concepts: Iterable[Concept]) -> tuple[FollowUp, ...]:
        raw = mapping.get("follow_ups")
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.doc.problem(path + ("follow_ups",), f"expected a list of follow-ups, got "
                                                     f"{_kind(raw)}")
            return ()
        by_name = {concept.name: concept for concept in concepts}
        names = set(by_name)
        follow_ups = []
        for index, item in enumerate(raw):
            fpath = path + ("follow_ups", index)
            follow_map = self._mapping(item, fpath, FOLLOW_UP_FIELDS, "a follow-up")
            if follow_map is None:
                continue
            concept = self._text(follow_map, "concept", fpath, True, scalar_ok=True)
            text = self._text(follow_map, "text", fpath, True)
            if concept and names and concept not in names:
                close = difflib.get_close_matches(concept, list(names), n=1, cutoff=0.5)
                hint = f"did you mean '{close[0]}'?" if close else \
                    "use the name of one of this question's concepts"
                self.doc.problem(fpath + ("concept",), f"'{concept}' is not a concept of this "
                                                       f"question; {hint}")
            elif concept and not names:
                self.doc.problem(fpath + ("concept",), "this question has no concepts to tie "
                                                       "a follow-up to; add concepts")
            own = self._concepts(follow_map, fpath, known=by_name)
            if not own and concept in by_name:
                own = (by_name[concept],)  # by default it probes the concept it follows up
            model_answer = self._text(follow_map, "model_answer", fpath, False)
            if concept and text:
                follow_ups.append(FollowUp(concept=concept, text=text, concepts=own,
                                           model_answer=model_answer))
        return tuple(follow_ups)


def _has_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _phrase_key(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text.lower()).split())


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"a true/false value ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a block of keys"
    return type(value).__name__
