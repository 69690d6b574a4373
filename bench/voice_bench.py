"""The interviewer's voice: the neural voice against espeak-ng (pyttsx3) on the same texts.

- load: checking the voice model's SHA-256 (without and with the stamp) and loading it;
- speed: real-time factor for a ~4 s and a ~20 s text (cache off, best of 3);
- first sound: from `Speaker.say` to the first samples handed to the sound device (virtual
  speaker), sentence by sentence, with nothing cached and with the text cached;
- by ear proxy: bank model answers spoken by each engine and transcribed by the project's
  Whisper (bundled tiny.en, no glossary), word error rate per paragraph;
- natural rate: the neural voice's words a minute at length_scale 1 (what `--rate` maps from);
- practice: `interviewer practice` started as a process, time until its first question is
  heard on the virtual speaker's monitor, with an empty cache and again with the cache filled.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import table, word_error_rate

WER_QUESTIONS = ("devsecops-03", "devsecops-08", "devsecops-16", "devsecops-01")
SHORT_TEXT = "How do you keep secrets out of a repository and its container images?"
RATE = 165  # the default setting


def _paragraph(text: str, sentences: int) -> str:
    return ". ".join(text.split(". ")[:sentences]).rstrip(".") + "."


def _engines(cache_dir: Path | None):
    from audio.tts_neural import NeuralVoice
    from audio.tts_pyttsx3 import Pyttsx3Voice

    return {"neural": NeuralVoice(rate=RATE, cache_dir=cache_dir),
            "espeak-ng": Pyttsx3Voice(voice="en-us", rate=RATE)}


def load_times() -> dict:
    from audio.tts_neural import MODEL_SHA256, _session, load_voice_model

    with tempfile.TemporaryDirectory() as temp:
        started = time.perf_counter()
        voice = load_voice_model(Path(temp))  # hashes the model, writes the stamp
        hashed = time.perf_counter() - started
        started = time.perf_counter()
        load_voice_model(Path(temp))
        stamped = time.perf_counter() - started
    started = time.perf_counter()
    _session(voice.model)
    session = time.perf_counter() - started
    return {"verify_s": hashed, "verify_with_stamp_s": stamped, "session_load_s": session,
            "sha256": MODEL_SHA256}


def speed(texts: dict[str, str]) -> list[dict]:
    rows = []
    for name, engine in _engines(None).items():
        for label, text in texts.items():
            runs, duration = [], 0.0
            for _ in range(3):
                started = time.perf_counter()
                duration = engine.render(text).duration
                runs.append(time.perf_counter() - started)
            rows.append({"engine": name, "text": label, "audio_s": duration,
                         "synth_s": min(runs), "rtf": min(runs) / duration})
    return rows


def first_sound(text: str) -> list[dict]:
    """Time from say() to the first samples given to the (virtual) speaker."""
    from audio import Speaker

    rows = []
    with tempfile.TemporaryDirectory() as temp:
        for name, engine in _engines(Path(temp)).items():
            speaker = Speaker(engine)
            for state in ("nothing cached", "cached"):
                if engine.cache is None and state == "cached":
                    continue
                started = time.perf_counter()
                speaker.say(text)
                rows.append({"engine": name, "state": state,
                             "first_audio_s": speaker.first_audio_s,
                             "say_s": time.perf_counter() - started})
    return rows


def by_ear(bank, questions: tuple[str, ...]) -> list[dict]:
    from audio import SpeechToTextOptions, load_speech_to_text
    from audio.playback import resample
    from audio.tts_neural import NeuralVoice

    plain = load_speech_to_text(SpeechToTextOptions())
    # as a session hears it: biased towards the bank's terms
    biased = load_speech_to_text(SpeechToTextOptions(glossary=bank.glossary()))
    engines = _engines(None)
    engines["neural, demo candidate"] = NeuralVoice(rate=150, second_voice=True)
    rows = []
    for qid in questions:
        text = bank.get(qid).model_answer
        for name, engine in engines.items():
            utterance = engine.render(text)
            audio = resample(utterance.samples, utterance.samplerate, 16000)
            heard, heard_biased = plain.transcribe(audio).text, biased.transcribe(audio).text
            rows.append({"question": qid, "engine": name, "audio_s": utterance.duration,
                         "wer": word_error_rate([text], [heard]),
                         "wer_glossary": word_error_rate([text], [heard_biased]),
                         "heard": heard})
    return rows


def natural_rate(bank) -> dict:
    from audio.tts_neural import NeuralVoice

    voice = NeuralVoice()  # length_scale 1: the voice's own pace
    words = seconds = 0.0
    for question in bank.questions:
        words += len(question.model_answer.split())
        seconds += voice.render(question.model_answer).duration
    rate_165 = NeuralVoice(rate=165)
    sample = bank.questions[0].model_answer
    measured = len(sample.split()) / rate_165.render(sample).duration * 60
    return {"answers": len(bank.questions), "natural_wpm": words / seconds * 60,
            "wpm_at_rate_165": measured}


def practice_start(runs: int = 3) -> list[dict]:
    """`interviewer practice` as a process: when its first question is heard."""
    from bench.session_bench import SoundWatcher

    rows = []
    with tempfile.TemporaryDirectory() as temp:
        environment = dict(os.environ, INTERVIEWER_DATA_DIR=str(Path(temp) / "data"),
                           INTERVIEWER_CACHE_DIR=str(Path(temp) / "cache"),
                           XDG_CONFIG_HOME=str(Path(temp) / "config"), PYTHONUNBUFFERED="1")
        environment.pop("INTERVIEWER_CONFIG", None)
        command = [sys.executable, "-m", "interviewer", "practice", "-q", "devsecops-01",
                   "--plain", "--no-follow-ups", "--no-spoken-feedback"]
        for run in range(runs):
            watcher = SoundWatcher()
            time.sleep(0.3)
            started = time.perf_counter()
            process = subprocess.Popen(command, env=environment, stdin=subprocess.DEVNULL,
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            while watcher.first_sound is None and process.poll() is None and \
                    time.perf_counter() < started + 60:
                time.sleep(0.01)
            heard = watcher.first_sound - started if watcher.first_sound else None
            watcher.close()
            time.sleep(8)  # the question is spoken to its end, and so cached
            process.terminate()
            output = process.communicate(timeout=30)[0].decode("utf-8", "replace")
            rows.append({"run": run + 1, "cache": "empty" if run == 0 else "filled",
                         "first_question_s": heard, "output_head": output[:300]})
    return rows


def run(quick: bool = False) -> dict:
    from bank import load_bank
    from bench.latency_bench import pulse_available

    bank = load_bank()
    paragraph = _paragraph(bank.get("devsecops-08").model_answer, 3)
    results: dict = {"load": load_times(),
                     "speed": speed({"short": SHORT_TEXT, "paragraph": paragraph})}
    results["by_ear"] = by_ear(bank, WER_QUESTIONS[:3] if quick else WER_QUESTIONS)
    for engine in {row["engine"] for row in results["by_ear"]}:
        rows = [row for row in results["by_ear"] if row["engine"] == engine]
        results[f"wer_{engine}"] = float(np.mean([row["wer"] for row in rows]))
        results[f"wer_glossary_{engine}"] = float(np.mean([row["wer_glossary"]
                                                           for row in rows]))
    if not quick:
        results["natural_rate"] = natural_rate(bank)
    if pulse_available():
        results["first_sound"] = first_sound(f"Welcome. First question. {SHORT_TEXT}")
        results["practice"] = practice_start()
        cached = [row["first_question_s"] for row in results["practice"]
                  if row["cache"] == "filled" and row["first_question_s"]]
        if cached:
            results["first_question_cached_s"] = max(cached)
    else:
        results["skipped"] = "no PulseAudio server: run scripts/bench.sh (it starts one)"
    return results


def report(results: dict) -> str:
    load = results["load"]
    lines = [f"Neural voice: SHA-256 check {load['verify_s']:.2f} s (with the stamp "
             f"{load['verify_with_stamp_s'] * 1000:.1f} ms), model load "
             f"{load['session_load_s']:.2f} s",
             table([[row["engine"], row["text"], f"{row['audio_s']:.1f}",
                     f"{row['synth_s']:.2f}", f"{row['rtf']:.3f}"] for row in results["speed"]],
                   ["engine", "text", "audio s", "synthesis s", "real-time factor"]),
             "", "Whisper tiny.en (bundled) on each engine's speech",
             table([[row["question"], row["engine"], f"{row['audio_s']:.1f}",
                     f"{row['wer']:.3f}", f"{row['wer_glossary']:.3f}"]
                    for row in results["by_ear"]],
                   ["question", "engine", "audio s", "WER", "WER with the glossary"])]
    lines += [f"mean {key.replace('_', ' ')}: {value:.3f}".replace("wer", "WER")
              for key, value in results.items() if key.startswith("wer_")]
    if "natural_rate" in results:
        rate = results["natural_rate"]
        lines.append(f"neural voice's natural rate over {rate['answers']} answers: "
                     f"{rate['natural_wpm']:.0f} words a minute (at --rate 165: "
                     f"{rate['wpm_at_rate_165']:.0f})")
    if results.get("skipped"):
        lines.append(f"first sound and practice start: skipped ({results['skipped']})")
        return "\n".join(lines)
    lines += ["", "From say() to the first sound (virtual speaker), sentence by sentence",
              table([[row["engine"], row["state"], f"{row['first_audio_s']:.3f}"
                      if row["first_audio_s"] is not None else "no sound",
                      f"{row['say_s']:.2f}"] for row in results["first_sound"]],
                    ["engine", "state", "first audio s", "whole say() s"]),
              "", "interviewer practice: start to the first question heard",
              table([[str(row["run"]), row["cache"], f"{row['first_question_s']:.2f}"
                      if row["first_question_s"] else "no sound"]
                     for row in results["practice"]], ["run", "speech cache", "seconds"])]
    return "\n".join(lines)
