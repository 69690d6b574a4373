"""The roles development set (bench/roles): its bank validates and its answers are complete,
graded 0-5, and the `own-words` answers really avoid every way the bank has of saying a concept."""

from __future__ import annotations

from collections import Counter, defaultdict

from bank import validate_bank_file
from bench.roles import BANK, roles_answers, roles_bank, roles_set
from scoring.text import tokenize

REQUIRED_KINDS = {"strong-short", "strong-long", "own-words", "partial", "vague", "list",
                  "stuffed", "rambling", "negated", "negation-correct", "other", "spoken"}
KINDS = REQUIRED_KINDS | {"salad"}


def _content_stems(text: str) -> set[str]:
    return {token.stem for token in tokenize(text) if not token.is_stop}


def _phrases_said(question, answer: str) -> list[str]:
    """The concept names and aliases whose content words all appear in the answer."""
    said = _content_stems(answer)
    return [phrase for concept in question.concepts for phrase in concept.phrases
            if _content_stems(phrase) and _content_stems(phrase) <= said]


def test_bank_validates():
    assert validate_bank_file(BANK) == []
    bank = roles_bank()
    assert bank.id == "roles" and len(bank.questions) == 10


def test_every_question_has_every_required_kind():
    kinds = defaultdict(set)
    for item in roles_answers():
        kinds[item["question"]].add(item["kind"])
    assert set(kinds) == set(roles_bank().ids)
    missing = {qid: sorted(REQUIRED_KINDS - found) for qid, found in kinds.items()
               if REQUIRED_KINDS - found}
    assert not missing
    assert all(found <= KINDS for found in kinds.values())
    assert len(roles_answers()) >= 110


def test_answers_are_well_formed_and_graded_0_to_5():
    items = roles_answers()
    ids = Counter(item["id"] for item in items)
    assert not [answer_id for answer_id, count in ids.items() if count > 1]
    for item in items:
        assert set(item) == {"id", "question", "kind", "grade", "split", "answer"}, item["id"]
        assert item["id"].startswith(f"{item['question']}/{item['kind']}"), item["id"]
        assert isinstance(item["grade"], int) and 0 <= item["grade"] <= 5, item["id"]
        assert item["split"] in ("dev", "held-out"), item["id"]
        assert item["answer"].strip(), item["id"]


def test_lengths_follow_the_kinds():
    for item in roles_answers():
        words = len(item["answer"].split())
        if item["kind"] == "strong-short":
            assert 40 <= words <= 80, (item["id"], words)
        elif item["kind"] == "strong-long":
            assert 120 <= words <= 200, (item["id"], words)
        elif item["kind"] == "stuffed":
            assert words >= 200, (item["id"], words)


def test_two_whole_questions_are_held_out_one_per_field():
    splits = defaultdict(set)
    for item in roles_answers():
        splits[item["question"]].add(item["split"])
    assert all(len(found) == 1 for found in splits.values())
    held_out = sorted(qid for qid, found in splits.items() if found == {"held-out"})
    bank = roles_bank()
    fields = {bank.get(qid).tags[0] for qid in held_out}
    assert len(held_out) == 2 and fields == {"backend-sre", "data"}


def test_own_words_answers_use_no_concept_phrase():
    bank = roles_bank()
    found = {item["id"]: _phrases_said(bank.get(item["question"]), item["answer"])
             for item in roles_answers() if item["kind"] == "own-words"}
    assert not {answer_id: phrases for answer_id, phrases in found.items() if phrases}


def test_the_phrase_check_catches_a_phrase_in_other_words_order():
    question = roles_bank().get("roles-01")
    assert "no long table locks" in _phrases_said(question, "Locks on a long table: no.")
    assert _phrases_said(question, "We add the field empty, then copy rows over.") == []


def test_roles_set_mirrors_the_answers():
    items, graded = roles_answers(), roles_set()
    assert len(graded) == len(items)
    assert {(g.question.id, g.kind, g.group, g.grade) for g in graded} == {
        (i["question"], i["kind"], i["split"], float(i["grade"])) for i in items}
