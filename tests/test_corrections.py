"""Correcting what the recogniser heard: `interviewer fix`, and the `e` key after a spoken answer
(driven through a pseudo-terminal, with the real microphone path)."""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import sys
import time

import pytest

from interviewer.corrections import corrected_words
from scoring import TimedWord
from tests.conftest import REPO, assert_one_line_error

HEARD = [TimedWord("we", 0.0, 0.3, 0.9), TimedWord("scan", 0.3, 0.6, 0.9),
         TimedWord("with", 0.6, 0.8, 0.9), TimedWord("Gitweek,", 0.8, 1.4, 0.4),
         TimedWord("daily.", 1.5, 2.0, 0.9)]


def test_kept_words_keep_their_times_and_a_changed_word_takes_the_replaced_time():
    fixed = corrected_words(HEARD, "We scan with gitleaks daily.")
    assert [word.text for word in fixed] == ["We", " scan", " with", " gitleaks", " daily."]
    kept, heard = fixed[1], HEARD[1]  # kept: its time; confirmed by the candidate
    assert (kept.start, kept.end, kept.probability) == (heard.start, heard.end, 1.0)
    assert (fixed[3].start, fixed[3].end, fixed[3].probability) == (0.8, 1.4, 1.0)


def test_added_words_share_the_gap_and_removed_words_vanish():
    fixed = corrected_words(HEARD, "we scan every commit with daily.")
    assert "".join(word.text for word in fixed) == "we scan every commit with daily."
    assert all(0.6 <= word.start <= word.end <= 0.6 for word in fixed[2:4])
    assert fixed[-1].start == 1.5  # "Gitweek," was dropped, the rest keeps its times
    assert corrected_words([], "typed over nothing")[0].probability == 1.0


# ------------------------------------------------------------------ interviewer fix


@pytest.fixture
def reviewed_answer(run_cli, candidate_clips) -> dict:
    """A spoken answer to devsecops-01, stored by `review` (real model, real SQLite)."""
    result = run_cli("review", str(candidate_clips["devsecops-01"]), "--question",
                     "devsecops-01")
    assert result.returncode == 0, result.stderr
    return json.loads(run_cli("history", "--json").stdout)["answers"][0]


@pytest.mark.slow
def test_fix_rescores_the_corrected_text_and_keeps_what_was_heard(run_cli, reviewed_answer,
                                                                   tmp_path):
    answer_id, heard = str(reviewed_answer["id"]), reviewed_answer["transcript"]
    assert reviewed_answer["corrected"] is False and reviewed_answer["transcript_pass"] == \
        "recording" and reviewed_answer["recognised_transcript"] == heard
    said = "We run unit tests only, nothing about security."
    fixed = run_cli("fix", answer_id, said, "--json")
    assert fixed.returncode == 0, fixed.stderr
    shown = json.loads(fixed.stdout)
    assert shown["after"] < shown["before"]  # the correction is what was scored
    row = json.loads(run_cli("history", "--json").stdout)["answers"][0]
    assert row["corrected"] and row["transcript"] == said
    assert row["recognised_transcript"] == heard and row["score"] == shown["after"]
    assert row["report"]["text"] == said
    # the history table marks it; rescoring keeps the candidate's text
    assert re.search(rf"^\s*{answer_id}\s.*corrected", run_cli("history").stdout, re.M)
    report = tmp_path / "report.html"
    assert run_cli("report", "--out", str(report), "--no-audio").returncode == 0
    html = report.read_text()
    assert "corrected by the candidate" in html and "The recogniser heard" in html
    assert run_cli("rescore").returncode == 0
    assert json.loads(run_cli("history", "--json").stdout)["answers"][0]["transcript"] == said
    # text from standard input; giving back what was heard removes the correction
    assert run_cli("fix", answer_id, "-", input=heard + "\n").returncode == 0
    row = json.loads(run_cli("history", "--json").stdout)["answers"][0]
    assert row["corrected"] is False and row["transcript"] == heard.strip()
    assert abs(row["score"] - reviewed_answer["score"]) < 0.05


@pytest.mark.slow
def test_fix_refuses_what_cannot_be_corrected(run_cli, app_env):
    assert run_cli("score", "--question", "devsecops-01", "static analysis").returncode == 0
    missing = assert_one_line_error(run_cli("fix", "999", "text"))
    assert "no answer 999" in missing
    text = run_cli("practice", "--text", "--question", "devsecops-01", "--no-follow-ups",
                   input="We scan code with Semgrep.\n\n")
    assert text.returncode == 0, text.stderr
    typed = json.loads(run_cli("history", "--json").stdout)["answers"][-1]
    message = assert_one_line_error(run_cli("fix", str(typed["id"]), "other words"))
    assert "was typed" in message
    empty = assert_one_line_error(run_cli("fix", str(typed["id"]), "   "))
    assert "was typed" in empty


