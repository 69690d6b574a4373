"""The spoken development set: graded interview answers, spoken, recognised and scored.

120 answers of the interview set (bench/interview/answers.yaml; five kinds for each of the 24
questions: strong-short, partial, synonyms, negated, other) are spoken in three families, each
reported on its own, and cached as 16 kHz WAV files (`python -m bench.spoken_bench --render`
makes them all again):

- neural: the bundled neural voice (audio/tts_neural.py, through the registry of
  audio/tts_engines.py) at the default rate and about 15 % faster, each answer at one of
  the two in turn; the targets are measured on this family;
- neural, 10 dB noise: the same recordings with white or pink noise (in turn, seeded by the
  answer) mixed in at 10 dB below the speech (bench/noise.py; the ratio is measured on the mix);
- espeak-ng: three espeak-ng voices at two rates, each answer in one of the six, in turn (the
  system voice, kept to show what a robotic voice costs).

The real-speech clips of ../shared/eval/speech (each with its reference transcript: a .txt
beside it, or the folder's README) are transcribed the same way, for WER only.

Each answer is recognised the way the application stores it: fed through the recorder and the
streaming transcriber (as fast as it can be read) and then refined, which is what
`interviewer practice` keeps; and, beside it (neural voice only), the whole recording
transcribed afterwards. The scorer then scores the typed text and the recognised text of the
same answer:

- WER, and jargon recall (the bank's glossary terms said and recognised);
- substitutions: a glossary term written where a different term was said;
- concepts credited in the text but lost in speech, and credited in speech but absent from
  the text (invented);
- spoken_score_drop = typed score - spoken score per answer (median and p90).

The ways of giving Whisper the glossary are compared on the neural family (the full run only).
Targets (bench/targets.py) with the bundled tiny.en: neural voice median drop <= 3, p90 <= 10;
with 10 dB noise median <= 6; invented concepts <= 1 % and glossary substitutions <= 5 % on the
neural voice.
"""

from __future__ import annotations

import hashlib
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

from bench.common import neural_voice, shared_dir, table, word_error_rate
from bench.common import normalise_for_wer as normalise
from bench.scoring_sets import INTERVIEW

KINDS = ("strong-short", "partial", "synonyms", "negated", "other")
VOICES = ("en-us", "en-gb-x-rp", "en-gb-scotland")
RATES = (140, 180)
COMBOS = tuple((voice, rate) for rate in RATES for voice in VOICES)
NEURAL_RATES = (165, 190)  # the default setting, and about 15 % faster
NOISE_SNR_DB = 10.0
# family id -> (what the report calls it, the suffix of its headline keys)
FAMILIES = {"neural": ("neural voice, 165 and 190 wpm", ""),
            "noisy": (f"neural voice + {NOISE_SNR_DB:g} dB white/pink noise", "_noisy"),
            "espeak": (f"espeak-ng, {len(VOICES)} voices x {len(RATES)} rates", "_espeak")}
SPEECH_EXTENSIONS = (".flac", ".wav", ".mp3", ".ogg")
JFK = "And so my fellow Americans, ask not what your country can do for you, ask what you " \
      "can do for your country."


def spoken_set(quick: bool = False, family: str = "neural") -> list[dict]:
    """The answers to speak, each with its engine, voice and rate (quick: one answer a
    question)."""
    items = [item for item in yaml.safe_load(INTERVIEW.read_text(encoding="utf-8"))
             if item["kind"] in KINDS]
    items.sort(key=lambda item: (item["question"], KINDS.index(item["kind"])))
    if quick:
        items = items[::len(KINDS)]
    for index, item in enumerate(items):
        item["family"] = family
        if family == "espeak":
            item["engine"] = "pyttsx3"
            item["voice"], item["rate"] = COMBOS[index % len(COMBOS)]
        else:
            item["engine"], item["voice"] = "neural", "neural"
            item["rate"] = NEURAL_RATES[index % len(NEURAL_RATES)]
        if family == "noisy":
            item["noise"] = ("white", "pink")[index % 2]
    return items


