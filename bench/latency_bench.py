"""Feedback latency: from the end of an answer to its score, streaming vs transcribe-afterwards.

Answers of about 30, 60 and 120 s (bank answers spoken by espeak-ng, joined) are fed at real
time into the project's recorder — from a file source paced like a microphone, and through the
virtual PulseAudio microphone where one is running. Streaming decodes stretches while the answer
is "spoken"; the baseline transcribes the finished recording. Both are scored, on the same
audio, in the same run; their word error rates are compared too.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import table, word_error_rate


def long_answers(lengths: tuple[int, ...], voice: str = "en-us", rate: int = 150
                 ) -> list[dict]:
    """Spoken answers of about the target lengths: sentences of the bank's model answers,
    in order, until there are enough words at `rate` words a minute (cached)."""
    import hashlib
    import re

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
        key = hashlib.sha1(f"{voice}{rate}{text}".encode()).hexdigest()[:12]
        path = cache_dir() / "answers" / f"answer-{target}-{key}.wav"
        if not path.exists():
            tts = tts or TextToSpeech(voice=voice, rate=rate, out_dir=cache_dir() / "raw")
            utterance = tts.synthesize(text)
            write_wav(path, resample(utterance.samples, utterance.samplerate, 16000), 16000)
        answers.append({"label": f"{target} s", "audio": load_audio(path), "text": text})
    return answers


def _measure(stt, scorer, question, audio: np.ndarray, source: str, folder: Path) -> dict:
    from audio import CaptureSettings, Recorder, read_wav
    from audio.sources import ArraySource
    from audio.streaming import StreamingTranscriber
    from interviewer.pipeline import timed_words

    path = folder / f"answer-{time.monotonic_ns()}.wav"
    streamer = StreamingTranscriber(stt)
    if source == "file":
        feed = ArraySource(audio, realtime=True)
        recorder = Recorder(path, CaptureSettings(), listener=streamer, source=feed)
        recorder.start()
        feed.done.wait()
    else:  # the virtual microphone: paplay into it, the real recorder on the default input
        from audio import write_wav

        clip = folder / "to-play.wav"
        write_wav(clip, audio, 16000)
        recorder = Recorder(path, CaptureSettings(), listener=streamer)
        recorder.start()
        subprocess.run(["paplay", "--device=virt_mic_feed", str(clip)], check=True)
    ended = time.perf_counter()  # the candidate presses Enter
    recording = recorder.stop()
    transcript = streamer.finish(recording.duration_s, recording.speech_s)
    scorer.score_words(timed_words(transcript), question, duration_s=recording.duration_s)
    streaming_latency = time.perf_counter() - ended
    refined = streamer.refine() or transcript  # the stored transcript, a moment later
    scorer.score_words(timed_words(refined), question, duration_s=recording.duration_s)
    refined_latency = time.perf_counter() - ended

    started = time.perf_counter()  # baseline: transcribe the recording afterwards
    samples, _ = read_wav(path)
    batch = stt.transcribe(samples)
    scorer.score_words(timed_words(batch), question, duration_s=recording.duration_s)
    batch_latency = time.perf_counter() - started
    path.unlink(missing_ok=True)
    return {"streaming_s": streaming_latency, "refined_s": refined_latency,
            "batch_s": batch_latency, "streaming_text": transcript.text,
            "refined_text": refined.text, "batch_text": batch.text,
            "decoded": streamer.decoded, "reused": streamer.reused,
            "duration_s": recording.duration_s}


def pulse_available() -> bool:
    if not os.environ.get("PULSE_SERVER"):
        return False
    try:
        return subprocess.run(["pactl", "info"], capture_output=True, timeout=5).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def run(quick: bool = False) -> dict:
    from audio import SpeechToTextOptions, load_speech_to_text
    from bank import load_bank
    from interviewer.judging import scorer_recipe

    bank = load_bank()
    question = bank.get("devsecops-01")
    scorer = scorer_recipe().scorer(bank.questions)
    stt = load_speech_to_text(SpeechToTextOptions(glossary=bank.glossary()))
    stt.transcribe(np.zeros(16000, np.float32))  # warm-up
    lengths = (30,) if quick else (30, 60, 120)
    sources = ["file"] + (["virtual microphone"] if pulse_available() and not quick else [])
    rows = []
    with tempfile.TemporaryDirectory() as temp:
        for source in sources:
            for answer in long_answers(lengths):
                result = _measure(stt, scorer, question, answer["audio"], source, Path(temp))
                result.update(label=answer["label"], source=source, reference=answer["text"],
                              wer_streaming=word_error_rate([answer["text"]],
                                                            [result["streaming_text"]]),
                              wer_refined=word_error_rate([answer["text"]],
                                                          [result["refined_text"]]),
                              wer_batch=word_error_rate([answer["text"]],
                                                        [result["batch_text"]]))
                rows.append(result)
    streaming = [row["streaming_s"] for row in rows]
    batch = [row["batch_s"] for row in rows]
    references = [row["reference"] for row in rows]
    return {
        "rows": [{key: value for key, value in row.items()
                  if key not in ("reference", "streaming_text", "refined_text", "batch_text")}
                 for row in rows],
        "feedback_latency_p95_s": float(np.percentile(streaming, 95)),
        "feedback_latency_batch_p95_s": float(np.percentile(batch, 95)),
        "wer_streaming": word_error_rate(references, [row["streaming_text"] for row in rows]),
        "wer_refined": word_error_rate(references, [row["refined_text"] for row in rows]),
        "wer_batch": word_error_rate(references, [row["batch_text"] for row in rows]),
        # the 60 s answers: the target is for them
        "refined_60s_max_s": max((row["refined_s"] for row in rows if row["label"] == "60 s"),
                                 default=None),
    }


def report(results: dict) -> str:
    rows = [[row["label"], row["source"], f"{row['duration_s']:.0f}",
             f"{row['streaming_s']:.2f}", f"{row['refined_s']:.2f}", f"{row['batch_s']:.2f}",
             f"{row['decoded']} / {row['reused']}", f"{row['wer_streaming']:.3f}",
             f"{row['wer_refined']:.3f}", f"{row['wer_batch']:.3f}"]
            for row in results["rows"]]
    refined_60 = results.get("refined_60s_max_s")
    return "\n".join([
        "Feedback latency: end of answer to score ready (fed at real time)",
        table(rows, ["answer", "source", "length s", "streaming s", "refined s",
                     "afterwards s", "decoded / reused", "WER streaming", "WER refined",
                     "WER afterwards"]),
        f"p95: streaming {results['feedback_latency_p95_s']:.2f} s, transcribe-afterwards "
        f"{results['feedback_latency_batch_p95_s']:.2f} s; WER streaming "
        f"{results['wer_streaming']:.3f}, refined (stored) {results['wer_refined']:.3f}, "
        f"afterwards {results['wer_batch']:.3f}"
        + (f"; time to refined, 60 s answers: {refined_60:.2f} s" if refined_60 else "")])
