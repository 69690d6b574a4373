"""The real audio path through the virtual PulseAudio microphone and speaker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from audio import (
    CaptureSettings,
    Recorder,
    Speaker,
    SpeechToTextOptions,
    TextToSpeech,
    load_speech_to_text,
    read_wav,
)
from audio.vad import level_db
from bank import load_bank
from tests.conftest import REPO, assert_one_line_error, wer

BANK = load_bank()
pytestmark = pytest.mark.audio


def play_into_mic(path) -> subprocess.Popen:
    return subprocess.Popen(["paplay", "--device=virt_mic_feed", str(path)])


@pytest.fixture(scope="module")
def candidate_answer(tmp_path_factory):
    """About 30 s: long enough for a stretch of speech to be cut at 15 s while recording."""
    text = ". ".join(BANK.get("devsecops-08").model_answer.split(". ")[:3]) + "."
    tts = TextToSpeech(voice="en-us", rate=150, out_dir=tmp_path_factory.mktemp("candidate"))
    return tts.synthesize(text)


def test_virtual_mic_answer_ends_on_silence_and_transcribes(pulse, tmp_path, candidate_answer):
    chunks = []

    class Closed:  # keeps the closed stretches of speech handed over while recording
        def chunk(self, samples, offset):
            chunks.append((offset, samples.size))

        last = chunk

        def pause(self, samples, offset):
            pass

    recorder = Recorder(tmp_path / "answer.wav",
                        CaptureSettings(silence_stop_s=2.0, time_limit_s=120),
                        listener=Closed())
    recorder.start()
    time.sleep(0.3)
    player = play_into_mic(candidate_answer.path)
    recording = recorder.wait(timeout=150)
    player.wait()
    assert recording is not None and recording.ended_by == "silence"
    assert recording.vad == "silero"
    assert candidate_answer.duration + 1.5 < recording.duration_s < \
        candidate_answer.duration + 5
    assert 0.1 < recording.speech_started_s < 1.5  # measured apart from the answer
    samples, rate = read_wav(recording.path)
    assert rate == 16000 and abs(samples.size / rate - recording.duration_s) < 0.05
    # stretches of speech were handed over as they closed, in order, covering the answer
    assert len(chunks) >= 2 and [offset for offset, _ in chunks] == sorted(o for o, _ in chunks)
    stt = load_speech_to_text(SpeechToTextOptions(glossary=BANK.glossary()))
    transcript = stt.transcribe(samples)
    assert wer([candidate_answer.text], [transcript.text]) <= 0.25, transcript.text


def test_time_limit_ends_the_answer(pulse, tmp_path, candidate_answer):
    recorder = Recorder(tmp_path / "limited.wav", CaptureSettings(time_limit_s=4,
                                                                   warn_before_s=2))
    recorder.start()
    player = play_into_mic(candidate_answer.path)
    near = False
    while not recorder.finished:
        near = near or recorder.status().near_limit
        time.sleep(0.1)
    player.terminate()
    recording = recorder.wait()
    assert recording.ended_by == "time-limit" and 3.9 <= recording.duration_s <= 4.3
    assert near


def test_spoken_question_reaches_the_virtual_speaker(pulse, tmp_path):
    capture = tmp_path / "speaker.raw"
    with open(capture, "wb") as out:
        monitor = subprocess.Popen(["parec", "-d", "virt_speaker.monitor", "--raw",
                                    "--rate=16000", "--channels=1", "--format=s16le",
                                    "--latency-msec=20"], stdout=out)
        time.sleep(0.5)
        speaker = Speaker(TextToSpeech(voice="en-us", rate=170, out_dir=tmp_path))
        utterance = speaker.say(BANK.get("devsecops-03").text)
        time.sleep(0.5)
        monitor.terminate()
        monitor.wait()
    heard = np.frombuffer(capture.read_bytes(), dtype="<i2").astype(np.float32) / 32768
    frames = heard[: heard.size // 1600 * 1600].reshape(-1, 1600)
    loud = np.array([level_db(frame) > -45 for frame in frames])
    assert loud.any(), "nothing reached the speaker"
    first, last = np.argmax(loud), len(loud) - np.argmax(loud[::-1])
    audible = (last - first) * 0.1
    assert abs(audible - utterance.duration) < 0.25 * utterance.duration + 0.3, \
        (audible, utterance.duration)


def test_ctrl_c_during_capture_keeps_the_partial_recording(pulse, tmp_path, candidate_answer):
    path = tmp_path / "partial.wav"
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(REPO)!r})
        from audio import Recorder, CaptureSettings
        with Recorder({str(path)!r}, CaptureSettings(time_limit_s=120)) as recorder:
            print("recording", flush=True)
            while not recorder.finished:
                time.sleep(0.1)
    """)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "recording"
    player = play_into_mic(candidate_answer.path)
    time.sleep(4)
    process.send_signal(signal.SIGINT)
    process.wait(timeout=20)
    player.terminate()
    samples, rate = read_wav(path)
    assert 3.0 < samples.size / rate < 7.0
    assert level_db(samples) > -40  # the speech is in it


def test_no_audio_server_is_a_clear_error(run_cli, app_env, tmp_path):
    env = dict(app_env, PULSE_SERVER="unix:/nonexistent/native",
               PULSE_RUNTIME_PATH=str(tmp_path / "no-pulse"))
    stderr = assert_one_line_error(run_cli("devices", env=env))
    assert "no sound devices found" in stderr and "--text" in stderr
    script = (f"import sys; sys.path.insert(0, {str(REPO)!r})\n"
              "from audio import Recorder, AudioDeviceError\n"
              f"try:\n    Recorder({str(tmp_path / 'x.wav')!r}).start()\n"
              "except AudioDeviceError as e:\n    print('ERROR', e)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.stdout.startswith("ERROR no input device")


def test_devices_lists_the_virtual_devices(run_cli, pulse):
    result = run_cli("devices", "--json", env=dict(os.environ))
    assert result.returncode == 0, result.stderr
    import json

    data = json.loads(result.stdout)
    assert any(device["is_default_input"] for device in data["inputs"])
    assert any(device["is_default_output"] for device in data["outputs"])


def test_alsa_library_messages_do_not_reach_the_terminal():
    """libasound writes warnings ("underrun occurred", ...) straight to stderr, over the live
    interface; once sounddevice is loaded through the project they are swallowed."""
    script = textwrap.dedent("""
        import ctypes, sys
        asound = ctypes.cdll.LoadLibrary("libasound.so.2")
        handle = ctypes.c_void_p()
        asound.snd_pcm_open(ctypes.byref(handle), b"no_such_pcm_before", 0, 0)
        from audio.devices import _sounddevice
        _sounddevice()
        asound.snd_pcm_open(ctypes.byref(handle), b"no_such_pcm_after", 0, 0)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "no_such_pcm_before" in result.stderr  # the library does print without the handler
    assert "no_such_pcm_after" not in result.stderr
