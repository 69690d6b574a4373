"""A WAV file that is valid on disk at every moment while it is written.

The header's sizes are rewritten after every block (Python's `wave` does this when frames are
added) and the file is flushed, so a crash, Ctrl-C or a pulled plug leaves a playable file with
everything said so far. Samples are 16-bit PCM.
"""

from __future__ import annotations

import os
import wave
from pathlib import Path

import numpy as np

from audio.vad import SAMPLE_RATE

FSYNC_EVERY_S = 2.0


class StreamingWavWriter:
    def __init__(self, path: str | Path, samplerate: int = SAMPLE_RATE, channels: int = 1):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.samplerate = samplerate
        # kept open across writes, closed in close()
        self._file = open(self.path, "wb")  # noqa: SIM115
        self._wave = wave.open(self._file, "wb")  # noqa: SIM115
        self._wave.setnchannels(channels)
        self._wave.setsampwidth(2)
        self._wave.setframerate(samplerate)
        self._wave.writeframes(b"")  # header on disk at once
        self._file.flush()
        self.frames = 0
        self._since_sync = 0
        self.closed = False

    def write(self, samples: np.ndarray) -> None:
        """Append float samples in [-1, 1]. Raises OSError (disk full, ...) to the caller."""
        pcm = (np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0) * 32767).astype("<i2")
        self._wave.writeframes(pcm.tobytes())
        self._file.flush()
        self.frames += pcm.shape[0]
        self._since_sync += pcm.shape[0]
        if self._since_sync >= FSYNC_EVERY_S * self.samplerate:
            os.fsync(self._file.fileno())
            self._since_sync = 0

    @property
    def duration(self) -> float:
        return self.frames / self.samplerate

    def close(self) -> None:
        """Finish the file. Raises OSError (disk full, ...) after closing it regardless: the
        header on disk already describes everything written successfully."""
        if self.closed:
            return
        self.closed = True
        try:
            self._wave.close()  # patches the header, flushes
            os.fsync(self._file.fileno())
        except ValueError:
            pass
        finally:
            self._file.close()


def write_wav(path: str | Path, samples: np.ndarray, samplerate: int) -> Path:
    writer = StreamingWavWriter(path, samplerate)
    try:
        writer.write(samples)
    finally:
        writer.close()
    return writer.path


def read_wav(path: str | Path) -> tuple[np.ndarray, int]:
    """Samples as float32 in [-1, 1] (mono: first channel) and the sample rate."""
    with wave.open(str(path), "rb") as reader:
        rate, channels, width = reader.getframerate(), reader.getnchannels(), \
            reader.getsampwidth()
        raw = reader.readframes(reader.getnframes())
    if width != 2:
        raise ValueError(f"{path}: expected 16-bit PCM, got {8 * width}-bit")
    samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        samples = samples.reshape(-1, channels)[:, 0]
    return samples, rate
