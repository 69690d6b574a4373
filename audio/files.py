"""Reading recordings for review: wav, flac, mp3, m4a, ogg (and a few more), as 16 kHz mono."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from audio.errors import AudioFileError
from audio.vad import SAMPLE_RATE

SUPPORTED = (".wav", ".flac", ".mp3", ".m4a", ".ogg", ".oga", ".opus", ".webm", ".aac", ".mp4")


def is_audio_file(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED


def load_audio(path: str | Path) -> np.ndarray:
    """Decode a recording to 16 kHz mono float32. AudioFileError says what is wrong."""
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
    from faster_whisper.audio import decode_audio

    try:
        audio = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except Exception as error:  # PyAV raises many kinds; all mean "not decodable"
        detail = str(error).strip().splitlines()[0] if str(error).strip() else \
            type(error).__name__
        detail = re.sub(r"^\[Errno -?\d+\]\s*|:\s*'[^']*'$", "", detail)[:100]
        raise AudioFileError(f"{path}: not a readable {path.suffix.lstrip('.')} file "
                             f"({detail}); is it damaged or of another format?") from error
    if audio.size == 0:
        raise AudioFileError(f"{path}: contains no audio; record it again")
    return np.asarray(audio, dtype=np.float32)


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
