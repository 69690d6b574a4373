"""The faster-whisper backend: CTranslate2, int8 on the CPU, beam 5 (the default backend)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from audio.errors import ModelError
from audio.models import OFFLINE_HINT, ModelChoice, bundled_model_dir
from audio.stt import SpeechToText, SpeechToTextOptions, short_reason
from audio.transcript import Segment, Word
from audio.vad import SAMPLE_RATE


class FasterWhisper(SpeechToText):
    backend = "faster-whisper"

    def __init__(self, options: SpeechToTextOptions, choice: ModelChoice,
                 on_status: Callable[[str], None] | None = None):
        from faster_whisper import BatchedInferencePipeline, WhisperModel

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
            source, label = _fetch(choice.name or "", options, on_status)
        try:
            self.model = WhisperModel(source, device="cpu", compute_type=options.compute_type,
                                      cpu_threads=options.threads, num_workers=1)
        except Exception as error:  # tokenizers raises a bare Exception for a bad tokenizer.json
            detail = " ".join(str(error).split())[:120] or type(error).__name__
            raise ModelError(f"cannot load the Whisper model {label}: {detail}; check the "
                             "model folder, or leave --model out for the bundled "
                             "tiny.en") from error
        self.pipeline = BatchedInferencePipeline(self.model)
        super().__init__(options, choice, label)

    def _decode(self, audio: np.ndarray, chunks: list[tuple[int, int]],
                prompt: str | None, beam_size: int) -> list[Segment]:
        clips = [{"start": start / SAMPLE_RATE, "end": end / SAMPLE_RATE}
                 for start, end in chunks]
        hotwords = self.options.glossary_as == "hotwords"
        results, _ = self.pipeline.transcribe(
            audio, language=self.options.language, beam_size=beam_size,
            word_timestamps=True, clip_timestamps=clips, batch_size=self.options.batch_size,
            initial_prompt=None if hotwords else prompt, hotwords=prompt if hotwords else None,
            log_progress=False)
        return [Segment(float(item.start), float(item.end), item.text,
                        tuple(Word(word.word, float(word.start), float(word.end),
                                   float(word.probability)) for word in (item.words or [])),
                        float(item.avg_logprob), float(item.no_speech_prob))
                for item in results]


def _fetch(name: str, options: SpeechToTextOptions,
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
        if on_status:
            on_status(f"cannot fetch Whisper model '{name}' ({short_reason(error)}); using the "
                      f"bundled tiny.en instead; {OFFLINE_HINT}")
        return str(bundled_model_dir(stamp_dir=options.cache_dir)), "tiny.en (bundled)"
