"""The bundled DevSecOps bank: complete, in the seed's order, in the project's own words."""

from __future__ import annotations

import re

import pytest

from bank import CATEGORIES, bundled_banks, load_bank


def test_bundled_bank_has_24_questions_in_order():
    bank = load_bank("devsecops")
    assert bank.ids == tuple(f"devsecops-{number:02d}" for number in range(1, 25))
    assert bank.id == "devsecops" and bank.language == "en"
    assert "devsecops" in bundled_banks()


def test_default_bank_is_devsecops():
    assert load_bank(None).id == "devsecops"


def test_every_question_is_complete():
    for question in load_bank().questions:
        words = len(question.model_answer.split())
        assert 80 <= words <= 150, (question.id, words)
        assert 5 <= len(question.concepts) <= 10, question.id
        assert question.category in CATEGORIES
        assert question.time_limit and 60 <= question.time_limit <= 300
        assert question.look_for, question.id
        assert question.text.endswith(("?", ".")), question.id
        for concept in question.concepts:
            assert concept.aliases, (question.id, concept.name)
        names = {concept.name for concept in question.concepts}
        assert all(follow.concept in names for follow in question.follow_ups), question.id


def test_categories_are_mixed():
    categories = {question.category for question in load_bank().questions}
    assert categories == set(CATEGORIES)


def test_glossary_spans_the_whole_bank():
    bank = load_bank()
    glossary = bank.glossary()
    assert len(glossary) == len(set(glossary))
    assert "SBOM" in glossary and "SAST" in glossary


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("\u2019", "'"))


def test_no_run_of_8_seed_words_in_the_bank(shared):
    seed_text = (shared / "seeds" / "000_3bb364330de45255.txt").read_text(encoding="utf-8")
    seed = _words(seed_text)
    grams = {tuple(seed[i:i + 8]) for i in range(len(seed) - 7)}
    bank_text = (bundled_banks()["devsecops"]).read_text(encoding="utf-8")
    words = _words(bank_text)
    copied = {" ".join(words[i:i + 8]) for i in range(len(words) - 7)
              if tuple(words[i:i + 8]) in grams}
    assert not copied, f"copied from the seed: {sorted(copied)}"
    # the check itself must be able to fail: the seed against itself finds runs
    assert any(tuple(seed[i:i + 8]) in grams for i in range(len(seed) - 7))


def test_questions_follow_the_seed_topics(shared):
    """Each bundled question shares distinctive topic words with the seed question at its index."""
    seed_lines = (shared / "seeds" / "000_3bb364330de45255.txt").read_text(
        encoding="utf-8").splitlines()
    seed_questions = seed_lines[3:27]
    assert len(seed_questions) == 24
    stop = set("a an the and or of to in on for with how what your you we our do would is it "
               "that this as at be can when without".split())
    for question, seed_question in zip(load_bank().questions, seed_questions, strict=True):
        mine = set(_words(question.text)) - stop
        theirs = set(_words(seed_question)) - stop
        assert len(mine & theirs) >= 2, (question.id, seed_question)


@pytest.mark.slow
def test_the_wheel_carries_the_bank_and_the_templates(tmp_path):
    """`pip install .` installs from this wheel: the bundled bank and data files must be in it."""
    import subprocess
    import sys
    import zipfile

    from tests.conftest import REPO

    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                            "--no-build-isolation", "-q", "-w", str(tmp_path), str(REPO)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("interview_simulator-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "bank/banks/devsecops.yaml" in names
    assert "interviewer/data/report.html.j2" in names
    assert "interviewer/data/demo_answers.yaml" in names
    assert any(name.endswith("entry_points.txt") for name in names)

