"""Synthesised sentences kept as WAV files, so a sentence heard before is played at once.

A file is named by a hash of the sentence and of everything that shapes its sound (engine,
voice, rate, volume, the voice model's own digest), so a change to any of them is a new file
and nothing stale is ever played. Files are written under a temporary name and renamed, so a
crash never leaves half a sentence. The folder is kept under `LIMIT_BYTES` by removing the
files least recently played. A cache that cannot be written is skipped: it saves time, it is
not needed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from audio.wav import read_wav, write_wav

LIMIT_BYTES = 200 * 2**20  # about 80 minutes of 22 kHz speech


class SpeechCache:
    def __init__(self, folder: Path, limit_bytes: int = LIMIT_BYTES):
        self.folder = Path(folder)
        self.limit_bytes = limit_bytes

    def path_for(self, key: Sequence[object]) -> Path:
        digest = hashlib.sha256(json.dumps(list(key), ensure_ascii=False).encode("utf-8"))
        return self.folder / f"{digest.hexdigest()[:32]}.wav"

    def get(self, key: Sequence[object]) -> tuple[np.ndarray, int, Path] | None:
        """(samples, rate, file) of a cached sentence, or None."""
        path = self.path_for(key)
        try:
            samples, rate = read_wav(path)
            os.utime(path)  # recently played: kept longest
        except (OSError, EOFError, ValueError, wave.Error):  # missing or damaged: made again
            return None
        return samples, rate, path

    def put(self, key: Sequence[object], samples: np.ndarray, rate: int) -> Path | None:
        path = self.path_for(key)
        temporary = path.with_name(f".{path.stem}.{os.getpid()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_wav(temporary, samples, rate)
            os.replace(temporary, path)
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink()
            return None
        self._prune()
        return path

    def _prune(self) -> None:
        try:
            files = [(entry.stat().st_mtime, entry.stat().st_size, Path(entry.path))
                     for entry in os.scandir(self.folder) if entry.name.endswith(".wav")]
        except OSError:
            return
        total = sum(size for _, size, _ in files)
        for _, size, path in sorted(files):
            if total <= self.limit_bytes:
                break
            with contextlib.suppress(OSError):
                path.unlink()
                total -= size
