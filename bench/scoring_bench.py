"""Scoring quality and speed on every graded set at once, beside the plain baseline.

    python -m bench --only scoring
    python -m bench.scoring_bench --config '{"similarity_weight": 0.5}'   # try a configuration

For each set (bench/scoring_sets.py) the scorer and the plain char TF-IDF baseline score the same
answers in the same run:
- the interview set: Spearman and Pearson with the grades, the issue's targets (every grade 4-5
  answer >= 60; every list, stuffed or negated answer < 40; another question's answer <= 10;
  synonym-only strong answers >= 60) and the agreement of bands with grades, reported for the
  development part and the held-out part separately;
- Mohler 2011: Pearson (all answers and the paper's evaluation set), Spearman, and RMSE after
  a monotone map fitted leave-one-assignment-out; nothing of the scorer is fitted on these
  grades;
- SemEval-2013 training splits: ROC-AUC per corpus;
- the bundled bank: share of other questions' model answers in the off-topic band;
- speed: milliseconds per answer, and `interviewer score --jsonl` answers per second.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence

import numpy as np
from scipy.stats import pearsonr, spearmanr
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import roc_auc_score

from bank import Question, load_bank
from bench.common import REPO, best_time, table
from bench.roles import roles_set
from bench.scoring_sets import (
    GradedAnswer,
    PlainBaseline,
    interview_set,
    mohler_set,
    scores,
    semeval_set,
)
from bench.scoring_targets import report_lines, split_figures
from scoring import AnswerScorer, Band


def recipe(config: dict):
    """The application's scorer recipe, with `config` overriding scorer parameters;
    `{"semantic": false}` leaves the embedder out, `{"sentence": false}` the sentence model."""
    from interviewer.judging import scorer_recipe

    config = dict(config)
    if not config.pop("semantic", True):
        config["embedder"] = None
    if not config.pop("sentence", True):
        config["sentence_embedder"] = None
    return scorer_recipe(**config)


def fitted(items: Sequence[GradedAnswer], config: dict) -> AnswerScorer:
    questions = {item.question.id: item.question for item in items}
    return recipe(config).scorer(questions.values())


def scorer_reports(items: Sequence[GradedAnswer], config: dict) -> list:
    scorer = fitted(items, config)
    return scorer.score_texts([(item.answer, item.question) for item in items])


def scorer_scores(items: Sequence[GradedAnswer], config: dict) -> np.ndarray:
    return np.array([report.score for report in scorer_reports(items, config)])


# ---------------------------------------------------------------------- the bank sets

def bank_set(items: list[GradedAnswer], config: dict) -> dict:
    """The interview set or the roles set: every figure for dev and held-out apart."""
    reports = scorer_reports(items, config)
    plain = scores(items, PlainBaseline(items).score)
    return split_figures(items, reports, plain)


# ---------------------------------------------------------------------- Mohler, SemEval

def loao_isotonic_rmse(predictions: np.ndarray, gold: np.ndarray,
                       assignments: np.ndarray) -> float:
    """RMSE after mapping predictions to the 0-5 grade scale with an isotonic regression fitted
    on the other assignments (leave one assignment out)."""
    mapped = np.zeros_like(gold)
    for assignment in np.unique(assignments):
        held_out = assignments == assignment
        model = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=5)
        model.fit(predictions[~held_out], gold[~held_out])
        mapped[held_out] = model.predict(predictions[held_out])
    return float(math.sqrt(np.mean((mapped - gold) ** 2)))


def mohler_figures(items: list[GradedAnswer], values: np.ndarray) -> dict:
    gold = np.array([item.grade for item in items])
    assignments = np.array([item.group.rstrip("*") for item in items])
    evaluation = np.array([not item.group.endswith("*") for item in items])
    return {"pearson_all": float(pearsonr(values, gold)[0]),
            "pearson_eval_2241": float(pearsonr(values[evaluation], gold[evaluation])[0]),
            "spearman_all": float(spearmanr(values, gold)[0]),
            "rmse_loao_isotonic": loao_isotonic_rmse(values, gold, assignments)}


def mohler(config: dict) -> dict | None:
    items = mohler_set()
    if items is None:
        return None
    mine = scorer_scores(items, config)
    plain = scores(items, PlainBaseline(items, drop_question_words=True).score)
    return {"answers": len(items), "scorer": mohler_figures(items, mine),
            "baseline": mohler_figures(items, plain)}


def semeval(config: dict) -> dict | None:
    items = semeval_set()
    if items is None:
        return None
    result = {}
    for corpus in ("beetle", "sciEntsBank"):
        chosen = [item for item in items if item.group == corpus]
        labels = np.array([item.grade for item in chosen])
        mine = scorer_scores(chosen, config)
        plain = scores(chosen, PlainBaseline(chosen).score)
        result[corpus] = {"answers": len(chosen), "auc": float(roc_auc_score(labels, mine)),
                          "auc_baseline": float(roc_auc_score(labels, plain)),
                          "share_scored_0": float(np.mean(mine == 0))}
    return result


# ---------------------------------------------------------------------- bank and speed

def off_topic_separation(scorer: AnswerScorer, questions: list[Question]) -> dict:
    bands, values = [], []
    for asked in questions:
        for other in questions:
            if other.id != asked.id:
                report = scorer.score_text(other.model_answer, asked)
                bands.append(report.band is Band.OFF_TOPIC)
                values.append(report.score)
    return {"off_topic_share": float(np.mean(bands)), "pairs": len(bands),
            "below_partial_share": float(np.mean(np.array(values) < 35)),
            "median_score": float(np.median(values)),
            "p95_score": float(np.percentile(values, 95))}


def bank_figures(config: dict, quick: bool) -> dict:
    """Off-topic separation on the bundled bank, and the time to score an answer: each
    question's answer is the next question's model answer (on topic enough to be read
    sentence by sentence), timed with the sentence model and without it, in the same run."""
    bank = load_bank()
    questions = list(bank.questions)
    answers = [q.model_answer for q in questions[1:] + questions[:1]]
    timings = {}
    for label, extra in (("with_sentence_model", {}), ("without_sentence_model",
                                                      {"sentence": False})):
        scorer = recipe({**config, **extra}).scorer(bank.questions)
        for answer, question in zip(answers, questions, strict=True):
            scorer.score_text(answer, question)  # build the per-question models first

        def score_all(scorer: AnswerScorer = scorer) -> None:
            if scorer._sentences is not None:  # time a new answer, not a remembered one
                scorer._sentences.forget()
            for answer, question in zip(answers, questions, strict=True):
                scorer.score_text(answer, question)

        timings[label] = 1000 * best_time(score_all, repeat=5 if quick else 15) / len(questions)
        if not extra:
            measured = scorer
            timings["after_reading_ahead"] = _time_after_reading_ahead(
                scorer, answers, questions, repeat=5 if quick else 15)
    return {"off_topic": off_topic_separation(measured, questions),
            "model_answers_min": min(measured.score_text(q.model_answer, q).score
                                     for q in questions),
            "ms_per_answer_bank": timings["with_sentence_model"],
            "ms_per_answer_without_sentence_model": timings["without_sentence_model"],
            "ms_per_spoken_answer_after_reading_ahead": timings["after_reading_ahead"]}


def _time_after_reading_ahead(scorer: AnswerScorer, answers: list[str],
                              questions: list[Question], repeat: int) -> float:
    """What a spoken answer waits for at its end: practice reads the finished sentences
    while the candidate speaks (`read_ahead`), so only the last one is left (ms/answer)."""
    best = float("inf")
    for _ in range(repeat):
        assert scorer._sentences is not None
        scorer._sentences.forget()
        for answer, question in zip(answers, questions, strict=True):
            scorer.read_ahead(answer, question)  # untimed: done while the answer is spoken
        start = time.perf_counter()
        for answer, question in zip(answers, questions, strict=True):
            scorer.score_text(answer, question)
        best = min(best, time.perf_counter() - start)
    return 1000 * best / len(questions)


def jsonl_throughput(quick: bool) -> dict | None:
    """`interviewer score --jsonl` on Mohler answers given with their references (a fresh
    process and cache, as a user runs it): answers per second, and the time for 10,000
    lines. Counted only when every line got a score."""
    items = mohler_set()
    if items is None:
        return None
    lines = [json.dumps({"answer": item.answer, "reference": item.question.model_answer,
                         "question": item.question.text}) for item in items]
    count = 2000 if quick else 10_000
    lines = (lines * (count // len(lines) + 1))[:count]
    with tempfile.TemporaryDirectory() as folder:
        source = os.path.join(folder, "answers.jsonl")
        with open(source, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        env = dict(os.environ, INTERVIEWER_DATA_DIR=os.path.join(folder, "data"),
                   INTERVIEWER_CACHE_DIR=os.path.join(folder, "cache"),
                   XDG_CONFIG_HOME=os.path.join(folder, "config"))
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "interviewer", "score", "--jsonl",
                                 source], capture_output=True, text=True, env=env, cwd=REPO,
                                timeout=600)
        elapsed = time.perf_counter() - started
    outputs = [json.loads(line) for line in result.stdout.splitlines()]
    scored = sum(1 for output in outputs if "score" in output)
    if result.returncode != 0 or scored != count:
        return {"error": f"exit {result.returncode}, {scored} of {count} lines scored"}
    return {"lines": count, "seconds": elapsed, "answers_per_s": count / elapsed,
            "mean_score": float(np.mean([output["score"] for output in outputs]))}


def run(quick: bool = False, config: dict | None = None, sets: str = "all") -> dict:
    """`sets`: "all", or "banks" (the interview and roles sets only, for quick iteration)."""
    config = config or {}
    results = {"config": config, "interview": bank_set(interview_set(), config),
               "roles": bank_set(roles_set(), config)}
    if sets == "all":
        results.update(mohler=mohler(config), semeval=semeval(config),
                       bank=bank_figures(config, quick), jsonl=jsonl_throughput(quick))
    return results


# ---------------------------------------------------------------------- the report

def _share(pair: list[int]) -> str:
    return f"{pair[0]}/{pair[1]}"


def report(results: dict) -> str:
    lines = report_lines("Interview development set (bench/interview)", results["interview"])
    lines += [""] + report_lines("Roles development set (bench/roles)", results["roles"])
    if "mohler" not in results:
        return "\n".join(lines)
    if results["mohler"]:
        mine, base = results["mohler"]["scorer"], results["mohler"]["baseline"]
        lines += ["", "Mohler 2011 (nothing fitted on its grades)", table(
            [[name, f"{base[key]:.3f}", f"{mine[key]:.3f}"] for name, key in (
                ("Pearson r (all 2,273)", "pearson_all"),
                ("Pearson r (eval set 2,241)", "pearson_eval_2241"),
                ("Spearman rho (all)", "spearman_all"),
                ("RMSE, isotonic LOAO (0-5)", "rmse_loao_isotonic"))],
            ["figure", "plain TF-IDF", "this scorer"])]
    if results["semeval"]:
        lines += ["", "SemEval-2013 Task 7 training splits: ROC-AUC", table(
            [[corpus, str(data["answers"]), f"{data['auc_baseline']:.3f}", f"{data['auc']:.3f}",
              f"{100 * data['share_scored_0']:.0f}%"] for corpus, data in
             results["semeval"].items()],
            ["corpus", "answers", "plain TF-IDF", "this scorer", "scored 0"])]
    bank = results["bank"]
    off = bank["off_topic"]
    lines += ["", f"Bundled bank: model answers score >= {bank['model_answers_min']:.0f}; of "
              f"{off['pairs']} other-question model answers {100 * off['off_topic_share']:.1f}% "
              f"off-topic (< 10) and {100 * off['below_partial_share']:.1f}% below the partial "
              f"band (< 35), median {off['median_score']:.0f}, 95th percentile "
              f"{off['p95_score']:.0f}; {bank['ms_per_answer_bank']:.2f} ms per answer "
              f"({bank['ms_per_answer_without_sentence_model']:.2f} ms without the sentence "
              "model, same run)" + (
                  f"; {bank['ms_per_spoken_answer_after_reading_ahead']:.2f} ms at the end of a "
                  "spoken answer, its finished sentences read while it was spoken"
                  if "ms_per_spoken_answer_after_reading_ahead" in bank else "")]
    jsonl = results["jsonl"]
    if jsonl and "error" not in jsonl:
        lines.append(f"score --jsonl (Mohler answers with their references, fresh process): "
                     f"{jsonl['answers_per_s']:.0f} answers/s, {jsonl['lines']} lines in "
                     f"{jsonl['seconds']:.1f} s (mean score {jsonl['mean_score']:.1f})")
    elif jsonl:
        lines.append(f"score --jsonl: FAILED ({jsonl['error']})")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scoring_bench")
    parser.add_argument("--config", default="{}", help="AnswerScorer keyword arguments (JSON)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sets", choices=("all", "banks"), default="all",
                        help="banks: the interview and roles sets only (quick iteration)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = run(args.quick, json.loads(args.config), args.sets)
    print(json.dumps(results, indent=2) if args.json else report(results))


if __name__ == "__main__":
    main()
