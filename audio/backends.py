"""The registry of speech-to-text backends.

Adding a backend is one `SpeechToText` subclass (see `audio.stt`) and one entry here; the
command-line choices, `interviewer doctor` and the table of backends in docs/speech.md come
from this list. Entries name their class by module, so listing backends imports no speech library.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass

from audio.errors import ModelError


@dataclass(frozen=True)
class Backend:
    name: str  # what users type: --backend NAME
    summary: str
    module: str  # where the SpeechToText subclass lives
    class_name: str
    requires: tuple[str, ...]  # Python modules it needs at run time
    install: str  # how to get them

    def installed(self) -> bool:
        return all(importlib.util.find_spec(module) is not None for module in self.requires)

    def load_class(self) -> type:
        """The backend's `audio.stt.SpeechToText` subclass (its module imported now)."""
        return getattr(importlib.import_module(self.module), self.class_name)


BACKENDS: tuple[Backend, ...] = (
    Backend("faster-whisper", "CTranslate2, int8 on the CPU; the default",
            "audio.whisper_ct2", "FasterWhisper", ("faster_whisper",),
            "pip install faster-whisper (a dependency of interview-simulator)"),
    Backend("openai-whisper", "PyTorch, fp32; the same weights, converted once",
            "audio.whisper_torch", "OpenAIWhisper", ("whisper", "torch"),
            "pip install 'interview-simulator[openai-whisper]' (or scripts/setup.sh "
            "--with-openai-whisper)"),
)
DEFAULT_BACKEND = BACKENDS[0].name


def backend_names() -> tuple[str, ...]:
    return tuple(backend.name for backend in BACKENDS)


def get_backend(name: str) -> Backend:
    for backend in BACKENDS:
        if backend.name == name:
            return backend
    raise ModelError(f"unknown speech-to-text backend '{name}'; use one of "
                     f"{', '.join(backend_names())}")


def backends_markdown() -> str:
    """The README's table of backends."""
    rows = ["| backend | what | needs |", "|---|---|---|"]
    rows += [f"| `{backend.name}` | {backend.summary} | {backend.install} |"
             for backend in BACKENDS]
    return "\n".join(rows)
