"""A whole spoken session end to end: virtual microphone and speaker, no keyboard."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pytest

from audio import read_wav
from audio.vad import level_db
from tests.conftest import REPO, headless, interrupted_recording

pytestmark = [pytest.mark.audio, pytest.mark.slow]


def start_practice(app_env, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "interviewer", "practice", "--plain", *args],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=app_env, cwd=REPO)


def test_spoken_session_end_to_end(pulse, app_env, candidate_clips, tmp_path, run_cli,
                                   chromium):
    speaker_capture = tmp_path / "speaker.raw"
    with open(speaker_capture, "wb") as out:
        monitor = subprocess.Popen(["parec", "-d", "virt_speaker.monitor", "--raw",
                                    "--rate=16000", "--channels=1", "--format=s16le"],
                                   stdout=out)
        session = start_practice(app_env, "--count", "2", "--no-follow-ups", "--rate", "200")
        transcript, current, players = [], None, []
        for line in session.stdout:
            transcript.append(line)
            if "Question" in line and "(devsecops-" in line:
                current = line.split("(")[1].split(",")[0]
            if line.startswith("Recording."):
                time.sleep(0.4)  # a candidate does not start in the same instant
                players.append(subprocess.Popen(["paplay", "--device=virt_mic_feed",
                                                 str(candidate_clips[current])]))
        code = session.wait(timeout=60)
        monitor.terminate()
        monitor.wait()
    output = "".join(transcript)
    assert code == 0, output
    assert output.count("Recording.") == 2 and "Session summary" in output

    # the questions reached the speaker: two long stretches of speech among the utterances
    heard = np.frombuffer(speaker_capture.read_bytes(), dtype="<i2").astype(np.float32) / 32768
    frames = heard[: heard.size // 1600 * 1600].reshape(-1, 1600)
    loud = np.array([level_db(frame) > -45 for frame in frames])
    assert loud.sum() * 0.1 > 8, "too little of the interviewer reached the speaker"

    # the answers are in SQLite with transcript and score, and history shows them
    history = json.loads(run_cli("history", "--json").stdout)
    answers = history["answers"]
    assert [a["question_id"] for a in answers] == ["devsecops-01", "devsecops-02"]
    for answer in answers:
        assert answer["status"] == "scored" and answer["score"] > 20, \
            (answer["question_id"], answer["score"], answer["transcript"], output)
        assert len(answer["transcript"].split()) > 15
        samples, rate = read_wav(answer["audio_path"])
        assert samples.size / rate > 8
    database = app_env["INTERVIEWER_DATA_DIR"] + "/interviewer.sqlite3"
    with sqlite3.connect(database) as connection:
        status = connection.execute("SELECT status FROM sessions").fetchone()[0]
        stored = connection.execute("SELECT count(*) FROM answers WHERE report_json IS NOT "
                                    "NULL AND transcript_json IS NOT NULL").fetchone()[0]
    assert status == "completed" and stored == 2

    # the report renders in a real browser, with the answers in it
    report = tmp_path / "report.html"
    assert run_cli("report", "--out", str(report)).returncode == 0
    dom = headless(chromium, report.as_uri(), tmp_path, "--dump-dom")
    assert "devsecops-01" in dom.stdout and "devsecops-02" in dom.stdout
    assert "<mark" in dom.stdout and "Transcript" in dom.stdout
    assert dom.stdout.count("<audio") == 2
    screenshot = tmp_path / "report.png"
    headless(chromium, report.as_uri(), tmp_path, f"--screenshot={screenshot}",
             "--window-size=1000,1800")
    assert screenshot.exists() and screenshot.stat().st_size > 20_000


def test_ctrl_c_mid_answer_keeps_the_session_and_partial_recording(pulse, app_env,
                                                                   candidate_clips, run_cli):
    session = start_practice(app_env, "--question", "devsecops-03")
    player = None
    for line in session.stdout:
        if line.startswith("Recording."):
            player = subprocess.Popen(["paplay", "--device=virt_mic_feed",
                                       str(candidate_clips["devsecops-03"])])
            time.sleep(4)
            session.send_signal(signal.SIGINT)
            break
    rest = session.stdout.read()
    code = session.wait(timeout=30)
    if player:
        player.terminate()
    assert code == 130, rest
    assert "Partial answer kept" in rest and "Traceback" not in rest
    samples, rate = interrupted_recording(run_cli)
    assert 3.0 < samples.size / rate < 8.0 and level_db(samples) > -40
    # rescore finishes it: the partial answer is transcribed and scored
    rescored = json.loads(run_cli("rescore", "--json").stdout)
    assert rescored["rescored"][0]["after"] > 0
    answer = json.loads(run_cli("history", "--json").stdout)["answers"][0]
    assert answer["status"] == "scored"
    # still the half answer it was: marked, and not counted as a score
    assert answer["ended_by"] == "interrupted" and answer["not_counted"] == "interrupted"
    shown = run_cli("history").stdout
    assert "interrupted" in shown and "By question" not in shown


def test_practice_without_microphone_says_use_text(run_cli, app_env, tmp_path):
    env = dict(app_env, PULSE_SERVER="unix:/nonexistent/native",
               PULSE_RUNTIME_PATH=str(tmp_path / "none"))
    result = run_cli("practice", "--count", "1", env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--text" in result.stderr
