"""The targets the headline figures are held to, stated once: the benchmark report and
docs/benchmarks.md say met or missed from these, never by hand."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    key: str  # a headline figure of `python -m bench --json`
    most: float | None = None  # met when the figure is at most this
    least: float | None = None  # met when the figure is at least this
    what: str = ""

    def met(self, value: float | None) -> bool | None:
        if value is None:
            return None
        if self.most is not None and value > self.most:
            return False
        return not (self.least is not None and value < self.least)

    @property
    def wanted(self) -> str:
        return f"≤ {self.most:g}" if self.most is not None else f"≥ {self.least:g}"


TARGETS = (
    Target("feedback_latency_p95_s", most=0.6,
           what="end of a 30-120 s answer to its score, `practice` in a terminal, idle (s)"),
    Target("feedback_latency_busy_p95_s", most=1.2,
           what="the same with one core kept busy by another process (s)"),
    Target("caption_lag_p95_s", most=3.0, what="live caption behind the speech, idle (s)"),
    Target("caption_lag_busy_p95_s", most=3.0, what="the same with one core busy (s)"),
    Target("first_question_s", most=1.0,
           what="`interviewer practice` started to the first question audible (s)"),
    Target("practice_peak_rss_mb", most=500, what="a whole practice session's peak memory (MB)"),
    Target("refined_60s_max_s", most=3.0, what="end of a 60 s answer to its refined score (s)"),
    Target("jsonl_answers_per_s", least=300, what="`score --jsonl` throughput (answers/s)"),
    Target("sentence_model_ms_per_spoken_answer", most=25,
           what="what the sentence model adds at the end of a spoken answer (ms)"),
    Target("spoken_score_drop_median", most=3.0,
           what="typed minus spoken score of the same answers, neural voice, median"),
    Target("spoken_score_drop_p90", most=10.0, what="the same, 90th percentile"),
    Target("spoken_score_drop_median_noisy", most=6.0,
           what="the same with noise mixed in at 10 dB SNR, median"),
    Target("spoken_invented_rate", most=0.01,
           what="concepts credited in speech but not in the text, neural voice (share)"),
    Target("spoken_substitution_rate", most=0.05,
           what="glossary terms written where another was said, neural voice (share)"),
    Target("mohler_pearson", least=0.60, what="Mohler 2011, Pearson r with the grades"),
    Target("interview_spearman_dev", least=0.85,
           what="interview set (development part), Spearman with the grades"),
    Target("interview_spearman_held_out", least=0.85, what="interview set, held-out part"),
)


def verdicts(results: dict) -> list[tuple[Target, float | None, bool | None]]:
    return [(target, results.get(target.key), target.met(results.get(target.key)))
            for target in TARGETS]
