"""Nothing leaves the machine: the telemetry some dependencies carry is switched off before
any of them loads.

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

A value the user set is left alone: setting one of these on purpose is their choice.
"""

from __future__ import annotations

import os

OFFLINE_DEFAULTS = {
    "ORT_DISABLE_TELEMETRY": "1",
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_UPDATE_CHECK": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "HF_XET_TELEMETRY_ENABLED": "0",
    "DO_NOT_TRACK": "1",
}


def keep_offline() -> dict[str, str]:
    """Set the switches above where the environment does not set them; returns those set.
    Must run before onnxruntime, huggingface_hub or hf_xet is imported."""
    chosen = {}
    for name, value in OFFLINE_DEFAULTS.items():
        if name not in os.environ:
            os.environ[name] = value
            chosen[name] = value
    return chosen
