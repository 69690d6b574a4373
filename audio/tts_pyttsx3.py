"""The system's voices through pyttsx3 (espeak-ng on Linux, SAPI5 on Windows, macOS's own):
each utterance synthesised to a WAV, checked, then read.

pyttsx3's own `say()` plays through a helper process and can return before any sound is made;
synthesising to a file and playing it with sounddevice is reliable and lets the caller keep
the audio (the demo writes the interviewer's questions to files when there is no speaker).
With the espeak driver (Linux) the file may be written from another thread after
`runAndWait()` returns, and was once seen without a RIFF header: the file is awaited and
checked, and synthesis retried once.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import sys
import threading
import time
import wave
from pathlib import Path

import numpy as np

from audio.errors import SpeechEngineError
from audio.tts import SpeechEngine, Utterance, Voice
from audio.tts_engines import SECOND_SYSTEM_VOICE
from audio.vad import SAMPLE_RATE

FILE_WAIT_S = 15.0
ENGINE_TIMEOUT_S = 20.0


class _DropLines(io.TextIOBase):
    """A stdout stand-in that drops pyttsx3's "Audio saved to ..." chatter, passing the rest."""

    def __init__(self, target):
        self.target = target
        self.buffer_text = ""

    def write(self, text: str) -> int:
        self.buffer_text += text
        while "\n" in self.buffer_text:
            line, self.buffer_text = self.buffer_text.split("\n", 1)
            if not line.startswith("Audio saved to"):
                self.target.write(line + "\n")
        return len(text)

    def flush(self) -> None:
        if self.buffer_text and not self.buffer_text.startswith("Audio saved to"):
            self.target.write(self.buffer_text)
        self.buffer_text = ""
        self.target.flush()


def install_hint() -> str:
    if sys.platform.startswith("linux"):
        return "install espeak-ng (Debian/Ubuntu: sudo apt-get install espeak-ng)"
    if sys.platform == "darwin":
        return "macOS's speech synthesis should be present; check System Settings > Spoken Content"
    return "Windows SAPI5 voices should be present; check Settings > Time & language > Speech"


