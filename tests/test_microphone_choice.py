"""Choosing and checking the microphone with the real commands and the virtual PulseAudio:
`devices` lists the sound server's sources and sinks by name, `--input` and the setting pick
one, `doctor --mic` hears a tone played into the virtual microphone and says so when a
silent source gives nothing."""

from __future__ import annotations

import json
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import assert_one_line_error

pytestmark = pytest.mark.audio


def tone(path: Path, seconds: float = 8.0) -> Path:
    t = np.arange(int(16000 * seconds)) / 16000
    samples = (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(samples.tobytes())
    return path


def test_devices_lists_the_sound_servers_sources_and_sinks(pulse, run_cli):
    shown = run_cli("devices")
    assert shown.returncode == 0, shown.stderr
    assert "virt_mic" in shown.stdout and "virt_speaker" in shown.stdout
    listed = json.loads(run_cli("devices", "--json").stdout)
    assert "virt_mic" in {device["name"] for device in listed["server_inputs"]}
    assert "virt_speaker" in {device["name"] for device in listed["server_outputs"]}


def test_doctor_mic_hears_a_tone_in_the_virtual_microphone(pulse, run_cli, tmp_path):
    player = subprocess.Popen(["paplay", f"--device={pulse['mic_feed']}",
                               str(tone(tmp_path / "tone.wav"))])
    try:
        result = run_cli("doctor", "--mic", "--input", "virt_mic", "--json")
    finally:
        player.kill()
        player.wait()
    assert result.returncode == 0, result.stdout + result.stderr
    checks = {check["name"]: check for check in json.loads(result.stdout)["checks"]}
    assert checks["input device"]["detail"].endswith("virt_mic (ALSA via the sound server)")
    assert checks["microphone"]["ok"] and "heard sound, level" in checks["microphone"]["detail"]


def test_doctor_mic_says_when_nothing_arrives(pulse, run_cli):
    result = run_cli("doctor", "--mic", "--input", "silence")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAIL microphone: silence: nothing arrived" in " ".join(result.stdout.split())


def test_the_setting_picks_the_input(pulse, run_cli, app_env, tmp_path):
    config = Path(app_env["XDG_CONFIG_HOME"]) / "interviewer"
    config.mkdir(parents=True)
    (config / "settings.toml").write_text('[devices]\ninput = "silence"\n')
    result = run_cli("doctor", "--mic", "--json")
    checks = {check["name"]: check for check in json.loads(result.stdout)["checks"]}
    assert "silence" in checks["input device"]["detail"]
    assert not checks["microphone"]["ok"] and "nothing arrived" in \
        checks["microphone"]["detail"]


def test_practice_input_names_what_is_there_when_nothing_matches(pulse, run_cli):
    result = run_cli("practice", "--input", "no-such-microphone", "--silent")
    message = assert_one_line_error(result)
    assert "no input device matches 'no-such-microphone'" in message
    assert "virt_mic" in message
