"""`interviewer review` of recorded files and folders."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import assert_one_line_error

pytestmark = pytest.mark.slow


def test_review_a_folder_with_good_and_bad_files(run_cli, candidate_clips, tmp_path):
    folder = tmp_path / "answers"
    folder.mkdir()
    shutil.copy(candidate_clips["devsecops-01"], folder / "a.wav")
    shutil.copy(candidate_clips["devsecops-01"], folder / "b.wav")
    (folder / "broken.mp3").write_bytes(b"ID3 this is not audio" * 20)
    (folder / "empty.flac").write_bytes(b"")
    (folder / "notes.txt").write_text("not a recording")  # skipped: not audio
    out = tmp_path / "results.csv"
    result = run_cli("review", str(folder), "--question", "devsecops-01", "--json",
                     "--csv", str(out))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    items = json.loads(result.stdout)
    by_name = {item["file"].rsplit("/", 1)[1]: item for item in items}
    assert set(by_name) == {"a.wav", "b.wav", "broken.mp3", "empty.flac"}
    for name in ("a.wav", "b.wav"):
        item = by_name[name]
        assert item["error"] is None and item["report"]["band"] in ("strong", "partial")
        assert "static analysis" in item["transcript"]["text"].lower()
        assert item["report"]["delivery"]["words_per_minute"] > 100
        assert item["transcript"]["words"][0]["start"] >= 0
    assert "not a readable mp3" in by_name["broken.mp3"]["error"]
    assert "empty" in by_name["empty.flac"]["error"]
    assert "broken.mp3" in result.stderr and "empty.flac" in result.stderr
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 4 and {row["question_id"] for row in rows} == {"devsecops-01"}
    history = json.loads(run_cli("history", "--json").stdout)
    # a.wav and b.wav are the same recording (the same content): one result, the latest
    assert history["sessions"][0]["mode"] == "review" and len(history["answers"]) == 1
    assert history["answers"][0]["source_path"].endswith("b.wav")


def test_reviewing_a_file_again_updates_its_result(run_cli, candidate_clips, tmp_path,
                                                   app_env):
    first = tmp_path / "monday.wav"
    shutil.copy(candidate_clips["devsecops-01"], first)
    assert run_cli("review", str(first), "-q", "devsecops-01").returncode == 0
    folder = tmp_path / "answers"
    folder.mkdir()
    renamed = folder / "final-take.wav"
    first.rename(renamed)  # moved and renamed since: the content is what is recognised
    assert run_cli("review", str(folder), "-q", "devsecops-01").returncode == 0
    # the same file reviewed for another question is a result of its own
    assert run_cli("review", str(renamed), "-q", "devsecops-02").returncode == 0

    database = sqlite3.connect(Path(app_env["INTERVIEWER_DATA_DIR"]) / "interviewer.sqlite3")
    stored = database.execute("SELECT question_id, source_path, source_sha256, status "
                              "FROM answers ORDER BY question_id").fetchall()
    sessions = database.execute("SELECT count(*) FROM sessions").fetchone()[0]
    database.close()
    content = hashlib.sha256(renamed.read_bytes()).hexdigest()
    assert stored == [("devsecops-01", str(renamed), content, "scored"),
                      ("devsecops-02", str(renamed), content, "scored")]
    assert sessions == 2  # the first review's session, left empty, is gone
    shown = run_cli("history", env=dict(app_env, COLUMNS="120")).stdout  # names unwrapped
    assert shown.count("final-take.wav") == 2 and "monday.wav" not in shown
    trend = re.search(r"devsecops-01: (.*) \(best", shown).group(1)
    assert "→" not in trend  # one result, not one per review


def test_review_with_a_question_map(run_cli, candidate_clips, tmp_path):
    mapping = tmp_path / "map.csv"
    mapping.write_text(f"file,question_id\n{candidate_clips['devsecops-02']},devsecops-02\n")
    result = run_cli("review", str(candidate_clips["devsecops-02"]), "--map", str(mapping),
                     "--no-store")
    assert result.returncode == 0, result.stderr
    assert "devsecops-02: score" in result.stdout and "Transcript:" in result.stdout
    assert json.loads(run_cli("history", "--json").stdout)["answers"] == []


@pytest.mark.parametrize("args,words", [
    (["x.wav"], "which question"),
    (["missing.wav", "-q", "devsecops-01"], "no such file"),
    (["notes.txt", "-q", "devsecops-01"], "unsupported format '.txt'"),
    (["x.wav", "-q", "devsecops-99"], "no question 'devsecops-99'"),
])
def test_review_bad_input(run_cli, tmp_path, args, words):
    (tmp_path / "notes.txt").write_text("x")
    args = [str(tmp_path / a) if a.endswith((".wav", ".txt")) else a for a in args]
    stderr = assert_one_line_error(run_cli("review", *args))
    assert words in stderr