class Pyttsx3Voice(SpeechEngine):
    """Synthesises speech to WAV files. Use from one thread (pyttsx3 engines are not shared)."""

    engine_name = "pyttsx3"

    def __init__(self, voice: str | None = None, rate: int | None = None,
                 volume: float | None = None, out_dir: str | Path | None = None,
                 cache_dir: str | Path | None = None, second_voice: bool = False):
        super().__init__(rate, volume, out_dir, cache_dir)
        try:
            import pyttsx3

            self.engine = pyttsx3.init()
        except Exception as error:  # no engine: pyttsx3 raises RuntimeError/OSError/...
            raise SpeechEngineError(f"no text-to-speech engine: {install_hint()} "
                                    f"({type(error).__name__}: {error})") from error
        self._lock = threading.Lock()
        self._voice_id: str | None = None
        if voice:
            self.set_voice(voice)
        elif second_voice:
            with contextlib.suppress(SpeechEngineError):
                self.set_voice(SECOND_SYSTEM_VOICE)

    @property
    def voice_id(self) -> str:
        return self._voice_id or str(self.engine.getProperty("voice"))

    def _apply_properties(self) -> None:
        """pyttsx3 hands out one engine per process and applies properties when it next
        runs: set again before each synthesis, so two voices in one process stay apart."""
        if self._voice_id is not None:
            self.engine.setProperty("voice", self._voice_id)
        if self.rate is not None:
            self.engine.setProperty("rate", int(self.rate))
        if self.volume is not None:
            self.engine.setProperty("volume", float(self.volume))

    def voices(self) -> list[Voice]:
        result = []
        for voice in self.engine.getProperty("voices") or []:
            languages = tuple(str(lang.decode() if isinstance(lang, bytes) else lang)
                              for lang in (voice.languages or []))
            result.append(Voice(str(voice.id), str(voice.name), languages, self.engine_name))
        return result

    def set_voice(self, wanted: str) -> Voice:
        """Choose a voice by id, name, or language code ("en-us"); part of a name will do."""
        text = wanted.strip().lower()
        voices = self.voices()
        for test in (lambda v: v.id.lower() == text or v.name.lower() == text,
                     lambda v: text in (lang.lower() for lang in v.languages),
                     lambda v: text in v.name.lower() or text in v.id.lower()):
            for voice in voices:
                if test(voice):
                    self._voice_id = voice.id
                    return voice
        sample = ", ".join(v.name for v in voices if any(
            lang.startswith("en") for lang in v.languages))[:200]
        raise SpeechEngineError(f"no voice matches '{wanted}'; English voices: {sample} "
                                "('interviewer devices --voices' lists all)")

    def _render(self, text: str) -> tuple[np.ndarray, int]:
        with self._files:
            self._count += 1
            target = self.out_dir / f"sentence-{self._count:04d}.wav"
        try:
            utterance = self._synthesize_file(text, target)
        finally:
            target.unlink(missing_ok=True)
        return utterance.samples, utterance.samplerate

    def synthesize(self, text: str, path: str | Path | None = None) -> Utterance:
        """Speak `text` into a WAV file in one go and return its samples. Raises
        SpeechEngineError, and never waits more than about `ENGINE_TIMEOUT_S` (plus a little
        per character)."""
        with self._files:
            self._count += 1
            target = Path(path) if path else self.out_dir / f"utterance-{self._count:04d}.wav"
        return self._synthesize_file(text, target)

    def _synthesize_file(self, text: str, target: Path) -> Utterance:
        text = " ".join(text.split()) or "."
        with self._lock:
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                free = shutil.disk_usage(target.parent).free
            except OSError as error:
                raise SpeechEngineError(f"cannot write speech to {target.parent} "
                                        f"({error.strerror})") from error
            if free < _bytes_needed(text):
                raise SpeechEngineError(f"not enough free space in {target.parent} to write "
                                        "speech (the disk is full?); free some space")
            last_error = "no audio was written"
            for _attempt in range(2):
                target.unlink(missing_ok=True)
                # the engine prints "Audio saved to" from its own thread once the file is
                # written, after runAndWait may have returned: silenced until the file is there
                with contextlib.redirect_stdout(_DropLines(sys.stdout)):
                    self._run_engine(text, target, ENGINE_TIMEOUT_S + len(text) / 50)
                    try:
                        samples, rate = _await_wav(target)
                        return Utterance(text, target, samples, rate)
                    except SpeechEngineError as error:
                        last_error = str(error)
            raise SpeechEngineError(f"text-to-speech failed: {last_error}; "
                                    f"{install_hint()} or try another --voice")

    def _run_engine(self, text: str, target: Path, timeout: float) -> None:
        """One synthesis, stopped after `timeout`: pyttsx3's espeak driver never leaves its
        loop when writing the file fails (a full disk), so a watchdog ends the loop."""
        def stop() -> None:
            with contextlib.suppress(Exception):
                self.engine.endLoop()

        watchdog = threading.Timer(timeout, stop)
        watchdog.daemon = True
        self._apply_properties()
        self.engine.save_to_file(text, str(target))
        watchdog.start()
        try:
            self.engine.runAndWait()
        finally:
            watchdog.cancel()


TextToSpeech = Pyttsx3Voice  # the name callers used before there were other engines


def _bytes_needed(text: str) -> int:
    """Room for the engine's WAV of `text` (22 kHz 16-bit, about 15 characters a second),
    twice over, and a megabyte."""
    return int(len(text) / 15 * 22050 * 2 * 2) + 2**20


def _await_wav(path: Path) -> tuple[np.ndarray, int]:
    """Wait until the engine has really written `path`, then read it."""
    deadline = time.monotonic() + FILE_WAIT_S
    last_size = -1
    while time.monotonic() < deadline:
        size = path.stat().st_size if path.exists() else -1
        if size > 44 and size == last_size:
            with path.open("rb") as stream:
                header = stream.read(12)
            if header[:4] != b"RIFF" or header[8:12] != b"WAVE":
                return _decode_other(path)
            try:
                with wave.open(str(path), "rb") as reader:
                    frames = reader.readframes(reader.getnframes())
                    rate, width = reader.getframerate(), reader.getsampwidth()
                    channels = reader.getnchannels()
            except (wave.Error, EOFError) as error:
                raise SpeechEngineError(f"the engine wrote a broken WAV ({error})") from error
            if width != 2 or not frames:
                raise SpeechEngineError("the engine wrote an empty or unexpected WAV")
            samples = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
            if channels > 1:
                samples = samples.reshape(-1, channels).mean(axis=1)
            return samples, rate
        last_size = size
        time.sleep(0.05)
    raise SpeechEngineError(f"the engine wrote nothing to {path} within {FILE_WAIT_S:.0f} s")


def _decode_other(path: Path) -> tuple[np.ndarray, int]:
    """Engines that ignore the .wav name (macOS writes AIFF data): decode whatever it is."""
    from audio.errors import AudioFileError
    from audio.files import load_audio

    try:
        return load_audio(path), SAMPLE_RATE
    except AudioFileError as error:
        raise SpeechEngineError(f"the engine wrote audio that cannot be read ({error})") \
            from error
