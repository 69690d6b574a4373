"""Recordings given to `review`: a header no recording has, names that look like markup or
carry escape sequences, long and interrupted reviews."""

from __future__ import annotations

import json
import shutil
import signal
import struct
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import REPO, assert_one_line_error
from tests.faults.conftest import cli


def wav_claiming(path: Path, rate: int, channels: int = 1, seconds: float = 13.0) -> Path:
    """A WAV of `seconds` of 16 kHz noise whose header claims another rate or channels."""
    data = (np.random.default_rng(1).standard_normal(int(16000 * seconds)) * 1000
            ).astype("<i2").tobytes()
    header = b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * 2 * channels,
                                       2 * channels, 16)
    path.write_bytes(b"RIFF" + struct.pack("<I", 36 + len(data)) + header + b"data" +
                     struct.pack("<I", len(data)) + data)
    return path


@pytest.mark.parametrize("rate,channels", [(1, 1), (100, 1), (16000, 200)])
def test_a_header_no_recording_has_is_refused_quickly(rate, channels, tmp_path, app_env):
    """R09: a header of 1 Hz was resampled as 60 hours of audio (not done after 300 s)."""
    path = wav_claiming(tmp_path / "odd.wav", rate, channels)
    started = time.monotonic()
    stderr = assert_one_line_error(cli(app_env, "review", str(path), "-q", "devsecops-03",
                                       "--json", timeout=60))
    assert str(path) in stderr and "damaged" in stderr
    assert time.monotonic() - started < 15


@pytest.mark.slow
def test_names_that_look_like_markup_are_shown_and_every_file_is_reviewed(
        tmp_path, app_env, candidate_clips):
    """R13 (a '[/]' in a name crashed review after the first file), R12 (ESC in a name was
    printed raw)."""
    folder = tmp_path / "take ["
    folder.mkdir()
    names = ["]1.wav", "rec [draft].wav", "[link=file:x]x.wav", "esc \x1b[2J.wav"]
    for extra, name in enumerate(names):  # the first is 'take [/]1.wav': '[' and ']'
        # each a recording of its own (identical files are one result since review
        # recognises files by content): a different length of trailing silence
        with wave.open(str(candidate_clips["devsecops-03"])) as source:
            params, frames = source.getparams(), source.readframes(source.getnframes())
        with wave.open(str(folder / name), "wb") as copy:
            copy.setparams(params)
            copy.writeframes(frames + b"\0" * params.sampwidth * params.nchannels *
                             160 * (extra + 1))
    env = dict(app_env, COLUMNS="400")  # no path wrapped across lines
    result = cli(env, "review", str(folder), "-q", "devsecops-03", timeout=600)
    assert result.returncode == 0, result.stderr
    assert "take [/]1.wav" in result.stdout and "rec [draft].wav" in result.stdout
    assert "[link=file:x]x.wav" in result.stdout and "\x1b" not in result.stdout
    assert "esc \\x1b[2J.wav" in result.stdout
    alone = tmp_path / "plain"  # one file is enough for the plain output
    alone.mkdir()
    shutil.copy(folder / names[-1], alone / names[-1])
    plain = cli(env, "review", str(alone), "-q", "devsecops-03", "--plain", "--no-store",
                timeout=600)
    assert "\x1b" not in plain.stdout and "esc \\x1b[2J.wav" in plain.stdout
    stored = json.loads(cli(app_env, "history", "--json").stdout)["answers"]
    assert len(stored) == len(names) and all(answer["score"] > 0 for answer in stored)


@pytest.mark.slow
def test_review_interrupted_keeps_the_files_already_finished(app_env, candidate_clips,
                                                              tmp_path):
    folder = tmp_path / "answers"
    folder.mkdir()
    for name in ("a", "b", "c", "d"):
        shutil.copy(candidate_clips["devsecops-01"], folder / f"{name}.wav")
    table = tmp_path / "results.csv"
    review = subprocess.Popen([sys.executable, "-m", "interviewer", "review", str(folder),
                               "-q", "devsecops-01", "--plain", "--json", "--csv", str(table)],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=app_env, cwd=REPO)
    for line in review.stderr:  # with --json, progress goes to stderr
        if line.startswith("[3/4]"):
            review.send_signal(signal.SIGTERM)
            break
    out, _ = review.communicate(timeout=120)
    assert review.returncode == 143
    finished = [item for item in json.loads(out) if item["report"]]
    assert len(finished) >= 2 and all(item["report"]["score"] > 0 for item in finished)
    rows = [row for row in table.read_text().splitlines()[1:] if row.strip()]
    assert len(rows) >= 2


@pytest.mark.slow
def test_a_recording_longer_than_a_window_is_read_in_windows(candidate_clips, tmp_path):
    """Speech that runs across the boundary between two windows is transcribed
    once and whole; the times are those of the recording."""
    from audio import SpeechToTextOptions, load_audio, load_speech_to_text, write_wav
    from audio.files import WINDOW_S

    clip = load_audio(candidate_clips["devsecops-01"])
    audio = np.zeros(int(16000 * (WINDOW_S + 60)), dtype=np.float32)
    start = int(16000 * (WINDOW_S - 4))  # four seconds before the window's end
    audio[start:start + clip.size] = clip
    path = write_wav(tmp_path / "long.wav", audio, 16000)
    transcript = load_speech_to_text(SpeechToTextOptions()).transcribe_file(path)
    assert transcript.duration == pytest.approx(WINDOW_S + 60, abs=0.1)
    words = transcript.words
    assert words and words[0].start >= WINDOW_S - 5 and words[-1].end <= WINDOW_S + 20
    text = transcript.text.lower()
    assert text.count("static analysis") == 1 and "container image" in text
