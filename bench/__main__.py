"""python -m bench [--quick] [--json] [--only NAME]"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
from datetime import date

from bench.common import REPO, machine, table
from bench.targets import verdicts

BENCHMARKS = ("scoring", "asr", "spoken", "fillers", "latency", "session", "long", "faults",
              "voice")


def _difference(figures: dict, key: str, minus: str) -> float | None:
    if figures.get(key) is None or figures.get(minus) is None:
        return None
    return figures[key] - figures[minus]


def headline(results: dict) -> dict:
    """The figures the performance targets are stated in, at the top level of the JSON."""
    scoring, asr = results.get("scoring", {}), results.get("asr", {})
    latency, session = results.get("latency", {}), results.get("session", {})
    spoken, voice = results.get("spoken", {}), results.get("voice", {})
    figures = {
        "feedback_latency_p95_s": latency.get("feedback_latency_p95_s"),
        "feedback_latency_busy_p95_s": latency.get("feedback_latency_p95_s_busy"),
        "streaming_latency_p95_s": latency.get("streaming_latency_p95_s"),
        "streaming_latency_busy_p95_s": latency.get("streaming_latency_p95_s_busy"),
        "feedback_latency_batch_p95_s": latency.get("feedback_latency_batch_p95_s"),
        "caption_lag_p95_s": latency.get("caption_lag_p95_s"),
        "caption_lag_busy_p95_s": latency.get("caption_lag_p95_s_busy"),
        "caption_lag_max_s": max(filter(None, (latency.get("caption_lag_max_s"),
                                               latency.get("caption_lag_max_s_busy"))),
                                 default=None),
        "wer_streaming": latency.get("wer_streaming"),
        "wer_refined": latency.get("wer_refined"),
        "refined_60s_max_s": latency.get("refined_60s_max_s"),
        "wer_batch": latency.get("wer_batch"),
        # the neural voice's figures unsuffixed; runs saved before it measured espeak-ng
        **{f"spoken_{figure}{suffix}": spoken.get(f"spoken_{figure}{suffix}")
           for suffix in ("", "_noisy", "_espeak")
           for figure in ("score_drop_median", "score_drop_p90", "invented_rate",
                          "substitution_rate", "possible_false_rate", "wer_stored",
                          "score_drop_median_scored", "score_drop_p90_scored")},
        "spoken_wer_real_speech": spoken.get("spoken_wer_real_speech"),
        "asr_speedup_fw_over_ow": asr.get("asr_speedup_fw_over_ow"),
        "first_question_s": session.get("first_question_s"),
        "voice_wer_neural": voice.get("wer_neural"),
        "voice_wer_espeak": voice.get("wer_espeak-ng"),
        "voice_first_question_cached_s": voice.get("first_question_cached_s"),
        "practice_peak_rss_mb": session.get("practice_peak_rss_mb"),
        "score_ms_per_answer": scoring.get("bank", {}).get("ms_per_answer_bank"),
        "sentence_model_ms_per_spoken_answer": _difference(
            scoring.get("bank", {}), "ms_per_spoken_answer_after_reading_ahead",
            "ms_per_answer_without_sentence_model"),
        "jsonl_answers_per_s": (scoring.get("jsonl") or {}).get("answers_per_s"),
        "interview_spearman_dev": scoring.get("interview", {}).get("dev", {}).get("spearman"),
        "interview_spearman_held_out": scoring.get("interview", {}).get("held-out", {}).get(
            "spearman"),
        "fix_1mb_s": results.get("faults", {}).get("fix_1mb_s"),
        "roles_spearman_dev": scoring.get("roles", {}).get("dev", {}).get("spearman"),
        "roles_spearman_held_out": scoring.get("roles", {}).get("held-out", {}).get(
            "spearman"),
        "mohler_pearson": ((scoring.get("mohler") or {}).get("scorer") or {}).get(
            "pearson_all"),
    }
    return {key: value for key, value in figures.items() if value is not None}


def commit() -> str:
    """The commit measured, marked when the work tree had changes."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True,
                              text=True).stdout.strip()

    head = git("rev-parse", "--short=12", "HEAD") or "unknown"
    return head + ("+changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def targets_table(results: dict) -> str:
    rows = [[target.key, "-" if value is None else f"{value:.3g}", target.wanted,
             {True: "met", False: "MISSED", None: "not measured"}[met]]
            for target, value, met in verdicts(results)]
    return table(rows, ["figure", "measured", "target", ""])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--json", action="store_true", help="print one JSON object only")
    parser.add_argument("--only", choices=BENCHMARKS, action="append",
                        help="run only these benchmarks (repeatable)")
    args = parser.parse_args()
    chosen = args.only or list(BENCHMARKS)
    results: dict = {"machine": machine(), "date": date.today().isoformat(),
                     "commit": commit(), "quick": args.quick}
    texts = []
    for name in BENCHMARKS:  # always in this order, whatever order --only gives
        if name in chosen:
            module = importlib.import_module(f"bench.{name}_bench")
            try:
                results[name] = module.run(quick=args.quick)
                texts.append(module.report(results[name]))
            except Exception as error:  # one failing benchmark must not lose the others
                results[name] = {"error": f"{type(error).__name__}: {error}"}
                texts.append(f"{name}: FAILED ({results[name]['error']})")
    results.update(headline(results))
    if args.json:
        json.dump(results, sys.stdout, indent=2, default=float)
        sys.stdout.write("\n")
    else:
        print(f"{results['machine']}, {results['date']}, commit {results['commit']}\n")
        print("\n\n".join(texts))
        print("\nHeadline figures")
        print(table([[key, f"{value:.3f}" if isinstance(value, float) else str(value)]
                     for key, value in headline(results).items()], ["figure", "value"]))
        print("\nTargets")
        print(targets_table(results))


if __name__ == "__main__":
    main()
