"""Speech-to-text backends behind one interface returning a typed `Transcript`.

- faster-whisper (default): CTranslate2, int8 on the CPU, beam 5.
- openai-whisper (extra `[openai-whisper]`): PyTorch, beam 5; can use the bundled weights
  through a converted checkpoint.

Both decode the recording in stretches of speech of at most ~15 s, cut by voice-activity
detection, each on its own: measured here, that avoided tiny.en skipping speech inside a 30 s
window and gave the best word error rate. Silence, noise and the phrases Whisper invents on
near-silence ("Thank you.", "You") give an empty transcript.
"""

from __future__ import annotations

import os
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from audio.errors import ModelError
from audio.models import OFFLINE_HINT, ModelChoice, bundled_model_dir, choose_model
from audio.transcript import Segment, Transcript, Word
from audio.vad import SAMPLE_RATE, speech_chunks

BACKENDS = ("faster-whisper", "openai-whisper")
PHANTOM_PHRASES = frozenset({
    "you", "thank you", "thanks", "thank you very much", "thanks for watching",
    "thank you for watching", "bye", "so", "okay", "oh", "um", "uh", "hmm", "the", "i",
    "music", "silence", "applause", "subtitles by the amara org community",
})
MIN_WORDS_PER_SECOND = 0.8  # below this over 10 s of speech, speech was probably skipped
MAX_PROMPT_TERMS = 60


@dataclass(frozen=True)
class SpeechToTextOptions:
    backend: str = "faster-whisper"
    model: str | None = None  # None: the bundled tiny.en; a name to fetch; or a local path
    beam_size: int = 5
    compute_type: str = "int8"  # faster-whisper only
    cpu_threads: int = 0  # 0: all cores
    max_chunk_s: float = 15.0
    # chunks decoded together; on 2 cores batching gained no speed (batch 4 was slower) and
    # raised peak memory from ~310 MB to ~550 MB, so one at a time
    batch_size: int = 1
    glossary: tuple[str, ...] = ()  # domain terms to bias recognition towards
    language: str = "en"
    cache_dir: Path | None = None  # converted checkpoints, model verification stamps
    extra: dict = field(default_factory=dict, compare=False)


def glossary_prompt(terms: Sequence[str]) -> str | None:
    """A Whisper prompt listing the domain's terms (bounded: the prompt window is small).

    Measured on espeak-ng speech of 8 bank answers in 3 voices (bench/asr_bench.py): a plain
    comma-separated list recognised the most terms; a "Glossary:" label or a sentence around
    the terms did no better.
    """
    chosen = list(dict.fromkeys(term.strip() for term in terms if term.strip()))
    if not chosen:
        return None
    return ", ".join(chosen[:MAX_PROMPT_TERMS]) + "."


class SpeechToText(ABC):
    """A loaded model. `transcribe` a whole recording, or `transcribe_chunk` one stretch of
    speech (for streaming); `finish` assembles streamed chunks into a transcript."""

    backend: str = ""

    def __init__(self, options: SpeechToTextOptions, choice: ModelChoice, label: str):
        self.options = options
        self.choice = choice
        self.model_label = label
        self.prompt = glossary_prompt(options.glossary)
        self._lock = threading.Lock()  # one decode at a time per model

    @abstractmethod
    def _decode(self, audio: np.ndarray, chunks: list[tuple[int, int]]) -> list[Segment]:
        """Decode the given sample ranges of `audio`; times relative to `audio`'s start."""

    def transcribe(self, audio: np.ndarray) -> Transcript:
        audio = np.asarray(audio, dtype=np.float32).ravel()
        chunks = speech_chunks(audio, self.options.max_chunk_s)
        segments: list[Segment] = []
        if chunks:
            with self._lock:
                segments = self._decode(audio, chunks)
        speech = sum(end - start for start, end in chunks) / SAMPLE_RATE
        return self.finish(segments, audio.size / SAMPLE_RATE, speech)

    def transcribe_chunk(self, chunk: np.ndarray, offset_s: float) -> list[Segment]:
        """Decode one stretch of speech (at most ~30 s) that starts `offset_s` into the
        recording; returns its segments with times in the recording."""
        chunk = np.asarray(chunk, dtype=np.float32).ravel()
        if chunk.size < SAMPLE_RATE // 10:
            return []
        with self._lock:
            segments = self._decode(chunk, [(0, chunk.size)])
        return [_shift(segment, offset_s) for segment in segments]

    def finish(self, segments: Sequence[Segment], duration: float,
               speech_duration: float) -> Transcript:
        kept, removed = drop_phantoms(segments)
        text = " ".join(segment.text.strip() for segment in kept).strip()
        warnings = []
        word_count = len(re.findall(r"[^\W_]+", text))
        if speech_duration >= 10 and word_count < MIN_WORDS_PER_SECOND * speech_duration:
            warnings.append(f"possibly skipped speech: {word_count} words recognised in "
                            f"{speech_duration:.0f} s of speech")
        return Transcript(text=text, segments=tuple(kept), duration=round(duration, 3),
                          backend=self.backend, model=self.model_label,
                          language=self.options.language,
                          speech_duration=round(speech_duration, 3), warnings=tuple(warnings),
                          removed=tuple(removed))


