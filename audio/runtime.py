"""The environment the libraries under the speech models load into: how they share the CPU,
and that none of them sends anything anywhere. Set as the `audio` package is imported, before
any of them loads (each reads its variables once, when it loads); a value the user set is
left alone.

How they share the CPU.

CTranslate2 (faster-whisper) and PyTorch (openai-whisper) run their decoders on OpenMP thread
teams. Left to its default, an OpenMP worker spins on the CPU between parallel regions instead
of sleeping. On a laptop where another program keeps one core busy, those spinning workers
fight it and the recorder for the cores, and the decodes fall further and further behind while
the candidate speaks. The benchmark (`python -m bench --only latency`) shows the difference.
Passive waiting makes an idle worker sleep. OpenMP reads the variable once, when the library
loads.

Nothing leaves the machine.

Found by reading the libraries in the environment (December 2026):
- onnxruntime (the Silero voice-activity model faster-whisper runs, and the neural voice)
  embeds Microsoft's 1DS client: it writes a device id and queued events under
  ~/.cache/Microsoft/DeveloperTools/.onnxruntime/ and, about 11 s after loading, looks up
  mobile.events.data.microsoft.com. `ORT_DISABLE_TELEMETRY` is read when the library loads
  (its `disable_telemetry_events()` called afterwards does not stop the uploader).
- huggingface_hub (imported by faster-whisper) sends usage pings and checks for updates, and
  fetches named models from the hub; hf_xet, its transfer client, has telemetry of its own.
  Models here come from the bundled package or `interviewer model get`, never from the hub at
  run time.
- DO_NOT_TRACK (https://donottrack.sh) is the convention the others also honour.

How memory is given back.

glibc's allocator reads its MALLOC_* variables when the process starts, before any of this
runs, so it is configured by `mallopt` instead (`prepare_memory`), unless the user set one of
them (or GLIBC_TUNABLES) themselves. Two of its defaults kept memory the session no longer
used: each thread that allocates (the recogniser's workers, the voice, the recorder, the
scorer) gets a heap of its own, up to eight per core, and memory freed in one is not reused by
another. Two heaps lower a practice session's peak memory (`python -m bench --only session`
measures it). A fixed threshold for mapping large buffers from the system lowered it further,
but made each decode about 40% slower (every large buffer mapped and unmapped again), so the
threshold is left to glibc.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

# what is set when the user has not set it themselves
NATIVE_THREAD_DEFAULTS = {"OMP_WAIT_POLICY": "PASSIVE"}
OFFLINE_DEFAULTS = {
    "ORT_DISABLE_TELEMETRY": "1",
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_UPDATE_CHECK": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "HF_XET_TELEMETRY_ENABLED": "0",
    "DO_NOT_TRACK": "1",
}


def prepare_environment() -> dict[str, str]:
    """Set the defaults above where the environment has no value of its own; returns what
    was set. A user's own value (OMP_WAIT_POLICY=ACTIVE on a dedicated machine, say) wins."""
    applied = {}
    for name, value in {**NATIVE_THREAD_DEFAULTS, **OFFLINE_DEFAULTS}.items():
        if name not in os.environ:
            os.environ[name] = value
            applied[name] = value
    return applied


# mallopt parameter (malloc.h) and the value set
M_ARENA_MAX = -8
HEAP_ARENAS = 2
_MALLOC_VARIABLES = ("MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_", "GLIBC_TUNABLES")
_memory_prepared: dict[str, int] | None = None


def prepare_memory() -> dict[str, int]:
    """Configure glibc's allocator (see the module's notes) once per process; returns what was
    set: nothing off Linux, on another C library, or when the user set MALLOC_* themselves."""
    global _memory_prepared
    if _memory_prepared is not None:
        return _memory_prepared
    _memory_prepared = {}
    if not sys.platform.startswith("linux") or any(name in os.environ
                                                   for name in _MALLOC_VARIABLES):
        return _memory_prepared
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and others: no mallopt, nothing to tune
        return _memory_prepared
    if mallopt(M_ARENA_MAX, HEAP_ARENAS) == 1:
        _memory_prepared["arena_max"] = HEAP_ARENAS
    return _memory_prepared
