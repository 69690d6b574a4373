"""Listening to an input for a moment: does anything arrive, and how loud is it?

A microphone that opens is not one that hears: a muted source, the wrong USB headset or a
sound server's silent default all open fine and deliver nothing but zeros. Two seconds read
from the chosen input tell them apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from audio.devices import Device, _sounddevice, find_device
from audio.errors import AudioDeviceError
from audio.vad import SAMPLE_RATE

LISTEN_S = 2.0
SILENT_DB = -60.0  # a peak below this is no sound: a live microphone's own hiss is above it


@dataclass(frozen=True)
class Heard:
    device: Device
    seconds: float  # of audio that arrived
    rms_db: float
    peak_db: float

    @property
    def silent(self) -> bool:
        return self.seconds == 0 or self.peak_db < SILENT_DB


def _db(value: float) -> float:
    return float(20 * np.log10(max(value, 1e-10)))


def listen(device: int | str | None = None, seconds: float = LISTEN_S) -> Heard:
    """Record `seconds` from the input `device` (index, name, or a sound server's source
    name; None: the default) and measure it. AudioDeviceError if it cannot be opened."""
    sd = _sounddevice()
    chosen = find_device(device, "input")
    try:
        samples = sd.rec(int(seconds * SAMPLE_RATE), samplerate=SAMPLE_RATE, channels=1,
                         dtype="float32", device=chosen.index)
        sd.wait()
    except sd.PortAudioError as error:
        raise AudioDeviceError(f"cannot record from {chosen.name} ({error}); choose another "
                               "input with --input (see 'interviewer devices')") from error
    samples = np.asarray(samples, dtype=np.float32).reshape(-1)
    if not samples.size:
        return Heard(chosen, 0.0, _db(0), _db(0))
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
    return Heard(chosen, samples.size / SAMPLE_RATE, _db(rms), _db(float(np.abs(samples).max())))
