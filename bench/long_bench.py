"""A long recording: `interviewer review` of a two-hour file, and its HTML report.

The recording is two hours of a quiet room with a spoken bank answer at the start, one across
the boundary between the first two windows and one at the end. `review` runs as a
user runs it, in its own process; its peak resident memory is the kernel's figure for that
process. Beside it, in the same run, the way of earlier versions: the whole file decoded into
memory and transcribed at once. A figure counts only if all three answers were heard.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import REPO, table

HOURS = 2.0
QUESTION = "devsecops-01"
MEASURE = """
import resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
sys.stderr.write(done.stderr)
print(done.returncode, round(peak, 1), round(elapsed, 2))
print(done.stdout)
"""
WHOLE = """
import sys
from audio import SpeechToTextOptions, load_audio, load_speech_to_text
samples = load_audio(sys.argv[1])
print(load_speech_to_text(SpeechToTextOptions()).transcribe(samples).text)
"""


def _measured(command: list[str], env: dict) -> tuple[int, float, float, str]:
    """(exit code, peak MB, seconds, stdout) of `command` run in a process of its own."""
    result = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True,
                            text=True, env=env, cwd=REPO, timeout=3600)
    head, _, out = result.stdout.partition("\n")
    code, peak, seconds = head.split()
    return int(code), float(peak), float(seconds), out


def _recording(folder: Path, hours: float) -> Path:
    from audio import TextToSpeech, write_wav
    from audio.files import WINDOW_S
    from audio.playback import resample
    from bank import load_bank

    text = load_bank().get(QUESTION).model_answer.split(". ")[0] + "."
    utterance = TextToSpeech(voice="en-us", rate=160, out_dir=folder).synthesize(text)
    clip = resample(utterance.samples, utterance.samplerate, 16000)
    audio = 0.002 * np.random.default_rng(3).standard_normal(int(hours * 3600 * 16000),
                                                             dtype=np.float32)
    for start_s in (5.0, WINDOW_S - 3.0, hours * 3600 - 30.0):
        start = int(start_s * 16000)
        audio[start:start + clip.size] += clip
    path = folder / "two-hours.wav"
    write_wav(path, audio, 16000)
    return path


def run(quick: bool = False) -> dict:
    hours = 0.5 if quick else HOURS
    with tempfile.TemporaryDirectory() as folder:
        path = _recording(Path(folder), hours)
        env = dict(os.environ, INTERVIEWER_DATA_DIR=os.path.join(folder, "data"),
                   INTERVIEWER_CACHE_DIR=os.path.join(folder, "cache"),
                   XDG_CONFIG_HOME=os.path.join(folder, "config"))
        code, peak, seconds, out = _measured(
            [sys.executable, "-m", "interviewer", "review", str(path), "-q", QUESTION,
             "--json"], env)
        heard = 0
        if code == 0:
            heard = json.loads(out)[0]["transcript"]["text"].lower().count("first version")
        whole = _measured([sys.executable, "-c", WHOLE, str(path)], env)
        report_path = Path(folder) / "report.html"
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "interviewer", "report", "--out",
                        str(report_path)], env=env, cwd=REPO, capture_output=True, timeout=600)
        report = {"seconds": time.perf_counter() - started,
                  "mb": report_path.stat().st_size / 1e6 if report_path.exists() else None}
    return {"hours": hours, "review_exit": code, "review_peak_mb": peak,
            "review_seconds": seconds, "answers_heard": heard,
            "whole_file_peak_mb": whole[1], "whole_file_seconds": whole[2],
            "whole_file_heard": whole[3].lower().count("first version"), "report": report}


def report(results: dict) -> str:
    counted = results["review_exit"] == 0 and results["answers_heard"] == 3
    rows = [["review (two-minute windows)", f"{results['review_peak_mb']:.0f}",
             f"{results['review_seconds']:.0f}", f"{results['answers_heard']}/3"],
            ["whole file in memory (before)", f"{results['whole_file_peak_mb']:.0f}",
             f"{results['whole_file_seconds']:.0f}", f"{results['whole_file_heard']}/3"]]
    note = "" if counted else " — NOT COUNTED: not every answer was heard"
    lines = [f"A {results['hours']:g}-hour recording{note}",
             table(rows, ["way", "peak MB", "seconds", "answers heard"])]
    rep = results["report"]
    if rep["mb"] is not None:
        lines.append(f"its HTML report: {rep['mb']:.2f} MB in {rep['seconds']:.1f} s (the "
                     "recording is linked, not embedded)")
    return "\n".join(lines)
