"""How the native libraries under the speech models share the CPU with everything else.

CTranslate2 (faster-whisper) and PyTorch (openai-whisper) run their decoders on OpenMP thread
teams. Left to its default, an OpenMP worker spins on the CPU between parallel regions instead
of sleeping. On a laptop where another program keeps one core busy, those spinning workers
fight it and the recorder for the cores, and the decodes fall further and further behind while
the candidate speaks. The benchmark (`python -m bench --only latency`) shows the difference.
Passive waiting makes an idle worker sleep. OpenMP reads the variable once, when the library
loads, so it is set as the `audio` package is imported, before any speech library.
"""

from __future__ import annotations

import os

# what is set when the user has not set it themselves
NATIVE_THREAD_DEFAULTS = {"OMP_WAIT_POLICY": "PASSIVE"}


def configure_native_threads() -> dict[str, str]:
    """Set the defaults above where the environment has no value of its own; returns what
    was set. A user's own OMP_WAIT_POLICY (for example ACTIVE on a dedicated machine) wins."""
    applied = {}
    for name, value in NATIVE_THREAD_DEFAULTS.items():
        if name not in os.environ:
            os.environ[name] = value
            applied[name] = value
    return applied