def _clip_key(item: dict) -> str:
    if item["engine"] == "pyttsx3":  # the files made before the neural voice keep their names
        return f"{item['voice']}{item['rate']}{item['answer']}"
    from audio.tts_neural import MODEL_SHA256, RENDER_VERSION

    return f"neural{MODEL_SHA256[:12]}{RENDER_VERSION}{item['rate']}{item['answer']}"


def render(items: list[dict]) -> list[dict]:
    """Each answer's WAV (16 kHz), synthesised once and cached by engine, voice, rate and text;
    the noisy family's made from the neural recording with its noise mixed in."""
    from audio import TextToSpeech, load_audio, write_wav
    from audio.playback import resample
    from bench.asr_bench import cache_dir
    from bench.noise import add_noise

    folder = cache_dir() / "spoken"
    engines: dict = {}
    clips = []
    for item in items:
        key = hashlib.sha1(_clip_key(item).encode()).hexdigest()[:10]
        path = folder / f"{item['id'].replace('/', '-')}-{item['voice']}-{item['rate']}-{key}.wav"
        if not path.exists():
            combo = (item["engine"], item["voice"], item["rate"])
            if combo not in engines:
                engines[combo] = TextToSpeech(voice=item["voice"], rate=item["rate"],
                                              out_dir=folder / "raw") \
                    if item["engine"] == "pyttsx3" else neural_voice(item["rate"])
            utterance = engines[combo].render(item["answer"])
            write_wav(path, resample(utterance.samples, utterance.samplerate, 16000), 16000)
        clip = {**item, "path": str(path)}
        if item.get("noise"):
            seed = int(hashlib.sha1(item["id"].encode()).hexdigest()[:8], 16)
            noisy, clip["snr_db"] = add_noise(load_audio(path), NOISE_SNR_DB, item["noise"],
                                              seed)
            clip["path"] = str(write_wav(folder / "noisy" / f"{path.stem}-{item['noise']}-"
                                         f"{NOISE_SNR_DB:g}dB-{seed}.wav", noisy, 16000))
        clips.append(clip)
    return clips


def reference_transcript(path: Path) -> str | None:
    """A real-speech clip's reference: NAME.txt beside it, or the README's "Reference
    transcript: "..."" in the entry that names the file (jfk.flac's is known regardless)."""
    beside = path.with_suffix(".txt")
    if beside.is_file():
        return " ".join(beside.read_text(encoding="utf-8").split())
    readme = path.parent / "README.md"
    if readme.is_file():
        for entry in re.split(r"\n(?=\s*- )", readme.read_text(encoding="utf-8")):
            if path.name in entry:
                found = re.search(r"[Rr]eference transcript:\s*\"(.+?)\"", entry, re.DOTALL)
                if found:
                    return " ".join(found.group(1).split())
    return JFK if path.name == "jfk.flac" else None


def real_speech_clips() -> list[dict]:
    """The real-speech clips of ../shared/eval/speech that have a reference transcript."""
    shared = shared_dir()
    folder = shared / "eval" / "speech" if shared else None
    if folder is None or not folder.is_dir():
        return []
    clips = []
    for path in sorted(folder.iterdir()):
        reference = reference_transcript(path) if path.suffix in SPEECH_EXTENSIONS else None
        if reference:
            clips.append({"id": path.stem, "path": str(path), "answer": reference,
                          "kind": "real speech", "voice": "real", "rate": 0,
                          "family": "real"})
    return clips


def without_acronyms(terms: tuple[str, ...]) -> tuple[str, ...]:
    """The glossary without its short acronyms (IAM, KMS, SCA, ...): the terms tiny.en writes
    for audio it did not make out ("revoke and rotate" heard as "IAM")."""
    return tuple(term for term in terms
                 if not (" " not in term and len(term) <= 5
                         and sum(ch.isupper() for ch in term) >= 2))


