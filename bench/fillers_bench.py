"""Fillers: are the "um"s and "uh"s a candidate says counted?

Strong interview answers (bench/interview/answers.yaml) with fillers put in at clause starts
("um", "uh", "like", "you know", in turn) are spoken by espeak-ng and transcribed with the
application's settings, and with a prompt that shows the recogniser verbatim speech (fillers
written out before the glossary): Whisper was trained mostly on clean transcripts and drops
fillers unless its prompt says they are written. Reported per prompt: filler recall (fillers
counted by `scoring.delivery.count_fillers` against the fillers put in), fillers counted in
the same answers spoken without fillers (false), WER on the answers' own words, and jargon.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import yaml

from bench.common import table, word_error_rate
from bench.scoring_sets import INTERVIEW

FILLERS = ("um", "uh", "like", "you know")


def with_fillers(text: str) -> tuple[str, int]:
    """The text with a filler at every other clause start; and how many were put in."""
    parts = re.split(r"(?<=[.,;:])\s+", text)
    out, count = [], 0
    for index, part in enumerate(parts):
        if index % 2 == 1:
            filler = FILLERS[count % len(FILLERS)]
            part = f"{filler}, {part[:1].lower()}{part[1:]}"
            count += 1
        out.append(part)
    return " ".join(out), count


def clips(quick: bool) -> list[dict]:
    from audio import TextToSpeech, write_wav
    from audio.playback import resample
    from bench.asr_bench import cache_dir

    items = [item for item in yaml.safe_load(INTERVIEW.read_text(encoding="utf-8"))
             if item["kind"] == "strong-short"][:: 6 if quick else 2]
    folder = cache_dir() / "fillers"
    tts = None
    result = []
    for item in items:
        filled, count = with_fillers(item["answer"])
        entry = {"clean": item["answer"], "filled": filled, "fillers": count}
        for which in ("clean", "filled"):
            key = hashlib.sha1(entry[which].encode()).hexdigest()[:10]
            path = folder / f"{which}-{key}.wav"
            if not path.exists():
                tts = tts or TextToSpeech(voice="en-us", rate=150, out_dir=folder / "raw")
                utterance = tts.synthesize(entry[which])
                write_wav(path, resample(utterance.samples, utterance.samplerate, 16000),
                          16000)
                utterance.path.unlink(missing_ok=True)
            entry[f"{which}_path"] = str(path)
        result.append(entry)
    return result


def measure(items: list[dict], verbatim: bool) -> dict:
    from audio import SpeechToTextOptions, load_audio, load_speech_to_text
    from bank import load_bank
    from bench.asr_bench import jargon_recall
    from scoring.delivery import count_fillers

    glossary = load_bank().glossary()
    stt = load_speech_to_text(SpeechToTextOptions(glossary=glossary, verbatim=verbatim))
    heard, said, false, texts = 0, 0, 0, []
    for item in items:
        filled = stt.transcribe(load_audio(item["filled_path"])).text
        clean = stt.transcribe(load_audio(item["clean_path"])).text
        heard += min(item["fillers"], sum(count_fillers(filled).values()))
        said += item["fillers"]
        false += sum(count_fillers(clean).values())
        texts.append(clean)
    references = [item["clean"] for item in items]
    hits, total = jargon_recall([{"text": text} for text in references], texts,
                                list(glossary))
    return {"filler_recall": heard / max(1, said), "fillers_said": said,
            "false_fillers": false, "wer_clean": word_error_rate(references, texts),
            "jargon": f"{hits}/{total}"}


def run(quick: bool = False) -> dict:
    items = clips(quick)
    results = {"verbatim prefix + glossary (default)": measure(items, True),
               "glossary only": measure(items, False)}
    default = results["verbatim prefix + glossary (default)"]
    return {"answers": len(items), "configs": results,
            "filler_recall": default["filler_recall"],
            "mean_fillers": float(np.mean([item["fillers"] for item in items]))}


def report(results: dict) -> str:
    rows = [[label, f"{data['filler_recall']:.2f} ({data['fillers_said']})",
             str(data["false_fillers"]), f"{data['wer_clean']:.3f}", data["jargon"]]
            for label, data in results["configs"].items()]
    return "\n".join([
        f"Fillers: {results['answers']} strong answers spoken (espeak-ng en-us) with about "
        f"{results['mean_fillers']:.0f} fillers each (um, uh, like, you know) and without",
        table(rows, ["prompt", "filler recall (put in)", "fillers in clean answers",
                     "WER clean answers", "jargon"])])
