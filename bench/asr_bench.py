"""Speech-to-text side by side: faster-whisper and openai-whisper on the same audio.

Audio: espeak-ng (through pyttsx3) speaking bank model answers in two voices, plus real speech
(../shared/eval/speech/jfk.flac) where present. Each configuration runs in its own process, so
load time and peak memory are its own. Also measured here: the effect of the glossary prompt
and of the chunk length, and the concept-matching fuzzy threshold on real recogniser output.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from bench.common import REPO, shared_dir, table, word_error_rate
from bench.common import normalise_for_wer as normalise

VOICES = (("en-us", 150), ("en-gb-x-rp", 150))


def cache_dir() -> Path:
    path = Path(os.environ.get("INTERVIEWER_BENCH_CACHE",
                               Path(tempfile.gettempdir()) / "interviewer-bench"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def make_clips(question_ids: list[str],
               voices: tuple[tuple[str, int], ...] = VOICES) -> list[dict]:
    """16 kHz WAV clips of model answers (cached), and the real-speech sample."""
    from audio import TextToSpeech, write_wav
    from audio.playback import resample
    from bank import load_bank

    bank = load_bank()
    clips = []
    folder = cache_dir() / "clips"
    for voice, rate in voices:
        tts = None
        for qid in question_ids:
            path = folder / f"{qid}-{voice}-{rate}.wav"
            text = bank.get(qid).model_answer
            if not path.exists():
                tts = tts or TextToSpeech(voice=voice, rate=rate, out_dir=folder / "raw")
                utterance = tts.synthesize(text)
                write_wav(path, resample(utterance.samples, utterance.samplerate, 16000), 16000)
            clips.append({"path": str(path), "text": text, "question_id": qid, "voice": voice})
    shared = shared_dir()
    if shared and (shared / "eval" / "speech" / "jfk.flac").exists():
        clips.append({"path": str(shared / "eval" / "speech" / "jfk.flac"),
                      "text": "And so my fellow Americans, ask not what your country can do "
                              "for you, ask what you can do for your country.",
                      "question_id": None, "voice": "real speech"})
    return clips


def run_worker(config: dict, clips: list[dict]) -> dict:
    """Transcribe every clip in a fresh process; returns timings, transcripts and peak RSS."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"config": config, "clips": clips}, handle)
        job = handle.name
    try:
        result = subprocess.run([sys.executable, "-m", "bench.asr_worker", job],
                                capture_output=True, text=True, cwd=REPO, timeout=3600)
    finally:
        os.unlink(job)
    if result.returncode != 0:
        return {"error": result.stderr.strip().splitlines()[-1] if result.stderr else "failed"}
    return json.loads(result.stdout.strip().splitlines()[-1])


def jargon_recall(clips: list[dict], transcripts: list[str], glossary: list[str]) -> tuple[int,
                                                                                          int]:
    hits = total = 0
    for clip, text in zip(clips, transcripts, strict=True):
        reference, heard = normalise(clip["text"]), normalise(text)
        for term in glossary:
            pattern = r"\b" + re.escape(normalise(term)) + r"\b"
            if normalise(term) and re.search(pattern, reference):
                total += 1
                hits += bool(re.search(pattern, heard))
    return hits, total


def fuzzy_threshold_sweep(clips: list[dict], transcripts: list[str]) -> list[dict]:
    """Concept recall on recognised speech vs. spelling-tolerance threshold, and how often the
    tolerance invents a concept in other questions' answers."""
    from bank import load_bank
    from interviewer.judging import scorer_recipe

    bank = load_bank()
    exact = scorer_recipe(fuzzy_threshold=100.0).scorer(bank.questions)
    spoken = [(clip["question_id"], text) for clip, text in zip(clips, transcripts, strict=True)
              if clip["question_id"]]
    rows = []
    for threshold in (80.0, 84.0, 86.0, 88.0, 90.0, 92.0, 95.0, 100.0):
        scorer = scorer_recipe(fuzzy_threshold=threshold).scorer(bank.questions)
        found = total = invented = chances = 0
        for qid, text in spoken:
            question = bank.get(qid)
            report = scorer.score_text(text, question)
            found += len(report.covered)
            total += len(report.concepts)
            for other in bank.questions[::4]:
                if other.id == qid:
                    continue
                in_text = {c.name for c in exact.score_text(bank.get(qid).model_answer,
                                                       other).covered}
                heard = {c.name for c in scorer.score_text(text, other).covered}
                invented += len(heard - in_text)
                chances += len(other.concepts)
        rows.append({"threshold": threshold, "recall": found / total,
                     "invented_rate": invented / max(1, chances)})
    return rows


