"""`interviewer devices`: sound inputs and outputs (defaults marked), and the speech voices."""

from __future__ import annotations

import click

from interviewer.output import make_console, print_json, shown
from interviewer.settings import setting_options


@click.command("devices")
@setting_options("voice")
@click.option("--voices", is_flag=True,
              help="Also list the text-to-speech engines, which is in use, and their voices.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@click.pass_obj
def devices(app, settings, voices: bool, as_json: bool) -> None:
    """List microphones and speakers: what PortAudio sees (ALSA and USB devices) and the
    sound server's sources and sinks (PulseAudio or PipeWire). Use an index or a name (or
    part of one) with --input and --output-device, or set [devices] input in the settings.

    \b
    Examples:  interviewer devices --voices
               interviewer devices --voices --voice pyttsx3:en-gb-x-rp
    """
    from audio import list_devices
    from audio.devices import server_devices

    found = list_devices()
    served = server_devices("input") + server_devices("output")
    engines, voice_list, chosen, note = [], [], None, None
    if voices:
        from interviewer.speech import voice_engines

        chosen, note, engines = voice_engines(settings, app.paths.cache_dir, list_voices=True)
        voice_list = [voice for state in engines for voice in state.voices]
    if as_json:
        print_json({"inputs": [vars(d) for d in found if d.is_input],
                    "outputs": [vars(d) for d in found if d.is_output],
                    "server_inputs": [vars(d) for d in served if d.kind == "input"],
                    "server_outputs": [vars(d) for d in served if d.kind == "output"],
                    "voices": [vars(v) for v in voice_list],
                    "engines": [{key: value for key, value in vars(state).items()
                                 if key != "voices"} for state in engines],
                    "voice_in_use": {"engine": chosen.engine_name, "voice": chosen.voice_id,
                                     "fallback": note} if chosen else None})
    if not found:
        from audio.devices import NO_AUDIO_HINT
        from audio.errors import AudioDeviceError

        raise AudioDeviceError(NO_AUDIO_HINT)
    if as_json:
        return
    console = make_console()
    for title, kind in (("Inputs (microphones)", "input"), ("Outputs (speakers)", "output")):
        console.print(f"[bold]{title}[/]")
        for device in found:
            if not (device.is_input if kind == "input" else device.is_output):
                continue
            default = device.is_default_input if kind == "input" else device.is_default_output
            channels = device.max_input_channels if kind == "input" else \
                device.max_output_channels
            mark = "*" if default else " "
            console.print(f" {mark} {device.index:>3}  {shown(device.name)} "
                          f"({shown(device.hostapi)}, {channels} ch, "
                          f"{device.default_samplerate:.0f} Hz)"
                          + ("  [green]default[/]" if default else ""))
        listed = [device for device in served if device.kind == kind]
        if listed:
            console.print(f"   sound server {'sources' if kind == 'input' else 'sinks'} "
                          "(by name, through 'pulse'):")
            for device in listed:
                note = " (what an output plays)" if device.is_monitor else ""
                console.print(f"        {shown(device.name)}{note}  [dim]{shown(device.state)}[/]")
    if voices:
        _print_voices(console, chosen, note, engines)


def _print_voices(console, chosen, note, engines) -> None:
    from rich.markup import escape

    console.print("[bold]Voices[/] (--voice ENGINE, ENGINE:VOICE, or a voice id, name or "
                  "language code)")
    console.print(f"  in use: {escape(chosen.describe())}" +
                  (f" [yellow]({escape(note)})[/]" if note else ""))
    for state in engines:
        mark = "*" if state.in_use else " "
        status = "" if state.installed else f" [red]not installed[/]: {escape(state.install)}"
        console.print(f" {mark} [bold]{state.name}[/]: {escape(state.summary)}{status}")
        if state.error:
            console.print(f"     [yellow]{escape(state.error)}[/]")
        for voice in state.voices:
            console.print(f"     {escape(voice.id)}  {escape(voice.name)} "
                          f"({escape(', '.join(voice.languages))})")
