"""How a session flows at the keyboard: keys that skip what the interviewer says, keys that act
while the spoken summary plays, the time limit and the way an answer ends as shown, feedback
on an answer the time limit cut off, the refined transcript as its changes, the multi-line
editor of `e`. Driven through a pseudo-terminal (pexpect); the interviewer's voice is heard on
the virtual speaker's monitor, spoken answers go in through the virtual microphone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pexpect
import pytest

from audio.vad import level_db
from tests.conftest import REPO

FRAME = 1600  # 0.1 s at 16 kHz
LOUD_DB = -45.0


def spawn(env: dict, *args: str) -> pexpect.spawn:
    return pexpect.spawn(sys.executable, ["-m", "interviewer", *args], env=env, cwd=str(REPO),
                         encoding="utf-8", timeout=180, dimensions=(40, 100))


class SpeakerMonitor:
    """What reaches the virtual speaker, recorded to a file while the test runs."""

    def __init__(self, path: Path):
        self.path = path
        self._out = open(path, "wb")  # noqa: SIM115 (closed in stop)
        self._process = subprocess.Popen(
            ["parec", "-d", "virt_speaker.monitor", "--raw", "--rate=16000", "--channels=1",
             "--format=s16le", "--latency-msec=20"], stdout=self._out)

    def offset(self) -> int:
        """Where the recording is now, in bytes."""
        self._out.flush()
        return self.path.stat().st_size

    def loud_seconds(self, start: int, end: int | None = None) -> float:
        """How much of the recording between two offsets is the interviewer speaking."""
        data = self.path.read_bytes()[start:end]
        samples = np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2").astype(np.float32)
        samples /= 32768
        frames = samples[: samples.size // FRAME * FRAME].reshape(-1, FRAME)
        return sum(0.1 for frame in frames if level_db(frame) > LOUD_DB)

    def wait_for_speech(self, timeout: float = 60) -> int:
        """Wait until the interviewer is heard; the offset then (what the program prints
        meanwhile waits in the terminal for the next expect)."""
        start = self.offset()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.loud_seconds(start) >= 0.3:
                return self.offset()
            time.sleep(0.05)
        raise AssertionError("the interviewer was never heard")

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait()
        self._out.close()


@pytest.fixture
def speaker(pulse, tmp_path):
    monitor = SpeakerMonitor(tmp_path / "speaker.raw")
    yield monitor
    monitor.stop()


def end_of_input(child) -> None:
    """Ctrl-D, the end of typed input. One pressed before readline has taken the terminal
    (it does so after the prompt is printed) is lost by the terminal's mode change, as it
    would be for a person: pressed again, as a person would."""
    for _ in range(3):
        child.sendeof()
        if child.expect([pexpect.EOF, pexpect.TIMEOUT], timeout=5) == 0:
            return
    raise AssertionError("the session did not end at the end of input")


# ---------------------------------------------------------------------- the voice and keys

@pytest.mark.audio
def test_enter_skips_the_greeting_and_question_at_once(speaker, app_env, run_cli):
    child = spawn(app_env, "practice", "--text", "--plain", "-q", "devsecops-16",
                  "--no-follow-ups", "--no-spoken-feedback")
    child.expect("Any key skips what the interviewer is saying")
    child.expect("Question 1 of 1")
    pressed = speaker.wait_for_speech()
    child.send("\r")
    child.expect("finish with an empty line")
    skipped_to = speaker.offset()
    child.sendline("I run gitleaks in a pre-commit hook and again on every pull request.")
    child.sendline("")
    child.expect(r"\[n\] next")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    # the greeting and question last about 10 s; after Enter the speaker falls silent (what
    # was already on its way through the sound server is all that is heard)
    assert speaker.loud_seconds(pressed, skipped_to) < 1.5
    assert speaker.loud_seconds(pressed) < 1.5  # and nothing of it comes later either
    answers = json.loads(run_cli("history", "--json").stdout)["answers"]
    assert [a["status"] for a in answers] == ["scored"]
    assert answers[0]["transcript"].startswith("I run gitleaks")  # Enter was not the answer


@pytest.mark.audio
def test_keys_act_at_once_while_the_summary_is_spoken(speaker, app_env, run_cli):
    child = spawn(app_env, "practice", "--text", "--plain", "-q", "devsecops-16",
                  "-q", "devsecops-23", "--no-follow-ups")
    child.expect("Question 1 of 2")
    speaker.wait_for_speech()
    child.send("\r")  # skip the question
    child.expect("finish with an empty line")
    child.sendline("Gitleaks in a pre-commit hook, and branch protection.")
    child.sendline("")
    child.expect(r"devsecops-16: score \d+ of 100")
    child.expect(r"\[n\] next")
    pressed = speaker.wait_for_speech()  # "You scored ..." is being spoken
    child.send("n")
    child.expect("Question 2 of 2")
    moved_on = speaker.offset()
    child.expect(r"\[n\] next|finish with an empty line")
    child.sendline("")
    child.sendline("")
    end_of_input(child)
    child.close()
    # the summary lasts 6-8 s; `n` stopped it and moved on at once
    assert speaker.loud_seconds(pressed, moved_on) < 1.5
    questions = [a["question_id"] for a in json.loads(run_cli("history", "--json").stdout)
                 ["answers"]]
    assert questions[0] == "devsecops-16"


def test_the_heading_shows_the_time_limit_given(app_env):
    child = spawn(app_env, "practice", "--text", "--silent", "--plain", "-q", "devsecops-01",
                  "--time-limit", "15")
    child.expect(r"Question 1 of 1 \(devsecops-01, [a-z-]+(, (\d+) s)?\)")
    heading = child.match.group(0)
    end_of_input(child)
    child.close()
    assert heading.endswith(", 15 s)"), heading


# ---------------------------------------------------------------------- a spoken answer


EDITED = " We also scan every image with Trivy."


@pytest.fixture(scope="module")
def cut_off_session(tmp_path_factory, shared_cache, candidate_clips, pulse) -> dict:
    """One spoken answer (devsecops-01, about 18 s) cut by `--time-limit 10`, with
    `--silence-stop 4`; then `e` adds a sentence in the terminal's editor. Returns the
    terminal's output in parts and the stored answer."""
    home = tmp_path_factory.mktemp("flow")
    env = dict(os.environ, INTERVIEWER_DATA_DIR=str(home / "data"),
               XDG_CONFIG_HOME=str(home / "config"), INTERVIEWER_CACHE_DIR=str(shared_cache),
               PYTHONUNBUFFERED="1", TERM="xterm", TMPDIR=str(home / "tmp"))
    (home / "tmp").mkdir()
    for name in ("INTERVIEWER_CONFIG", "EDITOR", "VISUAL"):
        env.pop(name, None)
    child = spawn(env, "practice", "--plain", "-q", "devsecops-01", "--silent",
                  "--no-follow-ups", "--time-limit", "10", "--silence-stop", "4")
    parts: dict = {}
    try:
        child.expect(r"Question 1 of 1 \([^\n]*\)")
        parts["heading"] = child.match.group(0)
        child.expect(r"Recording\. Speak now; ([^\n]*)\.")
        parts["prompt"] = child.match.group(1)
        time.sleep(0.4)
        player = subprocess.Popen(["paplay", "--device=virt_mic_feed",
                                   str(candidate_clips["devsecops-01"])])
        child.expect(r"Recorded \d+ s \(([^)]*)\)")
        parts["ended"] = child.match.group(1)
        player.terminate()
        player.wait()
        child.expect(r"\[e\] edit transcript")
        parts["feedback"] = child.before
        # the refinement, if the cut-off stretch decodes differently whole, comes now
        index = child.expect([r"Refined transcript[^\n]*\n(.*?)\[n\] next", pexpect.TIMEOUT],
                             timeout=15)
        parts["refined"] = child.match.group(1) if index == 0 else None
        child.send("e")
        child.expect("Correct the transcript, one sentence a line")
        child.expect(r"Alt\+Enter\) saves[^\n]*\n")
        time.sleep(0.5)
        child.send(EDITED)
        child.send("\x1b\r")  # Esc, Enter: save
        child.expect("Corrected; the recogniser's transcript is kept")
        child.expect(r"\[e\] edit transcript")
        parts["corrected"] = child.before
        child.send("q")
        child.expect(pexpect.EOF)
    finally:
        parts["output"] = (child.before or "") if isinstance(child.before, str) else ""
        child.close(force=True)
    parts["code"] = child.exitstatus
    run = subprocess.run([sys.executable, "-m", "interviewer", "history", "--json"],
                         capture_output=True, text=True, env=env, cwd=REPO,
                         stdin=subprocess.DEVNULL)
    parts["answer"] = json.loads(run.stdout)["answers"][0]
    parts["tmp"] = home / "tmp"
    return parts


