# source this file:  . scripts/virtual-audio/audio_up.sh
# Starts a headless PulseAudio with a virtual speaker and a virtual microphone (see vmic.pa).
export PULSE_RUNTIME_PATH="${PULSE_RUNTIME_PATH:-/tmp/pulse-ci}"
export PULSE_SERVER="unix:${PULSE_RUNTIME_PATH}/native"
mkdir -p "$PULSE_RUNTIME_PATH" && chmod 700 "$PULSE_RUNTIME_PATH"
# a server already running here with the virtual devices (an earlier run) is used, not stopped
PULSE_STARTED=1
if pactl list short sources 2>/dev/null | grep -q virt_mic; then
  PULSE_STARTED=0
else
  pulseaudio --daemonize=yes -n -F "$(dirname "${BASH_SOURCE[0]}")/vmic.pa" \
    --exit-idle-time=-1 --realtime=no --high-priority=no --use-pid-file=yes \
    --log-target=file:"$PULSE_RUNTIME_PATH/pulse.log" </dev/null \
    || { cat "$PULSE_RUNTIME_PATH/pulse.log" >&2; return 1; }
fi
for _i in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
pactl info >/dev/null || { cat "$PULSE_RUNTIME_PATH/pulse.log" >&2; return 1; }
# Readiness: null sinks start in 2-s render blocks; wait until both virtual sources deliver audio in real time
for _src in virt_mic virt_speaker.monitor; do
  for _i in $(seq 20); do
    _s=$(date +%s%N)
    timeout 1 parec -d "$_src" --latency-msec=10 --raw --rate=16000 --channels=1 2>/dev/null | head -c 1600 >/dev/null || true
    [ $(( ($(date +%s%N) - _s) / 1000000 )) -lt 250 ] && break
  done
done
PULSE_PID=$(cat "$PULSE_RUNTIME_PATH/pid")
echo "pulseaudio up (pid $PULSE_PID, $PULSE_SERVER)"
