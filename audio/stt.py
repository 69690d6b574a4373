"""Speech-to-text behind one interface returning a typed `Transcript`.

`SpeechToText` is what a backend implements (`_decode`); `audio.backends` lists the backends:
faster-whisper (`audio.whisper_ct2`, the default) and openai-whisper (`audio.whisper_torch`).
Every backend decodes the recording in stretches of speech of at most `MAX_CHUNK_S`, cut by
voice-activity detection, each on its own: that avoided tiny.en skipping speech inside a 30 s
window (`python -m bench --only asr` compares the lengths). Silence, noise and the phrases
Whisper invents on near-silence ("Thank you.", "You") give an empty transcript.
"""

from __future__ import annotations

import itertools
import os
import re
import threading
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from audio.backends import DEFAULT_BACKEND, get_backend
from audio.models import ModelChoice, choose_model
from audio.transcript import Segment, Transcript, Word
from audio.vad import MAX_CHUNK_S, SAMPLE_RATE, speech_chunks

PHANTOM_PHRASES = frozenset({
    "you", "thank you", "thanks", "thank you very much", "thanks for watching",
    "thank you for watching", "bye", "so", "okay", "oh", "um", "uh", "hmm", "the", "i",
    "music", "silence", "applause", "subtitles by the amara org community",
})
MIN_WORDS_PER_SECOND = 0.8  # below this over 10 s of speech, speech was probably skipped
MAX_PROMPT_TERMS = 60
# Whisper's own test for a decode stuck in a loop ("IAM, IAM, IAM, ..."): text that compresses
# this well is repetition. faster-whisper's batched decoding, used here, has no fallback for it.
LOOP_COMPRESSION_RATIO = 2.4
LOOP_RUN = 4  # or one word (or pair, triple) said four times running: "IASP, IASP, IASP, IASP"


@dataclass(frozen=True)
class SpeechToTextOptions:
    backend: str = DEFAULT_BACKEND
    model: str | None = None  # None: the bundled tiny.en; a name to fetch; or a local path
    beam_size: int = 5
    compute_type: str = "int8"  # faster-whisper only
    cpu_threads: int | None = None  # None: all cores
    max_chunk_s: float = MAX_CHUNK_S
    # chunks decoded together; on 2 cores batching gained no speed and raised peak memory
    # by about three quarters (bench --only asr), so one at a time
    batch_size: int = 1
    glossary: tuple[str, ...] = ()  # domain terms to bias recognition towards
    # how the terms reach Whisper: "prompt" (its initial prompt, as previous text) or
    # "hotwords" (faster-whisper only: the same tokens placed before the previous text)
    glossary_as: str = "prompt"
    verbatim: bool = True  # prompt with fillers written out, so fillers are transcribed
    language: str = "en"
    cache_dir: Path | None = None  # converted checkpoints, model verification stamps

    @property
    def threads(self) -> int:
        return self.cpu_threads or os.cpu_count() or 1


# Whisper writes what its prompt shows: a prompt with fillers written out keeps the candidate's
# "um"s, and writes none where none were said (`python -m bench --only fillers`).
VERBATIM_PREFIX = "Um, so, uh, I think, like, you know, we, um, used"


def glossary_prompt(terms: Sequence[str], verbatim: bool = False) -> str | None:
    """A Whisper prompt listing the domain's terms (bounded: the prompt window is small),
    after a verbatim-style prefix when `verbatim`.

    A plain comma-separated list recognised the most terms; a "Glossary:" label or a sentence
    around the terms did no better (`python -m bench --only asr`).
    """
    chosen = list(dict.fromkeys(term.strip() for term in terms if term.strip()))
    listing = ", ".join(chosen[:MAX_PROMPT_TERMS]) + "." if chosen else ""
    prompt = f"{VERBATIM_PREFIX} {listing}" if verbatim else listing
    return prompt.strip() or None


