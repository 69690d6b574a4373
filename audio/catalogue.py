"""The Whisper models `interviewer model` knows: the bundled tiny.en, and larger English models
(CTranslate2 conversions for faster-whisper) that can be fetched into the cache.

A fetched model lives in `<cache>/models/<name>/`; it is there only once every file has arrived
whole and matched its size and checksum (`audio.download`), so a half-fetched model is never
used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from audio.models import BUNDLED_NAME

# The hub the models are fetched from; a mirror (or the tests' local server) can stand in.
HUB_URL = "https://huggingface.co"
ENV_HUB_URL = "INTERVIEWER_MODEL_HUB"
MODEL_FILES = ("config.json", "model.bin", "tokenizer.json")
# the vocabulary comes as either file, depending on the conversion
VOCABULARY_FILES = ("vocabulary.txt", "vocabulary.json")


@dataclass(frozen=True)
class CatalogueModel:
    name: str
    repo: str  # on the hub; "" for the bundled model
    size_mb: int  # about, for the listing
    note: str
    # pinned SHA-256 of files, where known; otherwise the hub's own (X-Linked-Etag) is checked
    sha256: tuple[tuple[str, str], ...] = ()

    @property
    def bundled(self) -> bool:
        return self.name == BUNDLED_NAME


CATALOGUE = (
    CatalogueModel(BUNDLED_NAME, "", 75, "bundled: works offline, the fastest"),
    CatalogueModel("base.en", "Systran/faster-whisper-base.en", 145,
                   "about twice the work of tiny.en, fewer mis-heard words"),
    CatalogueModel("distil-small.en", "Systran/faster-distil-whisper-small.en", 340,
                   "distilled small.en: near small.en accuracy, faster"),
    CatalogueModel("small.en", "Systran/faster-whisper-small.en", 485,
                   "the most accurate here; needs a fast laptop for live feedback"),
)


def catalogue_model(name: str) -> CatalogueModel | None:
    return next((model for model in CATALOGUE if model.name == name), None)


def models_dir(cache_dir: Path) -> Path:
    return cache_dir / "models"


def installed_path(name: str, cache_dir: Path | None) -> Path | None:
    """The folder of a fetched catalogue model, or None when it is not (wholly) there."""
    if cache_dir is None:
        return None
    folder = models_dir(cache_dir) / name
    return folder if (folder / "model.bin").is_file() else None


def hub_url() -> str:
    return os.environ.get(ENV_HUB_URL, HUB_URL).rstrip("/")


def damaged_model_file(folder: Path) -> str | None:
    """What is wrong with a model folder's JSON files (config, tokenizer, vocabulary), which
    the recogniser would otherwise trip over only when a recording is transcribed."""
    import json

    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        path = folder / name
        if not path.is_file():
            continue
        try:
            json.loads(path.read_bytes())
        except (OSError, ValueError) as error:
            detail = getattr(error, "strerror", None) or " ".join(str(error).split())[:60]
            return f"{name} is damaged ({detail}), so the model cannot load"
    return None
