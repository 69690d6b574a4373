"""Helpers of the fault tests: the CLI in a process, a small disk, a stored spoken answer."""

from __future__ import annotations

import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

ANSWER = "I keep secrets in HashiCorp Vault and rotate them automatically."
GOOD_BANK = ("id: mine\ntitle: Mine\nquestions:\n  - id: m1\n    text: Why?\n"
             "    category: technical\n    model_answer: Because it is safer.\n")


def cli(env: dict, *args: str, input: str | bytes | None = None, preexec=None,
        timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "interviewer", *args], input=input,
                          capture_output=True, text=not isinstance(input, bytes), env=env,
                          cwd=REPO, timeout=timeout,
                          stdin=None if input is not None else subprocess.DEVNULL,
                          preexec_fn=preexec)


def cap_memory() -> None:
    """For a child: a file that expanded would die here instead of the machine."""
    resource.setrlimit(resource.RLIMIT_AS, (1 << 31, 1 << 31))


def typed_session(env: dict) -> None:
    """One typed answer stored (session 1, answer 1)."""
    done = cli(env, "practice", "--text", "--silent", "-q", "devsecops-03", "--plain",
               input=ANSWER + "\n\n")
    assert done.returncode == 0, done.stderr


def stored_spoken_answer(data_dir: Path, recordings: int = 1) -> list[Path]:
    """A spoken answer as a session leaves it (a transcript of timed words, scored), with
    `recordings` WAV files in the data folder's recordings; the real SQLite file and Store."""
    import numpy as np

    from audio import write_wav
    from audio.transcript import Segment, Transcript, Word
    from bank import load_bank
    from interviewer.storage import Store

    bank = load_bank()
    question = bank.get("devsecops-03")
    store = Store.open(data_dir)
    session = store.create_session("practice", bank.id, bank.version, bank.source, {})
    paths = []
    for attempt in range(1, recordings + 1):
        path = store.recording_path(session, question.id, attempt)
        path = path.with_name(f"{path.stem}-{attempt}.wav")
        write_wav(path, np.zeros(16000, dtype=np.float32), 16000)
        answer = store.start_answer(session, question.id, bank.id, bank.version,
                                    question.category, question.text, attempt=attempt,
                                    audio_path=path)
        words = tuple(Word(f" {word}", 0.3 * i, 0.3 * i + 0.2, 0.9)
                      for i, word in enumerate(ANSWER.split()))
        transcript = Transcript(ANSWER, (Segment(0.0, words[-1].end, ANSWER, words),), 1.0,
                                "faster-whisper", "tiny.en")
        store.update_answer(answer, status="transcribed", transcript_text=ANSWER,
                            transcript=transcript, duration_s=1.0)
        paths.append(path)
    store.finish_session(session)
    store.close()
    return paths


class SmallDisk:
    """A folder on a small tmpfs (where the machine allows mounting it), or, failing that,
    an RLIMIT_FSIZE on the process under test: writes past the limit fail as a full disk's
    would. `fill()` takes the remaining space, leaving `keep` bytes."""

    def __init__(self, root: Path, size: str = "8m"):
        self.root = root
        root.mkdir()
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700",
                                  "tmpfs", str(root)], capture_output=True)
        self.mounted = mounted.returncode == 0
        self.limit: int | None = None

    def fill(self, keep: int = 0) -> None:
        if not self.mounted:
            # every file this process writes stops growing now: the database, the recording
            sizes = [path.stat().st_size for path in self.root.rglob("*") if path.is_file()]
            self.limit = max(sizes, default=0) + keep
            return
        with (self.root / "filler").open("wb") as filler:
            while shutil.disk_usage(self.root).free > keep:
                try:
                    filler.write(b"\0" * min(1 << 20, max(4096, shutil.disk_usage(
                        self.root).free - keep)))
                    filler.flush()
                except OSError:
                    break

    def free(self) -> None:
        (self.root / "filler").unlink(missing_ok=True)
        self.limit = None

    def preexec(self):
        limit = self.limit
        if limit is None:
            return None

        def apply() -> None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a killed process
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        return apply

    def close(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.root)], capture_output=True)


@pytest.fixture
def small_disk(tmp_path):
    disk = SmallDisk(tmp_path / "disk")
    yield disk
    disk.close()


@pytest.fixture
def mounted_disk(small_disk):
    """A real small file system (tmpfs): a full disk for any process, not only the child."""
    if not small_disk.mounted:
        pytest.skip("this machine cannot mount a tmpfs")
    return small_disk


def disk_env(app_env: dict, disk: SmallDisk) -> dict:
    return dict(app_env, INTERVIEWER_DATA_DIR=str(disk.root / "data"),
                INTERVIEWER_CACHE_DIR=str(disk.root / "cache"))
