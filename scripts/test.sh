#!/usr/bin/env bash
# Set up everything (including test tools), start a virtual microphone and speaker, run the tests.
#   bash scripts/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh --test

# The audio tests need a sound server; on a headless machine start a private PulseAudio with a
# virtual microphone and speaker, unless one is already reachable.
if [ -z "${PULSE_SERVER:-}" ] || ! pactl info >/dev/null 2>&1; then
  . scripts/virtual-audio/audio_up.sh
  trap '. scripts/virtual-audio/audio_down.sh' EXIT
fi
export INTERVIEWER_REQUIRE_AUDIO=1   # audio tests fail, rather than skip, without a server

.venv/bin/python -m ruff check .
.venv/bin/python -m mypy
.venv/bin/python -m pytest "$@"
