"""`interviewer doctor`: check everything a session needs, and say how to fix what fails."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import click

from interviewer.output import make_console, print_json

MIN_FREE_MB = 200


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    optional: bool = False  # informational: does not fail the doctor


def _run(name: str, function: Callable[[], tuple[bool, str, str]], optional: bool = False
         ) -> Check:
    from audio.errors import AudioError
    from bank import BankError
    from interviewer.errors import UserError

    try:
        ok, detail, fix = function()
    except (AudioError, BankError, UserError) as error:  # these messages say it all
        ok, detail, fix = False, str(error), ""
    except Exception as error:  # every failure becomes a finding, never a traceback
        ok, detail, fix = False, f"{type(error).__name__}: {error}", ""
    return Check(name, ok, detail, fix, optional)


@click.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@click.pass_obj
def doctor(app, as_json) -> None:
    """Check the settings, bank, data folder, speech engine, microphone, speaker and the
    speech-to-text model; exits 1 if any check fails, printing the fix for each.

    \b
    Example:  interviewer doctor
    """
    paths = app.paths
    checks: list[Check] = []
    holder: dict = {}

    def settings_check():
        settings = app.settings
        holder["settings"] = settings
        where = paths.config_file if paths.config_file.exists() else \
            f"{paths.config_file} (not present: defaults)"
        return True, f"{where}", ""

    checks.append(_run("settings", settings_check))
    settings = holder.get("settings")
    if settings is None:
        from interviewer.settings import Settings

        settings = Settings()
        checks[-1].fix = f"fix or remove {paths.config_file}"

    def bank_check():
        from bank import load_bank

        bank = load_bank(settings.bank)
        holder["bank"] = bank
        return True, f"{bank.title} ({bank.id} v{bank.version}, {len(bank.questions)} " \
                     f"questions) from {bank.source}", ""

    checks.append(_run("question bank", bank_check))
    if "bank" not in holder:
        checks[-1].fix = f"run 'interviewer bank validate {settings.bank}'"

    def data_check():
        folder = paths.data_dir
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".doctor-write-test"
        probe.write_text("ok")
        probe.unlink()
        free = shutil.disk_usage(folder).free / 2**20
        if free < MIN_FREE_MB:
            return False, f"{folder}: only {free:.0f} MB free", \
                "free some space or use --data-dir on another disk"
        return True, f"{folder} (writable, {free / 1024:.1f} GB free)", ""

    checks.append(_run("data folder", data_check))
    if not checks[-1].ok and not checks[-1].fix:
        checks[-1].fix = "choose a writable folder with --data-dir or INTERVIEWER_DATA_DIR"

    def speech_engine_check():
        from audio import TextToSpeech

        tts = TextToSpeech(voice=settings.voice or None, rate=settings.rate,
                           out_dir=paths.cache_dir / "doctor")
        utterance = tts.synthesize("Testing.")
        voice = tts.engine.getProperty("voice")
        return True, f"pyttsx3 voice {voice}, {utterance.duration:.1f} s test utterance", ""

    checks.append(_run("speech engine", speech_engine_check))
    if not checks[-1].ok:
        from audio.tts import install_hint

        checks[-1].fix = install_hint() + "; or pick another --voice"

    for kind, setting in (("input", settings.input_device), ("output", settings.output_device)):
        def device_check(kind=kind, setting=setting):
            from audio import find_device

            device = find_device(setting or None, kind)
            return True, f"{device.index}: {device.name} ({device.hostapi})", ""

        checks.append(_run(f"{kind} device", device_check))
        if not checks[-1].ok:
            checks[-1].fix = ("start a sound server or connect a device; 'interviewer "
                              "devices' lists them" + ("; 'interviewer practice --text' needs "
                                                       "no microphone" if kind == "input"
                                                       else ""))

    def model_check():
        import numpy as np

        from audio import load_speech_to_text
        from interviewer.speech import speech_options

        bank = holder.get("bank")
        if bank is None:
            from bank import load_bank

            bank = load_bank()
        notes: list[str] = []
        started = time.perf_counter()
        stt = load_speech_to_text(speech_options(settings, bank, paths.cache_dir),
                                  on_status=notes.append)
        loaded = time.perf_counter() - started
        stt.transcribe(np.zeros(16000, dtype=np.float32))
        detail = f"{stt.backend}, {stt.model_label}, loaded in {loaded:.1f} s"
        fallback = [note for note in notes if note.startswith("cannot fetch")]
        if fallback:
            return False, detail + f" ({fallback[0]})", "pass --model with a local folder, " \
                                                         "or leave it out for tiny.en"
        return True, detail, ""

    checks.append(_run("speech-to-text", model_check))
    if not checks[-1].ok and not checks[-1].fix:
        checks[-1].fix = "reinstall with scripts/setup.sh, or choose --backend faster-whisper"

    def openai_check():
        try:
            import whisper  # noqa: F401
        except ImportError:
            return False, "not installed (optional)", \
                "pip install 'interview-simulator[openai-whisper]' to use --backend " \
                "openai-whisper"
        return True, "installed", ""

    checks.append(_run("openai-whisper backend", openai_check,
                       optional=settings.backend != "openai-whisper"))

    failed = [check for check in checks if not check.ok and not check.optional]
    if as_json:
        print_json({"ok": not failed, "python": sys.version.split()[0],
                    "checks": [vars(check) for check in checks]})
    else:
        from rich.markup import escape

        console = make_console()
        for check in checks:
            mark = "[green]ok[/]  " if check.ok else ("[yellow]info[/]" if check.optional
                                                       else "[red]FAIL[/]")
            console.print(f"{mark} {check.name}: {escape(check.detail)}")
            if not check.ok and check.fix:
                console.print(f"      fix: {escape(check.fix)}")
        console.print("All checks passed." if not failed else
                      f"{len(failed)} check(s) failed.")
    if failed:
        raise click.exceptions.Exit(1)
