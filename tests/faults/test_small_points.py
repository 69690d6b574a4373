"""Issue 19's smaller points, each through the real command where one shows it: bracketed
concept labels in `bank show`, the keys in `practice --help`, the no-speaker message, a
truncated WAV, `model get` without a connection."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import assert_one_line_error

BRACKETED_BANK = """id: mine
title: Mine
questions:
  - id: m1
    text: How do you rotate secrets?
    category: technical
    model_answer: I rotate keys every day with Vault.
    concepts:
      - name: "[rotation]"
      - vault
    follow_ups:
      - concept: "[rotation]"
        text: "When do you rotate [rotation] keys?"
"""


def test_bank_show_keeps_bracketed_follow_up_labels(run_cli, tmp_path):
    bank = tmp_path / "bank.yaml"
    bank.write_text(BRACKETED_BANK)
    shown = run_cli("bank", "show", "m1", "--bank", str(bank))
    assert shown.returncode == 0, shown.stderr
    assert "• [[rotation]] When do you rotate [rotation] keys?" in shown.stdout
    assert "• [rotation]" in shown.stdout  # the concept itself


def test_practice_help_lists_every_key(run_cli):
    from interviewer.keys import CHOICES, EDIT_CHOICE

    shown = " ".join(run_cli("practice", "--help").stdout.split())
    for key, label in {**CHOICES, **EDIT_CHOICE}.items():
        assert f"{key} {label}" in shown
    assert "an empty line ends the answer" in shown and "Ctrl-C" in shown


def test_no_speaker_speaks_of_a_speaker(monkeypatch):
    from audio import devices
    from audio.errors import AudioDeviceError

    only_a_microphone = [devices.Device(0, "USB mic", "ALSA", 1, 0, 16000.0, True, False)]
    monkeypatch.setattr(devices, "list_devices", lambda: only_a_microphone)
    with pytest.raises(AudioDeviceError) as raised:
        devices.find_device(None, "output")
    message = str(raised.value)
    assert "speaker" in message and "microphone" not in message


def _truncated_wav(path: Path, seconds: float = 4.0, kept: int = 3000) -> Path:
    samples = np.zeros(int(16000 * seconds), dtype="<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(samples.tobytes())
    path.write_bytes(path.read_bytes()[:kept])  # a copy that stopped early
    return path


def test_a_truncated_wav_is_named_as_truncated(tmp_path):
    from audio.files import wav_truncation

    cut = _truncated_wav(tmp_path / "answer.wav")
    message = wav_truncation(cut)
    assert message is not None and str(cut) in message and "truncated" in message
    assert "promises 4.0 s" in message
    whole = tmp_path / "whole.wav"
    with wave.open(str(whole), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\0\0" * 16000)
    assert wav_truncation(whole) is None


@pytest.mark.slow  # loads Whisper
def test_review_of_a_truncated_wav_says_it_is_truncated(run_cli, tmp_path):
    cut = _truncated_wav(tmp_path / "answer.wav")
    result = run_cli("review", str(cut), "-q", "devsecops-03", "--no-store", "--plain")
    assert result.returncode == 2, result.stdout + result.stderr
    said = result.stdout + result.stderr
    assert f"{cut}: the WAV file is truncated" in said
    assert "microphone" not in said


def test_offline_model_get_names_the_files_and_the_folder(run_cli, app_env, tmp_path):
    env = dict(app_env, INTERVIEWER_MODEL_HUB="http://127.0.0.1:9",  # nothing listens there
               INTERVIEWER_CACHE_DIR=str(tmp_path / "cache"))
    message = assert_one_line_error(run_cli("model", "get", "base.en", env=env))
    assert "cannot reach 127.0.0.1:9" in message
    for name in ("config.json", "model.bin", "tokenizer.json", "vocabulary.txt"):
        assert f"http://127.0.0.1:9/Systran/faster-whisper-base.en/resolve/main/{name}" in \
            message or name in message
    assert str(tmp_path / "cache" / "models" / "base.en") in message
    assert "interviewer model use base.en" in message
