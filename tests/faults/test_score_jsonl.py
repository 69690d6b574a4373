"""`score --jsonl`: every bad line gets its own error object and the rest are scored, in
order; the run ends 0 or 2, never 70, and a full disk is one line."""

from __future__ import annotations

import json
import logging
import os
import signal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import assert_one_line_error
from tests.faults.conftest import ANSWER, cli, disk_env

GOOD = json.dumps({"answer": ANSWER, "question_id": "devsecops-03"})


@pytest.mark.slow
def test_hostile_json_lines_each_get_their_own_error(run_cli):
    lines = [json.dumps({"answer": ANSWER, "question_id": "devsecops-03", "bank": 5}),
             "[" * 100_000 + "]" * 100_000,
             '{"answer": "x", "reference": "Use Vault.", "concepts": '
             '[{"name": "vault", "weight": NaN}]}',
             '{"answer": "x", "reference": "Use Vault.", "concepts": '
             '[{"name": "vault", "weight": 1e999}]}',
             GOOD]
    result = run_cli("score", "--jsonl", "-", input="\n".join(lines) + "\n")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    outputs = [json.loads(line, parse_constant=lambda name: pytest.fail(f"{name} in output"))
               for line in result.stdout.splitlines()]
    assert [output.get("line") for output in outputs[:4]] == [1, 2, 3, 4]
    assert "'bank' must be text" in outputs[0]["error"]
    assert "nested too deeply" in outputs[1]["error"]
    assert all("weight" in output["error"] for output in outputs[2:4])
    assert outputs[4]["score"] > 0  # the line after the bad ones is scored


@pytest.mark.slow
def test_each_bad_line_is_its_own_error_and_the_rest_are_scored(tmp_path, app_env):
    """J04 (weight 10**400 stopped the run), J16 (a lone surrogate), J02 (a line not UTF-8
    refused the file), J03 (U+2028 / U+0085 split a line), J01 (an id of NaN was an internal
    error), J20 (a FIFO as a line's bank blocked the file)."""
    fifo = tmp_path / "bank.yaml"
    os.mkfifo(fifo)
    lines = [
        GOOD.encode(),
        json.dumps({"answer": "q", "reference": "Use a queue.",
                    "concepts": [{"name": "queue", "weight": 10**400}]}).encode(),
        b'{"answer": "Vault \\ud800", "question_id": "devsecops-03"}',
        b"\xff\xfe",
        json.dumps({"answer": "Vault\u2028and rotation\u0085of secrets",
                    "question_id": "devsecops-03"}, ensure_ascii=False).encode(),
        b'{"answer": "Vault", "question_id": "devsecops-03", "id": NaN}',
        json.dumps({"answer": "Vault", "question_id": "devsecops-03",
                    "bank": str(fifo)}).encode(),
        GOOD.encode() + b"\r",
    ]
    path = tmp_path / "answers.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    result = cli(app_env, "score", "--jsonl", str(path), timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    # split at "\n" only: str.splitlines() would split at the U+2028 inside a string too
    out = [json.loads(line) for line in result.stdout.split("\n") if line]
    assert len(out) == len(lines)
    assert [item.get("line") for item in out] == [None, 2, 3, 4, None, 6, 7, None]
    assert "weight" in out[1]["error"]
    assert "surrogate" in out[2]["error"]
    assert "UTF-8" in out[3]["error"]
    assert out[4]["score"] > 0 and "\u2028" in out[4]["text"]
    assert "'id'" in out[5]["error"]
    assert "named pipe" in out[6]["error"]
    assert out[0]["score"] == out[7]["score"] > 0
    assert "internal error" not in result.stdout
    assert f"{path}:2:" in result.stderr


@pytest.mark.slow
def test_results_on_a_full_disk_are_one_line(mounted_disk, app_env, tmp_path):
    """S14: ENOSPC on stdout was an internal error (70)."""
    source = tmp_path / "answers.jsonl"
    source.write_text((GOOD + "\n") * 40)
    env = disk_env(app_env, mounted_disk)
    mounted_disk.fill()
    with (mounted_disk.root / "out.jsonl").open("w") as out:
        result = subprocess_run(env, ["score", "--jsonl", str(source)], out)
    stderr = assert_one_line_error(result)
    assert "No space left" in stderr