def recognise(stt, path: str, folder: Path, afterwards: bool = True) -> dict:
    """The stored transcript (streamed, then refined) and the transcript made afterwards."""
    from audio import CaptureSettings, Recorder, load_audio
    from audio.sources import ArraySource
    from audio.streaming import StreamingTranscriber

    audio = load_audio(path)
    streamer = StreamingTranscriber(stt)
    feed = ArraySource(audio, realtime=False)
    recorder = Recorder(folder / "answer.wav", CaptureSettings(), listener=streamer,
                        source=feed)
    recorder.start()
    feed.done.wait()
    recording = recorder.stop()
    streamed = streamer.finish(recording.duration_s, recording.speech_s)
    stored = streamer.refine() or streamed
    started = time.perf_counter()
    whole = stt.transcribe(audio) if afterwards else stored
    return {"stored": stored, "afterwards": whole,
            "afterwards_s": time.perf_counter() - started, "seconds": audio.size / 16000}


def substitutions(reference: str, heard: str, glossary: list[str]) -> tuple[int, int]:
    """(glossary terms written that were not said, glossary terms written): a term heard
    more often than it was said is a substitution for something else."""
    written = wrong = 0
    reference, heard = normalise(reference), normalise(heard)
    for term in glossary:
        pattern = r"\b" + re.escape(normalise(term)) + r"\b"
        if not normalise(term):
            continue
        in_heard = len(re.findall(pattern, heard))
        written += in_heard
        wrong += max(0, in_heard - len(re.findall(pattern, reference)))
    return wrong, written


def measure(clips: list[dict], options, scorer, bank, afterwards: bool = True) -> dict:
    from audio import load_speech_to_text
    from bench.asr_bench import jargon_recall
    from interviewer.pipeline import timed_words

    stt = load_speech_to_text(options)
    stt.transcribe(np.zeros(16000, np.float32))  # warm-up
    glossary = list(bank.glossary())
    rows = []
    with tempfile.TemporaryDirectory() as temp:
        for clip in clips:
            heard = recognise(stt, clip["path"], Path(temp), afterwards)
            row = {"id": clip["id"], "kind": clip["kind"], "family": clip.get("family"),
                   "voice": clip["voice"], "rate": clip["rate"], "noise": clip.get("noise"),
                   "snr_db": clip.get("snr_db"), "seconds": heard["seconds"],
                   "afterwards_s": heard["afterwards_s"]}
            for which in ("stored", "afterwards"):
                row[f"{which}_text"] = heard[which].text
            if clip.get("question"):
                question = bank.get(clip["question"])
                typed = scorer.score_text(clip["answer"], question)
                spoken = scorer.score_words(timed_words(heard["stored"]), question,
                                            heard["stored"].duration)
                said = {concept.name for concept in typed.covered}
                credited = {concept.name for concept in spoken.covered}
                row.update(typed=typed.score, spoken=spoken.score, said=len(said),
                           credited=len(credited), lost=sorted(said - credited),
                           invented=sorted(credited - said),
                           possible_of_lost=len({c.name for c in spoken.possible} & said),
                           # half credit given in speech to a concept the text does not have
                           possible_unsaid=len({c.name for c in spoken.possible} - said),
                           unsaid=len(typed.concepts) - len(said))
                row["substituted"], row["terms_written"] = substitutions(
                    clip["answer"], heard["stored"].text, glossary)
                row["jargon"] = jargon_recall([{"text": clip["answer"]}],
                                              [heard["stored"].text], glossary)
            rows.append(row)
    summary = summarise(clips, rows)
    if not afterwards:  # the "afterwards" text is then the stored one again
        summary["wer_afterwards"] = None
        for clip in summary["real_speech"]:
            clip["wer_afterwards"] = None
    return summary



