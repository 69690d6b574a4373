"""Text-to-speech behind one interface: an engine turns text into an `Utterance` (samples and
their rate), and `Speaker` plays it.

`SpeechEngine` is what an engine implements (`voices`, `set_voice`, `voice_id`, `_render` of
one sentence); `audio.tts_engines` lists the engines (the neural voice, the default, in
`audio.tts_neural`; the system's voices through pyttsx3 in `audio.tts_pyttsx3`) and picks one.
Text is spoken sentence by sentence: the first sentence plays while the next is synthesised,
and each synthesised sentence is kept in the cache folder (`audio.tts_cache`), so a sentence
heard before starts at once.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audio.errors import SpeechEngineError
from audio.phonemes import split_sentences
from audio.tts_cache import SpeechCache
from audio.tts_engines import RATE_RANGE, VOLUME_RANGE
from audio.vad import SAMPLE_RATE

CACHE_FOLDER = "speech-cache"  # inside the cache folder given to an engine


@dataclass(frozen=True)
class Voice:
    id: str
    name: str
    languages: tuple[str, ...]
    engine: str = ""  # its engine's name in audio.tts_engines


@dataclass(frozen=True)
class Utterance:
    text: str
    path: Path | None  # the WAV file holding it, when there is one
    samples: np.ndarray
    samplerate: int
    cached: bool = False  # read from the cache, not synthesised now

    @property
    def duration(self) -> float:
        return self.samples.size / self.samplerate


def check_rate(rate: int | None) -> int | None:
    low, high = RATE_RANGE
    if rate is not None and not low <= rate <= high:
        raise SpeechEngineError(f"speech rate {rate} is out of range; use {low}-{high} "
                                "words a minute")
    return rate


def check_volume(volume: float | None) -> float | None:
    low, high = VOLUME_RANGE
    if volume is not None and not low <= volume <= high:
        raise SpeechEngineError(f"volume {volume} is out of range; use {low:.1f}-{high:.1f}")
    return volume


def join_utterances(text: str, pieces: Sequence[Utterance]) -> Utterance:
    """Pieces spoken one after another as one utterance (at the first piece's rate)."""
    if not pieces:
        return Utterance(text, None, np.zeros(0, dtype=np.float32), SAMPLE_RATE)
    from audio.playback import resample

    rate = pieces[0].samplerate
    samples = np.concatenate([resample(piece.samples, piece.samplerate, rate)
                              for piece in pieces]).astype(np.float32)
    return Utterance(text, pieces[0].path if len(pieces) == 1 else None, samples, rate,
                     cached=all(piece.cached for piece in pieces))


class SpeechEngine(ABC):
    """An engine with a chosen voice, rate (words a minute) and volume (0-1).

    A subclass takes `(voice, rate, volume, out_dir, cache_dir, second_voice)` in `__init__`
    (raising SpeechEngineError with a fix when it cannot work) and implements the abstract
    methods. `cache_dir`: where synthesised sentences are kept (None: not kept)."""

    engine_name: str = ""  # its name in audio.tts_engines

    def __init__(self, rate: int | None = None, volume: float | None = None,
                 out_dir: str | Path | None = None, cache_dir: str | Path | None = None):
        self.rate = check_rate(rate)
        self.volume = check_volume(volume)
        self._out_dir = Path(out_dir) if out_dir else None
        self.cache = SpeechCache(Path(cache_dir) / CACHE_FOLDER) if cache_dir else None
        self._count = 0
        self._files = threading.Lock()

    @abstractmethod
    def voices(self) -> list[Voice]:
        """The voices this engine can speak with."""

    @abstractmethod
    def set_voice(self, wanted: str) -> Voice:
        """Choose a voice by id, name or language code; SpeechEngineError if none matches."""

    @property
    @abstractmethod
    def voice_id(self) -> str:
        """The voice in use."""

    @abstractmethod
    def _render(self, text: str) -> tuple[np.ndarray, int]:
        """Synthesise one sentence: mono float samples in [-1, 1] and their rate."""

    def describe(self) -> str:
        return f"{self.engine_name} voice {self.voice_id}"

    def prepare(self) -> None:  # noqa: B027 (most engines have nothing to load)
        """Load what synthesis needs, now (engines that load slowly); the first synthesis
        does it otherwise. Raises SpeechEngineError."""

    def _sound_key(self) -> tuple:
        """Everything besides the text that changes the sound (the cache's key)."""
        return (self.engine_name, self.voice_id, self.rate, self.volume)

    @property
    def out_dir(self) -> Path:
        if self._out_dir is None:
            self._out_dir = Path(tempfile.mkdtemp(prefix="tts-"))
        return self._out_dir

    def stream(self, text: str) -> Iterator[Utterance]:
        """`text` sentence by sentence, each synthesised (or read from the cache) when the
        caller asks for it, so the caller can play one while the next is made."""
        for sentence in split_sentences(text) or ["."]:
            yield self.sentence(sentence)

    def sentence(self, sentence: str) -> Utterance:
        key = (*self._sound_key(), sentence)
        if self.cache is not None:
            found = self.cache.get(key)
            if found is not None:
                samples, rate, path = found
                return Utterance(sentence, path, samples, rate, cached=True)
        samples, rate = self._render(sentence)
        stored = self.cache.put(key, samples, rate) if self.cache is not None else None
        return Utterance(sentence, stored, samples, rate)

    def render(self, text: str) -> Utterance:
        """All of `text` as one utterance, in memory."""
        return join_utterances(" ".join(text.split()), list(self.stream(text)))

    def synthesize(self, text: str, path: str | Path | None = None) -> Utterance:
        """All of `text` into a WAV file (`path`, or a new file in the engine's folder)."""
        utterance = self.render(text)
        return Utterance(utterance.text, self._write(utterance, path), utterance.samples,
                         utterance.samplerate, utterance.cached)

    def _write(self, utterance: Utterance, path: str | Path | None) -> Path:
        from audio.wav import write_wav

        with self._files:
            self._count += 1
            target = Path(path) if path else self.out_dir / f"utterance-{self._count:04d}.wav"
        try:
            return write_wav(target, utterance.samples, utterance.samplerate)
        except OSError as error:
            with contextlib.suppress(OSError):
                target.unlink()
            raise SpeechEngineError(f"cannot write speech to {target} ({error.strerror}); "
                                    "free some space or choose another folder") from error


class Speaker:
    """Speaks text aloud: sentence by sentence, each played while the next is synthesised
    (in silent mode only synthesised, into a file)."""

    def __init__(self, tts: SpeechEngine, output_device: int | str | None = None,
                 silent: bool = False):
        self.tts = tts
        self.output_device = output_device
        self.silent = silent
        self.first_audio_s: float | None = None  # from the last say() to its first sound
        # set once anything has been spoken: slow set-up can wait for it, so it does not
        # hold up the first sentence
        self.sounding = threading.Event()
        self._player: threading.Thread | None = None
        self._stop_player = threading.Event()

    def play_in_background(self, samples: np.ndarray, samplerate: int = SAMPLE_RATE) -> None:
        """Play audio while the caller goes on (the demo's candidate speaking); a failure to
        play is ignored: the sound is a courtesy, not the product."""
        if self.silent:
            return
        from audio.playback import play

        def run() -> None:
            with contextlib.suppress(Exception):
                play(samples, samplerate, self.output_device, self._stop_player)

        self.stop_playing()
        self._stop_player = threading.Event()
        self._player = threading.Thread(target=run, name="playback", daemon=True)
        self._player.start()

    def stop_playing(self, timeout: float = 5.0) -> None:
        if self._player is not None:
            self._stop_player.set()
            self._player.join(timeout)
            self._player = None

    def say(self, text: str, stop: threading.Event | None = None,
            path: str | Path | None = None) -> Utterance:
        """Speak `text`; returns what was spoken as one utterance (written to `path` if
        given). `stop` set: the sound stops at once and no further sentence is made."""
        if self.silent:
            try:
                return self.tts.synthesize(text, path)
            finally:
                self.sounding.set()
        from audio.playback import StreamPlayer

        started = time.monotonic()
        pieces: list[Utterance] = []
        player: StreamPlayer | None = None
        try:
            for piece in self.tts.stream(text):
                if stop is not None and stop.is_set():
                    break
                pieces.append(piece)
                if player is None:
                    player = StreamPlayer(piece.samplerate, self.output_device,
                                          first_sound=self.sounding, stop=stop)
                player.feed(piece.samples, piece.samplerate)
            if player is not None:
                player.finish(stop)
                self.first_audio_s = None if player.first_audio is None else \
                    player.first_audio - started
        finally:
            if player is not None:
                player.close()
        utterance = join_utterances(" ".join(text.split()), pieces)
        if path is not None:
            utterance = Utterance(utterance.text, self.tts._write(utterance, path),
                                  utterance.samples, utterance.samplerate, utterance.cached)
        return utterance