@pytest.mark.slow
def test_fix_without_text_needs_an_editor_or_a_terminal(run_cli, reviewed_answer, app_env):
    env = {key: value for key, value in app_env.items() if key not in ("EDITOR", "VISUAL")}
    message = assert_one_line_error(run_cli("fix", str(reviewed_answer["id"]), env=env))
    assert "give the corrected text" in message and "$EDITOR" in message
    blank = assert_one_line_error(run_cli("fix", str(reviewed_answer["id"]), "  "))
    assert "is empty" in blank
    # an editor that writes the correction (as a candidate's would)
    editor = dict(env, EDITOR=f"{sys.executable} -c \"import sys; open(sys.argv[1], 'w')"
                  ".write('We scan with gitleaks.')\"")
    assert run_cli("fix", str(reviewed_answer["id"]), env=editor).returncode == 0
    row = json.loads(run_cli("history", "--json").stdout)["answers"][0]
    assert row["corrected"] and row["transcript"] == "We scan with gitleaks."


# ------------------------------------------------------------------ the e key


class Terminal:
    """A program run on a pseudo-terminal, as a candidate's terminal would run it."""

    def __init__(self, command: list[str], env: dict[str, str]):
        import pty

        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave,
                                        env=env, cwd=REPO, close_fds=True,
                                        start_new_session=True)
        os.close(slave)
        self.output = ""
        self._seen = 0  # what expect() has matched so far; it looks only after it

    def _read(self, wait: float) -> bool:
        """Read what the program wrote within `wait` s; False once it has closed the terminal."""
        ready, _, _ = select.select([self.master], [], [], wait)
        if not ready:
            return True
        try:
            data = os.read(self.master, 4096).decode("utf-8", "replace")
        except OSError:  # the program ended
            return False
        self.output += re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", data)
        return bool(data)

    def expect(self, pattern: str, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.compile(pattern).search(self.output, self._seen)
            if match:
                self._seen = match.end()
                return match.group(0)
            if not self._read(0.2):
                break
        raise AssertionError(f"never saw {pattern!r}; output:\n{self.output[-3000:]}")

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def close(self, timeout: float = 60) -> int:
        """Wait for the program to end, reading what it writes (a full terminal blocks it)."""
        deadline = time.monotonic() + timeout
        try:
            while self.process.poll() is None and time.monotonic() < deadline:
                self._read(0.2)
            code = self.process.poll()
            assert code is not None, f"still running; output:\n{self.output[-3000:]}"
            return code
        finally:
            os.close(self.master)


@pytest.mark.audio
@pytest.mark.slow
def test_e_corrects_a_spoken_answer_in_a_session(pulse, app_env, candidate_clips, run_cli):
    said = "We scan every commit with gitleaks and nothing else."
    # the candidate's editor (the terminal's own editor: tests/test_session_flow.py)
    env = dict(app_env, TERM="xterm", COLUMNS="100",
               VISUAL=f"{sys.executable} -c \"import sys; open(sys.argv[1], 'w')"
               f".write('{said}')\"")
    env.pop("EDITOR", None)
    terminal = Terminal([sys.executable, "-m", "interviewer", "practice", "--plain",
                         "--question", "devsecops-01", "--no-follow-ups",
                         "--no-spoken-feedback", "--silence-stop", "1.5"], env)
    try:
        terminal.expect(r"Recording\. Speak now")
        time.sleep(0.4)
        subprocess.run(["paplay", "--device=virt_mic_feed",
                        str(candidate_clips["devsecops-01"])], check=True)
        terminal.expect(r"\[e\] edit transcript")
        terminal.send("e")
        terminal.expect(r"Corrected; the recogniser's transcript is kept")
        terminal.expect(r"\[e\] edit transcript")  # the keys again, after the new feedback
        terminal.send("q")
        assert terminal.close() == 0, terminal.output[-3000:]
    finally:
        if terminal.process.poll() is None:
            terminal.process.kill()
    row = json.loads(run_cli("history", "--json").stdout)["answers"][0]
    assert row["corrected"] and row["transcript"] == said, terminal.output[-2000:]
    heard = row["recognised_transcript"]
    assert heard != said and len(heard.split()) > 15  # what the recogniser heard is kept
    assert row["transcript_pass"] in ("streamed", "refined")
    assert row["report"]["text"] == said
