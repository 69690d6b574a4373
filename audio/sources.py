"""Where a recorder's audio comes from: a microphone, or an array played in real time.

Both deliver blocks of 16 kHz mono float32 samples to a callback from their own thread, as
PortAudio does: `start(callback)`, `stop()` (no more blocks), `close()`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

import numpy as np

from audio.devices import _sounddevice, find_device
from audio.errors import AudioDeviceError
from audio.vad import SAMPLE_RATE

BLOCK = 1600  # 100 ms per callback

BlockCallback = Callable[[np.ndarray], None]


class AudioSource(Protocol):
    name: str

    def start(self, callback: BlockCallback) -> None: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


class MicrophoneSource:
    """An input device through sounddevice (PortAudio)."""

    def __init__(self, device: int | str | None = None):
        self.device = find_device(device, "input")
        self.name = self.device.name
        self._stream = None

    def start(self, callback: BlockCallback) -> None:
        sd = _sounddevice()

        def deliver(indata, _frames, _time, _status):
            callback(indata[:, 0].copy())

        try:
            stream = sd.InputStream(samplerate=SAMPLE_RATE, device=self.device.index,
                                    channels=1, dtype="float32", blocksize=BLOCK,
                                    callback=deliver)
            stream.start()
            self._stream = stream
        except sd.PortAudioError as error:
            raise AudioDeviceError(f"cannot record from '{self.name}': {error}; choose "
                                   "another input with --input-device (see 'interviewer "
                                   "devices')") from error

    def stop(self) -> None:
        if self._stream is not None:
            self._stream.stop()

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()


class ArraySource:
    """Audio from an array, delivered as a microphone would: in blocks, in real time (or as
    fast as the consumer takes them), then silence, like a quiet room. The demo's synthetic
    candidate speaks through it; tests and benchmarks feed recordings with it. `done` is set
    when the array has been delivered."""

    name = "synthetic voice"

    def __init__(self, samples: np.ndarray, realtime: bool = True):
        self.samples = np.asarray(samples, dtype=np.float32).ravel()
        self.realtime = realtime
        self.done = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, callback: BlockCallback) -> None:
        def run() -> None:
            started = time.monotonic()
            for index, start in enumerate(range(0, self.samples.size, BLOCK)):
                if self._stop.is_set():
                    break
                if self.realtime:
                    delay = started + index * BLOCK / SAMPLE_RATE - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                callback(self.samples[start:start + BLOCK])
            self.done.set()
            while not self._stop.is_set():
                # not faster than real time even when not paced: the consumer decides when to
                # stop, and would otherwise be flooded
                time.sleep(BLOCK / SAMPLE_RATE)
                callback(np.zeros(BLOCK, dtype=np.float32))

        self._thread = threading.Thread(target=run, name="array-source", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
