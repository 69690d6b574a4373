"""Typed answers (`practice --text`) are never lost or stuck: every line is in the real SQLite
store as soon as it is ended, a stopped session's answer is finished by the next command,
long pastes and bytes that are not UTF-8 are kept. Driven through a pseudo-terminal."""

from __future__ import annotations

import json
import signal
import sqlite3
import sys
import time
from pathlib import Path

import pexpect
import pytest

from tests.conftest import REPO

FIRST = "I keep every secret in HashiCorp Vault, never in the repository."
SECOND = "CI jobs get short-lived credentials through OIDC, and leaked keys are rotated."


def spawn(app_env, *args, encoding: str | None = "utf-8") -> pexpect.spawn:
    return pexpect.spawn(sys.executable, ["-m", "interviewer", *args], env=app_env,
                         cwd=str(REPO), encoding=encoding, timeout=120, dimensions=(40, 80))


def stored_answers(app_env) -> list[sqlite3.Row]:
    """The answer rows as they are in the database file, read by another process."""
    path = Path(app_env["INTERVIEWER_DATA_DIR"]) / "interviewer.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.row_factory = sqlite3.Row
        return connection.execute("SELECT * FROM answers ORDER BY id").fetchall()


def wait_for_stored_text(app_env, text: str) -> sqlite3.Row:
    """The answer row once its transcript is `text` (written when the line was ended)."""
    deadline = time.monotonic() + 60
    while True:
        rows = stored_answers(app_env)
        if rows and rows[-1]["transcript_text"] == text:
            return rows[-1]
        assert time.monotonic() < deadline, [dict(row) for row in rows]
        time.sleep(0.1)


def start_typing(app_env) -> pexpect.spawn:
    child = spawn(app_env, "practice", "--text", "--silent", "--no-follow-ups",
                  "-q", "devsecops-03")
    child.expect("finish with an empty line")
    return child


def test_each_line_is_stored_as_it_is_typed(app_env):
    child = start_typing(app_env)
    child.sendline(FIRST)
    row = wait_for_stored_text(app_env, FIRST)
    assert row["status"] == "recording" and row["kind"] == "typed"
    child.sendline(SECOND)
    wait_for_stored_text(app_env, f"{FIRST}\n{SECOND}")
    child.sendline("")
    child.expect(r"devsecops-03: score (\d+) of 100")
    child.expect(r"\[n\] next")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    row = stored_answers(app_env)[-1]
    assert row["status"] == "scored" and row["transcript_text"] == f"{FIRST}\n{SECOND}"


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm", "sighup", "kill-9"])
def test_a_stopped_answer_keeps_its_lines_and_the_next_command_scores_it(app_env, run_cli,
                                                                        how):
    child = start_typing(app_env)
    child.sendline(FIRST)
    child.sendline(SECOND)
    wait_for_stored_text(app_env, f"{FIRST}\n{SECOND}")
    child.send("a line not yet ended")  # not stored: it was never entered
    if how == "ctrl-c":
        child.sendintr()
    else:
        child.kill({"sigterm": signal.SIGTERM, "sighup": signal.SIGHUP,
                    "kill-9": signal.SIGKILL}[how])
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus != 0 or child.signalstatus is not None
    row = stored_answers(app_env)[-1]
    assert row["transcript_text"] == f"{FIRST}\n{SECOND}"
    assert row["status"] in ("interrupted", "recording")
    shown = run_cli("history")  # the next command finishes it
    assert shown.returncode == 0, shown.stderr
    assert f"Scored 1 typed answer(s) a stopped session left unscored: {row['id']}" in \
        shown.stdout
    assert "not scored yet" not in shown.stdout
    answer = json.loads(run_cli("history", "--json").stdout)["answers"][-1]
    assert answer["status"] == "scored" and answer["score"] > 0
    assert answer["transcript"] == f"{FIRST}\n{SECOND}"
    assert answer["ended_by"] == "interrupted"  # it stays marked as stopped


def test_rescore_finishes_every_unscored_answer(app_env, run_cli):
    """Two typed answers left unscored by killed sessions, one with a line, one stopped
    before a line was ended: rescore finishes both, and history has none left."""
    first = start_typing(app_env)
    first.sendline(FIRST)
    wait_for_stored_text(app_env, FIRST)
    second = start_typing(app_env)  # while the first runs: it leaves that one alone
    assert len(stored_answers(app_env)) == 2
    for child in (first, second):
        child.kill(signal.SIGKILL)
        child.expect(pexpect.EOF)
        child.close()
    unscored = [row["id"] for row in stored_answers(app_env) if row["status"] != "scored"]
    assert len(unscored) == 2
    result = run_cli("rescore", "--json")
    assert result.returncode == 0, result.stderr
    rescored = json.loads(result.stdout)["rescored"]
    assert sorted(item["answer_id"] for item in rescored) == unscored
    rows = stored_answers(app_env)
    assert all(row["status"] == "scored" for row in rows)
    assert rows[0]["score"] > 0 and rows[1]["band"] == "empty"
    assert "not scored yet" not in run_cli("history").stdout


def test_a_long_pasted_line_is_kept_whole(app_env):
    words = " ".join(f"vault{index}" for index in range(1500))  # about 10 kB, one line
    assert len(words.encode()) > 4095 * 2
    child = start_typing(app_env)
    for start in range(0, len(words), 1000):  # as a terminal delivers a paste
        child.send(words[start:start + 1000])
    child.send("\r")
    row = wait_for_stored_text(app_env, words)
    assert len(row["transcript_text"]) == len(words)
    child.sendline("")
    child.expect(r"devsecops-03: score (\d+) of 100")
    child.expect(r"\[n\] next")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert stored_answers(app_env)[-1]["transcript_text"] == words


def test_bytes_that_are_not_utf8_are_kept_with_a_warning(app_env):
    child = spawn(app_env, "practice", "--text", "--silent", "--no-follow-ups", "--plain",
                  "-q", "devsecops-03", encoding=None)
    child.expect(b"finish with an empty line")
    child.send(b"I keep secrets in Vault \xff\xfe caf\xe9\r")
    child.expect(b"not UTF-8")
    child.send(b"\r")
    child.expect(rb"devsecops-03: score (\d+) of 100")
    child.expect(rb"\[n\] next")
    child.send(b"q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0  # not 70
    row = stored_answers(app_env)[-1]
    assert row["status"] == "scored"
    assert row["transcript_text"].startswith("I keep secrets in Vault ")
    assert "\ufffd" in row["transcript_text"]


def test_piped_bytes_that_are_not_utf8_are_kept(app_env, run_cli):
    import subprocess

    result = subprocess.run([sys.executable, "-m", "interviewer", "practice", "--text",
                             "--silent", "--no-follow-ups", "--plain", "-q", "devsecops-03"],
                            input=b"Vault keeps them \xff\n\n", capture_output=True,
                            env=app_env, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stderr
    assert b"not UTF-8" in result.stdout
    row = stored_answers(app_env)[-1]
    assert row["status"] == "scored" and row["transcript_text"] == "Vault keeps them \ufffd"
