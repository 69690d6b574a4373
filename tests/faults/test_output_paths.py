"""Files the program writes: never over one of the files it reads (whatever --force says),
never over an existing file without --force, whole or not at all, and private."""

from __future__ import annotations

import stat
import subprocess
import sys

import pytest

from tests.conftest import REPO, assert_one_line_error
from tests.faults.conftest import cli, stored_spoken_answer
from tests.faults.test_review_files import wav_claiming


@pytest.mark.slow
def test_outputs_are_not_overwritten_without_force(app_env, tmp_path):
    from pathlib import Path

    stored_spoken_answer(Path(app_env["INTERVIEWER_DATA_DIR"]))
    out = tmp_path / "report.html"
    out.write_text("mine")
    assert "--force" in assert_one_line_error(cli(app_env, "report", "--out", str(out)))
    assert out.read_text() == "mine"
    assert cli(app_env, "report", "--out", str(out), "--force").returncode == 0
    stray = tmp_path / "a" / ".." / "b.html"
    assert_one_line_error(cli(app_env, "report", "--out", str(tmp_path / "none" / "r.html")))
    assert cli(app_env, "report", "--out", str(stray)).returncode == 0
    assert not (tmp_path / "a").exists() and (tmp_path / "b.html").exists()


@pytest.mark.parametrize("which", ["map", "recording", "recording-in-folder", "bank"])
def test_review_csv_is_never_one_of_the_files_read(which, tmp_path, app_env):
    """R20, R20b: --csv was opened (truncated) before the inputs were read: with --force it
    destroyed the map, or the recording itself."""
    recording = wav_claiming(tmp_path / "mine.wav", 16000, seconds=1.0)
    answers = tmp_path / "answers.csv"
    answers.write_text("file,question_id\nmine.wav,devsecops-03\n")
    bank = tmp_path / "bank.yaml"
    bank.write_text("id: mine\ntitle: Mine\nquestions:\n  - id: m1\n    text: Why?\n"
                    "    category: technical\n    model_answer: Because it is safer.\n")
    args = {"map": [str(tmp_path), "--map", str(answers), "--csv", str(answers)],
            "recording": [str(recording), "-q", "devsecops-03", "--csv", str(recording)],
            "recording-in-folder": [str(tmp_path), "-q", "devsecops-03", "--csv",
                                    str(tmp_path / "." / "mine.wav")],
            "bank": [str(recording), "-q", "m1", "--bank", str(bank), "--csv", str(bank)]}
    before = {path: path.read_bytes() for path in (recording, answers, bank)}
    stderr = assert_one_line_error(cli(app_env, "review", *args[which], "--force"))
    assert "also read" in stderr
    assert {path: path.read_bytes() for path in before} == before


def test_review_csv_is_replaced_whole_and_private(tmp_path, app_env):
    """V03: --force over a 0644 table kept 0644, so transcripts were world-readable."""
    table = tmp_path / "t.csv"
    table.write_text("old\n")
    table.chmod(0o644)
    broken = wav_claiming(tmp_path / "broken.wav", 1, seconds=1.0)
    result = cli(app_env, "review", str(broken), "-q", "devsecops-03", "--csv", str(table),
                 "--force")
    assert result.returncode == 2
    assert stat.S_IMODE(table.stat().st_mode) == 0o600
    text = table.read_text()
    assert text.startswith("file,question_id") and "broken.wav" in text and "old" not in text
    assert not list(tmp_path.glob(".t.csv.*"))  # no temporary file left


def test_bank_import_never_writes_over_its_csv(tmp_path, app_env):
    source = tmp_path / "q.csv"
    source.write_text("question,model_answer\nWhy?,Because it is safer.\n")
    stderr = assert_one_line_error(cli(app_env, "bank", "import", str(source), "--out",
                                       str(source), "--force"))
    assert "also read" in stderr and source.read_text().startswith("question")


def test_report_is_never_written_into_the_data_folder(app_env):
    from pathlib import Path

    data = Path(app_env["INTERVIEWER_DATA_DIR"])
    stored_spoken_answer(data)
    database = data / "interviewer.sqlite3"
    before = database.read_bytes()
    stderr = assert_one_line_error(cli(app_env, "report", "--out", str(database), "--force"))
    assert "data folder" in stderr and database.read_bytes() == before


@pytest.mark.slow
@pytest.mark.parametrize("command", [["bank", "list"], ["score", "-q", "devsecops-03", "x"]])
def test_a_reader_that_stops_early_is_no_failure(command, app_env):
    """`interviewer bank list | head -1` exited 1: rich's broken-pipe handler."""
    line = " ".join([sys.executable, "-m", "interviewer", *command])
    done = subprocess.run(["bash", "-c", f"{line} | head -1 >/dev/null; "
                           "exit ${PIPESTATUS[0]}"], env=app_env, cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (0, "")
