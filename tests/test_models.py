"""`interviewer model`: fetching a model from a hub (a local HTTP server standing in for it),
choosing one, and using it. The "hub" serves the bundled tiny.en's files under another name."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from audio.models import bundled_model_dir
from tests.conftest import assert_one_line_error

REPO_PATH = "/Systran/faster-whisper-base.en/resolve/main/"


class Hub:
    """Serves the bundled model's files as a hub would: HEAD announces size and SHA-256 of
    model.bin (X-Linked-Size / X-Linked-Etag), GET honours Range. `mode` breaks it:
    "truncate" cuts model.bin off half-way, "bad-checksum" announces a wrong SHA-256."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.mode = "good"
        self.ranges: list[str | None] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _file(self) -> Path | None:
                if not self.path.startswith(REPO_PATH):
                    return None
                path = hub.folder / self.path[len(REPO_PATH):]
                return path if path.is_file() else None

            def _headers(self, path: Path, length: int, status: int = 200) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(length))
                if path.name == "model.bin":
                    digest = hashlib.sha256(path.read_bytes()).hexdigest()
                    if hub.mode == "bad-checksum":
                        digest = hashlib.sha256(b"something else").hexdigest()
                    self.send_header("X-Linked-Etag", f'"{digest}"')
                    self.send_header("X-Linked-Size", str(path.stat().st_size))
                self.end_headers()

            def do_HEAD(self) -> None:
                path = self._file()
                if path is None:
                    self.send_error(404)
                    return
                self._headers(path, path.stat().st_size)

            def do_GET(self) -> None:
                path = self._file()
                if path is None:
                    self.send_error(404)
                    return
                data = path.read_bytes()
                start = 0
                asked = self.headers.get("Range")
                if path.name == "model.bin":
                    hub.ranges.append(asked)
                if asked:
                    start = int(asked.split("=")[1].split("-")[0])
                self._headers(path, len(data) - start, 206 if start else 200)
                body = data[start:]
                if hub.mode == "truncate" and path.name == "model.bin":
                    body = body[: len(body) // 2]  # and the connection closes
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hub(tmp_path):
    folder = tmp_path / "hub-files"
    shutil.copytree(bundled_model_dir(verify=False), folder)
    server = Hub(folder)
    yield server
    server.close()


@pytest.fixture
def hub_env(app_env, hub, tmp_path) -> dict:
    return dict(app_env, INTERVIEWER_MODEL_HUB=hub.url,
                INTERVIEWER_CACHE_DIR=str(tmp_path / "cache"))


def _cli(run_cli, env, *args, **kwargs):
    return run_cli(*args, env=env, **kwargs)


@pytest.mark.slow  # loads Whisper weights
def test_get_fetches_checks_and_installs_a_model_then_use_chooses_it(run_cli, hub, hub_env,
                                                                    tmp_path, candidate_clips):
    result = _cli(run_cli, hub_env, "model", "get", "base.en")
    assert result.returncode == 0, result.stderr
    installed = tmp_path / "cache" / "models" / "base.en"
    original = bundled_model_dir(verify=False) / "model.bin"
    assert (installed / "model.bin").read_bytes() == original.read_bytes()
    listing = json.loads(_cli(run_cli, hub_env, "model", "list", "--json").stdout)
    row = next(item for item in listing["models"] if item["name"] == "base.en")
    assert row["status"] == "installed" and not row["in_use"]
    assert _cli(run_cli, hub_env, "model", "use", "base.en").returncode == 0
    listing = json.loads(_cli(run_cli, hub_env, "model", "list", "--json").stdout)
    assert listing["in_use"] == "base.en"
    # every command now transcribes with it
    review = _cli(run_cli, hub_env, "review", str(candidate_clips["devsecops-01"]),
                  "--question", "devsecops-01", "--json")
    assert review.returncode == 0, review.stderr
    answer = json.loads(_cli(run_cli, hub_env, "history", "--json").stdout)["answers"][0]
    assert answer["model"] == "base.en" and len(answer["transcript"].split()) > 15
    # a second get has nothing to do
    hub.ranges.clear()
    assert _cli(run_cli, hub_env, "model", "get", "base.en").returncode == 0
    assert hub.ranges == []


@pytest.mark.slow
def test_a_truncated_download_is_never_used_and_resumes(run_cli, hub, hub_env, tmp_path):
    hub.mode = "truncate"
    result = _cli(run_cli, hub_env, "model", "get", "base.en")
    message = assert_one_line_error(result)
    assert "stopped at" in message and "run the same command again to resume" in message
    models = tmp_path / "cache" / "models"
    assert not (models / "base.en").exists()  # never half-used
    kept = (models / "base.en.partial" / "model.bin").stat().st_size
    assert 0 < kept < (hub.folder / "model.bin").stat().st_size
    use = assert_one_line_error(_cli(run_cli, hub_env, "model", "use", "base.en"))
    assert "not installed" in use
    hub.mode, hub.ranges = "good", []
    assert _cli(run_cli, hub_env, "model", "get", "base.en").returncode == 0
    assert hub.ranges == [f"bytes={kept}-"]  # only the rest was asked for
    assert (models / "base.en" / "model.bin").read_bytes() == \
        (hub.folder / "model.bin").read_bytes()


@pytest.mark.slow
def test_a_checksum_mismatch_is_refused_and_removed(run_cli, hub, hub_env, tmp_path):
    hub.mode = "bad-checksum"
    message = assert_one_line_error(_cli(run_cli, hub_env, "model", "get", "base.en"))
    assert "checksum mismatch" in message and "never used" in message
    models = tmp_path / "cache" / "models"
    assert not (models / "base.en").exists()
    assert not (models / "base.en.partial" / "model.bin").exists()


@pytest.mark.slow
def test_offline_get_says_what_to_do_instead(run_cli, app_env, tmp_path):
    env = dict(app_env, INTERVIEWER_MODEL_HUB="http://127.0.0.1:9",  # nothing listens there
               INTERVIEWER_CACHE_DIR=str(tmp_path / "cache"))
    message = assert_one_line_error(run_cli("model", "get", "small.en", env=env))
    assert "cannot reach 127.0.0.1:9" in message and "interviewer model use" in message
    unknown = assert_one_line_error(run_cli("model", "get", "huge.en", env=env))
    assert "unknown model 'huge.en'" in unknown and "base.en" in unknown


@pytest.mark.slow  # loads Whisper weights
def test_use_takes_a_local_model_folder(run_cli, app_env, tmp_path, candidate_clips):
    folder = tmp_path / "my-model"
    shutil.copytree(bundled_model_dir(verify=False), folder)
    settings = Path(app_env["XDG_CONFIG_HOME"]) / "interviewer" / "settings.toml"
    settings.parent.mkdir(parents=True)
    settings.write_text("# my settings\n[voice]\nrate = 150\n")
    assert run_cli("model", "use", str(folder)).returncode == 0
    text = settings.read_text()
    assert "# my settings" in text and "rate = 150" in text and str(folder) in text
    listing = json.loads(run_cli("model", "list", "--json").stdout)
    assert listing["in_use"] == str(folder)
    review = run_cli("review", str(candidate_clips["devsecops-01"]), "--question",
                     "devsecops-01", "--json")
    assert review.returncode == 0, review.stderr
    answer = json.loads(run_cli("history", "--json").stdout)["answers"][0]
    assert answer["model"] == str(folder) and len(answer["transcript"].split()) > 15
    # not a model: one line; back to the bundled one: the setting is removed
    message = assert_one_line_error(run_cli("model", "use", str(tmp_path)))
    assert "not a model folder (no model.bin" in message
    assert run_cli("model", "use", "tiny.en").returncode == 0
    assert "model" not in settings.read_text().split("[speech]")[-1]


@pytest.mark.slow  # loads Whisper weights
def test_doctor_times_the_installed_models_and_recommends_one(run_cli, app_env, tmp_path):
    cache = tmp_path / "cache"
    shutil.copytree(bundled_model_dir(verify=False), cache / "models" / "base.en")
    env = dict(app_env, INTERVIEWER_CACHE_DIR=str(cache))
    result = run_cli("doctor", "--json", env=env)
    checks = {check["name"]: check for check in json.loads(result.stdout)["checks"]}
    speed = checks["model speed"]
    assert speed["ok"] and speed["optional"], speed
    timings = dict(re.findall(r"([\w.]+) (\d+\.\d+) s", speed["detail"]))
    assert set(timings) == {"tiny.en", "base.en"} and all(float(t) > 0 for t in timings.values())
    assert "recommended:" in speed["detail"]
