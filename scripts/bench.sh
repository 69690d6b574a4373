#!/usr/bin/env bash
# Set up everything (including the benchmark tools), start a virtual microphone and speaker
# (the session and latency benchmarks play audio through them), and run the benchmarks.
#   bash scripts/bench.sh [--quick] [--json] [--only NAME]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh --test >&2

if [ -z "${PULSE_SERVER:-}" ] || ! pactl info >/dev/null 2>&1; then
  . scripts/virtual-audio/audio_up.sh >&2
  trap '. scripts/virtual-audio/audio_down.sh >&2' EXIT
fi
.venv/bin/python -m bench "$@"
