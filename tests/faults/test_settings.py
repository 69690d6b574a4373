"""The settings file: read only when it is a small regular file, every problem a FILE:LINE
line, and written (by 'model use') whole or not at all, comments kept."""

from __future__ import annotations

import json
import os
import stat

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import assert_one_line_error
from tests.faults.conftest import GOOD_BANK, cli, disk_env


@pytest.mark.parametrize("text,line,words", [
    ("[voice]\nrate = -5\n", 3, "'voice.rate' = -5 is out of range; use 60 to 400"),
    ("[voice]\nvolume = 99\n", 3, "'voice.volume' = 99.0 is out of range"),
    ("[answers]\ntime_limit = -3\n", 3, "'answers.time_limit' = -3 is out of range"),
    ("speech = 'x'\n", 2, "'speech' is a section"),
    ("[voice]\nrate = " + "9" * 5000 + "\n", 1, "digits"),
])
def test_settings_out_of_range_name_the_file_and_line(text, line, words, tmp_path, app_env):
    path = tmp_path / "settings.toml"
    path.write_text("# my settings\n" + text)
    stderr = assert_one_line_error(cli(dict(app_env, INTERVIEWER_CONFIG=str(path)),
                                       "bank", "list"))
    assert f"{path}" in stderr and words in stderr
    if line > 1:
        assert f"{path}:{line}:" in stderr


@pytest.mark.slow
def test_a_named_settings_file_must_exist_and_its_bank_is_used_everywhere(tmp_path, app_env):
    missing = dict(app_env, INTERVIEWER_CONFIG=str(tmp_path / "nope.toml"))
    assert "no such settings file" in assert_one_line_error(cli(missing, "bank", "list"))
    bank = tmp_path / "mine.yaml"
    bank.write_text(GOOD_BANK)
    path = tmp_path / "settings.toml"
    path.write_text(f'bank = "{bank}"\n')
    env = dict(app_env, INTERVIEWER_CONFIG=str(path))
    assert json.loads(cli(env, "bank", "list", "--json").stdout)["bank"]["id"] == "mine"
    assert cli(env, "bank", "show", "m1").returncode == 0
    scored = json.loads(cli(env, "score", "-q", "m1", "--json", "Because it is safer.").stdout)
    assert scored["question_id"] == "m1" and scored["score"] > 50


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_only_a_regular_file_is_read_as_settings(kind, tmp_path, app_env):
    """G07, B22b: a FIFO as the settings file blocked every command."""
    path = tmp_path / "settings.toml" if kind == "fifo" else "/dev/zero"
    if kind == "fifo":
        os.mkfifo(path)
    stderr = assert_one_line_error(cli(dict(app_env, INTERVIEWER_CONFIG=str(path)),
                                       "bank", "list", timeout=20))
    assert f"{path}: is a" in stderr and "not a file" in stderr
    # /dev/null stands for no settings at all
    assert cli(dict(app_env, INTERVIEWER_CONFIG="/dev/null"), "bank", "list").returncode == 0



def _model_folder() -> str:
    from audio.models import bundled_model_dir

    return str(bundled_model_dir())


@pytest.mark.parametrize("text", ['speech = "fast"\n', '[[speech]]\nmodel = "x"\n'])
def test_model_use_when_speech_is_not_a_table_is_one_line(text, tmp_path, app_env):
    """M13, M15: TypeError / ValueError in writing the model setting."""
    path = tmp_path / "settings.toml"
    path.write_text("# mine\n" + text)
    stderr = assert_one_line_error(cli(dict(app_env, INTERVIEWER_CONFIG=str(path)),
                                       "model", "use", _model_folder()))
    assert f"{path}:2: 'speech' is not a section" in stderr
    assert path.read_text() == "# mine\n" + text  # untouched


@pytest.mark.slow
def test_model_use_keeps_comments_writes_privately_and_through_a_link(tmp_path, app_env):
    target = tmp_path / "dotfiles" / "settings.toml"
    target.parent.mkdir()
    target.write_text("# my voice\n[voice]\nrate = 170  # a little fast\n")
    target.chmod(0o644)
    link = tmp_path / "settings.toml"
    link.symlink_to(target)
    env = dict(app_env, INTERVIEWER_CONFIG=str(link))
    assert cli(env, "model", "use", _model_folder()).returncode == 0
    assert link.is_symlink()
    text = target.read_text()
    assert "# my voice" in text and "# a little fast" in text
    assert f'model = "{_model_folder()}"' in text
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert cli(env, "model", "use", "tiny.en").returncode == 0
    assert "model =" not in target.read_text() and "# my voice" in target.read_text()


@pytest.mark.slow
def test_model_use_on_a_full_disk_leaves_the_settings_whole(mounted_disk, app_env):
    """M17: write_text truncated settings.toml in place, leaving it half-written."""
    env = disk_env(app_env, mounted_disk)
    path = mounted_disk.root / "settings.toml"
    original = "# mine\n[voice]\nrate = 170\n" + "# padding\n" * 400
    path.write_text(original)
    env["INTERVIEWER_CONFIG"] = str(path)
    mounted_disk.fill()
    stderr = assert_one_line_error(cli(env, "model", "use", _model_folder()))
    assert "settings" in stderr and "space" in stderr
    assert path.read_text() == original
    mounted_disk.free()
    assert cli(env, "bank", "list").returncode == 0


def test_write_setting_is_the_one_writer_of_the_settings_file():
    """No hand-written TOML elsewhere: only interviewer/settings.py writes it."""
    from tests.conftest import REPO

    writers = [path for path in (REPO / "interviewer").rglob("*.py")
               if "tomlkit.dumps" in path.read_text() and path.name != "settings.py"]
    assert writers == []


TOMLISH = st.lists(st.sampled_from(
    ["[voice]", "[speech]", "[[speech]]", "[answers]", "[display]", "\n", "rate", "volume",
     "model", "bank", "plain", "glossary", "time_limit", "speech", " = ", "=", '"x"', "'y'",
     "1", "-5", "3.5", "nan", "inf", "true", "1979-05-27", "[1, 2]", "{a = 1}", "9" * 40,
     '"""', "#", ".", "\\", "\x00", "é", "\ufeff"]), max_size=30).map("".join)


@settings(max_examples=200, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=TOMLISH, raw=st.binary(max_size=20))
def test_fuzz_the_settings_reader_gives_settings_or_one_user_error(text, raw, tmp_path):
    from interviewer.errors import UserError
    from interviewer.settings import Settings, load_settings

    path = tmp_path / "settings.toml"
    path.write_bytes(text.encode("utf-8") + raw)
    try:
        loaded = load_settings(path, required=True)
    except UserError as error:
        assert str(path) in str(error) and "\n" not in str(error).strip()
    else:
        assert isinstance(loaded, Settings)