def _shift(segment: Segment, offset: float) -> Segment:
    return Segment(segment.start + offset, segment.end + offset, segment.text,
                   tuple(Word(w.text, w.start + offset, w.end + offset, w.probability)
                         for w in segment.words),
                   segment.avg_logprob, segment.no_speech_prob)


def _normalised(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower().replace("’", "'")))


def drop_phantoms(segments: Sequence[Segment]) -> tuple[list[Segment], list[str]]:
    """Remove what Whisper invents on silence and noise. Returns (kept, removed texts)."""
    kept, removed = [], []
    candidates = []
    for segment in segments:
        words = _normalised(segment.text)
        if not words:
            removed.append(segment.text.strip())
            continue
        if segment.no_speech_prob > 0.6 and segment.avg_logprob < -1.0:
            removed.append(segment.text.strip())
            continue
        candidates.append((segment, words in PHANTOM_PHRASES))
    only_phantoms = all(is_phantom for _, is_phantom in candidates)
    for segment, is_phantom in candidates:
        unsure = segment.avg_logprob < -0.5 or segment.no_speech_prob > 0.2 or (
            segment.words and np.mean([w.probability for w in segment.words]) < 0.6)
        if is_phantom and (only_phantoms or unsure):
            removed.append(segment.text.strip())
        else:
            kept.append(segment)
    return kept, removed


# ------------------------------------------------------------------ faster-whisper

class FasterWhisper(SpeechToText):
    backend = "faster-whisper"

    def __init__(self, options: SpeechToTextOptions, choice: ModelChoice,
                 on_status: Callable[[str], None] | None = None):
        from faster_whisper import BatchedInferencePipeline, WhisperModel

        threads = options.cpu_threads or os.cpu_count() or 1
        if choice.bundled:
            source: str = str(bundled_model_dir(stamp_dir=options.cache_dir))
            label = choice.label
        elif choice.path is not None:
            if not (choice.path / "model.bin").is_file():
                raise ModelError(f"{choice.path} is not a CTranslate2 model folder (no "
                                 "model.bin); faster-whisper needs one, or use --backend "
                                 "openai-whisper for a .pt checkpoint")
            source, label = str(choice.path), choice.label
        else:
            source, label = _fetch_faster_whisper(choice.name or "", options, on_status)
        try:
            self.model = WhisperModel(source, device="cpu", compute_type=options.compute_type,
                                      cpu_threads=threads, num_workers=1)
        except (RuntimeError, ValueError, OSError) as error:
            raise ModelError(f"cannot load the Whisper model {label}: {error}") from error
        self.pipeline = BatchedInferencePipeline(self.model)
        super().__init__(options, choice, label)

    def _decode(self, audio: np.ndarray, chunks: list[tuple[int, int]]) -> list[Segment]:
        clips = [{"start": start / SAMPLE_RATE, "end": end / SAMPLE_RATE}
                 for start, end in chunks]
        results, _ = self.pipeline.transcribe(
            audio, language=self.options.language, beam_size=self.options.beam_size,
            word_timestamps=True, clip_timestamps=clips, batch_size=self.options.batch_size,
            initial_prompt=self.prompt, log_progress=False)
        return [Segment(float(item.start), float(item.end), item.text,
                        tuple(Word(word.word, float(word.start), float(word.end),
                                   float(word.probability)) for word in (item.words or [])),
                        float(item.avg_logprob), float(item.no_speech_prob))
                for item in results]


def _fetch_faster_whisper(name: str, options: SpeechToTextOptions,
                          on_status: Callable[[str], None] | None) -> tuple[str, str]:
    """Download a named model (huggingface_hub shows progress); the bundled one if impossible."""
    from faster_whisper.utils import download_model

    try:
        if on_status:
            on_status(f"fetching Whisper model '{name}' ...")
        return download_model(name), name
    except ValueError as error:  # not a known size or repository id
        raise ModelError(f"unknown Whisper model '{name}': {error}") from error
    except Exception as error:  # no network, hub refused, ...
        reason = _short(error)
        if on_status:
            on_status(f"cannot fetch Whisper model '{name}' ({reason}); using the bundled "
                      f"tiny.en instead; {OFFLINE_HINT}")
        return str(bundled_model_dir(stamp_dir=options.cache_dir)), "tiny.en (bundled)"


def _short(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:120]


# ------------------------------------------------------------------ openai-whisper

