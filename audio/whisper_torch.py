"""The openai-whisper backend: PyTorch, fp32, beam 5 (extra `[openai-whisper]`).

It serves the bundled CTranslate2 weights through a checkpoint converted once into the cache
(`audio.convert`), with the word-alignment heads read from the model folder's config.json.

openai-whisper switches its attention implementation with a class attribute while it aligns
words (`whisper.model.disable_sdpa`), shared by every model in the process: two decodes at the
same time, even on different models, can each restore the other's setting in the middle of a
decode, and the alignment hook then finds no attention weights ("'NoneType' object is not
subscriptable"). Decodes of this backend are therefore serialised process-wide.
"""

from __future__ import annotations

import base64
import gzip
import json
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from audio.errors import ModelError
from audio.models import OFFLINE_HINT, ModelChoice, bundled_model_dir
from audio.stt import SpeechToText, SpeechToTextOptions, short_reason
from audio.transcript import Segment, Word
from audio.vad import SAMPLE_RATE

_DECODE_LOCK = threading.Lock()  # see the module's docstring


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
        torch.set_num_threads(options.threads)
        label, folder = choice.label, None
        if choice.bundled or (choice.path is not None and choice.path.is_dir()):
            folder = bundled_model_dir(stamp_dir=options.cache_dir) if choice.bundled \
                else choice.path
            assert folder is not None
            self.model = _load(whisper, str(_converted(folder, options.cache_dir, on_status)),
                               label)
        elif choice.path is not None:
            self.model = _load(whisper, str(choice.path), label)
        else:
            self.model, label, folder = _fetch(whisper, choice.name or "", options, on_status)
        if folder is not None:
            heads = _alignment_heads(folder, self.model.dims.n_text_layer,
                                     self.model.dims.n_text_head)
            if heads is not None:
                self.model.set_alignment_heads(heads)
        super().__init__(options, choice, label)

    def _decode(self, audio: np.ndarray, chunks: list[tuple[int, int]],
                prompt: str | None, beam_size: int) -> list[Segment]:
        segments = []
        for start, end in chunks:
            with _DECODE_LOCK:
                self._drop_stale_alignment_hooks()
                result = self._whisper.transcribe(
                    self.model, audio[start:end], language=self.options.language,
                    beam_size=beam_size if beam_size > 1 else None, best_of=beam_size,
                    word_timestamps=True, fp16=False, initial_prompt=prompt,
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


    def _drop_stale_alignment_hooks(self) -> None:
        """Word alignment hooks the decoder's cross-attention and removes the hooks only if
        the aligning pass succeeds; hooks left behind by a failed pass would break every later
        decode of this model, so any still present now are stale."""
        for block in self.model.decoder.blocks:
            hooks = getattr(block.cross_attn, "_forward_hooks", None)
            if hooks:
                hooks.clear()


def _load(whisper, source: str, label: str):
    try:
        return whisper.load_model(source, device="cpu")
    except Exception as error:
        raise ModelError(f"cannot load the Whisper model {label}: {short_reason(error)}") \
            from error


def _alignment_heads(folder: Path, layers: int, heads: int) -> bytes | None:
    """The word-alignment heads a CTranslate2 model folder lists in its config.json, in the
    form `whisper.model.Whisper.set_alignment_heads` takes (a gzipped, base85 boolean mask)."""
    try:
        pairs = json.loads((folder / "config.json").read_text(encoding="utf-8"))[
            "alignment_heads"]
        mask = np.zeros((layers, heads), dtype=bool)
        for layer, head in pairs:
            mask[int(layer), int(head)] = True
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None  # openai-whisper then uses its default (the upper half of the layers)
    return base64.b85encode(gzip.compress(mask.tobytes()))


def _converted(folder: Path, cache_dir: Path | None,
               on_status: Callable[[str], None] | None) -> Path:
    """openai-whisper's checkpoint of a CTranslate2 model folder, converted once."""
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


def _fetch(whisper, name: str, options: SpeechToTextOptions,
           on_status: Callable[[str], None] | None):
    """(model, label, folder of CTranslate2 weights or None): a named model, downloaded by
    openai-whisper; the bundled tiny.en when that is impossible."""
    if name not in whisper.available_models():
        raise ModelError(f"unknown openai-whisper model '{name}'; known: "
                         f"{', '.join(whisper.available_models())}, or give a path")
    root = (options.cache_dir or Path.home() / ".cache" / "interviewer") / "openai-whisper"
    try:
        if on_status:
            on_status(f"fetching Whisper model '{name}' ...")
        return whisper.load_model(name, device="cpu", download_root=str(root)), name, None
    except Exception as error:
        if on_status:
            on_status(f"cannot fetch Whisper model '{name}' ({short_reason(error)}); using the "
                      f"bundled tiny.en instead; {OFFLINE_HINT}")
    folder = bundled_model_dir(stamp_dir=options.cache_dir)
    return _load(whisper, str(_converted(folder, options.cache_dir, on_status)),
                 "tiny.en (bundled)"), "tiny.en (bundled)", folder
