"""Speech-to-text with the real bundled weights, on both backends."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from audio import SpeechToTextOptions, TextToSpeech, load_audio, load_speech_to_text
from audio.errors import ModelError
from audio.playback import resample
from bank import load_bank
from tests.conftest import REPO, wer

BANK = load_bank()
# two voices, two rates; two bank answers each
SPOKEN = [("en-us", 140, "devsecops-02"), ("en-us", 140, "devsecops-05"),
          ("en-gb-x-rp", 160, "devsecops-08"), ("en-gb-x-rp", 160, "devsecops-20")]
pytestmark = pytest.mark.slow


def require_openai_whisper() -> None:
    try:
        import whisper  # noqa: F401
    except ImportError:
        if os.environ.get("INTERVIEWER_REQUIRE_AUDIO") == "1":
            pytest.fail("openai-whisper is not installed; scripts/setup.sh --test installs it")
        pytest.skip("openai-whisper is not installed")


@pytest.fixture(scope="module")
def spoken(tmp_path_factory) -> list[tuple[str, np.ndarray]]:
    out = tmp_path_factory.mktemp("tts")
    clips = []
    for voice, rate, qid in SPOKEN:
        tts = TextToSpeech(voice=voice, rate=rate, out_dir=out)
        utterance = tts.synthesize(BANK.get(qid).model_answer)
        clips.append((BANK.get(qid).model_answer,
                      resample(utterance.samples, utterance.samplerate, 16000)))
    return clips


@pytest.fixture(scope="module", params=["faster-whisper", "openai-whisper"])
def stt(request, tmp_path_factory):
    if request.param == "openai-whisper":
        require_openai_whisper()
    options = SpeechToTextOptions(backend=request.param, glossary=BANK.glossary(),
                                  cache_dir=tmp_path_factory.mktemp("cache"))
    return load_speech_to_text(options)


def test_spoken_bank_answers_transcribe_with_low_wer(stt, spoken):
    transcripts = [stt.transcribe(audio) for _, audio in spoken]
    error = wer([text for text, _ in spoken], [t.text for t in transcripts])
    assert error <= 0.25, (stt.backend, error, [t.text for t in transcripts])
    for transcript, (_, audio) in zip(transcripts, spoken, strict=True):
        assert transcript.backend == stt.backend and "tiny.en" in transcript.model
        assert transcript.duration == pytest.approx(audio.size / 16000, abs=0.01)
        starts = [word.start for word in transcript.words]
        assert starts == sorted(starts) and transcript.words[-1].end <= transcript.duration + 0.5
        assert all(0 <= word.probability <= 1 for word in transcript.words)
        assert not transcript.warnings


def test_real_speech_key_phrases(stt, shared):
    transcript = stt.transcribe(load_audio(shared / "eval" / "speech" / "jfk.flac"))
    text = " ".join(transcript.text.lower().replace(",", "").split())
    assert "ask not what your country can do for you" in text
    assert "ask what you can do for your country" in text


def test_silence_and_noise_give_empty_transcripts(stt):
    assert stt.transcribe(np.zeros(16000 * 8, dtype=np.float32)).text == ""
    noise = np.random.default_rng(7).normal(0, 0.1, 16000 * 8).astype(np.float32)
    assert stt.transcribe(noise).text == ""
    near_silence = np.random.default_rng(8).normal(0, 0.001, 16000 * 8).astype(np.float32)
    assert stt.transcribe(near_silence).text == ""


def test_backends_agree_on_real_speech(shared, tmp_path):
    require_openai_whisper()
    audio = load_audio(shared / "eval" / "speech" / "jfk.flac")
    texts = []
    for backend in ("faster-whisper", "openai-whisper"):
        engine = load_speech_to_text(SpeechToTextOptions(backend=backend, cache_dir=tmp_path))
        texts.append(engine.transcribe(audio).text)
    assert wer([texts[0]], [texts[1]]) <= 0.1


def test_unreachable_model_name_falls_back_to_the_bundled_one(tmp_path):
    script = (f"import sys; sys.path.insert(0, {str(REPO)!r})\n"
              "from audio import SpeechToTextOptions, load_speech_to_text\n"
              "stt = load_speech_to_text(SpeechToTextOptions(model='base.en', "
              f"cache_dir={str(tmp_path)!r}), on_status=lambda m: print('STATUS', m))\n"
              "print('LABEL', stt.model_label)\n")
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "cannot fetch Whisper model 'base.en'" in result.stdout
    assert "--model PATH" in result.stdout
    assert "LABEL tiny.en (bundled)" in result.stdout


def test_unknown_backend_and_bad_model_path(tmp_path):
    with pytest.raises(ModelError, match="unknown speech-to-text backend"):
        load_speech_to_text(SpeechToTextOptions(backend="vosk"))
    empty = tmp_path / "model"
    empty.mkdir()
    with pytest.raises(ModelError, match="not a CTranslate2 model folder"):
        load_speech_to_text(SpeechToTextOptions(model=str(empty)))