def summarise(clips: list[dict], rows: list[dict]) -> dict:
    graded = [row for row in rows if "typed" in row]
    drops = np.array([row["typed"] - row["spoken"] for row in graded])
    said = sum(row["said"] for row in graded)
    credited = sum(row["credited"] for row in graded)
    written = sum(row["terms_written"] for row in graded)
    texts = {which: [row[f"{which}_text"] for row in graded] for which in
             ("stored", "afterwards")}
    references = [clip["answer"] for clip in clips if clip.get("question")]
    real = [(row, clip) for row, clip in zip(rows, clips, strict=True)
            if not clip.get("question")]
    snrs = [row["snr_db"] for row in graded if row.get("snr_db") is not None]
    return {
        "answers": len(graded),
        "audio_s": sum(row["seconds"] for row in rows),
        "wer_stored": word_error_rate(references, texts["stored"]),
        "wer_afterwards": word_error_rate(references, texts["afterwards"]),
        "wer_real_speech": word_error_rate([clip["answer"] for _, clip in real],
                                           [row["stored_text"] for row, _ in real])
        if real else None,
        "real_speech": [{"id": row["id"], "seconds": row["seconds"],
                         "wer_stored": word_error_rate([clip["answer"]], [row["stored_text"]]),
                         "wer_afterwards": word_error_rate([clip["answer"]],
                                                           [row["afterwards_text"]])}
                        for row, clip in real],
        "snr_db_measured": [min(snrs), float(np.median(snrs)), max(snrs)] if snrs else None,
        "jargon_hits": sum(row["jargon"][0] for row in graded),
        "jargon_total": sum(row["jargon"][1] for row in graded),
        "substitutions": sum(row["substituted"] for row in graded),
        "terms_written": written,
        "substitution_rate": sum(row["substituted"] for row in graded) / max(1, written),
        "concepts_said": said, "concepts_credited": credited,
        "lost": sum(len(row["lost"]) for row in graded),
        "lost_but_possible": sum(row["possible_of_lost"] for row in graded),
        "invented": sum(len(row["invented"]) for row in graded),
        "invented_rate": sum(len(row["invented"]) for row in graded) / max(1, credited),
        # the false credit sound-alike and unsure-word matching can give: "possibly said" for
        # a concept the text does not have, in answers that must not earn it
        "possible_false_rate": sum(row["possible_unsaid"] for row in graded
                                   if row["kind"] in ("other", "negated"))
        / max(1, sum(row["unsaid"] for row in graded if row["kind"] in ("other", "negated"))),
        "possible_false_all": sum(row["possible_unsaid"] for row in graded)
        / max(1, sum(row["unsaid"] for row in graded)),
        "drop_median": float(np.median(drops)), "drop_p90": float(np.percentile(drops, 90)),
        "drop_mean": float(drops.mean()),
        # answers that score nothing typed (another question's, negated) lose nothing spoken
        # either and pull the median to 0: the drop over the answers that have a score to lose
        **_drops_of([row for row in graded if row["typed"] > 0], "_scored"),
        "by_kind": {kind: float(np.median([row["typed"] - row["spoken"] for row in graded
                                           if row["kind"] == kind]))
                    for kind in KINDS if any(row["kind"] == kind for row in graded)},
        "by_rate": {str(rate): float(np.median([row["typed"] - row["spoken"] for row in graded
                                                if row["rate"] == rate]))
                    for rate in sorted({row["rate"] for row in graded})},
        "worst": sorted(({"id": row["id"], "drop": row["typed"] - row["spoken"],
                          "lost": row["lost"], "invented": row["invented"]}
                         for row in graded), key=lambda item: -item["drop"])[:5],
        "rows": rows,
    }


def _drops_of(rows: list[dict], suffix: str) -> dict:
    drops = [row["typed"] - row["spoken"] for row in rows]
    if not drops:
        return {f"drop_median{suffix}": None, f"drop_p90{suffix}": None}
    return {f"drop_median{suffix}": float(np.median(drops)),
            f"drop_p90{suffix}": float(np.percentile(drops, 90))}


