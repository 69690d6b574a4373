"""Every validation rule, each on a small broken file, reported as FILE:LINE: field: message."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from bank import BankError, load_bank, validate_bank_file

GOOD = """\
id: tiny
title: Tiny bank
questions:
  - id: q1
    text: What is a secret?
    category: technical
    model_answer: A secret is a credential that must stay private.
    concepts:
      - name: credential
        aliases: [password, key]
"""


def write(tmp_path: Path, text: str, name: str = "bank.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    return [str(problem) for problem in validate_bank_file(path)]


def only_problem(path: Path) -> str:
    found = problems_of(path)
    assert len(found) == 1, found
    return found[0]


def test_good_file_is_valid(tmp_path):
    path = write(tmp_path, GOOD)
    assert problems_of(path) == []
    bank = load_bank(path)
    assert bank.get("q1").concepts[0].aliases == ("password", "key")
    assert bank.role == "Tiny bank" and bank.language == "en" and bank.version == "1"


def test_malformed_yaml_points_at_the_line(tmp_path):
    path = write(tmp_path, GOOD.replace("    category: technical", "    category: [technical"))
    problem = only_problem(path)
    assert problem.startswith(f"{path}:")
    assert "malformed YAML" in problem
    line = int(problem.split(":")[1])
    assert 6 <= line <= 8


def test_unknown_key_suggests_the_right_one(tmp_path):
    path = write(tmp_path, GOOD.replace("    model_answer:", "    model_anwser:"))
    found = problems_of(path)
    assert f"{path}:7: questions[0].model_anwser: unknown key 'model_anwser'; did you mean " \
           "'model_answer'?" in found
    assert any("missing required key 'model_answer'" in problem for problem in found)


def test_missing_required_field(tmp_path):
    path = write(tmp_path, GOOD.replace("    text: What is a secret?\n", ""))
    assert only_problem(path) == f"{path}:4: questions[0]: missing required key 'text'; add it"


def test_empty_required_field(tmp_path):
    path = write(tmp_path, GOOD.replace("text: What is a secret?", 'text: "  "'))
    assert only_problem(path) == f"{path}:5: questions[0].text: is empty; write a value"


@pytest.mark.parametrize("old,new,line,field,words", [
    ("    category: technical", "    category: technical\n    tags: 5", 7,
     "questions[0].tags", "expected a list of text, got a number (5)"),
    ("    category: technical", "    category: technical\n    time_limit: two minutes", 7,
     "questions[0].time_limit", "expected a number of seconds, got text"),
    ("        aliases: [password, key]", "        aliases: [password, key]\n        weight: heavy",
     11, "questions[0].concepts[0].weight", "expected a number"),
    ("    concepts:\n      - name: credential\n        aliases: [password, key]\n",
     "    concepts: {name: credential}\n", 8, "questions[0].concepts",
     "expected a list of concepts, got a block of keys"),
    ("title: Tiny bank", "title: [Tiny, bank]", 2, "title", "expected text, got a list"),
])
def test_wrong_types(tmp_path, old, new, line, field, words):
    path = write(tmp_path, GOOD.replace(old, new))
    problem = only_problem(path)
    assert problem.startswith(f"{path}:{line}: {field}: "), problem
    assert words in problem


def test_out_of_range_values(tmp_path):
    path = write(tmp_path, GOOD.replace("    category: technical",
                                        "    category: technical\n    time_limit: 0"))
    assert "out of range" in only_problem(path)


def test_unknown_category(tmp_path):
    path = write(tmp_path, GOOD.replace("category: technical", "category: tecnical"))
    assert only_problem(path) == (f"{path}:6: questions[0].category: unknown category "
                                  "'tecnical'; did you mean 'technical'?")


def test_duplicate_question_ids(tmp_path):
    second = GOOD.split("questions:\n")[1]
    path = write(tmp_path, GOOD + second)
    assert only_problem(path) == (f"{path}:11: questions[1].id: duplicate id 'q1' (first used "
                                  "on line 4); give each question its own id")


def test_duplicate_concepts(tmp_path):
    path = write(tmp_path, GOOD + "      - name: Credential\n")
    problem = only_problem(path)
    assert problem.startswith(f"{path}:11: questions[0].concepts[1].name: duplicate concept: ")


def test_alias_claimed_by_two_concepts(tmp_path):
    path = write(tmp_path, GOOD + "      - name: rotation\n        aliases: [Password]\n")
    problem = only_problem(path)
    assert problem.startswith(f"{path}:12: questions[0].concepts[1].aliases[0]: duplicate "
                              "concept phrase: 'Password' is already used by concept "
                              "'credential'")


def test_concept_with_no_usable_text(tmp_path):
    path = write(tmp_path, GOOD + '      - name: "?!"\n')
    problem = only_problem(path)
    assert problem.startswith(f"{path}:11: questions[0].concepts[1].name: '?!' has no letters")


def test_empty_bank(tmp_path):
    path = write(tmp_path, "id: empty\ntitle: Nothing here\nquestions: []\n")
    assert only_problem(path) == (f"{path}:3: questions: the bank has no questions; add at "
                                  "least one")


def test_empty_file(tmp_path):
    path = write(tmp_path, "\n")
    assert "the file is empty" in only_problem(path)


def test_non_utf8_text_points_at_the_line(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(GOOD.replace("What is a secret?", "Qu'est-ce qu'un secr\xe8t?")
                     .encode("latin-1"))
    found = problems_of(path)
    assert found[0].startswith(f"{path}:5: (bank): is not valid UTF-8 (byte 0xe8")
    assert "save the file with UTF-8 encoding" in found[0]


def test_duplicate_key_in_one_block(tmp_path):
    path = write(tmp_path, GOOD.replace("    category: technical",
                                        "    category: technical\n    category: behavioral"))
    assert only_problem(path).startswith(f"{path}:7: questions[0].category: appears twice")


def test_follow_up_must_name_a_concept(tmp_path):
    path = write(tmp_path, GOOD + "    follow_ups:\n      - concept: credentials\n"
                                  "        text: What is a credential?\n")
    assert only_problem(path) == (f"{path}:12: questions[0].follow_ups[0].concept: "
                                  "'credentials' is not a concept of this question; did you "
                                  "mean 'credential'?")


def test_bad_ids(tmp_path):
    path = write(tmp_path, GOOD.replace("id: q1", "id: q 1"))
    assert "is not a usable id" in only_problem(path)


def test_all_problems_reported_at_once(tmp_path):
    broken = GOOD.replace("category: technical", "category: nope").replace(
        "title: Tiny bank", "titel: Tiny bank") + "    time_limit: soon\n"
    found = problems_of(write(tmp_path, broken))
    assert len(found) >= 4  # unknown key, missing title, bad category, bad time limit


def test_load_bank_raises_with_every_problem(tmp_path):
    path = write(tmp_path, GOOD.replace("category: technical", "category: nope") + "bogus: 1\n")
    with pytest.raises(BankError) as raised:
        load_bank(path)
    assert len(raised.value.problems) == 2
    assert "and 1 more problem" in str(raised.value)


def test_missing_bank_file_names_the_bundled_ones(tmp_path):
    with pytest.raises(BankError, match="bundled banks: devsecops"):
        load_bank(tmp_path / "nowhere.yaml")


def test_json_bank_with_same_schema_and_line_numbers(tmp_path):
    data = {"id": "j", "title": "JSON bank", "questions": [
        {"id": "q1", "text": "Why?", "category": "technical", "model_answer": "Because.",
         "concepts": [{"name": "reason", "aliases": ["cause"], "weight": 2}]}]}
    good = tmp_path / "bank.json"
    good.write_text(json.dumps(data, indent=2), encoding="utf-8")
    assert load_bank(good).get("q1").concepts[0].weight == 2.0
    data["questions"][0]["category"] = "weird"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, indent=2), encoding="utf-8")
    problem = only_problem(bad)
    assert problem.startswith(f"{bad}:8: questions[0].category: unknown category 'weird'")


def test_malformed_json(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "id": "x",\n  "title": "y",\n  "questions": [,]\n}\n')
    problem = only_problem(path)
    assert problem.startswith(f"{path}:4: (bank): malformed JSON")


def test_concept_description_and_polarity(tmp_path):
    path = write(tmp_path, GOOD + "        description: A value only its owner should know.\n"
                 "      - name: no secrets in images\n        polarity: avoid\n")
    assert problems_of(path) == []
    concepts = load_bank(path).get("q1").concepts
    assert concepts[0].description == "A value only its owner should know."
    assert (concepts[0].polarity, concepts[1].polarity) == ("practice", "avoid")


def test_unknown_polarity_is_located(tmp_path):
    path = write(tmp_path, GOOD + "        polarity: forbidden\n")
    problem = only_problem(path)
    assert ":11: questions[0].concepts[0].polarity: 'forbidden' is not a polarity" in problem
    assert "practice, avoid" in problem


def test_british_spelling_of_behavioral_is_accepted(tmp_path):
    path = write(tmp_path, GOOD.replace("category: technical", "category: behavioural"))
    assert problems_of(path) == []
    assert load_bank(path).get("q1").category == "behavioral"


def test_follow_up_has_concepts_of_its_own(tmp_path):
    path = write(tmp_path, GOOD + textwrap.indent(textwrap.dedent("""\
        follow_ups:
          - concept: credential
            text: Where would you keep it?
          - concept: credential
            text: How do you rotate it?
            model_answer: On a schedule, and at once after a leak.
            concepts:
              - credential
              - name: rotation
                aliases: [rotate, rotated]
        """), "    "))
    assert problems_of(path) == []
    first, second = load_bank(path).get("q1").follow_ups
    assert [concept.name for concept in first.concepts] == ["credential"]  # the default
    assert [concept.name for concept in second.concepts] == ["credential", "rotation"]
    assert second.concepts[0].aliases == ("password", "key")  # the parent's concept
    assert second.model_answer == "On a schedule, and at once after a leak."
