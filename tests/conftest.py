"""Shared fixtures: locating ../shared data, running the real CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path | None:
    """The workplace's shared facts (seed, eval data); absent outside this workplace."""
    candidates = [os.environ.get("INTERVIEWER_SHARED_DIR"), REPO.parent / "shared",
                  Path("/work/shared")]
    for candidate in candidates:
        if candidate and (Path(candidate) / "DESIGN.md").exists():
            return Path(candidate)
    return None


@pytest.fixture
def shared() -> Path:
    found = shared_dir()
    if found is None:
        pytest.skip("../shared is not present (set INTERVIEWER_SHARED_DIR)")
    return found


@pytest.fixture
def app_env(tmp_path: Path) -> dict[str, str]:
    """Environment for running the CLI with its data and settings in a temporary folder."""
    env = dict(os.environ)
    env["INTERVIEWER_DATA_DIR"] = str(tmp_path / "data")
    env["INTERVIEWER_CONFIG"] = str(tmp_path / "settings.toml")
    env["INTERVIEWER_CACHE_DIR"] = str(tmp_path / "cache")
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
    assert lines, "no message on stderr"
    return result.stderr


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


def normalise_for_wer(text: str) -> str:
    """Lower case, digits spelled out, punctuation dropped, hyphens as spaces."""
    from scoring.text import normalize

    return normalize(text.replace("-", " "))


def wer(references: list[str], hypotheses: list[str]) -> float:
    import jiwer

    return jiwer.wer([normalise_for_wer(t) for t in references],
                     [normalise_for_wer(t) or "-" for t in hypotheses])
