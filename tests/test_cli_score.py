"""`interviewer score` through the real command line."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.conftest import REPO, assert_one_line_error

ANSWERS = yaml.safe_load((REPO / "tests" / "data" / "answers.yaml").read_text())


@pytest.mark.slow
def test_score_text_json_contract(run_cli):
    result = run_cli("score", "--question", "devsecops-16", "--json",
                     ANSWERS["paraphrase"]["devsecops-16"])
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["band"] == "strong" and 75 <= data["score"] <= 100
    assert 0 <= data["similarity"] <= 1 and 0 <= data["coverage"] <= 1
    assert all({"name", "matched", "evidence"} <= set(item) for item in data["concepts"])
    covered = [item for item in data["concepts"] if item["matched"]]
    assert covered and all(item["evidence"] for item in covered)


@pytest.mark.slow
def test_score_from_stdin_and_readable_output(run_cli):
    result = run_cli("score", "-q", "devsecops-03", "--model-answer",
                     input="I keep secrets in HashiCorp Vault and rotate them often.")
    assert result.returncode == 0, result.stderr
    assert "devsecops-03: score" in result.stdout
    assert "central secrets store" in result.stdout and "HashiCorp Vault" in result.stdout
    assert "Missed" in result.stdout and "Model answer" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


@pytest.mark.slow
def test_empty_stdin_is_an_empty_answer(run_cli):
    result = run_cli("score", "-q", "devsecops-03", "--json", input="")
    data = json.loads(result.stdout)
    assert data["score"] == 0 and data["band"] == "empty"


def test_score_needs_a_question(run_cli):
    stderr = assert_one_line_error(run_cli("score", "some answer"))
    assert "--question" in stderr


def test_score_unknown_question(run_cli):
    stderr = assert_one_line_error(run_cli("score", "-q", "devsecops-99", "x"))
    assert "no question 'devsecops-99'" in stderr


@pytest.mark.slow
def test_jsonl_in_order_with_both_kinds_of_lines(run_cli, tmp_path):
    lines = [
        {"id": "a", "answer": ANSWERS["paraphrase"]["devsecops-07"], "question_id": "devsecops-07"},
        {"id": "b", "answer": "A node without children.", "reference": "A node that has no children.",
         "question": "What is a leaf?"},
        {"id": "c", "answer": "It is the root.", "reference": "A node that has no children.",
         "question": "What is a leaf?", "concepts": [{"name": "no children", "aliases": ["childless"]}]},
        {"id": "d", "answer": "", "question_id": "devsecops-01"},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    result = run_cli("score", "--jsonl", str(source))
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [item["id"] for item in out] == ["a", "b", "c", "d"]
    assert out[0]["band"] == "strong"
    assert out[1]["score"] > out[2]["score"]
    assert out[2]["concepts"][0]["name"] == "no children" and not out[2]["concepts"][0]["matched"]
    assert out[3]["band"] == "empty"
    for item in out:
        assert {"score", "similarity", "coverage", "concepts", "band"} <= set(item)


@pytest.mark.slow
def test_jsonl_bad_lines_keep_their_place_and_exit_2(run_cli):
    text = "\n".join([
        json.dumps({"answer": "Vault", "question_id": "devsecops-03"}),
        "{not json",
        json.dumps({"answer": "x"}),
        json.dumps({"answer": "Vault", "question_id": "devsecops-03", "bank": "/nowhere.yaml"}),
        json.dumps({"answer": "Vault", "question_id": "devsecops-03"}),
    ]) + "\n"
    result = run_cli("score", "--jsonl", "-", input=text)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 5
    assert "score" in out[0] and "score" in out[4]
    assert [item.get("line") for item in out[1:4]] == [2, 3, 4]
    assert "-:2: not a JSON object" in result.stderr
    assert "-:3: give 'question_id'" in result.stderr


def test_jsonl_missing_file(run_cli, tmp_path):
    stderr = assert_one_line_error(run_cli("score", "--jsonl", str(tmp_path / "none.jsonl")))
    assert "cannot be read" in stderr


@pytest.mark.slow
def test_score_huge_input_from_stdin(run_cli):
    result = run_cli("score", "-q", "devsecops-03", "--json", input="Vault rotation. " * 70_000)
    assert result.returncode == 0, result.stderr
    assert 0 <= json.loads(result.stdout)["score"] <= 100