def subprocess_run(env, args, stdout):
    import subprocess
    import sys

    from tests.conftest import REPO

    return subprocess.run([sys.executable, "-m", "interviewer", *args], stdout=stdout,
                          stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                          env=env, cwd=REPO, timeout=120)


# ---------------------------------------------------------------------- fuzz

LINE_PARTS = st.sampled_from([
    '{"answer": "Vault and rotation", "question_id": "devsecops-03"}',
    '{"answer": "x", "reference": "Use a queue.", "concepts": ["queue"]}',
    '{"answer": ', '"question_id": ', '"reference": ', '"concepts": [', '"weight": ',
    '"bank": ', '"id": ', '"/dev/zero"', '"devsecops"', "1e999", "NaN", "-0", "10" * 300,
    "null", "true", "[", "]", "{", "}", ",", ":", '"\\ud800"', '"\\u2028"', "\u0085", "\ufeff",
    "\xff", "\\", '"', " ", "\t", "\r"])
LINES = st.lists(st.one_of(LINE_PARTS.map(lambda part: part.encode("utf-8", "surrogatepass")),
                           st.binary(max_size=12)).map(lambda part: part.replace(b"\n", b" ")),
                 min_size=0, max_size=6).map(b"".join)


@pytest.fixture
def in_process(app_env, monkeypatch):
    """main() in this process, with the test's folders, restoring what main() changes."""
    for name in ("INTERVIEWER_DATA_DIR", "INTERVIEWER_CACHE_DIR", "XDG_CONFIG_HOME"):
        monkeypatch.setenv(name, app_env[name])
    monkeypatch.delenv("INTERVIEWER_CONFIG", raising=False)
    umask, handler = os.umask(0o077), signal.getsignal(signal.SIGTERM)
    os.umask(umask)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    os.umask(umask)
    signal.signal(signal.SIGTERM, handler)
    for extra in list(root.handlers):
        root.removeHandler(extra)
    for kept in handlers:
        root.addHandler(kept)
    root.setLevel(level)


@pytest.mark.slow
@settings(max_examples=80, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(lines=st.lists(LINES, min_size=1, max_size=5))
def test_fuzz_score_jsonl_one_output_line_per_input_line(lines, in_process, tmp_path, capsys):
    from interviewer.cli import main

    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        main(["score", "--jsonl", str(path)])
    out, err = capsys.readouterr()
    assert done.value.code in (0, 2), err
    produced = [line for line in out.split("\n") if line]
    assert all(isinstance(json.loads(line), dict) for line in produced)
    # a byte-order mark opens the file, it is not a line's content
    raw = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
    non_blank = [line for line in raw.split(b"\n")[:-1] if line.strip()]
    assert len(produced) == len(non_blank), (non_blank, produced, err)


@pytest.mark.slow
def test_a_lines_concepts_follow_the_bank_rules_and_a_missing_answer_is_named(run_cli):
    """Concepts in a line were checked by a copy of the bank's validator that accepted what
    `bank validate` refuses (an unknown key, a duplicate); a line with no 'answer' scored 0."""
    reference = {"reference": "Keep secrets in Vault.", "answer": "Vault."}
    lines = [dict(reference, concepts=[{"name": "vault", "alias": ["hashicorp"]}]),
             dict(reference, concepts=["vault", "Vault"]),
             {"text": "Vault.", "question_id": "devsecops-03"},
             dict(reference, concepts=["vault", {"name": "plain text", "polarity": "avoid"}])]
    result = run_cli("score", "--jsonl", "-",
                     input="\n".join(json.dumps(line) for line in lines) + "\n")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    outputs = [json.loads(line) for line in result.stdout.splitlines()]
    assert "unknown key 'alias'; did you mean 'aliases'?" in outputs[0]["error"]
    assert "duplicate concept" in outputs[1]["error"]
    assert "missing 'answer'" in outputs[2]["error"]
    assert outputs[3]["concepts"][0]["status"] == "covered"
