"""The roles development set: a second graded set, on a bank written for other roles.

`bank.yaml` holds ten questions for backend/SRE and data engineering roles, `answers.yaml`
candidate answers to them graded 0-5 by hand before any scoring (RUBRIC.md). It checks that
scoring choices tuned on the DevSecOps interview set carry over to another bank.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from bank import Bank, load_bank
from bench.scoring_sets import GradedAnswer

HERE = Path(__file__).resolve().parent
BANK = HERE / "bank.yaml"
ANSWERS = HERE / "answers.yaml"


def roles_bank() -> Bank:
    return load_bank(BANK)


def roles_answers() -> list[dict]:
    """The answers as written: mappings of id, question, kind, grade, split and answer."""
    return yaml.safe_load(ANSWERS.read_text(encoding="utf-8"))


def roles_set() -> list[GradedAnswer]:
    bank = roles_bank()
    return [GradedAnswer(bank.get(item["question"]), item["answer"], float(item["grade"]),
                         item["split"], item["kind"]) for item in roles_answers()]
