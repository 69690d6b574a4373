"""Helpers shared by the benchmarks: locating data, timing, printing tables."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path | None:
    for candidate in (os.environ.get("INTERVIEWER_SHARED_DIR"), REPO.parent / "shared",
                      Path("/work/shared")):
        if candidate and (Path(candidate) / "DESIGN.md").exists():
            return Path(candidate)
    return None


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