class OpenAIWhisper(SpeechToText):
    backend = "openai-whisper"

    def __init__(self, options: SpeechToTextOptions, choice: ModelChoice,
                 on_status: Callable[[str], None] | None = None):
        try:
            import torch
            import whisper
        except ImportError as error:
            raise ModelError("the openai-whisper backend is not installed; run "
                             "\"pip install 'interview-simulator[openai-whisper]'\" (or "
                             "scripts/setup.sh --with-openai-whisper), or use the default "
                             "--backend faster-whisper") from error
        self._whisper = whisper
        torch.set_num_threads(options.cpu_threads or os.cpu_count() or 1)
        label = choice.label
        alignment = None
        if choice.bundled or (choice.path is not None and choice.path.is_dir()):
            folder = bundled_model_dir(stamp_dir=options.cache_dir) if choice.bundled \
                else choice.path
            checkpoint = _converted_checkpoint(folder, options.cache_dir, on_status)
            alignment = "tiny.en" if choice.bundled else None
            source = str(checkpoint)
        elif choice.path is not None:
            source = str(choice.path)
        else:
            source, label, alignment = _fetch_openai_whisper(choice.name or "", options,
                                                             on_status)
        try:
            self.model = whisper.load_model(source, device="cpu")
        except Exception as error:
            raise ModelError(f"cannot load the Whisper model {label}: {_short(error)}") \
                from error
        if alignment in whisper._ALIGNMENT_HEADS:
            self.model.set_alignment_heads(whisper._ALIGNMENT_HEADS[alignment])
        super().__init__(options, choice, label)

    def _decode(self, audio: np.ndarray, chunks: list[tuple[int, int]]) -> list[Segment]:
        segments = []
        for start, end in chunks:
            result = self._whisper.transcribe(
                self.model, audio[start:end], language=self.options.language,
                beam_size=self.options.beam_size, best_of=self.options.beam_size,
                word_timestamps=True, fp16=False, initial_prompt=self.prompt,
                condition_on_previous_text=False, verbose=None)
            offset = start / SAMPLE_RATE
            for item in result["segments"]:
                words = tuple(Word(word["word"], float(word["start"]) + offset,
                                   float(word["end"]) + offset, float(word["probability"]))
                              for word in item.get("words", []))
                segments.append(Segment(float(item["start"]) + offset,
                                        float(item["end"]) + offset, item["text"], words,
                                        float(item["avg_logprob"]),
                                        float(item["no_speech_prob"])))
        return segments


def _converted_checkpoint(folder: Path, cache_dir: Path | None,
                          on_status: Callable[[str], None] | None) -> Path:
    from audio.convert import ConversionError, convert_to_checkpoint

    model_bin = folder / "model.bin"
    if not model_bin.is_file():
        raise ModelError(f"{folder} has no model.bin to convert for openai-whisper")
    stat = model_bin.stat()
    target_dir = cache_dir or Path.home() / ".cache" / "interviewer"
    target = target_dir / "openai-whisper" / f"ct2-{stat.st_size}-{stat.st_mtime_ns}.pt"
    if not target.exists():
        if on_status:
            on_status("converting the bundled model for openai-whisper (once) ...")
        try:
            convert_to_checkpoint(model_bin, target)
        except (ConversionError, KeyError, OSError) as error:
            raise ModelError(f"cannot convert {model_bin} for openai-whisper: {error}") \
                from error
    return target


def _fetch_openai_whisper(name: str, options: SpeechToTextOptions,
                          on_status: Callable[[str], None] | None) -> tuple[str, str, str | None]:
    whisper = __import__("whisper")
    if name not in whisper._MODELS:
        raise ModelError(f"unknown openai-whisper model '{name}'; known: "
                         f"{', '.join(whisper._MODELS)}, or give a path")
    root = (options.cache_dir or Path.home() / ".cache" / "interviewer") / "openai-whisper"
    try:
        if on_status:
            on_status(f"fetching Whisper model '{name}' ...")
        path = whisper._download(whisper._MODELS[name], str(root), False)
        return path, name, name
    except Exception as error:
        if on_status:
            on_status(f"cannot fetch Whisper model '{name}' ({_short(error)}); using the "
                      f"bundled tiny.en instead; {OFFLINE_HINT}")
        folder = bundled_model_dir(stamp_dir=options.cache_dir)
        return str(_converted_checkpoint(folder, options.cache_dir, on_status)), \
            "tiny.en (bundled)", "tiny.en"


def load_speech_to_text(options: SpeechToTextOptions,
                        on_status: Callable[[str], None] | None = None) -> SpeechToText:
    """Load the configured backend and model. Raises ModelError with a fix on failure."""
    if options.backend not in BACKENDS:
        raise ModelError(f"unknown speech-to-text backend '{options.backend}'; use one of "
                         f"{', '.join(BACKENDS)}")
    if options.cache_dir is not None and not isinstance(options.cache_dir, Path):
        options = replace(options, cache_dir=Path(options.cache_dir))
    choice = choose_model(options.model)
    backend = FasterWhisper if options.backend == "faster-whisper" else OpenAIWhisper
    return backend(options, choice, on_status)
