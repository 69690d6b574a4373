"""The graded answer sets the scorer is measured on, and the plain baseline beside it.

- the interview development set (bench/interview/answers.yaml, RUBRIC.md): 240 answers to the
  bundled bank graded 0-5, with a held-out part of 60 answers to six questions;
- Mohler et al. 2011 (../shared/eval/mohler2011): 2,273 student answers graded 0-5;
- SemEval-2013 Task 7 training splits (../shared/eval/semeval2013): 8,910 answers labelled
  correct or incorrect, in two corpora (Beetle, SciEntsBank).

The plain baseline is what the data sets' READMEs name: scikit-learn
`TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)` fitted on the
references and the answers of the set, cosine between answer and reference (the question's
words removed for Mohler, as its README does).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from bank import Question, load_bank
from bench.common import REPO, shared_dir

INTERVIEW = REPO / "bench" / "interview" / "answers.yaml"


@dataclass(frozen=True)
class GradedAnswer:
    question: Question
    answer: str
    grade: float  # 0-5, or 1/0 for correct/incorrect
    group: str = ""  # assignment (Mohler), corpus (SemEval), split (interview)
    kind: str = ""  # interview only: the kind of answer (RUBRIC.md)


def interview_set() -> list[GradedAnswer]:
    bank = load_bank()
    items = yaml.safe_load(INTERVIEW.read_text(encoding="utf-8"))
    return [GradedAnswer(bank.get(item["question"]), item["answer"], float(item["grade"]),
                         item["split"], item["kind"]) for item in items]


def _csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def mohler_set() -> list[GradedAnswer] | None:
    shared = shared_dir()
    path = shared / "eval" / "mohler2011" / "mohler2011_v2.csv" if shared else None
    if path is None or not path.exists():
        return None
    questions: dict[str, Question] = {}
    answers = []
    for row in _csv(path):
        qid = row["question_id"]
        question = questions.setdefault(qid, Question(
            id=f"mohler-{qid}", text=row["question"], category="technical",
            model_answer=row["reference_answer"]))
        group = row["assignment"] + ("" if row["in_alignment_annotations"] != "True" else "*")
        answers.append(GradedAnswer(question, row["student_answer"], float(row["score_avg"]),
                                    group))
    return answers


def semeval_set() -> list[GradedAnswer] | None:
    shared = shared_dir()
    path = shared / "eval" / "semeval2013" / "semeval2013_train_2way.csv" if shared else None
    if path is None or not path.exists():
        return None
    questions: dict[tuple[str, str], Question] = {}
    answers = []
    for row in _csv(path):
        key = (row["corpus"], row["question_id"])
        question = questions.setdefault(key, Question(
            id=f"{row['corpus']}-{row['question_id']}", text=row["question"],
            category="technical", model_answer=row["reference_answer"]))
        answers.append(GradedAnswer(question, row["student_answer"],
                                    1.0 if row["label_2way"] == "correct" else 0.0,
                                    row["corpus"]))
    return answers


class PlainBaseline:
    """char_wb 3-5 sublinear TF-IDF cosine, fitted on a set's references and answers."""

    def __init__(self, items: Sequence[GradedAnswer], drop_question_words: bool = False):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.drop = drop_question_words
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5),
                                          sublinear_tf=True)
        texts = {self._text(item.question.model_answer, item.question) for item in items}
        texts |= {self._text(item.answer, item.question) for item in items}
        self.vectorizer.fit(sorted(texts))

    def _text(self, text: str, question: Question) -> str:
        if not self.drop:
            return text
        drop = set(re.findall(r"[a-z0-9']+", question.text.lower()))
        return " ".join(word for word in re.findall(r"[a-z0-9']+", text.lower())
                        if word not in drop)

    def score(self, item: GradedAnswer) -> float:
        rows = self.vectorizer.transform([self._text(item.answer, item.question),
                                          self._text(item.question.model_answer,
                                                     item.question)])
        return float(rows[0].multiply(rows[1]).sum())


def scores(items: Sequence[GradedAnswer], score: Callable[[GradedAnswer], float]) -> np.ndarray:
    return np.array([score(item) for item in items])