@pytest.mark.audio
@pytest.mark.slow
def test_a_spoken_answer_shows_the_time_limit_and_how_it_will_end(cut_off_session):
    assert cut_off_session["heading"].endswith(", 10 s)"), cut_off_session["heading"]
    assert "ends after a pause of 4 s" in cut_off_session["prompt"], cut_off_session["prompt"]
    assert cut_off_session["ended"] == "time limit reached"
    assert cut_off_session["answer"]["ended_by"] == "time-limit"


@pytest.mark.audio
@pytest.mark.slow
def test_an_answer_cut_by_the_time_limit_is_not_called_short(cut_off_session):
    feedback = cut_off_session["feedback"]
    assert "The answer is short" not in feedback, feedback
    assert "time limit ended the answer" in " ".join(feedback.split()), feedback
    report = cut_off_session["answer"]["report"]
    assert report["delivery"]["time_limit_reached"] is True
    assert not any("is short" in note for note in report["feedback"])


@pytest.mark.audio
@pytest.mark.slow
def test_e_edits_on_many_lines_and_the_unsure_words_go(cut_off_session):
    answer = cut_off_session["answer"]
    assert cut_off_session["code"] == 0, cut_off_session["output"]
    assert answer["corrected"] and answer["transcript"].endswith(EDITED.strip())
    assert answer["transcript"].startswith(answer["recognised_transcript"].split()[0])
    # the recogniser was unsure of some of this (Semgrep, Dependabot...); the candidate's
    # text is what was said, so the list is gone, on screen and in the stored report
    assert "recogniser was unsure of" in cut_off_session["feedback"]
    assert "recogniser was unsure of" not in cut_off_session["corrected"]
    assert answer["report"]["delivery"]["unsure_words"] == []
    # still cut by the time limit after the correction
    assert answer["report"]["delivery"]["time_limit_reached"] is True
    # the editor kept the text in memory: nothing of it was written to the temporary folder
    assert not [path for path in cut_off_session["tmp"].rglob("*") if path.is_file()]


