"""Feedback latency: from the end of an answer to its score, idle and with one core kept busy.

What a candidate feels is measured on what they run: `interviewer practice` in a pseudo-
terminal, the answer played into the virtual PulseAudio microphone, Enter pressed the moment
the answer's audio ends, and the clock stopped when the score line appears on the terminal.
Beside it, in the same run and on the same audio, the library underneath: the real recorder
and streaming transcriber on the virtual microphone (or a file source paced like one), with
the transcribe-afterwards baseline, word error rates, and how far the live caption lags
behind the speech.

Every answer (about 30, 60 and 120 s; `--quick`: 30 s) is measured twice: on an idle machine,
and while a child process this benchmark starts and stops keeps one core busy, as a browser
or a video call does on a laptop. A row counts only if its answer was heard (a score above 0).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from bench.common import REPO, table, word_error_rate

if TYPE_CHECKING:
    from audio.tts import Utterance

LOADS = ("idle", "one core busy")
QUESTION = "devsecops-01"
MIC_FEED = "virt_mic_feed"
SCORE_LINE = re.compile(r"devsecops-01: score (\d+) of 100")
CAPTION_SAMPLE_S = 0.1


@contextlib.contextmanager
def core_load(busy: bool) -> Iterator[None]:
    """While the block runs, a child process spins on one core (when `busy`)."""
    child = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None
    try:
        yield
    finally:
        if child is not None:
            child.kill()
            child.wait()


def long_answers(lengths: tuple[int, ...], voice: str = "en-us", rate: int = 150,
                 speak: Callable[[str], Utterance] | None = None,
                 speaker_key: str = "") -> list[dict]:
    """Spoken answers of about the target lengths: sentences of the bank's model answers,
    in order, until there are enough words at `rate` words a minute (cached). `speak`: what
    says a text (espeak-ng's `voice` at `rate` when None), told apart in the cache by
    `speaker_key`."""
    from audio import TextToSpeech, load_audio, write_wav
    from audio.playback import resample
    from bank import load_bank
    from bench.asr_bench import cache_dir

    sentences = [sentence for question in load_bank().questions
                 for sentence in re.split(r"(?<=[.!?])\s+", question.model_answer)]
    answers, cursor, tts = [], 0, None
    for target in lengths:
        words, chosen = 0, []
        while words < target * rate / 60:
            chosen.append(sentences[cursor % len(sentences)])
            words += len(chosen[-1].split())
            cursor += 1
        text = " ".join(chosen)
        key = hashlib.sha1(f"{speaker_key}{voice}{rate}{text}".encode()).hexdigest()[:12]
        path = cache_dir() / "answers" / f"answer-{target}-{key}.wav"
        if not path.exists():
            if speak is None:
                tts = tts or TextToSpeech(voice=voice, rate=rate, out_dir=cache_dir() / "raw")
                speak = tts.render
            utterance = speak(text)
            write_wav(path, resample(utterance.samples, utterance.samplerate, 16000), 16000)
        answers.append({"label": f"{target} s", "audio": load_audio(path), "text": text,
                        "path": path})
    return answers


class CaptionWatch:
    """Samples the live caption (what the candidate sees under the level meter) while the
    answer is spoken: how far behind the speech it is, in seconds."""

    def __init__(self, streamer):
        self.lags: list[float] = []
        self._streamer = streamer
        self._stop = threading.Event()
        self._started = time.perf_counter()  # the recording's time 0, near enough
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(CAPTION_SAMPLE_S):
            until = self._streamer.partial_until_s()
            if until:  # from the first words shown on
                self.lags.append(max(0.0, time.perf_counter() - self._started - until))

    def stop(self) -> list[float]:
        """The lags measured while the speech went on (the answer's trailing silence
        aside, which the caption cannot be behind)."""
        self._stop.set()
        self._thread.join()
        return self.lags


def library_answer(stt, scorer, question, answer: dict, microphone: bool,
                   folder: Path) -> dict:
    """The recorder and streaming transcriber fed an answer at real time; the same recording
    transcribed afterwards is the baseline."""
    from audio import CaptureSettings, Recorder, read_wav
    from audio.sources import ArraySource
    from audio.streaming import StreamingTranscriber
    from interviewer.pipeline import timed_words

    path = folder / f"answer-{time.monotonic_ns()}.wav"
    streamer = StreamingTranscriber(stt)
    if microphone:
        recorder = Recorder(path, CaptureSettings(), listener=streamer)
        recorder.start()
        watch = CaptionWatch(streamer)
        subprocess.run(["paplay", f"--device={MIC_FEED}", str(answer["path"])], check=True)
    else:
        feed = ArraySource(answer["audio"], realtime=True)
        recorder = Recorder(path, CaptureSettings(), listener=streamer, source=feed)
        recorder.start()
        watch = CaptionWatch(streamer)
        feed.done.wait()
    ended = time.perf_counter()  # the candidate presses Enter
    lags = watch.stop()
    recording = recorder.stop()
    transcript = streamer.finish(recording.duration_s, recording.speech_s)
    report = scorer.score_words(timed_words(transcript), question, recording.duration_s)
    streaming = time.perf_counter() - ended
    refined = streamer.refine() or transcript
    scorer.score_words(timed_words(refined), question, recording.duration_s)
    refined_s = time.perf_counter() - ended
    started = time.perf_counter()
    samples, _ = read_wav(path)
    batch = stt.transcribe(samples)
    scorer.score_words(timed_words(batch), question, recording.duration_s)
    batch_s = time.perf_counter() - started
    path.unlink(missing_ok=True)
    speech_end = max((word.end for word in batch.words), default=0.0)
    lags = lags[:max(0, int(speech_end / CAPTION_SAMPLE_S) - 1)]  # while words were said
    return {"streaming_s": streaming, "refined_s": refined_s, "batch_s": batch_s,
            "score": report.score, "caption_lag_p95_s": _percentile(lags, 95),
            "caption_lag_max_s": max(lags, default=None),
            "wer_streaming": word_error_rate([answer["text"]], [transcript.text]),
            "wer_refined": word_error_rate([answer["text"]], [refined.text]),
            "wer_batch": word_error_rate([answer["text"]], [batch.text])}


def practice_answer(answer: dict, folder: Path) -> dict:
    """`interviewer practice` in a pseudo-terminal: Enter when the answer's audio ends, the
    clock stopped when the score line is on the screen."""
    import pexpect

    environment = dict(os.environ, INTERVIEWER_DATA_DIR=str(folder / "data"),
                       XDG_CONFIG_HOME=str(folder / "config"), PYTHONUNBUFFERED="1")
    environment.pop("INTERVIEWER_CONFIG", None)
    command = ["-m", "interviewer", "practice", "--question", QUESTION, "--no-follow-ups",
               "--no-spoken-feedback", "--time-limit", "300"]
    child = pexpect.spawn(sys.executable, command, env=environment, cwd=str(REPO),
                          encoding="utf-8", timeout=300, dimensions=(40, 100))
    try:
        child.expect("REC")  # the recording meter: the candidate may speak
        time.sleep(0.3)
        subprocess.run(["paplay", f"--device={MIC_FEED}", str(answer["path"])], check=True)
        child.send("\r")
        ended = time.perf_counter()
        child.expect(SCORE_LINE)
        waited = time.perf_counter() - ended
        score = float(child.match.group(1))
        child.expect(r"\[q\] quit")  # keys pressed before the listing are not taken
        child.send("q")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    return {"practice_s": waited, "practice_score": score}


def _percentile(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def run(quick: bool = False) -> dict:
    from audio import SpeechToTextOptions, load_speech_to_text
    from bank import load_bank
    from interviewer.judging import scorer_recipe

    bank = load_bank()
    question = bank.get(QUESTION)
    scorer = scorer_recipe().scorer(bank.questions)
    stt = load_speech_to_text(SpeechToTextOptions(glossary=bank.glossary()))
    stt.transcribe(np.zeros(16000, np.float32))  # warm-up
    microphone = pulse_available()
    answers = long_answers((30,) if quick else (30, 60, 120))
    rows = []
    with tempfile.TemporaryDirectory() as temp:
        for load in LOADS:
            with core_load(busy=load != "idle"):
                for answer in answers:
                    row = {"label": answer["label"], "load": load,
                           "source": "virtual microphone" if microphone else "file"}
                    row.update(library_answer(stt, scorer, question, answer, microphone,
                                              Path(temp)))
                    if microphone:
                        row.update(practice_answer(answer, Path(temp) / f"{load}-{len(rows)}"))
                    rows.append(row)
    return {"rows": rows, **summary(rows)}


def summary(rows: list[dict]) -> dict:
    """The headline figures; a row whose answer was not heard (score 0) is left out."""
    result: dict = {}
    for load, suffix in zip(LOADS, ("", "_busy"), strict=True):
        heard = [row for row in rows if row["load"] == load and row["score"] > 0]
        practice = [row["practice_s"] for row in heard if row.get("practice_score")]
        figures = {
            "feedback_latency_p95_s": _percentile(practice, 95),
            "streaming_latency_p95_s": _percentile([row["streaming_s"] for row in heard], 95),
            "feedback_latency_batch_p95_s": _percentile([row["batch_s"] for row in heard], 95),
            "caption_lag_p95_s": _percentile([row["caption_lag_p95_s"] for row in heard
                                              if row["caption_lag_p95_s"] is not None], 95),
            "caption_lag_max_s": max((row["caption_lag_max_s"] for row in heard
                                      if row["caption_lag_max_s"] is not None), default=None),
            "refined_60s_max_s": max((row["refined_s"] for row in heard
                                      if row["label"] == "60 s"), default=None),
        }
        result.update({key + suffix: value for key, value in figures.items()})
        result[f"rows_heard{suffix}"] = [len(heard), sum(row["load"] == load for row in rows)]
    idle = [row for row in rows if row["load"] == "idle"]
    for name in ("wer_streaming", "wer_refined", "wer_batch"):
        result[name] = float(np.mean([row[name] for row in idle])) if idle else None
    return result


def pulse_available() -> bool:
    if not os.environ.get("PULSE_SERVER"):
        return False
    try:
        return subprocess.run(["pactl", "info"], capture_output=True, timeout=5).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def report(results: dict) -> str:
    rows = [[row["label"], row["load"], row["source"], _seconds(row.get("practice_s")),
             _seconds(row["streaming_s"]), _seconds(row["refined_s"]),
             _seconds(row["batch_s"]), _seconds(row["caption_lag_p95_s"]),
             f"{row['score']:.0f}", f"{row['wer_streaming']:.3f}", f"{row['wer_batch']:.3f}"]
            for row in results["rows"]]
    lines = ["Feedback latency: end of the answer to its score (fed at real time)",
             table(rows, ["answer", "load", "source", "practice s", "streaming s",
                          "refined s", "afterwards s", "caption lag p95 s", "score",
                          "WER streaming", "WER afterwards"])]
    for load, suffix in zip(LOADS, ("", "_busy"), strict=True):
        heard, total = results[f"rows_heard{suffix}"]
        lines.append(
            f"{load}: practice p95 {_seconds(results['feedback_latency_p95_s' + suffix])} s, "
            f"library p95 {_seconds(results['streaming_latency_p95_s' + suffix])} s, "
            f"afterwards p95 {_seconds(results['feedback_latency_batch_p95_s' + suffix])} s; "
            f"caption lag p95 {_seconds(results['caption_lag_p95_s' + suffix])} s, max "
            f"{_seconds(results['caption_lag_max_s' + suffix])} s; {heard} of {total} "
            "answers heard")
    lines.append(f"WER (idle): streaming {results['wer_streaming']:.3f}, refined "
                 f"{results['wer_refined']:.3f}, afterwards {results['wer_batch']:.3f}")
    return "\n".join(lines)
