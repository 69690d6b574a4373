"""Verdicts that understand meaning (issue 17): polarity, precise matching, concepts said in
other words, bands and feedback, and the warnings of `bank validate`."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from bank import Concept, Question, load_bank
from interviewer.judging import scorer_recipe
from scoring import ConceptStatus
from scoring.advice import question_advice
from scoring.concepts import ConceptMatcher, ConceptSpec
from scoring.explanation import sentence_numbers
from scoring.lexicon import is_english_word
from scoring.negation import find_negation
from scoring.phrases import names_an_absence, same_word
from scoring.text import tokenize
from tests.conftest import REPO

BANK = load_bank()
RECIPE = scorer_recipe()


@pytest.fixture(scope="module")
def scorer():
    return RECIPE.scorer(BANK.questions)


def statuses(report) -> dict[str, ConceptStatus]:
    return {concept.name: concept.status for concept in report.concepts}


def found(concepts: list[ConceptSpec], text: str, model_answer: str = "") -> list:
    matcher = ConceptMatcher(concepts, is_english_word=is_english_word)
    if model_answer:
        tokens = tokenize(model_answer)
        matcher.learn_stances(tokens, find_negation(model_answer, tokens))
    tokens = tokenize(text)
    return matcher.match(tokens, negation=find_negation(text, tokens),
                         sentences=sentence_numbers(text, tokens))


def status_of(concept: ConceptSpec, text: str, model_answer: str = "") -> str:
    match = found([concept], text, model_answer)[0]
    return "missed" if match is None else match.status.value


# ------------------------------------------------------------------ polarity

@pytest.mark.slow
def test_a_negated_hazard_covers_a_no_x_concept_and_is_not_off_topic(scorer):
    report = scorer.score_text("Secrets are never baked into container images.",
                               BANK.get("devsecops-03"))
    assert statuses(report)["no secrets in repos or images"] is ConceptStatus.COVERED
    assert report.band != "off-topic"
    assert not report.contradicted


def test_no_anonymous_access_does_not_contradict_minimal_rbac(scorer):
    # the model answer says "anonymous access turned off": the alias names the hazard
    report = scorer.score_text("There is no anonymous access to the API server.",
                               BANK.get("devsecops-04"))
    assert statuses(report)["minimal RBAC"] is ConceptStatus.COVERED


def test_a_rejection_with_its_reason_in_the_next_clause_stays_contradicted(scorer):
    report = scorer.score_text("We never rotate keys because rotation breaks things.",
                               BANK.get("devsecops-03"))
    assert statuses(report)["rotation"] is ConceptStatus.CONTRADICTED
    assert "rotation" not in {concept.name for concept in report.covered}
    assert report.feedback[0].startswith("You said")


def test_a_contrast_lets_the_later_affirmation_stand():
    rotation = ConceptSpec("rotation", ("rotation", "rotate"))
    assert status_of(rotation, "We never rotate keys by hand, but rotation runs nightly.") == \
        "covered"
    assert status_of(rotation, "We never rotate keys. Rotation is automated by Vault.") == \
        "covered"


def test_keeping_a_hazard_contradicts_the_concept_to_avoid(scorer):
    report = scorer.score_text("I'd keep trusting the internal network.",
                               BANK.get("devsecops-23"))
    assert statuses(report)["no trust from network location"] is ConceptStatus.CONTRADICTED


def test_a_plain_hazard_mention_neither_covers_nor_contradicts():
    lock = ConceptSpec("no long table locks", ("table lock", "long lock"), avoid=True)
    assert status_of(lock, "Nothing takes a table lock for long.") == "covered"
    assert status_of(lock, "A table lock on a busy table queues every write.") == "missed"
    assert status_of(lock, "A table lock is fine for us.") == "contradicted"


def test_a_negation_in_one_clause_never_flips_a_concept_in_another():
    vault = ConceptSpec("central secrets store", ("Vault",))
    assert status_of(vault, "We don't copy values into files; Vault holds them.") == "covered"
    assert status_of(vault, "Nothing is copied by hand, so Vault holds every secret.") == \
        "covered"


@pytest.mark.parametrize("name,avoid", [
    ("no stored keys", True), ("never lock the table", True), ("without shared accounts", True),
    ("secret-free images", True), ("zero trust", False), ("least privilege", False),
    ("nothing to rotate", True)])
def test_polarity_is_derived_from_the_name(name, avoid):
    assert names_an_absence(name) is avoid


def test_a_practice_alias_the_model_answer_negates_names_the_hazard():
    rbac = ConceptSpec("minimal RBAC", ("RBAC", "anonymous access"))
    model = "RBAC would be kept minimal, with anonymous access turned off."
    assert status_of(rbac, "No anonymous access anywhere.", model) == "covered"
    assert status_of(rbac, "We keep anonymous access for the health check.", model) == \
        "contradicted"


# ------------------------------------------------------------------ precise matching

@pytest.mark.parametrize("alias,said", [
    ("stale", "we had a big sale last week"),  # a word is not a misspelling of another
    ("409", "the API returned 429 too many requests"),  # numbers exactly
    ("ISO 27001", "we follow ISO 27002"),
    ("contain", "container images are scanned"),  # a stem never reaches another word
    ("processing", "the reprocessing job ran"),
    ("customer ID", "the customer called"),
    ("per client", "the client generates it once per attempt"),  # in order
    ("IAM", "I am sure it works"),  # short words are not joined from others
])
def test_precise_matching_gives_no_false_credit(alias, said):
    assert found([ConceptSpec("c", (alias,))], said)[0] is None, (alias, said)


@pytest.mark.parametrize("alias,said", [
    ("409", "the API returns 409 on a conflict"),
    ("rotation", "keys are rotated every month"),
    ("short-lived credentials", "credentials that are short-lived"),
    ("containment", "we contained the blast"),
    ("gitleaks", "we run git leaks"),
    ("Trivy", "a trivvy scan of the image"),
])
def test_precise_matching_keeps_true_matches(alias, said):
    assert found([ConceptSpec("c", (alias,))], said)[0] is not None, (alias, said)


def test_container_images_do_not_credit_isolation(scorer):
    report = scorer.score_text("Container images are scanned with Trivy before release.",
                               BANK.get("devsecops-02"))
    assert statuses(report)["isolate affected services"] is not ConceptStatus.COVERED


def test_word_forms():
    assert same_word("rotate", "rotation") and same_word("encrypt", "encryption")
    assert not same_word("contain", "container") and same_word("contain", "containment")


# ------------------------------------------------------------------ in other words

OWN_WORDS = ("I keep every password and token in one managed safe that all environments read "
             "from. The pipeline proves who it is with a signed identity token from the CI "
             "provider, so it holds nothing permanent. Database logins are minted on demand "
             "and expire after a few minutes.")


def test_own_words_are_credited_with_the_sentence_as_evidence(scorer):
    report = scorer.score_text(OWN_WORDS, BANK.get("devsecops-03"))
    in_words = [c for c in report.concepts if c.evidence and c.evidence.in_other_words]
    assert in_words, [c.status for c in report.concepts]
    for concept in in_words:
        assert concept.status in (ConceptStatus.COVERED, ConceptStatus.POSSIBLE)
        assert concept.evidence.text in OWN_WORDS and concept.evidence.closeness > 0
    assert any("described it as" in note or "perhaps" in note for note in report.feedback)


def test_reading_ahead_changes_nothing_but_the_time(scorer):
    question = BANK.get("devsecops-03")
    before = scorer.score_text(OWN_WORDS, question)
    scorer._sentences.forget()
    scorer.read_ahead(OWN_WORDS.rsplit(".", 2)[0], question)  # while it is being said
    assert scorer._sentences._recent  # the finished sentences are remembered
    assert scorer.score_text(OWN_WORDS, question).to_dict() == before.to_dict()


def test_off_topic_and_negated_sentences_get_no_credit_in_other_words(scorer):
    for text in ("I enjoy cooking pasta and hiking with my dog at the weekend.",
                 "We don't keep passwords in a managed safe; a shared spreadsheet is simpler."):
        report = scorer.score_text(text, BANK.get("devsecops-03"))
        assert not [c for c in report.concepts if c.evidence and c.evidence.in_other_words \
                    and c.status is ConceptStatus.COVERED], text


def test_the_sentence_model_matches_sentence_transformers():
    """Cosines of the numpy forward pass against values sentence-transformers 3.3.1 gave
    for the same texts (all-MiniLM-L6-v2, normalised)."""
    from scoring.sentence_model import load_sentence_embedder

    model = load_sentence_embedder()
    vectors = model.embed(["Secrets are never baked into container images.",
                           "Passwords and keys are never written into source code, committed "
                           "to git or built into container layers; they are fetched when "
                           "needed.", "I like cooking pasta on Sundays.",
                           "one managed password safe"])
    cosines = vectors @ vectors[0]
    assert np.allclose(cosines, [1.0, 0.4986, 0.0227, 0.1798], atol=2e-4), cosines
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_damaged_weights_are_refused(tmp_path):
    from scoring.sentence_model import verify_weights

    damaged = tmp_path / "model.safetensors"
    damaged.write_bytes(b"not the weights")
    with pytest.raises(ValueError, match="SHA-256"):
        verify_weights(damaged)


# ------------------------------------------------------------------ bank validate warnings

def test_advice_names_the_aliases_that_will_misfire():
    question = Question(
        id="q", text="How do you handle retries?", category="technical",
        model_answer="Every request carries an idempotency key, and a retry with the same key "
                     "gets the stored response. The server never charges twice.",
        concepts=(Concept("idempotency key", aliases=("noise", "409", "ttl")),
                  Concept("no double charges", aliases=("double charge",)),
                  Concept("exponential backoff", aliases=("jitter",))))
    advice = {(item.concept, item.phrase): item.message for item in question_advice(question)}
    assert "common English word" in advice["idempotency key", "noise"]
    assert "bare number" in advice["idempotency key", "409"]
    assert "3 letters" in advice["idempotency key", "ttl"]
    assert "hazard" in advice["no double charges", "double charge"]
    assert "never says" in advice["exponential backoff", None]
    assert ("idempotency key", None) not in advice


@pytest.mark.slow
def test_bank_validate_warns_with_file_and_line_and_exits_0(tmp_path):
    bank_file = tmp_path / "mine.yaml"
    bank_file.write_text(
        "id: mine\ntitle: Mine\nquestions:\n  - id: mine-01\n    category: technical\n"
        "    text: How do you handle retries?\n"
        "    model_answer: Every request carries an idempotency key.\n"
        "    concepts:\n      - name: idempotency key\n        aliases:\n"
        "          - noise\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "interviewer", "bank", "validate",
                             str(bank_file)], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert f"{bank_file}:11: questions[0].concepts[0].aliases[0]: warning: 'noise'" in \
        result.stderr
    as_json = subprocess.run([sys.executable, "-m", "interviewer", "bank", "validate",
                              "--json", str(bank_file)], capture_output=True, text=True,
                             cwd=REPO)
    assert json.loads(as_json.stdout)[0]["warnings"][0]["line"] == 11
