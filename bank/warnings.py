"""Warnings about a valid bank, located to the line of the concept or alias they are about
(`bank validate` shows them; the bank still loads)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bank.errors import FieldPath, Problem, field_name
from bank.parse import Document
from bank.schema import Bank, Question


def located_warnings(doc: Document, bank: Bank,
                     advise: Callable[[Question], Iterable[tuple[str, str | None, str]]]
                     ) -> list[Problem]:
    """Warnings about a valid bank, located like problems and prefixed "warning:". `advise`
    gives (concept name, alias or None, message) for a question; the scorer knows which
    aliases will misfire, the bank knows where they are written."""
    raw_questions = doc.data.get("questions") if isinstance(doc.data, dict) else None
    index_of = {str(raw.get("id")): number for number, raw in enumerate(raw_questions or ())
                if isinstance(raw, dict)}
    warnings = []
    for question in bank.questions:
        number = index_of.get(question.id)
        raw_concepts = (raw_questions[number].get("concepts") or []) \
            if number is not None and raw_questions is not None else []
        for concept, phrase, message in advise(question):
            path: FieldPath = ("questions", number if number is not None else 0, "concepts")
            for position, raw in enumerate(raw_concepts):
                name = raw if isinstance(raw, str) else raw.get("name") \
                    if isinstance(raw, dict) else None
                if str(name).strip() != concept:
                    continue
                path = path + (position,)
                aliases = raw.get("aliases") if isinstance(raw, dict) else None
                if phrase is not None and isinstance(aliases, list) and phrase in aliases:
                    path = path + ("aliases", aliases.index(phrase))
                elif phrase is None:
                    path = path + ("name",)
                break
            warnings.append(Problem(doc.file, doc.line_of(path), field_name(path),
                                    f"warning: {message}"))
    return warnings
