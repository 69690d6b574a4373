"""Speech-to-text with the real bundled weights, on both backends."""

from __future__ import annotations

import importlib.util
import os
import re
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
# two voices, two rates; two bank answers each, their first three sentences (15-25 s)
SPOKEN = [("en-us", 140, "devsecops-02"), ("en-gb-x-rp", 160, "devsecops-08"),
          ("en-us", 140, "devsecops-05"), ("en-gb-x-rp", 160, "devsecops-20")]
pytestmark = pytest.mark.slow


def opening(text: str, sentences: int = 3) -> str:
    return " ".join(re.split(r"(?<=[.!?])\s+", text)[:sentences])


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
        text = opening(BANK.get(qid).model_answer)
        utterance = tts.synthesize(text)
        clips.append((text, resample(utterance.samples, utterance.samplerate, 16000)))
    return clips


@pytest.fixture(scope="module")
def recognisers(tmp_path_factory) -> dict:
    """Both backends, loaded once for the module (openai-whisper when it is installed)."""
    loaded = {}
    for backend in ("faster-whisper", "openai-whisper"):
        if backend == "openai-whisper" and importlib.util.find_spec("whisper") is None:
            continue
        # one thread for openai-whisper: on a shared CI machine its OpenMP threads, competing
        # for a busy core, were several times slower than one
        loaded[backend] = load_speech_to_text(SpeechToTextOptions(
            backend=backend, glossary=BANK.glossary(),
            cache_dir=tmp_path_factory.mktemp("cache"),
            cpu_threads=1 if backend == "openai-whisper" else None))
    return loaded


@pytest.fixture(scope="module", params=["faster-whisper", "openai-whisper"])
def stt(request, recognisers):
    if request.param not in recognisers:
        require_openai_whisper()
    return recognisers[request.param]


@pytest.fixture(scope="module")
def real_speech(recognisers, shared) -> dict[str, str]:
    """The real-speech clip as each backend transcribes it."""
    audio = load_audio(shared / "eval" / "speech" / "jfk.flac")
    return {backend: engine.transcribe(audio).text for backend, engine in recognisers.items()}


def test_spoken_bank_answers_transcribe_with_low_wer(stt, spoken):
    # openai-whisper is four times slower: one clip is enough for it (and the real-speech
    # tests below check that both backends agree)
    clips = spoken if stt.backend == "faster-whisper" else spoken[:1]
    transcripts = [stt.transcribe(audio) for _, audio in clips]
    error = wer([text for text, _ in clips], [t.text for t in transcripts])
    assert error <= 0.25, (stt.backend, error, [t.text for t in transcripts])
    for transcript, (_, audio) in zip(transcripts, clips, strict=True):
        assert transcript.backend == stt.backend and "tiny.en" in transcript.model
        assert transcript.duration == pytest.approx(audio.size / 16000, abs=0.01)
        starts = [word.start for word in transcript.words]
        assert starts == sorted(starts) and transcript.words[-1].end <= transcript.duration + 0.5
        assert all(0 <= word.probability <= 1 for word in transcript.words)
        assert not transcript.warnings


def test_a_decode_stuck_in_a_loop_is_decoded_again_without_the_glossary(recognisers):
    """A recorded answer (through the virtual microphone, under load) on which tiny.en with the
    glossary prompt repeated one term for 14 s here ("KMS, IASP, RASP, MFA, IASP, IASP, ...");
    whatever this machine's decoder does with it, the transcript is the answer, not a loop."""
    stt = recognisers["faster-whisper"]
    audio = load_audio(REPO / "tests" / "data" / "loop-prone-answer.flac")
    heard = " ".join(segment.text for segment in stt.transcribe_chunk(audio, 0.0)).lower()
    assert "affected services" in heard and "iasp, iasp" not in heard
    assert len(heard.split()) > 15


def test_the_loop_guard_keeps_the_less_repetitive_decode():
    """The guard's logic on its own, with a stand-in decoder: only the looping stretch is
    decoded again, without the prompt, and kept only if it repeats less."""
    from audio.models import ModelChoice
    from audio.stt import SpeechToText
    from audio.transcript import Segment

    class Scripted(SpeechToText):
        def __init__(self, again: str):
            super().__init__(SpeechToTextOptions(glossary=("IAM", "KMS")),
                             ModelChoice("stand-in", None), "stand-in")
            self.again, self.calls = again, []

        def _decode(self, audio, chunks, prompt, beam_size):
            self.calls.append((list(chunks), prompt))
            out = []
            for start, end in chunks:
                if prompt is None:
                    text = self.again
                else:
                    text = "fine words here" if start == 0 else "KMS" + ", IAM" * 40
                out.append(Segment(start / 16000, end / 16000, text, (), -0.2, 0.01))
            return out

    audio = np.zeros(16000 * 20, dtype=np.float32)
    chunks = [(0, 16000 * 8), (16000 * 9, 16000 * 20)]
    stt = Scripted("we patched and isolated them")
    texts = [segment.text for segment in stt._decode_checked(audio, chunks)]
    assert texts == ["fine words here", "we patched and isolated them"]
    assert stt.calls[1] == ([chunks[1]], None)
    worse = Scripted("IAM" + " IAM" * 80)  # the retry loops even more: the first is kept
    assert worse._decode_checked(audio, chunks)[1].text.startswith("KMS")
    from audio.stt import _is_loop  # short loops do not compress well, but are loops

    assert _is_loop("When Log4Shell, KMS, IASP, RASP, MFA, IASP, IASP, IASP, IASP, IASP,")
    assert not _is_loop("I said no, no, no, and then we rotated the key, the key")


def test_real_speech_key_phrases(stt, real_speech):
    text = " ".join(real_speech[stt.backend].lower().replace(",", "").split())
    assert "ask not what your country can do for you" in text
    assert "ask what you can do for your country" in text


def test_silence_and_noise_give_empty_transcripts(stt):
    assert stt.transcribe(np.zeros(16000 * 8, dtype=np.float32)).text == ""
    noise = np.random.default_rng(7).normal(0, 0.1, 16000 * 8).astype(np.float32)
    assert stt.transcribe(noise).text == ""
    near_silence = np.random.default_rng(8).normal(0, 0.001, 16000 * 8).astype(np.float32)
    assert stt.transcribe(near_silence).text == ""


def test_backends_agree_on_real_speech(real_speech):
    """The converted checkpoint gives openai-whisper the same weights: the two backends agree
    on real speech."""
    require_openai_whisper()
    assert wer([real_speech["faster-whisper"]], [real_speech["openai-whisper"]]) <= 0.1


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
