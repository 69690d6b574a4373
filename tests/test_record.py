"""What the practice record counts (issue 19): follow-ups scored on their own, retried and
interrupted answers kept but not counted, driven through the real commands in a terminal,
with the rows checked in the SQLite file of a temporary data folder."""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import sys
from pathlib import Path

import pexpect

from tests.conftest import REPO

PARENT_ANSWER = ("On every pull request GitHub Actions runs the unit tests, Semgrep for static "
                 "analysis, Trivy on the image and gitleaks for secrets. Only high and "
                 "critical findings block a merge at first.")
FOLLOW_UP_ANSWER = ("The pipeline uses OIDC federation: GitHub Actions gets a short-lived "
                    "token for each run and assumes a narrowly scoped cloud role, so no "
                    "long-lived access keys are stored in CI.")


def spawn(app_env, *args) -> pexpect.spawn:
    return pexpect.spawn(sys.executable, ["-m", "interviewer", *args], env=app_env,
                         cwd=str(REPO), encoding="utf-8", timeout=120, dimensions=(50, 120))


def answer(child: pexpect.spawn, text: str) -> int:
    """Type an answer and return the score shown for it."""
    child.expect("finish with an empty line")
    child.sendline(text)
    child.sendline("")
    child.expect(r": score (\d+) of 100")
    return int(child.match.group(1))


def rows(app_env) -> list[sqlite3.Row]:
    connection = sqlite3.connect(Path(app_env["INTERVIEWER_DATA_DIR"]) / "interviewer.sqlite3")
    connection.row_factory = sqlite3.Row
    try:
        return connection.execute("SELECT * FROM answers ORDER BY id").fetchall()
    finally:
        connection.close()


def finished(child: pexpect.spawn) -> str:
    child.expect("Session summary")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    return child.before


def test_a_follow_up_is_scored_on_its_own_and_shown_beside_its_parent(app_env, run_cli,
                                                                     tmp_path):
    child = spawn(app_env, "practice", "--text", "--silent", "-q", "devsecops-01")
    parent_score = answer(child, PARENT_ANSWER)  # says nothing of how CI reaches the cloud
    child.expect(r"\[n\] next")
    child.send("n")
    child.expect(r"Follow-up on devsecops-01 \(OIDC instead of stored keys\)")
    follow_up_score = answer(child, FOLLOW_UP_ANSWER)
    child.expect("'OIDC instead of stored keys' is now covered")
    child.expect(r"\[n\] next")
    child.send("n")
    summary = finished(child)
    # the session's average is the question's answer alone
    assert f"average {parent_score} over 1 answer(s)" in summary, summary
    assert re.search(rf"devsecops-01 follow-up: {follow_up_score} \(", summary), summary

    parent, follow_up = rows(app_env)
    assert follow_up["follow_up_of"] == parent["id"]
    assert follow_up["question_id"] == "devsecops-01"
    assert follow_up["prompt"].startswith("How would the pipeline authenticate")
    # judged on what the follow-up asks, not on everything the first question asked
    concepts = [item["name"] for item in json.loads(follow_up["report_json"])["concepts"]]
    assert concepts == ["OIDC instead of stored keys"]
    assert follow_up["score"] >= 60 and follow_up["band"] == "strong"

    # rescoring keeps the follow-up's own expectations
    assert run_cli("rescore").returncode == 0
    again = rows(app_env)[1]
    assert [item["name"] for item in json.loads(again["report_json"])["concepts"]] == \
        ["OIDC instead of stored keys"]

    history = json.loads(run_cli("history", "--json").stdout)["answers"]
    assert [(a["counted"], a["not_counted"]) for a in history] == \
        [(True, None), (False, "follow-up")]
    shown = run_cli("history").stdout
    follow_up_row = next(line for line in shown.splitlines() if "↳ devsecops-01" in line)
    assert f" {follow_up_score} " in follow_up_row and "follow-up" in follow_up_row
    trend = re.search(r"devsecops-01: (.*) \(best", shown).group(1)
    assert trend == f"{parent['score']:.0f}"  # the follow-up is not an attempt of it

    out = tmp_path / "report.html"
    assert run_cli("report", "--out", str(out)).returncode == 0
    html = out.read_text()
    assert "1 counted answer " in html
    assert f'follow-up to <a href="#answer-{parent["id"]}">' in html
    # the questions' table: one answer of devsecops-01, its latest score the parent's
    table = html.split("<h3>By category</h3>")[0]
    assert re.search(rf"<td>devsecops-01</td>.*?<td>{parent['score']:.0f}</td>\s*"
                     rf"<td>{parent['score']:.0f}</td><td>1</td>", table, re.S), table


