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
from bench.scoring_sets import (
    GradedAnswer,
    PlainBaseline,
    interview_set,
    mohler_set,
    scores,
    semeval_set,
)
from scoring import AnswerScorer, Band

BAD_KINDS = ("list", "stuffed", "negated")


def recipe(config: dict):
    """The application's scorer recipe, with `config` overriding scorer parameters;
    `{"semantic": false}` leaves the embedder out."""
    from interviewer.judging import scorer_recipe

    config = dict(config)
    if not config.pop("semantic", True):
        config["embedder"] = None
    return scorer_recipe(**config)


def fitted(items: Sequence[GradedAnswer], config: dict) -> AnswerScorer:
    questions = {item.question.id: item.question for item in items}
    return recipe(config).scorer(questions.values())


def scorer_scores(items: Sequence[GradedAnswer], config: dict) -> np.ndarray:
    scorer = fitted(items, config)
    reports = scorer.score_texts([(item.answer, item.question) for item in items])
    return np.array([report.score for report in reports])


# ---------------------------------------------------------------------- the interview set

def band_agrees(grade: float, score: float) -> bool:
    band = Band.for_score(score)
    if grade >= 5:
        return band is Band.STRONG
    if grade >= 4:
        return band is Band.STRONG or (band is Band.PARTIAL and score >= 60)
    if grade >= 3:
        return band is Band.PARTIAL
    if grade >= 2:
        return band is Band.WEAK
    return band in (Band.WEAK, Band.OFF_TOPIC)


def interview_figures(items: list[GradedAnswer], mine: np.ndarray, plain: np.ndarray) -> dict:
    grades = np.array([item.grade for item in items])
    kinds = np.array([item.kind for item in items])

    def share(mask: np.ndarray, passed: np.ndarray) -> list[int]:
        return [int(passed[mask].sum()), int(mask.sum())]

    good = grades >= 4
    bad = np.isin(kinds, BAD_KINDS)
    return {
        "answers": len(items),
        "spearman": float(spearmanr(mine, grades)[0]),
        "spearman_baseline": float(spearmanr(plain, grades)[0]),
        "pearson": float(pearsonr(mine, grades)[0]),
        "pearson_baseline": float(pearsonr(plain, grades)[0]),
        "grade_4_5_at_least_60": share(good, mine >= 60),
        "list_stuffed_negated_below_40": share(bad, mine < 40),
        "other_question_at_most_10": share(kinds == "other", mine <= 10),
        "synonyms_at_least_60": share(kinds == "synonyms", mine >= 60),
        "bands_agree": share(np.ones(len(items), bool),
                             np.array([band_agrees(g, s) for g, s in zip(grades, mine,
                                                                         strict=True)])),
        "by_kind": {kind: [round(float(mine[kinds == kind].min()), 1),
                           round(float(np.median(mine[kinds == kind])), 1),
                           round(float(mine[kinds == kind].max()), 1)]
                    for kind in dict.fromkeys(kinds)},
    }


def interview(config: dict, splits=("dev", "held-out")) -> dict:
    items = interview_set()
    mine = scorer_scores(items, config)
    plain = scores(items, PlainBaseline(items).score)
    result = {}
    for split in splits:
        mask = np.array([item.group == split for item in items])
        chosen = [item for item, keep in zip(items, mask, strict=True) if keep]
        result[split] = interview_figures(chosen, mine[mask], plain[mask])
    return result


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
    bank = load_bank()
    scorer = recipe(config).scorer(bank.questions)
    questions = list(bank.questions)
    answers = [q.model_answer for q in questions[1:] + questions[:1]]
    for answer, question in zip(answers, questions, strict=True):
        scorer.score_text(answer, question)  # build the per-question models first
    per_answer = best_time(lambda: [scorer.score_text(answer, question) for answer, question
                                    in zip(answers, questions, strict=True)],
                           repeat=10 if quick else 30) / len(questions)
    return {"off_topic": off_topic_separation(scorer, questions),
            "model_answers_min": min(scorer.score_text(q.model_answer, q).score
                                     for q in questions),
            "ms_per_answer_bank": 1000 * per_answer}


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


def run(quick: bool = False, config: dict | None = None) -> dict:
    config = config or {}
    return {"config": config, "interview": interview(config), "mohler": mohler(config),
            "semeval": semeval(config), "bank": bank_figures(config, quick),
            "jsonl": jsonl_throughput(quick)}


# ---------------------------------------------------------------------- the report

def _share(pair: list[int]) -> str:
    return f"{pair[0]}/{pair[1]}"


def report(results: dict) -> str:
    lines = ["Interview development set (bench/interview), beside the plain char TF-IDF "
             "baseline"]
    splits = results["interview"]
    rows = []
    for name, key, fmt in (("Spearman with the grade", "spearman", "{:.3f}"),
                           ("Pearson with the grade", "pearson", "{:.3f}")):
        rows.append([name] + [f"{fmt.format(splits[s][key])} "
                              f"(plain {fmt.format(splits[s][key + '_baseline'])})"
                              for s in splits])
    for name, key in (("grade 4-5 answers >= 60", "grade_4_5_at_least_60"),
                      ("list/stuffed/negated < 40", "list_stuffed_negated_below_40"),
                      ("another question's answer <= 10", "other_question_at_most_10"),
                      ("synonym-only strong >= 60", "synonyms_at_least_60"),
                      ("band agrees with the grade", "bands_agree")):
        rows.append([name] + [_share(splits[s][key]) for s in splits])
    lines.append(table(rows, ["figure"] + [f"{s} ({splits[s]['answers']})" for s in splits]))
    kinds = splits["dev"]["by_kind"]
    lines.append("Scores by kind, dev (min / median / max): " + "; ".join(
        f"{kind} {low:.0f}/{mid:.0f}/{high:.0f}" for kind, (low, mid, high) in kinds.items()))
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
              f"{off['p95_score']:.0f}; {bank['ms_per_answer_bank']:.2f} ms per answer"]
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
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = run(args.quick, json.loads(args.config))
    print(json.dumps(results, indent=2) if args.json else report(results))


if __name__ == "__main__":
    main()
