"""Shared fixtures: locating ../shared data, running the real CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from bench.common import REPO, shared_dir, word_error_rate

# The property tests try the same examples on every run, so a run passes or fails by the
# code alone; HYPOTHESIS_PROFILE=explore searches new examples (do it before a release).
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

wer = word_error_rate


@pytest.fixture(scope="session")
def shared() -> Path:
    found = shared_dir()
    if found is None:
        pytest.skip("../shared is not present (set INTERVIEWER_SHARED_DIR)")
    return found


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory) -> Path:
    """One cache folder for every CLI run of the session: derived files (the fitted scorer,
    the converted openai-whisper checkpoint) are made once, as on a user's machine."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def app_env(tmp_path: Path, shared_cache: Path) -> dict[str, str]:
    """Environment for running the CLI with its data and settings in a temporary folder."""
    env = dict(os.environ)
    env.pop("INTERVIEWER_CONFIG", None)
    env["INTERVIEWER_DATA_DIR"] = str(tmp_path / "data")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")  # no settings file: the defaults
    env["INTERVIEWER_CACHE_DIR"] = str(shared_cache)
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture
def run_cli(app_env: dict[str, str]):
    """Run `python -m interviewer ARGS` as a real process; returns CompletedProcess."""

    def run(*args: str, input: str | None = None, timeout: float = 300,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "interviewer", *args], input=input,
                              capture_output=True, text=True, timeout=timeout,
                              env=env or app_env, cwd=REPO, stdin=None if input is not None
                              else subprocess.DEVNULL)

    return run


def assert_one_line_error(result: subprocess.CompletedProcess, code: int = 2) -> str:
    """The contract for bad input: exit code 2, no traceback, a clear message on stderr."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"not one line on stderr: {result.stderr!r}"
    return result.stderr


def assert_located_problems(result: subprocess.CompletedProcess, file: Path) -> str:
    """The contract for a file with problems (bank validate, bank import): exit 2, no
    traceback, every problem on a line of its own as FILE:LINE: ..., and one summary line."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    *problems, summary = lines
    assert problems and all(line.startswith(f"{file}:") for line in problems), lines
    assert summary.startswith("interviewer: ") and "problem" in summary, summary
    return result.stderr


def interrupted_recording(run_cli) -> tuple:
    """After a session was stopped mid-answer: the session and its answer are marked
    interrupted, and the recording so far is kept. Returns (samples, rate) of it."""
    import json

    from audio import read_wav

    history = json.loads(run_cli("history", "--json").stdout)
    assert history["sessions"][0]["status"] == "interrupted"
    answer = history["answers"][0]
    assert answer["status"] == "interrupted"
    return read_wav(answer["audio_path"])


def _pulse_reachable() -> bool:
    import shutil

    if not shutil.which("pactl") or not os.environ.get("PULSE_SERVER"):
        return False
    result = subprocess.run(["pactl", "info"], capture_output=True, timeout=10)
    return result.returncode == 0


@pytest.fixture(scope="session")
def pulse() -> dict[str, str]:
    """The virtual microphone and speaker (scripts/virtual-audio). Fails instead of skipping
    when INTERVIEWER_REQUIRE_AUDIO=1 (as scripts/test.sh sets), so CI cannot pass without it."""
    if not _pulse_reachable():
        if os.environ.get("INTERVIEWER_REQUIRE_AUDIO") == "1":
            pytest.fail("no PulseAudio server with the virtual microphone: scripts/test.sh "
                        "starts one (scripts/virtual-audio/audio_up.sh)")
        pytest.skip("no PulseAudio server with the virtual microphone")
    return {"mic_feed": "virt_mic_feed", "speaker_monitor": "virt_speaker.monitor"}


def chromium_binary() -> str | None:
    import shutil

    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    found = chromium_binary()
    if found is None:
        if os.environ.get("INTERVIEWER_REQUIRE_AUDIO") == "1":
            pytest.fail("Chromium is not installed; scripts/setup.sh --test installs it")
        pytest.skip("Chromium is not installed")
    return found


def headless(chromium: str, url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'chromium-profile'}", *args, url],
        capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="session")
def candidate_clips(tmp_path_factory) -> dict[str, Path]:
    """Short spoken candidate answers (en-us, 150 words/min) for bank questions."""
    from audio import TextToSpeech
    from bank import load_bank

    bank = load_bank()
    folder = tmp_path_factory.mktemp("candidate")
    tts = TextToSpeech(voice="en-us", rate=150, out_dir=folder)
    texts = {
        "devsecops-01": "On every pull request GitHub Actions would run the unit tests, "
                        "static analysis with Semgrep, dependency scanning with Dependabot, "
                        "Trivy for the container image and gitleaks for secrets. Only high and "
                        "critical findings block a merge at first.",
        "devsecops-02": "When Log4Shell came out I used our SBOMs to find the affected "
                        "services, isolated them and added a web application firewall rule "
                        "while we patched. I sent a status update every two hours.",
        "devsecops-03": bank.get("devsecops-03").model_answer,
    }
    return {qid: tts.synthesize(text, folder / f"{qid}.wav").path
            for qid, text in texts.items()}
