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
"""

from __future__ import annotations

import os

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
