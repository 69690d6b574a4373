"""Hostile and mistyped bank files: one located line each, quickly, never a traceback; the
bank's own text is shown as written."""

from __future__ import annotations

import json
import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import assert_located_problems, assert_one_line_error
from tests.faults.conftest import GOOD_BANK, cap_memory, cli

HOSTILE_BANKS = {
    "recursive.yaml": "id: x\ntitle: &q [*q]\nquestions: []\n",
    "laughs.yaml": "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n"
        for i in range(8)) + "id: x\ntitle: t\nquestions: []\n",
    # B08: the same laughs hidden in complex mapping keys
    "key-laughs.yaml": "? &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n: x\n" + "".join(
        f"? &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n: x\n"
        for i in range(8)) + "id: x\ntitle: t\nquestions: []\n",
    # B09: a merge key
    "merge.yaml": "base: &b {id: t}\n<<: *b\ntitle: T\nquestions: []\n",
    "deep.json": "[" * 100_000 + "]" * 100_000,
    "deep.yaml": "id: x\ntitle: " + "[" * 60 + "]" * 60 + "\nquestions: []\n",
}


@pytest.mark.slow
def test_hostile_banks_get_one_line_quickly(tmp_path, app_env):
    paths = []
    for name, text in HOSTILE_BANKS.items():
        paths.append(tmp_path / name)
        paths[-1].write_text(text)
    started = time.monotonic()
    result = cli(app_env, "bank", "validate", *map(str, paths), preexec=cap_memory, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    for path in paths:  # each file has its located problems, and no line is a flood
        assert any(line.startswith(f"{path}:") for line in lines), path
    assert len(result.stderr) < 20_000
    for name in ("laughs.yaml", "key-laughs.yaml", "deep.json"):  # loading refuses them too
        stderr = assert_one_line_error(cli(app_env, "bank", "list", "--bank",
                                           str(tmp_path / name), preexec=cap_memory))
        assert str(tmp_path / name) in stderr
    assert time.monotonic() - started < 30


def _question(field: str, value: str) -> str:
    fields = {"id": "q-01", "category": "technical", "text": "Q?",
              "model_answer": "Vault and OIDC", field: value}
    return "id: t\ntitle: T\nquestions:\n  - " + "\n    ".join(
        f"{key}: {item}" for key, item in fields.items()) + "\n"


SCALARS = {  # B34, B36, B38, B39, B41: values YAML builds as dates or numbers, and cannot
    "b34-date.yaml": (_question("id", "2024-02-30"), 4, "questions[0].id"),
    "b36-digits.yaml": (_question("time_limit", "9" * 5000), 8, "questions[0].time_limit"),
    "b38-float.yaml": (_question("text", "!!float abc"), 6, "questions[0].text"),
    "b39-timestamp.yaml": (_question("text", "!!timestamp 2024-99-99"), 6,
                           "questions[0].text"),
    "b41-int.yaml": (_question("text", "!!int 0x"), 6, "questions[0].text"),
    "b37-digits.json": ('{"id": "t", "title": "T", "questions": [\n {"id": "q", '
                        '"category": "technical", "text": "Q?", "model_answer": "A",\n'
                        '  "time_limit": ' + "9" * 5000 + "}]}", 3, "questions[0].time_limit"),
}


def test_values_that_cannot_be_built_are_located_problems(tmp_path, app_env):
    paths = {}
    for name, (text, _, _) in SCALARS.items():
        paths[name] = tmp_path / name
        paths[name].write_text(text)
    result = cli(app_env, "bank", "validate", *map(str, paths.values()))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    for name, (_, line, field) in SCALARS.items():
        assert f"{paths[name]}:{line}: {field}:" in result.stderr, name
    assert result.stderr.count("put it in quotes") == len(SCALARS)
    # the same banks named by --jsonl lines are those lines' errors (J21)
    lines = [json.dumps({"answer": "Vault", "question_id": "q-01", "bank": str(path)})
             for path in paths.values()]
    scored = cli(app_env, "score", "--jsonl", "-", input="\n".join(lines) + "\n")
    out = [json.loads(line) for line in scored.stdout.splitlines()]
    assert scored.returncode == 2 and len(out) == len(SCALARS)
    for item, (name, (_, line, _)) in zip(out, SCALARS.items(), strict=True):
        assert f"{paths[name]}:{line}" in item["error"]


@pytest.mark.slow
def test_only_regular_files_are_read_as_banks(tmp_path, app_env):
    """B22, B42: a FIFO blocked forever, /dev/zero read without bound."""
    fifo = tmp_path / "bank.yaml"
    os.mkfifo(fifo)
    started = time.monotonic()
    result = cli(app_env, "bank", "validate", str(fifo), "/dev/zero", str(tmp_path),
                 preexec=cap_memory, timeout=30)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{fifo}:1: (bank): is a named pipe (FIFO), not a file" in result.stderr
    assert "/dev/zero:1: (bank): is a device, not a file" in result.stderr
    assert f"{tmp_path}:1:" in result.stderr
    for path in (fifo, "/dev/zero"):
        stderr = assert_one_line_error(cli(app_env, "bank", "list", "--bank", str(path),
                                           preexec=cap_memory, timeout=30))
        assert "not a file" in stderr
    assert time.monotonic() - started < 10


def test_bank_import_of_a_fifo_says_what_it_is(tmp_path, app_env):
    """C13: it said 'no such file'."""
    fifo = tmp_path / "questions.csv"
    os.mkfifo(fifo)
    stderr = cli(app_env, "bank", "import", str(fifo), "--out", str(tmp_path / "b.yaml"),
                 timeout=30).stderr
    assert "named pipe" in stderr and "no such file" not in stderr


SHOWN = ("id: t\ntitle: \"Team [/] bank \\e[2J\"\nversion: \"[/bold]\"\nquestions:\n"
         "  - id: q-01\n    category: technical\n"
         "    text: \"Explain [/] and [red] and \\e]8;;http://x\\e\\\\link\\e]8;;\\e\\\\\"\n"
         "    model_answer: Vault and OIDC\n"
         "    concepts:\n      - name: \"[link=file:///etc]vault\"\n")


@pytest.mark.slow
def test_markup_and_escape_sequences_in_bank_text_are_shown_as_written(tmp_path, app_env):
    """B24, B25, B26 (rich markup crashed 'bank list'), B10 (ESC sequences printed raw)."""
    path = tmp_path / "b.yaml"
    path.write_text(SHOWN)
    listed = cli(app_env, "bank", "list", "--bank", str(path))
    assert listed.returncode == 0, listed.stderr
    assert "Team [/] bank" in listed.stdout and "[/bold]" in listed.stdout
    assert "Explain [/] and [red]" in listed.stdout and "\x1b" not in listed.stdout
    assert "\\x1b[2J" in listed.stdout  # shown, not acted on
    shown = cli(app_env, "bank", "show", "q-01", "--bank", str(path))
    assert shown.returncode == 0, shown.stderr
    assert "[link=file:///etc]vault" in shown.stdout and "\x1b" not in shown.stdout


def test_a_good_bank_still_validates(tmp_path, app_env):
    path = tmp_path / "b.yaml"
    path.write_text(GOOD_BANK)
    result = cli(app_env, "bank", "validate", str(path))
    assert result.returncode == 0 and "OK, bank 'mine' with 1 questions" in result.stdout


YAMLISH = st.lists(st.sampled_from(
    ["id: ", "title: ", "questions:", "\n", "  - ", "    ", "text: ", "model_answer: ", "? ",
     ": ", "&a ", "*a ", "<<: ", "!!float ", "!!timestamp ", "!!int ", "!!binary ", "[", "]",
     "{", "}", ",", "'", '"', "#", "2024-02-30", "0x", "1e999", "9" * 400, "-", "|", ">",
     "\t", "\\", "\x00", "\xff", "é", "\u2028", "---", "...", "%YAML 1.1"]),
    max_size=40).map("".join)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=YAMLISH, raw=st.binary(max_size=60), json_suffix=st.booleans())