def headline_figures(families: dict[str, dict]) -> dict:
    """The figures of each family under its own keys (the neural voice's without a suffix)."""
    figures: dict = {}
    for family, data in families.items():
        suffix = FAMILIES[family][1]
        figures.update({f"spoken_score_drop_median{suffix}": data["drop_median"],
                        f"spoken_score_drop_p90{suffix}": data["drop_p90"],
                        f"spoken_invented_rate{suffix}": data["invented_rate"],
                        f"spoken_substitution_rate{suffix}": data["substitution_rate"],
                        f"spoken_possible_false_rate{suffix}": data["possible_false_rate"],
                        f"spoken_wer_stored{suffix}": data["wer_stored"],
                        f"spoken_score_drop_median_scored{suffix}": data.get("drop_median_scored"),
                        f"spoken_score_drop_p90_scored{suffix}": data.get("drop_p90_scored")})
    neural = families.get("neural") or {}
    if neural.get("wer_real_speech") is not None:
        figures["spoken_wer_real_speech"] = neural["wer_real_speech"]
    return figures


def run(quick: bool = False) -> dict:
    from audio import SpeechToTextOptions
    from bank import load_bank
    from interviewer.judging import scorer_recipe

    bank = load_bank()
    scorer = scorer_recipe().scorer(bank.questions)
    glossary = bank.glossary()
    default = SpeechToTextOptions(glossary=glossary)
    neural = render(spoken_set(quick, "neural")) + real_speech_clips()
    # the transcript made afterwards only for the neural voice's default: it is the
    # yardstick, not a choice
    families = {"neural": measure(neural, default, scorer, bank)}
    for family in ("noisy", "espeak"):
        families[family] = measure(render(spoken_set(quick, family)), default, scorer, bank,
                                   afterwards=False)
    configs = {"verbatim prefix + glossary (default)": families["neural"]}
    if not quick:
        variants = {"glossary only (no verbatim prefix)":
                    SpeechToTextOptions(glossary=glossary, verbatim=False),
                    "verbatim prefix + glossary without short acronyms":
                    SpeechToTextOptions(glossary=without_acronyms(glossary)),
                    "no glossary (verbatim prefix only)": SpeechToTextOptions(),
                    "prompt as hotwords": SpeechToTextOptions(glossary=glossary,
                                                              glossary_as="hotwords")}
        configs.update({label: measure(neural, options, scorer, bank, afterwards=False)
                        for label, options in variants.items()})
    return {"families": families, "configs": configs, "configs_on": "neural",
            **headline_figures(families)}


def _family_rows(families: dict[str, dict]) -> list[list[str]]:
    rows = []
    for family, data in families.items():
        afterwards = data["wer_afterwards"]
        rows.append([FAMILIES.get(family, (family, ""))[0], str(data["answers"]),
                     f"{data['audio_s'] / 60:.0f}", f"{data['wer_stored']:.3f}",
                     f"{afterwards:.3f}" if afterwards is not None else "-",
                     f"{data['jargon_hits']}/{data['jargon_total']}",
                     f"{data['substitutions']}/{data['terms_written']} "
                     f"({100 * data['substitution_rate']:.1f}%)",
                     f"{data['lost']}/{data['concepts_said']}",
                     f"{data['invented']}/{data['concepts_credited']} "
                     f"({100 * data['invented_rate']:.1f}%)",
                     f"{data['drop_median']:.1f}", f"{data['drop_p90']:.1f}"])
    return rows


