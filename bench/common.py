"""Helpers shared by the benchmarks and the tests: locating the shared data, word error rate,
timing, printing tables."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

from audio.runtime import prepare_environment

REPO = Path(__file__).resolve().parent.parent
# benchmarks and tests load the speech libraries in their own process too, not only through
# the command line: the same telemetry switches hold there
prepare_environment()


def shared_dir() -> Path | None:
    """The workplace's shared facts (seed, evaluation data), beside the repository, or where
    INTERVIEWER_SHARED_DIR says; None when absent (they are not part of the project)."""
    named = os.environ.get("INTERVIEWER_SHARED_DIR")
    candidate = Path(named) if named else REPO.parent / "shared"
    return candidate if (candidate / "DESIGN.md").exists() else None


def normalise_for_wer(text: str) -> str:
    """Lower case, numbers as words, punctuation dropped, hyphens as spaces."""
    from scoring.text import normalize

    return normalize(text.replace("-", " "))


def word_error_rate(references: list[str], hypotheses: list[str]) -> float:
    import jiwer

    return float(jiwer.wer([normalise_for_wer(t) for t in references],
                           [normalise_for_wer(t) or "-" for t in hypotheses]))


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def best_time(function: Callable[[], object], repeat: int = 5, number: int = 1) -> float:
    """Best of `repeat` runs of `number` calls, in seconds per call (least disturbed by load)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            function()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(header, widths, strict=True)),
             "  ".join("-" * width for width in widths)]
    lines += ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
              for row in rows]
    return "\n".join(lines)


def neural_voice(rate: int):
    """The bundled neural voice at `rate` words a minute, through the registry of
    audio/tts_engines.py. A benchmark of it must not quietly measure the fallback instead."""
    from audio import TextToSpeechOptions, load_text_to_speech

    def refuse(line: str) -> None:
        raise RuntimeError(f"this benchmark needs the neural voice: {line}")

    return load_text_to_speech(TextToSpeechOptions(voice="neural", rate=rate),
                               on_status=refuse)