def test_a_retried_attempt_is_kept_but_not_counted(app_env, run_cli):
    child = spawn(app_env, "practice", "--text", "--silent", "--no-follow-ups",
                  "-q", "devsecops-16", "-q", "devsecops-03")
    first = answer(child, "I would be careful with secrets.")
    child.expect(r"\[n\] next")
    child.send("r")
    second = answer(child, "Pre-commit hooks with gitleaks, server side scanning on pull "
                           "requests, branch protection, rotating leaked keys, git "
                           "filter-repo, multi-stage builds and BuildKit secret mounts so "
                           "nothing lands in a layer.")
    child.expect(r"\[n\] next")
    child.send("n")
    third = answer(child, "All secrets sit in a central secrets store, HashiCorp Vault, with "
                          "role-based access control and audit logs. CI jobs authenticate "
                          "with OIDC workload identity and receive short-lived dynamic "
                          "credentials, so no secrets are kept in repos or images. Gitleaks "
                          "in pre-commit hooks prevents leaks, and keys are rotated "
                          "automatically.")
    child.expect(r"\[n\] next")
    child.send("q")
    summary = finished(child)
    # counted, devsecops-03 is the weaker question; with the retried attempt it was not
    assert (first + second) / 2 < third < second
    assert f"devsecops-16: {first} (" in summary and "retried, not counted" in summary
    stored = rows(app_env)
    counted = [row["score"] for row in stored if row["attempt"] == 2 or
               row["question_id"] == "devsecops-03"]  # the shown scores are rounded
    assert f"average {sum(counted) / 2:.0f} over 2 answer(s)" in summary, summary
    assert [(row["question_id"], row["attempt"]) for row in stored] == \
        [("devsecops-16", 1), ("devsecops-16", 2), ("devsecops-03", 1)]
    history = json.loads(run_cli("history", "--json").stdout)["answers"]
    assert [a["not_counted"] for a in history] == ["retried", None, None]
    shown = run_cli("history").stdout
    assert re.search(r"devsecops-16: (.*) \(best", shown).group(1) == \
        f"{stored[1]['score']:.0f}"
    assert "retried" in shown

    # weakest first: the question whose counted score is lower comes first
    child = spawn(app_env, "practice", "--text", "--silent", "--order", "weakest",
                  "--tag", "secrets", "--count", "1")
    child.expect(r"Question 1 of 1 \((devsecops-\d+)")
    assert child.match.group(1) == "devsecops-03"
    child.close(force=True)


def test_an_answer_cut_short_by_a_killed_process_stays_interrupted(app_env, run_cli):
    child = spawn(app_env, "practice", "--text", "--silent", "-q", "devsecops-16")
    child.expect("finish with an empty line")
    child.sendline("Gitleaks in a pre-commit hook and on every pull request")
    child.kill(signal.SIGKILL)
    child.close()
    # the next command closes the session and scores the lines typed (`rescoring`): the
    # answer is scored but stays marked interrupted, and is not counted
    history = json.loads(run_cli("history", "--json").stdout)["answers"]
    assert [(a["status"], a["ended_by"]) for a in history] == [("scored", "interrupted")]
    run_cli("rescore")  # scores what was kept, if anything was
    history = json.loads(run_cli("history", "--json").stdout)["answers"]
    assert history[0]["ended_by"] == "interrupted"
    assert history[0]["not_counted"] == "interrupted"
    assert "interrupted" in run_cli("history").stdout
    assert rows(app_env)[0]["ended_by"] == "interrupted"