def report(results: dict) -> str:
    """The report of a run (and of runs saved before the neural voice: configurations of the
    espeak-ng voices only, no families)."""
    families = results.get("families") or {}
    configs = results["configs"]
    default = families.get("neural") or next(iter(configs.values()))
    lines = []
    if families:
        lines += ["Spoken development set, faster-whisper tiny.en, each family on its own; the "
                  "stored transcript is the streamed one, refined",
                  table(_family_rows(families),
                        ["family", "answers", "min", "WER stored", "WER afterwards", "jargon",
                         "substituted", "concepts lost", "invented", "drop median",
                         "drop p90"])]
        for family, data in families.items():
            if data.get("drop_median_scored") is not None:
                lines.append(f"drop over the answers that score above 0 typed ({family}): "
                             f"median {data['drop_median_scored']:.1f}, p90 "
                             f"{data['drop_p90_scored']:.1f}")
            lines.append(f"median drop by kind ({family}): " + ", ".join(
                f"{kind} {value:.1f}" for kind, value in data["by_kind"].items())
                + "; by rate: " + ", ".join(f"{rate} wpm {value:.1f}" for rate, value in
                                            data.get("by_rate", {}).items()))
        noisy = families.get("noisy") or {}
        if noisy.get("snr_db_measured"):
            low, middle, high = noisy["snr_db_measured"]
            lines.append(f"noise measured on the mix: {middle:.2f} dB SNR (median; "
                         f"{low:.2f}-{high:.2f}), speech power over its active frames")
        lines.append("")
    voices = "the neural voice" if results.get("configs_on") == "neural" else \
        f"espeak-ng speech in {len(VOICES)} voices x {len(RATES)} rates"
    rows = []
    for label, data in configs.items():
        afterwards = data["wer_afterwards"]
        rows.append([label, f"{data['wer_stored']:.3f}",
                     f"{afterwards:.3f}" if afterwards is not None else "-",
                     f"{data['jargon_hits']}/{data['jargon_total']}",
                     f"{data['substitutions']}/{data['terms_written']}",
                     f"{data['lost']}/{data['concepts_said']}",
                     f"{data['invented']}/{data['concepts_credited']}",
                     f"{data['drop_median']:.1f}", f"{data['drop_p90']:.1f}"])
    lines += [f"How the glossary is given to Whisper: {default['answers']} graded answers, "
              f"{default['audio_s'] / 60:.0f} min of {voices} (+ real speech)",
              table(rows, ["configuration", "WER stored", "WER afterwards", "jargon",
                           "substituted", "concepts lost", "invented", "drop median",
                           "drop p90"])]
    if not families:
        lines.append("median drop by kind (default): " + ", ".join(
            f"{kind} {value:.1f}" for kind, value in default["by_kind"].items()))
    lines += [f"lost concepts shown as 'possibly said' ({results.get('configs_on', 'espeak')}"
              f"): {default['lost_but_possible']}/{default['lost']}; 'possibly said' given to "
              f"concepts the text does not have: {100 * default['possible_false_rate']:.2f}% "
              f"of chances in other questions' and negated answers, "
              f"{100 * default['possible_false_all']:.2f}% in all",
              "largest drops: " + "; ".join(
                  f"{item['id']} {item['drop']:.0f} (lost {', '.join(item['lost']) or '-'})"
                  for item in default["worst"])]
    real = default.get("real_speech") or []
    for clip in real:
        afterwards = clip.get("wer_afterwards")
        lines.append(f"real speech ({clip['id']}, {clip['seconds']:.0f} s) WER: stored "
                     f"{clip['wer_stored']:.3f}" + ("" if afterwards is None else
                                                    f", afterwards {afterwards:.3f}"))
    if not real and default.get("wer_real_speech") is not None:
        lines.append(f"real speech (jfk.flac) WER: {default['wer_real_speech']:.3f}")
    return "\n".join(lines)


if __name__ == "__main__":
    if "--render" in sys.argv:
        made = [clip for family in FAMILIES for clip in render(spoken_set(family=family))]
        print(f"{len(made)} clips in {Path(made[0]['path']).parent}")
    else:
        print(report(run(quick="--quick" in sys.argv)))
