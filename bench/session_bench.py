"""A whole practice session, as a candidate runs it: time to the first question's audio, peak
memory, and how fast the commands that need no speech model start.

`interviewer practice` runs as a separate process on the virtual PulseAudio devices (see
scripts/virtual-audio): the first question's audio is detected on the virtual speaker's monitor,
so the figure is when sound really starts, not when the program thinks it does. An answer is
then played into the virtual microphone, and the process's peak resident memory is read from
the kernel when it exits. The default backend (faster-whisper) and the openai-whisper backend run
side by side on the same question and answer. The answer is spoken by the neural voice at the
default rate, and the session's figures are reported only when its stored transcript is close
to what was said (`was_heard`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from bench.common import neural_voice, table, word_error_rate

SPEAKER_MONITOR = "virt_speaker.monitor"
MIC_FEED = "virt_mic_feed"
QUESTION = "devsecops-01"
# the session's figures count only if its answer was really heard: transcribed this well
# and scored above 0 (an answer played while the question was still spoken was not)
MAX_SESSION_WER = 0.3
ANSWER_RATE = 165  # words a minute: the default rate setting


def _interviewer() -> list[str]:
    return [sys.executable, "-m", "interviewer"]


class SoundWatcher:
    """Records the virtual speaker's monitor and notes when sound first arrives."""

    def __init__(self, threshold: float = 0.01):
        self.threshold = threshold
        self.first_sound: float | None = None
        self._process = subprocess.Popen(
            ["parec", f"--device={SPEAKER_MONITOR}", "--raw", "--format=float32le",
             "--rate=16000", "--channels=1", "--latency-msec=10"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        while True:
            data = self._process.stdout.read(320 * 4)  # 20 ms
            if not data:
                return
            block = np.frombuffer(data[: len(data) // 4 * 4], dtype=np.float32)
            if self.first_sound is None and block.size and \
                    float(np.abs(block).max()) > self.threshold:
                self.first_sound = time.perf_counter()

    def close(self) -> None:
        self._process.terminate()
        self._process.wait()


class PeakMemory:
    """The kernel's high-water mark of a process's resident memory (VmHWM), read until it
    exits. (The rusage of a child is no good here: it starts from the benchmark's own size.)"""

    def __init__(self, pid: int):
        self.mb: float | None = None
        self._path = Path(f"/proc/{pid}/status")
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        while True:
            try:
                text = self._path.read_text()
            except OSError:
                return  # the process is gone
            for line in text.splitlines():
                if line.startswith("VmHWM:"):
                    self.mb = int(line.split()[1]) / 1024
            if "State:\tZ" in text:
                return
            time.sleep(0.05)

    def join(self) -> None:
        self._thread.join(5)


def _answer_clip(folder: Path, seconds: int) -> tuple[Path, str]:
    """The answer played into the microphone, and the text it says: the neural voice at the
    default rate (espeak-ng's jargon is mis-heard too often for the session to count)."""
    from audio import write_wav
    from audio.tts_neural import MODEL_SHA256, RENDER_VERSION
    from bench.latency_bench import long_answers

    voice = None

    def speak(text: str):
        nonlocal voice
        voice = voice or neural_voice(ANSWER_RATE)
        return voice.render(text)

    answer = long_answers((seconds,), voice="neural", rate=ANSWER_RATE, speak=speak,
                          speaker_key=f"{MODEL_SHA256[:12]}{RENDER_VERSION}")[0]
    path = folder / "answer.wav"
    write_wav(path, answer["audio"], 16000)
    return path, answer["text"]


def practice_session(backend: str, answer: Path, reference: str, folder: Path) -> dict:
    """One practice session of one question: first-question delay and peak memory."""
    environment = dict(os.environ, INTERVIEWER_DATA_DIR=str(folder / f"data-{backend}"),
                       XDG_CONFIG_HOME=str(folder / "config"),  # no settings file: defaults
                       PYTHONUNBUFFERED="1")
    environment.pop("INTERVIEWER_CONFIG", None)
    command = _interviewer() + ["practice", "--question", QUESTION, "--backend", backend,
                                "--silence-stop", "1.5", "--no-follow-ups",
                                "--no-spoken-feedback", "--plain"]
    watcher = SoundWatcher()
    time.sleep(0.3)  # let the monitor stream settle before the clock starts
    started = time.perf_counter()
    process = subprocess.Popen(command, env=environment, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output: list[bytes] = []
    prompted = threading.Event()  # the recording prompt is on screen: the candidate may speak

    def read() -> None:
        for line in process.stdout:
            output.append(line)
            if line.startswith(b"Recording."):
                prompted.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    peak = PeakMemory(process.pid)
    deadline = started + 60
    while watcher.first_sound is None and time.perf_counter() < deadline and \
            process.poll() is None:
        time.sleep(0.01)
    first_question = watcher.first_sound - started if watcher.first_sound else None
    watcher.close()
    # the answer: after the recording prompt (it follows the spoken question) and once the
    # recorder's stream is open, as a candidate would, a moment later
    recording_seen = prompted.wait(90) and _wait_for_recording(process, 30)
    if recording_seen:
        time.sleep(0.4)
        subprocess.run(["paplay", f"--device={MIC_FEED}", str(answer)], check=True)
    process.wait()
    peak.join()
    reader.join(5)
    text = b"".join(output).decode("utf-8", "replace")
    history = subprocess.run(_interviewer() + ["history", "--json"], env=environment,
                             capture_output=True, text=True)
    answers = json.loads(history.stdout)["answers"] if history.returncode == 0 else []
    stored = answers[0] if answers else {}
    wer, heard = was_heard(stored, reference)
    return {"backend": backend, "first_question_s": first_question,
            "peak_rss_mb": peak.mb, "exit": process.returncode,
            "recording_seen": recording_seen, "scored": stored.get("status") == "scored",
            "score": stored.get("score"), "wer": wer, "transcript_pass":
            stored.get("transcript_pass"), "heard": heard, "output_tail": text[-600:]}


def was_heard(stored: dict, reference: str) -> tuple[float | None, bool]:
    """The stored answer's WER against what was played, and whether the answer was really
    heard: scored above 0 with its transcript within MAX_SESSION_WER (an answer played while
    the question was still spoken, or mis-heard, does not count)."""
    wer = word_error_rate([reference], [stored["transcript"]]) \
        if stored.get("transcript") else None
    heard = stored.get("status") == "scored" and (stored.get("score") or 0) > 0 and \
        wer is not None and wer <= MAX_SESSION_WER
    return wer, heard


def _wait_for_recording(process: subprocess.Popen, timeout: float) -> bool:
    """True once the recorder's input stream is open (PulseAudio lists it as a source
    output), so the answer is not played before anyone listens."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline and process.poll() is None:
        listed = subprocess.run(["pactl", "list", "short", "source-outputs"],
                                capture_output=True, text=True).stdout
        if listed.strip():
            return True
        time.sleep(0.05)
    return False


def command_startup(repeats: int = 3) -> list[dict]:
    """Wall time of commands that must not load the speech model, against bare Python."""
    commands = {
        "python -c pass (floor)": [sys.executable, "-c", "pass"],
        "interviewer bank list": _interviewer() + ["bank", "list"],
        "interviewer history": _interviewer() + ["history"],
        "interviewer score": _interviewer() + ["score", "--question", QUESTION,
                                               "static analysis and secret scanning"],
    }
    rows = []
    with tempfile.TemporaryDirectory() as temp:
        environment = dict(os.environ, INTERVIEWER_DATA_DIR=temp,
                           XDG_CONFIG_HOME=str(Path(temp) / "config"))
        environment.pop("INTERVIEWER_CONFIG", None)
        for label, command in commands.items():
            subprocess.run(command, env=environment, capture_output=True)  # warm the caches
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                subprocess.run(command, env=environment, capture_output=True, check=True)
                times.append(time.perf_counter() - started)
            rows.append({"command": label, "seconds": float(np.median(times))})
    return rows


def run(quick: bool = False) -> dict:
    from bench.latency_bench import pulse_available

    results: dict = {"startup": command_startup(3 if quick else 5), "sessions": [],
                     "answer_voice": f"neural voice, {ANSWER_RATE} words a minute"}
    if not pulse_available():
        results["skipped"] = "no PulseAudio server: run scripts/bench.sh (it starts one)"
        return results
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        answer, reference = _answer_clip(folder, 15 if quick else 30)
        for backend in ("faster-whisper", "openai-whisper"):
            results["sessions"].append(practice_session(backend, answer, reference, folder))
    default = results["sessions"][0]
    if default["heard"]:
        results["first_question_s"] = default["first_question_s"]
        results["practice_peak_rss_mb"] = default["peak_rss_mb"]
    else:
        results["not_counted"] = "the faster-whisper session's answer was not heard " \
            f"(WER {default['wer']}, score {default['score']}): its figures are not reported"
    return results


def report(results: dict) -> str:
    lines = ["Start-up of commands that need no speech model (median wall time)",
             table([[row["command"], f"{row['seconds']:.2f}"] for row in results["startup"]],
                   ["command", "seconds"])]
    if results.get("skipped"):
        lines.append(f"practice session: skipped ({results['skipped']})")
        return "\n".join(lines)
    rows = [[row["backend"],
             f"{row['first_question_s']:.2f}" if row["first_question_s"] else "no sound",
             f"{row['peak_rss_mb']:.0f}" if row["peak_rss_mb"] else "?",
             f"{row['score']:.1f}" if row["score"] is not None else "NO",
             f"{row['wer']:.3f}" if row["wer"] is not None else "-",
             row["transcript_pass"] or "-", "yes" if row["heard"] else "NO", str(row["exit"])]
            for row in results["sessions"]]
    voice = results.get("answer_voice", "espeak-ng")
    lines += ["", f"Practice session of one spoken answer ({voice}; virtual microphone and "
              "speaker), played after the recording prompt; its figures count only when the "
              f"stored transcript's WER is at most {MAX_SESSION_WER:g} and it scored above 0",
              table(rows, ["backend", "first question s", "peak RSS MB", "score",
                           "WER stored", "pass", "heard", "exit"])]
    if results.get("not_counted"):
        lines.append(f"NOT COUNTED: {results['not_counted']}")
    return "\n".join(lines)
