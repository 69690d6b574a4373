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