def run(quick: bool = False) -> dict:
    from bank import load_bank

    bank = load_bank()
    ids = [q.id for q in bank.questions][:: 12 if quick else 3]
    clips = make_clips(ids, VOICES[:1] if quick else VOICES)
    glossary = list(bank.glossary())
    configs = [
        ("faster-whisper", {"backend": "faster-whisper", "glossary": glossary}),
        ("openai-whisper", {"backend": "openai-whisper", "glossary": glossary}),
        ("faster-whisper, no glossary", {"backend": "faster-whisper", "glossary": []}),
    ]
    if not quick:
        configs.append(("faster-whisper, 30 s chunks",
                        {"backend": "faster-whisper", "glossary": glossary, "max_chunk_s": 30}))
    audio_seconds = None
    results = {}
    for label, config in configs:
        outcome = run_worker(config, clips)
        if "error" in outcome:
            results[label] = outcome
            continue
        texts = outcome["transcripts"]
        synthetic = [i for i, clip in enumerate(clips) if clip["question_id"]]
        audio_seconds = outcome["audio_seconds"]
        hits, total = jargon_recall([clips[i] for i in synthetic], [texts[i] for i in synthetic],
                                    glossary)
        results[label] = {
            "load_s": outcome["load_s"], "rtf": outcome["transcribe_s"] / audio_seconds,
            "wer": word_error_rate([clips[i]["text"] for i in synthetic],
                                   [texts[i] for i in synthetic]),
            "wer_real_speech": word_error_rate([clips[-1]["text"]], [texts[-1]])
            if clips[-1]["question_id"] is None else None,
            "peak_rss_mb": outcome["peak_rss_mb"], "jargon_hits": hits, "jargon_total": total,
            "transcripts": texts}
    fw, ow = results.get("faster-whisper", {}), results.get("openai-whisper", {})
    summary = {"clips": len(clips), "audio_seconds": audio_seconds, "configs": results}
    if "rtf" in fw and "rtf" in ow:
        summary["asr_speedup_fw_over_ow"] = ow["rtf"] / fw["rtf"]
    if "transcripts" in fw:
        summary["fuzzy_sweep"] = fuzzy_threshold_sweep(clips, fw["transcripts"])
    return summary


def report(results: dict) -> str:
    rows = []
    for label, data in results["configs"].items():
        if "error" in data:
            rows.append([label, "failed: " + data["error"][:60], "", "", "", "", ""])
            continue
        real = f"{data['wer_real_speech']:.3f}" if data["wer_real_speech"] is not None else "-"
        rows.append([label, f"{data['rtf']:.3f}", f"{data['wer']:.3f}", real,
                     f"{data['jargon_hits']}/{data['jargon_total']}", f"{data['load_s']:.1f}",
                     f"{data['peak_rss_mb']:.0f}"])
    lines = [f"Speech-to-text, tiny.en, {results['clips']} clips, "
             f"{results['audio_seconds']:.0f} s of audio (espeak-ng answers in 2 voices + "
             "real speech)",
             table(rows, ["configuration", "RTF", "WER", "WER real", "jargon", "load s",
                          "peak MB"])]
    if "asr_speedup_fw_over_ow" in results:
        lines.append(f"faster-whisper is {results['asr_speedup_fw_over_ow']:.1f}x faster than "
                     "openai-whisper on the same audio and weights")
    if "fuzzy_sweep" in results:
        lines.append("")
        lines.append(table([[f"{row['threshold']:.0f}", f"{row['recall']:.3f}",
                             f"{100 * row['invented_rate']:.2f}%"]
                            for row in results["fuzzy_sweep"]],
                           ["fuzzy threshold", "concept recall on ASR text",
                            "concepts invented in other answers"]))
    return "\n".join(lines)


if __name__ == "__main__":
    data = run(quick="--quick" in sys.argv)
    print(report(data))
    print(json.dumps({k: v for k, v in data.items() if k != "configs"}, default=float))
    np.set_printoptions()
