"""Playing audio through sounddevice: blocking, and stoppable (an event, or Ctrl-C)."""

from __future__ import annotations

import threading
import time

import numpy as np

from audio.devices import _sounddevice, find_device
from audio.errors import AudioDeviceError

BLOCK = 1024
PLAYBACK_SLACK_S = 5.0


def resample(samples: np.ndarray, source_rate: int, target_rate: int) -> np.ndarray:
    """Linear-interpolation resampling; plenty for speech played back to a listener."""
    if source_rate == target_rate or samples.size == 0:
        return samples
    duration = samples.size / source_rate
    target = np.linspace(0, samples.size - 1, int(round(duration * target_rate)))
    return np.interp(target, np.arange(samples.size), samples).astype(np.float32)


def play(samples: np.ndarray, samplerate: int, device: int | str | None = None,
         stop: threading.Event | None = None) -> bool:
    """Play mono float samples; returns False if stopped early. Raises AudioDeviceError."""
    sd = _sounddevice()
    output = find_device(device, "output")
    data = np.asarray(samples, dtype=np.float32).ravel()
    rate = samplerate
    try:
        sd.check_output_settings(device=output.index, samplerate=rate, channels=1,
                                 dtype="float32")
    except sd.PortAudioError:
        rate = int(output.default_samplerate)
        data = resample(data, samplerate, rate)
    position = 0
    finished = threading.Event()

    def callback(outdata, frames, _time, _status):
        nonlocal position
        chunk = data[position:position + frames]
        outdata[:len(chunk), 0] = chunk
        outdata[len(chunk):, 0] = 0
        position += frames
        if position >= data.size:
            raise sd.CallbackStop

    try:
        stream = sd.OutputStream(samplerate=rate, device=output.index, channels=1,
                                 dtype="float32", blocksize=BLOCK, callback=callback,
                                 finished_callback=finished.set)
    except sd.PortAudioError as error:
        raise AudioDeviceError(f"cannot play on '{output.name}': {error}; choose another "
                               "output with --output-device (see 'interviewer devices')") \
            from error
    # a device that stops taking audio must not hold the caller: give up well after the end
    deadline = time.monotonic() + data.size / rate + PLAYBACK_SLACK_S
    with stream:
        try:
            while not finished.wait(0.05):
                if (stop is not None and stop.is_set()) or time.monotonic() > deadline:
                    stream.abort()
                    return False
        except KeyboardInterrupt:
            stream.abort()
            raise
    return True


class StreamPlayer:
    """One output stream playing pieces of audio as they are fed, with no gap between them:
    speech played sentence by sentence while the next sentence is synthesised. Until a piece
    arrives the stream plays silence. Raises AudioDeviceError when no stream can be opened."""

    def __init__(self, samplerate: int, device: int | str | None = None,
                 first_sound: threading.Event | None = None,
                 stop: threading.Event | None = None):
        from collections import deque

        sd = _sounddevice()
        self._sd = sd
        output = find_device(device, "output")
        self.rate = samplerate
        try:
            sd.check_output_settings(device=output.index, samplerate=samplerate, channels=1,
                                     dtype="float32")
        except sd.PortAudioError:
            self.rate = int(output.default_samplerate)
        self.first_audio: float | None = None  # time.monotonic() of the first sound
        self._first_sound = first_sound  # set then, too
        # checked by the audio callback itself, so the sound stops within one block of the
        # event, whatever the caller is doing (synthesising the next sentence, say)
        self._stop = stop
        self._pieces: deque[np.ndarray] = deque()
        self._offset = 0
        self._fed = self._played = 0
        self._ended = False
        self._lock = threading.Lock()
        self._finished = threading.Event()
        try:
            self._stream = sd.OutputStream(samplerate=self.rate, device=output.index,
                                           channels=1, dtype="float32", blocksize=BLOCK,
                                           callback=self._callback,
                                           finished_callback=self._finished.set)
            self._stream.start()
        except sd.PortAudioError as error:
            raise AudioDeviceError(f"cannot play on '{output.name}': {error}; choose another "
                                   "output with --output-device (see 'interviewer devices')") \
                from error

    def feed(self, samples: np.ndarray, samplerate: int) -> None:
        data = resample(np.asarray(samples, dtype=np.float32).ravel(), samplerate, self.rate)
        with self._lock:
            self._pieces.append(data)
            self._fed += data.size

    def _callback(self, outdata, frames, _time, _status) -> None:
        if self._stop is not None and self._stop.is_set():
            outdata[:, 0] = 0
            raise self._sd.CallbackStop
        written = 0
        with self._lock:
            while written < frames and self._pieces:
                piece = self._pieces[0]
                chunk = piece[self._offset:self._offset + frames - written]
                outdata[written:written + chunk.size, 0] = chunk
                written += chunk.size
                self._offset += chunk.size
                if self._offset >= piece.size:
                    self._pieces.popleft()
                    self._offset = 0
            self._played += written
            done = self._ended and not self._pieces
        if written and self.first_audio is None:
            self.first_audio = time.monotonic()
            if self._first_sound is not None:
                self._first_sound.set()
        outdata[written:, 0] = 0
        if done:
            raise self._sd.CallbackStop

    def finish(self, stop: threading.Event | None = None) -> bool:
        """Play what was fed to its end; False if stopped early (the event, or a device that
        stopped taking audio). Ctrl-C stops the sound and is raised again."""
        with self._lock:
            self._ended = True
            left = (self._fed - self._played) / self.rate
        deadline = time.monotonic() + left + PLAYBACK_SLACK_S
        stop = stop or self._stop
        try:
            while not self._finished.wait(0.05):
                if (stop is not None and stop.is_set()) or time.monotonic() > deadline:
                    self._stream.abort()
                    return False
        except KeyboardInterrupt:
            self._stream.abort()
            raise
        return stop is None or not stop.is_set()

    def close(self) -> None:
        if not self._finished.is_set():
            self._stream.abort()
        self._stream.close()
