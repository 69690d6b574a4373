"""The issue's targets on a graded bank set (the interview set, the roles set), beside the
plain baseline: agreement, scores by kind, false credit per matching rule, band labels.

Every figure is reported for the development part and the held-out part apart; nothing is
tuned on held-out questions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy.stats import pearsonr, spearmanr

from bench.scoring_sets import GradedAnswer
from scoring import Band, ConceptStatus, ScoreReport

BAD_KINDS = ("list", "stuffed", "rambling", "negated")  # each must score below 40
# answers that cover none of the question's concepts: every credit they get is false credit
NO_CREDIT_KINDS = ("other", "vague", "negated", "salad")
OWN_WORDS_KINDS = ("own-words", "synonyms")  # strong answers in other words than the bank's
RULES = ("exact", "stem", "fuzzy", "joined", "unsure", "sound", "meaning")


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


def _share(mask: np.ndarray, passed: np.ndarray) -> list[int]:
    return [int(passed[mask].sum()), int(mask.sum())]


def false_credit(items: Sequence[GradedAnswer], reports: Sequence[ScoreReport]) -> dict:
    """Concepts credited (covered or possible) in answers that cover none, by the rule that
    found them, as a share of all the concepts of those answers."""
    by_rule: Counter[str] = Counter()
    concepts = 0
    for item, report in zip(items, reports, strict=True):
        if item.kind not in NO_CREDIT_KINDS:
            continue
        concepts += len(report.concepts)
        for concept in report.concepts:
            if concept.status in (ConceptStatus.COVERED, ConceptStatus.POSSIBLE) and \
                    concept.evidence is not None:
                evidence = concept.evidence  # (an older scorer's evidence has no rule)
                by_rule[getattr(evidence, "rule", "fuzzy" if evidence.fuzzy else "exact")] += 1
    return {"concepts": concepts, "by_rule": {rule: by_rule[rule] for rule in RULES},
            "all": sum(by_rule.values())}


def avoid_contradicted(items: Sequence[GradedAnswer], reports: Sequence[ScoreReport],
                       avoid_names: set[tuple[str, str]]) -> list[int]:
    """[contradicted, mentioned]: concepts to avoid contradicted in answers graded 3 or more
    (which affirm them, by their grade), of those the answers mention at all."""
    contradicted = mentioned = 0
    for item, report in zip(items, reports, strict=True):
        if item.grade < 3:
            continue
        for concept in report.concepts:
            if (item.question.id, concept.name) in avoid_names and concept.evidence:
                mentioned += 1
                contradicted += concept.status is ConceptStatus.CONTRADICTED
    return [contradicted, mentioned]


def labels(items: Sequence[GradedAnswer], reports: Sequence[ScoreReport]) -> dict:
    """How often an on-topic answer is called off-topic (lists, negated answers)."""
    on_topic = [report for item, report in zip(items, reports, strict=True)
                if item.kind in ("list", "negated", "partial", "stuffed")]
    return {"on_topic_called_off_topic": [sum(r.band is Band.OFF_TOPIC for r in on_topic),
                                          len(on_topic)],
            "lists_that_say_list": [sum(r.keyword_list for item, r in zip(items, reports,
                                                                        strict=True)
                                        if item.kind == "list"),
                                    sum(item.kind == "list" for item in items)]}


def set_figures(items: list[GradedAnswer], reports: list[ScoreReport], plain: np.ndarray,
                avoid_names: set[tuple[str, str]]) -> dict:
    mine = np.array([report.score for report in reports])
    grades = np.array([item.grade for item in items])
    kinds = np.array([item.kind for item in items])
    own = np.isin(kinds, OWN_WORDS_KINDS) & (grades >= 4)
    own_five = own & (grades >= 5)
    return {
        "answers": len(items),
        "spearman": float(spearmanr(mine, grades)[0]),
        "spearman_baseline": float(spearmanr(plain, grades)[0]),
        "pearson": float(pearsonr(mine, grades)[0]),
        "pearson_baseline": float(pearsonr(plain, grades)[0]),
        "grade_4_5_at_least_60": _share(grades >= 4, mine >= 60),
        "own_words_at_least_60": _share(own, mine >= 60),
        "own_words_median": float(np.median(mine[own])) if own.any() else None,
        "own_words_5_at_least_60": _share(own_five, mine >= 60),
        "own_words_5_median": float(np.median(mine[own_five])) if own_five.any() else None,
        "bad_below_40": _share(np.isin(kinds, BAD_KINDS), mine < 40),
        "bad_max": float(mine[np.isin(kinds, BAD_KINDS)].max()),
        "other_question_at_most_10": _share(kinds == "other", mine <= 10),
        "bands_agree": _share(np.ones(len(items), bool),
                              np.array([band_agrees(g, s) for g, s in zip(grades, mine,
                                                                          strict=True)])),
        "false_credit": false_credit(items, reports),
        "avoid_contradicted": avoid_contradicted(items, reports, avoid_names),
        "labels": labels(items, reports),
        "by_kind": {kind: [round(float(mine[kinds == kind].min()), 1),
                           round(float(np.median(mine[kinds == kind])), 1),
                           round(float(mine[kinds == kind].max()), 1), int((kinds == kind).sum())]
                    for kind in dict.fromkeys(kinds)},
    }


def split_figures(items: list[GradedAnswer], reports: list[ScoreReport], plain: np.ndarray,
                  splits: Sequence[str] = ("dev", "held-out")) -> dict:
    avoid_names = {(item.question.id, concept.name) for item in items
                   for concept in item.question.concepts
                   if getattr(concept, "polarity", "practice") == "avoid"}
    result = {}
    for split in splits:
        mask = [item.group == split for item in items]
        result[split] = set_figures([i for i, keep in zip(items, mask, strict=True) if keep],
                                    [r for r, keep in zip(reports, mask, strict=True) if keep],
                                    plain[np.array(mask)], avoid_names)
    return result


def report_lines(name: str, splits: dict) -> list[str]:
    from bench.common import table

    def pair(values: list[int]) -> str:
        return f"{values[0]}/{values[1]}"

    rows = [[label] + [f"{splits[s][key]:.3f} (plain {splits[s][key + '_baseline']:.3f})"
                       for s in splits]
            for label, key in (("Spearman with the grade", "spearman"),
                               ("Pearson with the grade", "pearson"))]
    for label, key in (("grade 4-5 answers >= 60", "grade_4_5_at_least_60"),
                       ("own-words grade 5 >= 60 (target 3 in 4)", "own_words_5_at_least_60"),
                       ("own-words grade 4-5 >= 60", "own_words_at_least_60"),
                       ("list/stuffed/rambling/negated < 40", "bad_below_40"),
                       ("another question's answer <= 10", "other_question_at_most_10"),
                       ("'no X' contradicted when graded 3+ (target 0)", "avoid_contradicted"),
                       ("band agrees with the grade", "bands_agree")):
        rows.append([label] + [pair(splits[s][key]) for s in splits])
    rows.append(["own-words grade 5 median (target 60)"] + [
        "-" if splits[s]["own_words_5_median"] is None else
        f"{splits[s]['own_words_5_median']:.0f}" for s in splits])
    rows.append(["highest list/stuffed/rambling/negated"] + [f"{splits[s]['bad_max']:.0f}"
                                                             for s in splits])
    def credit(figures: dict) -> str:
        found = figures["false_credit"]
        rules = ", ".join(f"{rule} {count}" for rule, count in found["by_rule"].items() if count)
        return (f"{found['all']}/{found['concepts']} = "
                f"{100 * found['all'] / max(1, found['concepts']):.1f}% ({rules or 'none'})")

    rows.append(["false credit on other/vague/negated/salad (target <= 2%)"] +
                [credit(splits[s]) for s in splits])
    lines = [f"{name}, beside the plain char TF-IDF baseline",
             table(rows, ["figure"] + [f"{s} ({splits[s]['answers']})" for s in splits])]
    for s in splits:
        lines.append(f"Scores by kind, {s} (min/median/max, n): " + "; ".join(
            f"{kind} {low:.0f}/{mid:.0f}/{high:.0f} ({n})"
            for kind, (low, mid, high, n) in splits[s]["by_kind"].items()))
        label = splits[s]["labels"]
        lines.append(f"Labels, {s}: on-topic answers called off-topic "
                     f"{pair(label['on_topic_called_off_topic'])}; lists flagged as lists "
                     f"{pair(label['lists_that_say_list'])}")
    return lines