def test_fuzz_the_bank_parser_finds_only_located_problems(text, raw, json_suffix, tmp_path):
    """Whatever the bytes, reading a bank gives a bank or located problems, never another
    exception."""
    from bank import validate_bank_file
    from bank.parse import parse_document

    path = tmp_path / ("fuzz.json" if json_suffix else "fuzz.yaml")
    path.write_bytes(text.encode("utf-8") + raw)
    document = parse_document(path)
    problems = validate_bank_file(path)
    for problem in [*document.problems, *problems]:
        assert problem.file == str(path) and problem.line >= 1 and problem.message


@pytest.mark.parametrize("rows, line", [
    ('q1,"What is a secret?,technical,"A value\nq2,Other,technical,Answer\n', 2),  # stray
    ('q1,What?,technical,A value\nq2,"Other,technical,Answer\nq3,x,technical,y\n', 3),  # open
])
def test_a_stray_or_unclosed_csv_quote_is_located_at_its_row(run_cli, tmp_path, rows, line):
    """C01: an unterminated quote swallowed the cells after it and was reported as
    'model_answer: is empty'."""
    source = tmp_path / "bank.csv"
    source.write_text("id,text,category,model_answer\n" + rows)
    result = run_cli("bank", "import", str(source), "--out", str(tmp_path / "bank.yaml"))
    stderr = assert_located_problems(result, source)
    assert f"{source}:{line}: (file): malformed CSV" in stderr and '("")' in stderr
    assert not (tmp_path / "bank.yaml").exists()
