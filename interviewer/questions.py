"""Finding banks and questions for the commands, with errors that say how to fix them."""

from __future__ import annotations

import difflib
import re

from bank import Bank, BankError, Question, load_bank
from interviewer.errors import UserError


def bank_of_session(bank_source: str, bank_id: str, cache: dict[str, Bank | None]) -> \
        Bank | None:
    """The bank a stored session used: from the file it was loaded from, else (a bundled bank
    that moved with an upgrade) by its id; None when neither can be loaded. `cache` keeps the
    banks already loaded."""
    if bank_source not in cache:
        bank = None
        for ref in (bank_source, bank_id):
            try:
                bank = load_bank(ref)
                break
            except BankError:
                continue
        cache[bank_source] = bank
    return cache[bank_source]


def find_question(bank: Bank, question_id: str) -> Question:
    try:
        return bank.get(question_id)
    except KeyError:
        pass
    close = _padded_match(question_id, bank.ids) or \
        difflib.get_close_matches(question_id, bank.ids, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'? " if close else ""
    span = f"{bank.ids[0]} … {bank.ids[-1]}" if len(bank.ids) > 2 else ", ".join(bank.ids)
    raise UserError(f"no question '{question_id}' in bank '{bank.id}' ({span}); {hint}"
                    f"run 'interviewer bank list' to see the ids")


def _padded_match(question_id: str, ids: tuple[str, ...]) -> list[str]:
    """'devsecops-7' most likely means 'devsecops-07'."""
    match = re.fullmatch(r"(.*?)(\d+)", question_id)
    if not match:
        return []
    prefix, number = match.groups()
    return [known for known in ids
            if (m := re.fullmatch(r"(.*?)(\d+)", known)) and m.group(1) == prefix
            and int(m.group(2)) == int(number)][:1]


def select_questions(bank: Bank, ids: tuple[str, ...] = (), tags: tuple[str, ...] = (),
                     categories: tuple[str, ...] = ()) -> list[Question]:
    """Questions chosen by id (in the order given), or filtered by tag and category."""
    if ids:
        return [find_question(bank, question_id) for question_id in ids]
    chosen = list(bank.questions)
    if tags:
        wanted = {tag.lower() for tag in tags}
        chosen = [question for question in chosen if wanted & set(question.tags)]
    if categories:
        wanted = {category.lower() for category in categories}
        chosen = [question for question in chosen if question.category in wanted]
    if not chosen:
        known_tags = sorted({tag for question in bank.questions for tag in question.tags})
        raise UserError(f"no question in bank '{bank.id}' matches tags {list(tags)} and "
                        f"categories {list(categories)}; known tags: {', '.join(known_tags)}")
    return chosen
