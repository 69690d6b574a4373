"""Sound devices: list them, mark the defaults, pick one by index or by part of its name.

PortAudio (under sounddevice) lists devices once, when it starts: a sound server started later
is not seen by a running process. With no server and no card the list is empty, and every error
here says how to get sound working or how to go on without it.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass

from audio.errors import AudioDeviceError

NO_AUDIO_HINT = ("no sound devices found: start a sound server (PulseAudio or PipeWire) or "
                 "connect a microphone; 'interviewer practice --text' works without one")
NO_OUTPUT_HINT = ("start a sound server (PulseAudio or PipeWire) or connect a speaker or "
                  "headphones; 'interviewer practice --silent' shows the questions as text")
PULSE_ENV = {"input": "PULSE_SOURCE", "output": "PULSE_SINK"}  # libpulse's default device


@dataclass(frozen=True)
class ServerDevice:
    """A source (input) or sink (output) of the PulseAudio or PipeWire sound server, which
    PortAudio reaches through its one "pulse" device."""

    name: str
    kind: str  # "input" or "output"
    driver: str
    state: str

    @property
    def is_monitor(self) -> bool:
        """What an output plays, offered as an input."""
        return self.name.endswith(".monitor")


def server_devices(kind: str) -> list[ServerDevice]:
    """The sound server's sources ("input") or sinks ("output") by `pactl`; empty when there
    is no pactl or no server."""
    if shutil.which("pactl") is None:
        return []
    try:
        listing = subprocess.run(["pactl", "list", "short",
                                  "sources" if kind == "input" else "sinks"],
                                 capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return []
    if listing.returncode != 0:
        return []
    found = []
    for line in listing.stdout.splitlines():
        fields = line.split("\t")
        if len(fields) >= 2:
            found.append(ServerDevice(fields[1], kind, fields[2] if len(fields) > 2 else "",
                                      fields[-1] if len(fields) > 4 else ""))
    return found


@dataclass(frozen=True)
class Device:
    index: int
    name: str
    hostapi: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    is_default_input: bool = False
    is_default_output: bool = False
    server_name: str | None = None  # a sound server's source or sink, reached through it

    @property
    def is_input(self) -> bool:
        return self.max_input_channels > 0

    @property
    def is_output(self) -> bool:
        return self.max_output_channels > 0


def _sounddevice():
    try:
        import sounddevice
    except OSError as error:  # the PortAudio library itself is missing
        raise AudioDeviceError("the PortAudio library is missing: install it (Debian/Ubuntu: "
                               "sudo apt-get install libportaudio2; macOS: brew install "
                               "portaudio)") from error
    _quiet_alsa()
    return sounddevice


_alsa_handler: object = None  # kept alive: ALSA calls it; False: no ALSA


def _quiet_alsa() -> None:
    """Stop libasound printing to the terminal ("underrun occurred" when the machine is busy,
    probing messages) over the interface; real failures still reach us as PortAudio errors."""
    global _alsa_handler
    if _alsa_handler is not None or not sys.platform.startswith("linux"):
        return
    try:
        asound = ctypes.cdll.LoadLibrary("libasound.so.2")
        handler_type = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                                        ctypes.c_int, ctypes.c_char_p)
        _alsa_handler = handler_type(lambda *_args: None)
        asound.snd_lib_error_set_handler(_alsa_handler)
    except (OSError, AttributeError):
        _alsa_handler = False  # no ALSA library: nothing to quieten


def list_devices() -> list[Device]:
    sd = _sounddevice()
    try:
        raw = sd.query_devices()
        apis = sd.query_hostapis()
        default_in, default_out = sd.default.device
    except sd.PortAudioError as error:
        raise AudioDeviceError(f"{NO_AUDIO_HINT} ({error})") from error
    devices = []
    for info in raw:
        index = int(info["index"])
        devices.append(Device(
            index=index, name=str(info["name"]), hostapi=str(apis[info["hostapi"]]["name"]),
            max_input_channels=int(info["max_input_channels"]),
            max_output_channels=int(info["max_output_channels"]),
            default_samplerate=float(info["default_samplerate"]),
            is_default_input=index == default_in, is_default_output=index == default_out))
    return devices


def find_device(spec: int | str | None, kind: str) -> Device:
    """The input or output device named by `spec` (an index, or part of a name), or the
    default one when `spec` is None. `kind` is "input" or "output"."""
    devices = list_devices()
    usable = [device for device in devices
              if (device.is_input if kind == "input" else device.is_output)]
    if not usable:
        hint = NO_AUDIO_HINT.split(": ", 1)[1] if kind == "input" else NO_OUTPUT_HINT
        raise AudioDeviceError(f"no {kind} device: " + hint)
    if spec is None or str(spec).strip() == "":
        default = next((device for device in usable if (
            device.is_default_input if kind == "input" else device.is_default_output)), None)
        return default or usable[0]
    text = str(spec).strip()
    if text.isdigit():
        index = int(text)
        for device in usable:
            if device.index == index:
                return device
        raise AudioDeviceError(f"no {kind} device with index {index}; "
                               "'interviewer devices' lists them")
    matches = [device for device in usable if text.lower() in device.name.lower()]
    exact = [device for device in matches if device.name.lower() == text.lower()]
    if exact:
        return exact[0]
    served = _server_device(text, kind, usable)
    if served is not None:
        return served
    if matches:
        return matches[0]
    names = ", ".join([f"{device.index}: {device.name}" for device in usable[:8]] +
                      [device.name for device in server_devices(kind)[:8]])
    raise AudioDeviceError(f"no {kind} device matches '{text}'; available: {names}")


def _server_device(text: str, kind: str, usable: list[Device]) -> Device | None:
    """The sound server's source or sink named `text` (or the one whose name holds it), as
    PortAudio's "pulse" device with that source or sink made its default: libpulse reads
    PULSE_SOURCE and PULSE_SINK when a stream is opened."""
    pulse = next((device for device in usable if device.name == "pulse"), None)
    if pulse is None:
        return None
    served = server_devices(kind)
    chosen = next((device for device in served if device.name == text), None) or next(
        (device for device in served if text.lower() in device.name.lower()), None)
    if chosen is None:
        return None
    os.environ[PULSE_ENV[kind]] = chosen.name
    return Device(pulse.index, chosen.name, f"{pulse.hostapi} via the sound server",
                  pulse.max_input_channels, pulse.max_output_channels,
                  pulse.default_samplerate, server_name=chosen.name)