class SpeechToText(ABC):
    """A loaded model. `transcribe` a whole recording, or `transcribe_chunk` one stretch of
    speech (for streaming); `finish` assembles streamed chunks into a transcript.

    A backend subclass loads its model in `__init__(options, choice, on_status)` (raising
    ModelError with a fix when it cannot) and implements `_decode`."""

    backend: str = ""  # its name in audio.backends

    def __init__(self, options: SpeechToTextOptions, choice: ModelChoice, label: str):
        self.options = options
        self.choice = choice
        self.model_label = label
        self.prompt = glossary_prompt(options.glossary, options.verbatim)
        self._lock = threading.Lock()  # one decode at a time per model

    @abstractmethod
    def _decode(self, audio: np.ndarray, chunks: list[tuple[int, int]],
                prompt: str | None, beam_size: int) -> list[Segment]:
        """Decode the given sample ranges of `audio` with `prompt` as Whisper's initial
        prompt and a beam of `beam_size` (1: greedy); times relative to `audio`'s start."""

    def _decode_checked(self, audio: np.ndarray, chunks: list[tuple[int, int]],
                        beam_size: int | None = None) -> list[Segment]:
        """`_decode` with the glossary prompt; a stretch whose decode fell into a repetition
        loop is decoded again without it, and the less repetitive of the two is kept.

        Seen with tiny.en: a mis-heard term ("SBOMs") pulled the prompt's terms in and the
        decoder repeated one for 14 s ("KMS, IAM, IAM, IAM, ..."), an answer scored 0."""
        beam = beam_size or self.options.beam_size
        segments = self._decode(audio, chunks, self.prompt, beam)
        if self.prompt is None or not any(_is_loop(segment.text) for segment in segments):
            return segments
        by_chunk: dict[int, list[Segment]] = {}
        for segment in segments:
            by_chunk.setdefault(_chunk_of(segment, chunks), []).append(segment)
        result = []
        for index, found in by_chunk.items():
            if any(_is_loop(segment.text) for segment in found):
                again = self._decode(audio, [chunks[index]], None, beam)
                if _repetition(_text_of(again)) < _repetition(_text_of(found)):
                    found = again
            result += found
        return sorted(result, key=lambda segment: segment.start)

    def transcribe(self, audio: np.ndarray) -> Transcript:
        audio = np.asarray(audio, dtype=np.float32).ravel()
        chunks = speech_chunks(audio, self.options.max_chunk_s)
        segments: list[Segment] = []
        if chunks:
            with self._lock:
                segments = self._decode_checked(audio, chunks)
        speech = sum(end - start for start, end in chunks) / SAMPLE_RATE
        return self.finish(segments, audio.size / SAMPLE_RATE, speech)

    def transcribe_file(self, path: str | Path) -> Transcript:
        """A recording of any length, read and decoded two minutes at a time (a stretch of
        speech that runs past the end of a window is decoded with the next one)."""
        from audio.files import read_windows

        segments: list[Segment] = []
        speech = duration = 0.0
        windows = read_windows(path)
        current = next(windows)
        for following in itertools.chain(windows, [None]):
            offset, samples = current
            duration = offset + samples.size / SAMPLE_RATE
            chunks = speech_chunks(samples, self.options.max_chunk_s)
            carry = samples.size
            if following is not None and chunks and \
                    chunks[-1][1] >= samples.size - SAMPLE_RATE // 2:
                carry = chunks.pop()[0]  # the speech goes on in the next window
            if chunks:
                with self._lock:
                    segments += [_shift(segment, offset)
                                 for segment in self._decode_checked(samples, chunks)]
            speech += sum(end - start for start, end in chunks) / SAMPLE_RATE
            if following is not None:
                current = (offset + carry / SAMPLE_RATE,
                           np.concatenate([samples[carry:], following[1]]))
        return self.finish(segments, duration, speech)

    def transcribe_chunk(self, chunk: np.ndarray, offset_s: float,
                         beam_size: int | None = None) -> list[Segment]:
        """Decode one stretch of speech (at most ~30 s) that starts `offset_s` into the
        recording; returns its segments with times in the recording. `beam_size` overrides
        the options' (1 is greedy: quicker, a little less accurate)."""
        chunk = np.asarray(chunk, dtype=np.float32).ravel()
        if chunk.size < SAMPLE_RATE // 10:
            return []
        with self._lock:
            segments = self._decode_checked(chunk, [(0, chunk.size)], beam_size)
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


def _text_of(segments: Sequence[Segment]) -> str:
    return " ".join(segment.text.strip() for segment in segments)


def _repetition(text: str) -> tuple[int, float]:
    """How repetitive a decoded text is: (longest run of one repeated word, pair or triple;
    Whisper's compression ratio). Lower is better."""
    data = text.encode("utf-8")
    ratio = len(data) / len(zlib.compress(data)) if data else 0.0
    return _longest_run(_normalised(text).split()), ratio


def _longest_run(words: list[str]) -> int:
    """The most times one word, pair or triple of words follows itself in `words`."""
    longest = 1 if words else 0
    for size in (1, 2, 3):
        for shift in range(size):
            run = 1
            for index in range(shift + size, len(words) - size + 1, size):
                run = run + 1 if words[index:index + size] == words[index - size:index] else 1
                longest = max(longest, run)
    return longest


def _is_loop(text: str) -> bool:
    run, ratio = _repetition(text.strip())
    return run >= LOOP_RUN or ratio > LOOP_COMPRESSION_RATIO


def _chunk_of(segment: Segment, chunks: list[tuple[int, int]]) -> int:
    """Index of the chunk a decoded segment came from: the one nearest its midpoint."""
    middle = (segment.start + segment.end) / 2 * SAMPLE_RATE

    def distance(index: int) -> float:
        start, end = chunks[index]
        return 0.0 if start <= middle < end else min(abs(middle - start), abs(middle - end))

    return min(range(len(chunks)), key=distance)


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


def short_reason(error: BaseException) -> str:
    """The first line of an error message, for one-line reports."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:120]


def load_speech_to_text(options: SpeechToTextOptions,
                        on_status: Callable[[str], None] | None = None) -> SpeechToText:
    """Load the configured backend and model. Raises ModelError with a fix on failure."""
    backend = get_backend(options.backend)
    if options.cache_dir is not None and not isinstance(options.cache_dir, Path):
        options = replace(options, cache_dir=Path(options.cache_dir))
    choice = choose_model(options.model)
    if choice.name is not None:  # a catalogue model fetched with 'interviewer model get'
        from audio.catalogue import installed_path

        folder = installed_path(choice.name, options.cache_dir)
        if folder is not None:
            choice = ModelChoice(choice.name, folder)
    return backend.load_class()(options, choice, on_status)
