"""Noise mixed into speech at a stated signal-to-noise ratio, made in numpy and seeded.

The speech's power is taken over its active frames only (20 ms frames within 40 dB of the
loudest), so the pauses between sentences do not make the ratio look better than what a
listener hears while the candidate is speaking. The mix is scaled down as a whole if it would
clip, which leaves the ratio as it was.
"""

from __future__ import annotations

import numpy as np

FRAME = 320  # 20 ms at 16 kHz
ACTIVE_RANGE_DB = 40.0
COLOURS = ("white", "pink")


def noise(size: int, colour: str, seed: int) -> np.ndarray:
    """`size` samples of white or pink (1/f power) noise of unit power."""
    if colour not in COLOURS:
        raise ValueError(f"unknown noise colour '{colour}'; use one of {', '.join(COLOURS)}")
    white = np.random.default_rng(seed).standard_normal(size)
    if colour == "pink":
        spectrum = np.fft.rfft(white)
        frequencies = np.arange(spectrum.size, dtype=np.float64)
        frequencies[0] = 1.0  # the constant part kept as it is, not divided by zero
        white = np.fft.irfft(spectrum / np.sqrt(frequencies), n=size)
    white -= white.mean()
    return (white / np.sqrt(np.mean(white ** 2))).astype(np.float64)


def speech_power(samples: np.ndarray) -> float:
    """Mean power of the frames that carry speech (within ACTIVE_RANGE_DB of the loudest)."""
    frames = samples[: samples.size // FRAME * FRAME].astype(np.float64).reshape(-1, FRAME)
    if not frames.size:
        return float(np.mean(samples.astype(np.float64) ** 2)) if samples.size else 0.0
    powers = np.mean(frames ** 2, axis=1)
    loudest = float(powers.max())
    if loudest <= 0:
        return 0.0
    return float(powers[powers >= loudest * 10 ** (-ACTIVE_RANGE_DB / 10)].mean())


def snr_db(speech: np.ndarray, added: np.ndarray) -> float:
    """The ratio of speech (active frames) to the noise added, in dB."""
    return 10 * float(np.log10(speech_power(speech) / float(np.mean(added.astype(np.float64)
                                                                    ** 2))))


def add_noise(speech: np.ndarray, snr: float, colour: str = "white",
              seed: int = 0) -> tuple[np.ndarray, float]:
    """`speech` with noise mixed in at `snr` dB, and the ratio measured on the result."""
    added = noise(speech.size, colour, seed) * np.sqrt(speech_power(speech) / 10 ** (snr / 10))
    mixed = speech.astype(np.float64) + added
    peak = float(np.abs(mixed).max()) if mixed.size else 0.0
    scale = 0.99 / peak if peak > 0.99 else 1.0
    measured = snr_db(speech * scale, added * scale)
    return (mixed * scale).astype(np.float32), measured
