"""Models: a damaged model folder, a mirror that offers no checksums, a model path that looks
like markup."""

from __future__ import annotations

import functools
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from audio.models import bundled_model_dir
from tests.conftest import assert_one_line_error
from tests.faults.conftest import cli

REPO_PATH = Path("Systran") / "faster-whisper-base.en" / "resolve" / "main"


class PlainMirror:
    """A mirror as `python -m http.server` is one: files and sizes, no X-Linked-Etag."""

    def __init__(self, root: Path):
        class Quiet(SimpleHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

        handler = functools.partial(Quiet, directory=str(root))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def mirror(tmp_path):
    files = tmp_path / "mirror" / REPO_PATH
    shutil.copytree(bundled_model_dir(verify=False), files)
    server = PlainMirror(tmp_path / "mirror")
    yield server, files
    server.close()


def test_a_mirror_without_checksums_is_not_called_checked(mirror, app_env, tmp_path):
    """M02: 'size and checksum checked' though nothing was checksummed."""
    server, _ = mirror
    env = dict(app_env, INTERVIEWER_MODEL_HUB=server.url,
               INTERVIEWER_CACHE_DIR=str(tmp_path / "cache"))
    result = cli(env, "model", "get", "base.en", timeout=120)
    assert result.returncode == 0, result.stderr
    assert "checksum checked" not in result.stdout and "SHA-256 of every" not in result.stdout
    assert "no checksum was offered for config.json, model.bin" in result.stdout


def test_a_mirror_serving_html_as_a_tokenizer_installs_nothing(mirror, app_env, tmp_path):
    """M02, M03: garbage was installed with exit 0, and review failed afterwards."""
    server, files = mirror
    (files / "tokenizer.json").write_text("<html><body>Not found</body></html>")
    cache = tmp_path / "cache"
    env = dict(app_env, INTERVIEWER_MODEL_HUB=server.url, INTERVIEWER_CACHE_DIR=str(cache))
    stderr = assert_one_line_error(cli(env, "model", "get", "base.en", timeout=120))
    assert "tokenizer.json is damaged" in stderr
    assert not (cache / "models" / "base.en").exists()
    assert not (cache / "models" / "base.en.partial").exists()


def test_offline_get_leaves_no_empty_partial_folder(app_env, tmp_path):
    """M01."""
    cache = tmp_path / "cache"
    env = dict(app_env, INTERVIEWER_MODEL_HUB="http://127.0.0.1:9",
               INTERVIEWER_CACHE_DIR=str(cache))
    assert_one_line_error(cli(env, "model", "get", "base.en"))
    assert not (cache / "models" / "base.en.partial").exists()


def _damaged_model(tmp_path: Path) -> Path:
    folder = tmp_path / "damaged-model"
    shutil.copytree(bundled_model_dir(verify=False), folder)
    (folder / "tokenizer.json").write_text("not json")
    return folder


def test_model_use_refuses_a_folder_whose_tokenizer_is_damaged(tmp_path, app_env):
    """M09: model use accepted it, then review exited 70."""
    folder = _damaged_model(tmp_path)
    config = tmp_path / "settings.toml"
    env = dict(app_env, INTERVIEWER_CONFIG=str(config))
    stderr = assert_one_line_error(cli(env, "model", "use", str(folder)))
    assert "tokenizer.json is damaged" in stderr and not config.exists()


@pytest.mark.slow
def test_review_with_a_damaged_model_is_one_line(tmp_path, app_env, candidate_clips):
    """M09: tokenizers raises a bare Exception, which whisper_ct2 let through (exit 70)."""
    folder = _damaged_model(tmp_path)
    stderr = assert_one_line_error(cli(app_env, "review", str(candidate_clips["devsecops-03"]),
                                       "-q", "devsecops-03", "--model", str(folder), "--json"))
    assert "cannot load the Whisper model" in stderr


def test_a_model_path_that_looks_like_markup_is_listed_as_written(tmp_path, app_env):
    """M21: '[/]' in the model path of the settings crashed 'model list'."""
    config = tmp_path / "settings.toml"
    config.write_text('[speech]\nmodel = "/models/[/]x\\u001b[2J"\n')
    result = cli(dict(app_env, INTERVIEWER_CONFIG=str(config)), "model", "list")
    assert result.returncode == 0, result.stderr
    assert "/models/[/]x\\x1b[2J" in result.stdout and "\x1b" not in result.stdout
