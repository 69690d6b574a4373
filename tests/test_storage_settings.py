"""Storage (SQLite with migrations), settings (TOML), history, rescore and forget."""

from __future__ import annotations

import json
import sqlite3

import pytest

from interviewer.errors import UserError
from interviewer.settings import Settings, load_settings
from interviewer.storage import MIGRATIONS, Store
from scoring import Band, ScoreReport
from tests.conftest import assert_one_line_error


def test_schema_is_versioned_and_migrated(tmp_path):
    store = Store.open(tmp_path)
    version = store.connection.execute("PRAGMA user_version").fetchone()[0]
    assert version == len(MIGRATIONS)
    store.close()
    Store.open(tmp_path).close()  # opening again changes nothing
    connection = sqlite3.connect(tmp_path / "interviewer.sqlite3")
    connection.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    connection.close()
    with pytest.raises(UserError, match="newer version"):
        Store.open(tmp_path)


def test_rows_are_written_before_transcription_and_forget_removes_audio(tmp_path):
    store = Store.open(tmp_path)
    session = store.create_session("practice", "devsecops", "1.0", "bundled", {})
    path = store.recording_path(session, "devsecops-01", 1)
    path.write_bytes(b"RIFF")
    answer = store.start_answer(session, "devsecops-01", "devsecops", "1.0", "technical",
                                "Q?", audio_path=path)
    assert store.answer(answer).status == "recording"
    report = ScoreReport(question_id="devsecops-01", score=50.0, band=Band.PARTIAL,
                         similarity=0.4, relevance=0.3, coverage=0.5, concepts=(),
                         text="an answer")
    store.update_answer(answer, status="scored", score=50.0, band="partial", report=report)
    assert store.answer(answer).report == report
    outside = tmp_path / "mine.wav"
    outside.write_bytes(b"RIFF")
    reviewed = store.start_answer(session, "devsecops-02", "devsecops", "1.0", "technical",
                                  "Q2?", audio_path=outside)
    assert store.forget_session(session) == (2, 1)
    assert not path.exists() and outside.exists()  # the user's own file is never deleted
    assert store.answers() == [] and reviewed


def test_settings_file_and_flags(tmp_path):
    path = tmp_path / "settings.toml"
    assert load_settings(path) == Settings()
    path.write_text('bank = "devsecops"\n[speech]\nglossary = false\n[voice]\nrate = 150\n'
                    '[answers]\nsilence_stop = 2.5\n')
    settings = load_settings(path)
    assert not settings.glossary and settings.rate == 150 and settings.silence_stop == 2.5
    assert settings.with_overrides(rate=180, voice=None).rate == 180
    assert settings.with_overrides(voice=None).voice == "en-us"


@pytest.mark.parametrize("text,words", [
    ("bank = \n", "fix the TOML syntax"),
    ("[voice]\nspeed = 150\n", "has no setting 'speed'"),
    ("[voices]\nrate = 150\n", "did you mean 'voice'"),
    ("[voice]\nrate = 'fast'\n", "should be a whole number"),
])
def test_bad_settings_file(tmp_path, run_cli, app_env, text, words):
    path = tmp_path / "settings.toml"
    path.write_text(text)
    with pytest.raises(UserError, match=words):
        load_settings(path)
    stderr = assert_one_line_error(run_cli("practice", "--text", env=dict(
        app_env, INTERVIEWER_CONFIG=str(path))))
    assert str(path) in stderr


@pytest.mark.slow
def test_history_rescore_and_forget(run_cli):
    answer = "I keep secrets in HashiCorp Vault and rotate them automatically.\n\n"
    assert run_cli("practice", "--text", "--silent", "-q", "devsecops-03", "--plain",
                   input=answer).returncode == 0
    history = json.loads(run_cli("history", "--json").stdout)
    assert len(history["answers"]) == 1
    assert history["answers"][0]["report"]["concepts"][0]["evidence"] == "HashiCorp Vault"
    readable = run_cli("history").stdout
    assert "devsecops-03" in readable and "By question" in readable
    rescored = json.loads(run_cli("rescore", "--json").stdout)
    assert rescored["rescored"][0]["after"] == rescored["rescored"][0]["before"]
    stderr = assert_one_line_error(run_cli("forget", "1"))  # no terminal to confirm on
    assert "--yes" in stderr
    assert run_cli("forget", "1", "--yes").returncode == 0
    assert json.loads(run_cli("history", "--json").stdout)["answers"] == []
    assert_one_line_error(run_cli("forget", "7", "--yes"))
    assert_one_line_error(run_cli("report", "--out", "x.html"))


@pytest.mark.slow
def test_data_dir_flag_and_env(run_cli, app_env, tmp_path):
    other = tmp_path / "elsewhere"
    result = run_cli("--data-dir", str(other), "practice", "--text", "--silent", "-q",
                     "devsecops-01", "--plain", input="Semgrep on pull requests.\n\n")
    assert result.returncode == 0
    assert (other / "interviewer.sqlite3").exists()
    assert not (tmp_path / "data" / "interviewer.sqlite3").exists()