@pytest.mark.audio
@pytest.mark.slow
def test_a_refined_transcript_shows_only_what_changed(cut_off_session):
    refined = cut_off_session["refined"]
    if refined is None:
        pytest.skip("the refined transcript said the same this time")
    whole = cut_off_session["answer"]["recognised_transcript"]  # the refined text
    shown = " ".join(refined.split())
    assert whole not in shown, shown
    assert "\u2192" in shown or "added" in shown or "removed" in shown, shown


# ---------------------------------------------------------------------- the pieces


def test_word_changes_are_stretches_of_words_not_punctuation():
    from interviewer.changes import word_changes

    changes = word_changes("We scan with get lab, daily. Then we deploy.",
                           "We scan with GitLab daily; then we deploy to production.")
    assert [change.said() for change in changes] == [
        "\u201cget lab,\u201d \u2192 \u201cGitLab\u201d", "added \u201cto production.\u201d"]
    assert word_changes("Semgrep, Trivy.", "semgrep trivy") == []


def test_the_refined_transcript_is_printed_as_its_changes():
    from rich.console import Console

    from interviewer.ui import Frontend
    from scoring import ScoreReport
    from scoring.types import Band

    ui = Frontend(plain=True)
    ui.console = Console(record=True, width=80, force_terminal=False)
    before = ScoreReport("q", 40.0, Band.PARTIAL, 0.3, 0.2, 0.5, ())
    first = "we scan every commit with get lab and " + "then deploy it " * 20
    ui.refined(before, before, first, first.replace("get lab", "GitLab"))
    shown = ui.console.export_text()
    assert "\u201cget lab\u201d \u2192 \u201cGitLab\u201d" in shown
    assert "then deploy it then deploy it" not in shown
