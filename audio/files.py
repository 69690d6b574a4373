"""Reading recordings for review: wav, flac, mp3, m4a, ogg (and a few more), as 16 kHz mono.

`load_audio` reads a whole recording; `read_windows` reads it a window at a time, so that a
two-hour recording is never in memory at once (at 16 kHz it would take 460 MB as floats).
Decoding is PyAV's (FFmpeg inside the wheel), as faster-whisper does it.
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from audio.errors import AudioFileError
from audio.vad import SAMPLE_RATE

SUPPORTED = (".wav", ".flac", ".mp3", ".m4a", ".ogg", ".oga", ".opus", ".webm", ".aac", ".mp4")
# what recordings have: telephone 8 kHz (with room below for odd devices) to studio 384 kHz
MIN_RATE, MAX_RATE, MAX_CHANNELS = 4000, 384000, 32
WINDOW_S = 120.0  # two minutes a window: 7.7 MB of samples, and the detector's memory bounded


def is_audio_file(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED


def check_audio_file(path: str | Path) -> Path:
    """The path, or AudioFileError saying what is wrong with it before decoding starts."""
    path = Path(path)
    if not path.exists():
        raise AudioFileError(f"{path}: no such file; check the path")
    if path.is_dir():
        raise AudioFileError(f"{path}: is a folder; give an audio file")
    if not is_audio_file(path):
        raise AudioFileError(f"{path}: unsupported format '{path.suffix or 'none'}'; use "
                             f"{', '.join(ext.lstrip('.') for ext in SUPPORTED[:5])}")
    if not os.access(path, os.R_OK):
        raise AudioFileError(f"{path}: cannot be read (permission denied); check its "
                             "permissions")
    if path.stat().st_size == 0:
        raise AudioFileError(f"{path}: the file is empty (0 bytes); record it again")
    return path


def probe_audio(path: str | Path) -> float | None:
    """Check that a recording can be decoded (its first frame is read) and return its
    duration in seconds when the container says it. AudioFileError when it cannot."""
    import av

    path = check_audio_file(path)
    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioFileError(f"{path}: contains no audio; record it again")
            stream = container.streams.audio[0]
            _check_stream(path, stream)
            next(container.decode(stream))
            if stream.duration is not None and stream.time_base is not None:
                return float(stream.duration * stream.time_base)
            return container.duration / 1e6 if container.duration else None
    except AudioFileError:
        raise
    except StopIteration:
        raise AudioFileError(f"{path}: contains no audio; record it again") from None
    except Exception as error:
        raise AudioFileError(_unreadable(path, error)) from error


def load_audio(path: str | Path) -> np.ndarray:
    """Decode a whole recording to 16 kHz mono float32. AudioFileError says what is wrong."""
    windows = [samples for _, samples in read_windows(path)]
    return np.concatenate(windows) if len(windows) > 1 else windows[0]


def read_windows(path: str | Path, window_s: float = WINDOW_S
                 ) -> Iterator[tuple[float, np.ndarray]]:
    """(offset in seconds, samples) for consecutive windows of a recording, 16 kHz mono
    float32. AudioFileError when the file cannot be decoded or holds no audio."""
    import av

    path = check_audio_file(path)
    size = int(window_s * SAMPLE_RATE)
    buffer = np.empty(size, dtype=np.float32)  # one window, filled in place
    filled, offset, delivered = 0, 0, False
    resampler = av.audio.resampler.AudioResampler(format="s16", layout="mono",
                                                  rate=SAMPLE_RATE)
    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            if container.streams.audio:
                _check_stream(path, container.streams.audio[0])
            frames = container.decode(audio=0)
            for part in _resampled(frames, resampler):
                samples = part.to_ndarray().reshape(-1)
                while samples.size:
                    take = min(size - filled, samples.size)
                    buffer[filled:filled + take] = samples[:take] / 32768.0
                    filled, samples = filled + take, samples[take:]
                    if filled == size:
                        yield offset / SAMPLE_RATE, buffer.copy()
                        delivered, offset, filled = True, offset + size, 0
                        gc.collect()  # PyAV keeps buffers until collected (faster-whisper #390)
    except AudioFileError:
        raise
    except Exception as error:  # PyAV raises many kinds; all mean "not decodable"
        raise AudioFileError(_unreadable(path, error)) from error
    finally:
        del resampler
        gc.collect()
    if filled:
        yield offset / SAMPLE_RATE, buffer[:filled].copy()
    elif not delivered:
        raise AudioFileError(f"{path}: contains no audio; record it again")


def _check_stream(path: Path, stream) -> None:
    """AudioFileError for a header no recording has: at 1 Hz, 13 s of samples would be
    resampled as 60 hours of audio."""
    rate = stream.sample_rate or stream.codec_context.sample_rate or 0
    if not MIN_RATE <= rate <= MAX_RATE:
        raise AudioFileError(f"{path}: the header says {rate:,} samples a second, which no "
                             f"recording has ({MIN_RATE:,} to {MAX_RATE:,}); is the file "
                             "damaged?")
    channels = stream.channels or stream.codec_context.channels or 0
    if not 1 <= channels <= MAX_CHANNELS:
        raise AudioFileError(f"{path}: the header says {channels} channels (at most "
                             f"{MAX_CHANNELS} are read); is the file damaged?")


def _resampled(frames, resampler):
    for frame in frames:
        yield from resampler.resample(frame)
    yield from resampler.resample(None)  # what the resampler still holds


def _unreadable(path: Path, error: BaseException) -> str:
    detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    detail = re.sub(r"^\[Errno -?\d+\]\s*|:\s*'[^']*'$", "", detail)[:100]
    return f"{path}: not a readable {path.suffix.lstrip('.')} file ({detail}); is it damaged " \
           "or of another format?"


def encode_mp3(samples: np.ndarray, samplerate: int = SAMPLE_RATE, bitrate: int = 32000) -> bytes:
    """Compress mono audio to MP3 (small enough to embed in a report page; plays everywhere)."""
    import io

    import av

    buffer = io.BytesIO()
    pcm = (np.clip(np.asarray(samples, dtype=np.float32), -1, 1) * 32767).astype(np.int16)
    with av.open(buffer, "w", format="mp3") as container:
        stream = container.add_stream("mp3", rate=samplerate)
        stream.bit_rate = bitrate
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(pcm[None, :], format="s16", layout="mono")
        frame.sample_rate = samplerate
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return buffer.getvalue()


def wav_truncation(path: str | Path) -> str | None:
    """What is missing from a WAV file cut short (a copy stopped, a full disk): its header
    promises more audio than the file holds. None for a whole file, or one that is not WAV.
    A recording still being written says 0 or 0xFFFFFFFF bytes, which promises nothing."""
    import struct

    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as stream:
            head = stream.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return None
            offset, byte_rate = 12, 0
            while True:
                header = stream.read(8)
                if len(header) < 8:
                    return None
                chunk, length = header[:4], struct.unpack("<I", header[4:])[0]
                offset += 8
                if chunk == b"fmt ":
                    fmt = stream.read(min(length, 16))
                    if len(fmt) >= 12:
                        byte_rate = struct.unpack("<I", fmt[8:12])[0]
                    stream.seek(offset + length + (length & 1))
                elif chunk == b"data":
                    break
                else:
                    stream.seek(offset + length + (length & 1))
                offset += length + (length & 1)
    except OSError:
        return None
    present = size - offset
    if length in (0, 0xFFFFFFFF) or present >= length:
        return None
    if byte_rate:
        return (f"{path}: the WAV file is truncated: its header promises "
                f"{length / byte_rate:.1f} s of audio but the file holds only "
                f"{max(present, 0) / byte_rate:.1f} s; the file is damaged (copy or export "
                "it again)")
    return (f"{path}: the WAV file is truncated: its header promises {length:,} bytes of "
            f"audio but the file holds {max(present, 0):,}; the file is damaged (copy or "
            "export it again)")
