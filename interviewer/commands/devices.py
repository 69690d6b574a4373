"""`interviewer devices`: sound inputs and outputs (defaults marked), and the speech voices."""

from __future__ import annotations

import click

from interviewer.output import make_console, print_json


@click.command("devices")
@click.option("--voices", is_flag=True, help="Also list the text-to-speech voices.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
def devices(voices: bool, as_json: bool) -> None:
    """List microphones and speakers; use an index or part of a name with --input-device and
    --output-device.

    \b
    Example:  interviewer devices --voices
    """
    from audio import list_devices

    found = list_devices()
    voice_list = []
    if voices:
        from audio import TextToSpeech

        voice_list = TextToSpeech().voices()
    if as_json:
        print_json({"inputs": [vars(d) for d in found if d.is_input],
                    "outputs": [vars(d) for d in found if d.is_output],
                    "voices": [vars(v) for v in voice_list]})
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
            console.print(f" {mark} {device.index:>3}  {device.name} ({device.hostapi}, "
                          f"{channels} ch, {device.default_samplerate:.0f} Hz)"
                          + ("  [green]default[/]" if default else ""))
    if voices:
        console.print("[bold]Voices[/] (use with --voice: an id, a name or a language code)")
        for voice in voice_list:
            console.print(f"   {voice.id}  {voice.name} ({', '.join(voice.languages)})")
