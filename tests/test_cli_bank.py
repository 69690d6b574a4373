"""`interviewer bank ...` through the real command line."""

from __future__ import annotations

import json
import textwrap

import pytest
import yaml

from tests.conftest import assert_located_problems, assert_one_line_error


def test_bank_list_json_lists_the_24_ids(run_cli):
    result = run_cli("bank", "list", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [item["id"] for item in data["questions"]] == \
        [f"devsecops-{number:02d}" for number in range(1, 25)]
    assert data["bank"]["question_count"] == 24


def test_bank_list_readable_and_filtered(run_cli):
    result = run_cli("bank", "list", "--category", "behavioral")
    assert result.returncode == 0
    assert "devsecops-02" in result.stdout and "devsecops-01" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_python_m_and_console_script_agree(run_cli):
    import subprocess
    import sys
    from pathlib import Path

    # the console script installed beside this interpreter (the venv need not be activated)
    script = Path(sys.executable).parent / "interviewer"
    assert script.exists(), "console script 'interviewer' is not installed"
    direct = subprocess.run([str(script), "bank", "list", "--json"], capture_output=True,
                            text=True)
    assert json.loads(direct.stdout) == json.loads(run_cli("bank", "list", "--json").stdout)


def test_bank_show(run_cli):
    result = run_cli("bank", "show", "devsecops-16", "--json")
    question = json.loads(result.stdout)["question"]
    assert question["id"] == "devsecops-16"
    assert any(concept["name"] == "secret scanning" for concept in question["concepts"])
    text = run_cli("bank", "show", "devsecops-16").stdout
    assert "Model answer" in text and "gitleaks" in text


def test_bank_show_unknown_id_suggests(run_cli):
    stderr = assert_one_line_error(run_cli("bank", "show", "devsecops-7"))
    assert "did you mean 'devsecops-07'" in stderr


def test_bank_option_accepts_a_path(run_cli, tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("id: mine\ntitle: Mine\nquestions:\n  - id: a\n    text: Why?\n"
                    "    category: behavioral\n    model_answer: Because.\n")
    data = json.loads(run_cli("bank", "list", "--bank", str(path), "--json").stdout)
    assert data["bank"]["id"] == "mine" and data["questions"][0]["id"] == "a"


def test_missing_bank_path(run_cli, tmp_path):
    stderr = assert_one_line_error(run_cli("bank", "list", "--bank", str(tmp_path / "x.yaml")))
    assert "no such bank file" in stderr


@pytest.mark.slow
def test_validate_good_and_broken(run_cli, tmp_path):
    assert run_cli("bank", "validate", "devsecops").returncode == 0
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: b\ntitle: Broken\nquestions:\n  - id: a\n    txt: Why?\n"
                      "    category: technical\n    model_answer: Because.\n")
    result = run_cli("bank", "validate", str(broken))
    stderr = assert_located_problems(result, broken)
    assert f"{broken}:5: questions[0].txt: unknown key 'txt'; did you mean 'text'?" in stderr
    assert f"{broken}:4: questions[0]: missing required key 'text'" in stderr
    as_json = run_cli("bank", "validate", str(broken), "--json")
    assert as_json.returncode == 2
    report = json.loads(as_json.stdout)
    assert report[0]["valid"] is False and len(report[0]["problems"]) == 2


def test_validate_malformed_yaml_no_traceback(run_cli, tmp_path):
    broken = tmp_path / "bad.yaml"
    broken.write_text("id: b\ntitle: 'unterminated\nquestions: []\n")
    stderr = assert_located_problems(run_cli("bank", "validate", str(broken)), broken)
    assert "malformed YAML" in stderr


def test_usage_error_is_one_line(run_cli):
    result = run_cli("bank", "show")
    stderr = assert_one_line_error(result)
    assert len(stderr.strip().splitlines()) == 1
    assert "--help" in stderr


CSV = textwrap.dedent("""\
    id,question,category,tags,model_answer,concepts,look_for,time_limit,follow_up_concept,follow_up
    s-1,How do you keep secrets safe?,technical,secrets;vault,"Keep them in Vault, rotate them.",Vault|HashiCorp Vault;rotation|rotate,Named tools;Rotation plan,120,rotation,How often do you rotate?
    ,"What is SAST?",,,"Static analysis of source code.","SAST|static analysis",,,,
""")


@pytest.mark.slow
def test_import_csv_writes_a_valid_bank(run_cli, tmp_path):
    source = tmp_path / "questions.csv"
    source.write_text(CSV, encoding="utf-8")
    out = tmp_path / "imported.yaml"
    result = run_cli("bank", "import", str(source), "--out", str(out), "--title", "Imported")
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["id"] == "questions" and data["title"] == "Imported"
    first, second = data["questions"]
    assert first["concepts"][0] == {"name": "Vault", "aliases": ["HashiCorp Vault"]}
    assert first["follow_ups"] == [{"concept": "rotation", "text": "How often do you rotate?"}]
    assert first["time_limit"] == 120 and first["tags"] == ["secrets", "vault"]
    assert second["id"] == "questions-02" and second["category"] == "technical"
    assert run_cli("bank", "validate", str(out)).returncode == 0
    listed = json.loads(run_cli("bank", "list", "--bank", str(out), "--json").stdout)
    assert [item["id"] for item in listed["questions"]] == ["s-1", "questions-02"]
    again = run_cli("bank", "import", str(source), "--out", str(out))
    assert "already exists" in assert_one_line_error(again)
    assert run_cli("bank", "import", str(source), "--out", str(out), "--force").returncode == 0


def test_import_csv_problems_point_at_csv_lines(run_cli, tmp_path):
    source = tmp_path / "bad.csv"
    source.write_text(CSV.replace(",technical,secrets", ",technicl,secrets")
                      .replace('"Static analysis of source code."', '""'), encoding="utf-8")
    out = tmp_path / "never.yaml"
    stderr = assert_located_problems(run_cli("bank", "import", str(source), "--out", str(out)),
                                     source)
    assert f"{source}:2: questions[0].category: unknown category 'technicl'" in stderr
    assert f"{source}:3: questions[1].model_answer: is empty" in stderr
    assert not out.exists()


def test_import_csv_unknown_column(run_cli, tmp_path):
    source = tmp_path / "cols.csv"
    source.write_text("question,answr\nWhy?,Because.\n", encoding="utf-8")
    stderr = assert_located_problems(run_cli("bank", "import", str(source), "--out",
                                             str(tmp_path / "o.yaml")), source)
    assert f"{source}:1: answr: unknown column" in stderr
