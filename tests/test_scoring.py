"""The scorer: calibration on the bundled bank, matching rules, evidence, robustness."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bank import Concept, Question, load_bank
from interviewer.judging import scorer_recipe
from scoring import AnswerScorer, Band, ConceptStatus, TimedWord
from tests.conftest import REPO

BANK = load_bank()
ANSWERS = yaml.safe_load((REPO / "tests" / "data" / "answers.yaml").read_text())


RECIPE = scorer_recipe()  # what the application uses, with no cache folder


def app_scorer(**config) -> AnswerScorer:
    """An unfitted scorer as the application configures it (`config` changes parameters)."""
    return scorer_recipe(**config).configured()


@pytest.fixture(scope="module")
def scorer() -> AnswerScorer:
    return RECIPE.scorer(BANK.questions)


def covered(report) -> set[str]:
    return {concept.name for concept in report.covered}


@pytest.mark.slow
def test_model_answer_scores_about_100(scorer):
    from scoring.advice import question_advice

    for question in BANK.questions:
        report = scorer.score_text(question.model_answer, question)
        # `bank validate` warns about the concepts the model answer never says in their words
        # (devsecops-09 "expiry date": "the acceptance expires"); every other one is found
        unsaid = {item.concept for item in question_advice(question) if item.phrase is None}
        assert report.score >= (99 if not unsaid else 95), (question.id, report.score)
        assert report.band == "strong"
        assert {concept.name for concept in report.missed} <= unsaid, question.id
        assert not report.contradicted, question.id


@pytest.mark.slow
def test_faithful_paraphrases_are_strong(scorer):
    for qid, text in ANSWERS["paraphrase"].items():
        report = scorer.score_text(text, BANK.get(qid))
        assert report.score >= 80 and report.band == "strong", (qid, report.score)
        assert not report.keyword_list


def test_keyword_lists_stay_in_the_weak_band_and_say_why(scorer):
    for qid, text in ANSWERS["keyword_list"].items():
        report = scorer.score_text(text, BANK.get(qid))
        assert report.keyword_list, qid
        assert report.band in (Band.WEAK, Band.OFF_TOPIC) and report.score <= 34, \
            (qid, report.score)
        assert any("list of terms" in note for note in report.feedback)


def test_partial_answers_land_between_off_topic_and_strong(scorer):
    for qid, text in ANSWERS["partial"].items():
        report = scorer.score_text(text, BANK.get(qid))
        assert 10 <= report.score < 70, (qid, report.score)
        paraphrase = ANSWERS["paraphrase"].get(qid)
        if paraphrase:
            # (+30 before concepts said in other words lifted partial answers a little)
            assert scorer.score_text(paraphrase, BANK.get(qid)).score > report.score + 25


@pytest.mark.slow
def test_answers_to_other_questions_stay_out_of_the_partial_and_strong_bands(scorer):
    """Another question's model answer: measured 97.8% below 35 and 84.6% below 10 (some bank
    questions overlap, such as CI workload identity and IAM design)."""
    pairs = [(asked, other) for asked in BANK.questions for other in BANK.questions
             if asked.id != other.id]
    scores = [scorer.score_text(other.model_answer, asked).score for asked, other in pairs]
    assert sum(score < 35 for score in scores) / len(pairs) >= 0.95
    assert sum(score < 10 for score in scores) / len(pairs) >= 0.80


@pytest.mark.parametrize("text", ["", "   ", "?!.,;", "um uh er", "\x00\x07\x1b[31m"])
def test_no_words_is_empty_and_zero(scorer, text):
    report = scorer.score_text(text, BANK.get("devsecops-03"))
    assert report.score == 0 and report.band == "empty"
    assert not any(concept.matched for concept in report.concepts)


@pytest.mark.slow
def test_huge_and_strange_input_does_not_crash(scorer):
    question = BANK.get("devsecops-03")
    huge = ("Vault keeps secrets. " * 60_000)[:1_000_000]
    report = scorer.score_text(huge, question)
    assert 0 <= report.score <= 100
    mixed = "Секреты в Vault 🔐 and rotation 秘密 \u200b\u202e gitleaks\r\n\t\x0b done"
    report = scorer.score_text(mixed, question)
    assert 0 <= report.score <= 100
    assert {concept.name for concept in report.covered} >= {"central secrets store",
                                                            "rotation", "leak prevention"}


@pytest.mark.parametrize("said,concept", [
    ("we reached SOC two readiness", "contractual and compliance needs"),
    ("we reached SOC 2 readiness", "contractual and compliance needs"),
])
def test_numbers_as_words(scorer, said, concept):
    report = scorer.score_text(said, BANK.get("devsecops-14"))
    assert concept in {item.name for item in report.covered}


@pytest.mark.parametrize("said", ["we run git leaks on commits", "we run gitleaks on commits",
                                  "a precommit hook", "a pre commit hook", "pre-commit hooks"])
def test_split_joined_and_hyphenated_forms(scorer, said):
    report = scorer.score_text(said, BANK.get("devsecops-16"))
    names = {item.name for item in report.covered}
    assert names & {"secret scanning", "pre-commit hooks"}, said


def test_inflections_and_word_order(scorer):
    report = scorer.score_text("The keys are rotated, and credentials that are short lived are used",
                          BANK.get("devsecops-03"))
    names = {item.name for item in report.covered}
    assert "rotation" in names and "short-lived dynamic credentials" in names


def test_speech_recognition_misspelling_is_tolerated(scorer):
    report = scorer.score_text("admission policies with Kiverno block unsigned images",
                          BANK.get("devsecops-04"))
    match = next(item for item in report.covered if item.name == "admission policies")
    assert match.evidence is not None


def test_function_words_are_not_dropped_from_short_phrases(scorer):
    # "just in time" must not match any sentence that merely says "time"
    report = scorer.score_text("we saved a lot of time", BANK.get("devsecops-03"))
    assert "just-in-time access" not in {item.name for item in report.covered}


def test_evidence_quotes_the_answer_and_carries_times(scorer):
    words = [TimedWord(text, start, start + 0.4, 0.95) for text, start in [
        ("I", 0.5), ("store", 0.9), ("secrets", 1.3), ("in", 1.7), ("HashiCorp", 2.0),
        ("Vault", 2.5), ("and", 5.4), ("rotate", 5.8), ("them", 6.2)]]
    report = scorer.score_words(words, BANK.get("devsecops-03"), duration_s=7.0)
    store = next(item for item in report.covered if item.name == "central secrets store")
    assert store.evidence.text == "HashiCorp Vault"
    assert store.evidence.start == 2.0 and store.evidence.end == pytest.approx(2.9)
    delivery = report.delivery
    assert delivery.lead_in_s == 0.5 and delivery.duration_s == 7.0
    assert len(delivery.long_pauses) == 1 and delivery.longest_pause_s == pytest.approx(2.5)


WORDS_ONLY = scorer_recipe(sentence_embedder=None).scorer(BANK.questions)  # matching alone


def _runtime_status(scorer, word: str, probability: float) -> str:
    words = [TimedWord("We", 0.0, 0.2, 0.9), TimedWord("use", 0.2, 0.4, 0.9),
             TimedWord(word, 0.4, 0.9, probability), TimedWord("alerts", 0.9, 1.3, 0.9)]
    report = WORDS_ONLY.score_words(words, BANK.get("devsecops-17"))
    return next(item for item in report.concepts if item.name == "runtime detection").status


def test_unsure_word_makes_a_concept_possible_not_missed(scorer):
    # "Falca" is not close enough to "Falco" to count when the recogniser was sure of it...
    assert _runtime_status(scorer, "Falca", 0.95) == "missed"
    # ...but when it was unsure, the concept may have been said
    assert _runtime_status(scorer, "Falca", 0.2) == "possible"
    # a misspelling counts when sure, and is only possible when unsure
    assert _runtime_status(scorer, "Falcoo", 0.95) == "covered"
    assert _runtime_status(scorer, "Falcoo", 0.2) == "possible"
    # an English word is not a misspelling of a term ("sale" is not "stale"), but when the
    # recogniser was unsure of it, the term may have been said
    assert _runtime_status(scorer, "Falcon", 0.95) == "missed"
    assert _runtime_status(scorer, "Falcon", 0.2) == "possible"
    # an unrelated unsure word proves nothing
    assert _runtime_status(scorer, "Folks", 0.2) == "missed"
    # the exact word counts even when the recogniser was unsure
    assert _runtime_status(scorer, "Falco", 0.2) == "covered"


def _heard(scorer, text: str, unsure: set[str], question: str = "devsecops-03"):
    words = [TimedWord((" " if index else "") + word, index * 0.4, index * 0.4 + 0.3,
                       0.3 if word in unsure else 0.95)
             for index, word in enumerate(text.split())]
    return {item.name: item for item in scorer.score_words(words, BANK.get(question)).concepts}


def test_words_that_sound_like_a_concept_make_it_possibly_said(scorer):
    heard = "CI gets its credentials through OPA ID connect from the provider"
    concept = _heard(scorer, heard, {"OPA", "ID"})["OIDC workload identity in CI"]
    assert concept.status == "possible" and concept.evidence.text == "OPA ID connect"
    # unsure words that do not sound like it prove nothing
    other = "CI gets its credentials through a pair of keys from the provider"
    assert _heard(scorer, other, {"pair", "keys"})["OIDC workload identity in CI"].status == \
        "missed"
    # and a sound-alike inside a negation is not credited
    negated = "CI never uses OPA ID connect for its credentials"
    assert _heard(scorer, negated, {"OPA", "ID"})["OIDC workload identity in CI"].status in \
        ("missed", "contradicted")


@pytest.mark.slow
def test_weights_count():
    question = Question(id="w", text="What matters?", category="technical",
                        model_answer="Alpha matters and beta matters.",
                        concepts=(Concept("alpha", (), 3.0), Concept("beta", (), 1.0)))
    scorer = scorer_recipe(full_coverage=1.0).scorer([question])
    assert scorer.score_text("alpha", question).coverage > scorer.score_text("beta", question).coverage


def test_concepts_are_derived_when_none_are_curated():
    question = Question(id="leaf", text="What is a leaf?", category="technical",
                        model_answer="A node that has no children.")
    scorer = RECIPE.scorer([question])  # the bundled bank as background
    good = scorer.score_text("It is a node without any children", question)
    bad = scorer.score_text("It is the root of the tree", question)
    assert good.derived_concepts and {c.name for c in good.concepts} == {"node", "children"}
    assert good.score > 60 > bad.score


def test_score_before_fit_is_an_error():
    with pytest.raises(RuntimeError, match="fit"):
        AnswerScorer().score_text("x", BANK.questions[0])


def test_bands():
    assert Band.for_score(100) == "strong" and Band.for_score(70) == "strong"
    assert Band.for_score(69.9) == "partial" and Band.for_score(35) == "partial"
    assert Band.for_score(34.9) == "weak" and Band.for_score(10) == "weak"
    assert Band.for_score(9.9) == "off-topic" and Band.for_score(0, empty=True) == "empty"


def test_report_round_trips_through_a_dict(scorer):
    from scoring import ScoreReport

    words = [TimedWord(text, start, start + 0.4, probability) for text, start, probability in [
        ("We", 0.0, 0.9), ("keep", 0.4, 0.9), ("secrets", 0.8, 0.9), ("in", 1.2, 0.9),
        ("Vault", 1.6, 0.9), ("and", 4.5, 0.9), ("rotate", 4.9, 0.2), ("them", 5.3, 0.9)]]
    report = scorer.score_words(words, BANK.get("devsecops-03"), duration_s=6.0)
    again = ScoreReport.from_dict(report.to_dict())
    assert again.to_dict() == report.to_dict()
    assert again.band is report.band and again.covered == report.covered
    assert again.delivery == report.delivery and again.text == report.text


def test_to_dict_has_the_contract_fields(scorer):
    data = scorer.score_text(ANSWERS["partial"]["devsecops-16"], BANK.get("devsecops-16")).to_dict()
    assert {"score", "similarity", "coverage", "concepts", "band"} <= set(data)
    assert 0 <= data["similarity"] <= 1 and 0 <= data["coverage"] <= 1
    concept = data["concepts"][0]
    assert {"name", "matched", "evidence"} <= set(concept)


# ---------------------------------------------------------------- the rules of issue "Verdicts"

SECRETS = BANK.get("devsecops-03")
CONCISE = ("I would keep every secret in a central vault and hand out short lived credentials. "
           "The pipeline signs in with OpenID Connect instead of stored keys, and a scanner "
           "such as gitleaks runs before each commit and on every pull request. Keys are "
           "rotated right away when someone leaves or a leak is found, and production access "
           "is granted just in time.")


def test_a_concise_correct_answer_is_not_called_weak(scorer):
    report = scorer.score_text(CONCISE, SECRETS)  # 60 words; scored 52 before the length rule
    assert report.score >= 60 and report.band in (Band.PARTIAL, Band.STRONG), report.score
    assert {"central secrets store", "short-lived dynamic credentials", "rotation",
            "OIDC workload identity in CI", "just-in-time access"} <= covered(report)


def test_a_negated_practice_is_contradicted_and_quoted(scorer):
    report = scorer.score_text("We never bother with key rotation, and we don't run gitleaks "
                               "because it slows people down.", SECRETS)
    statuses = {concept.name: concept.status for concept in report.concepts}
    assert statuses["rotation"] is ConceptStatus.CONTRADICTED
    assert statuses["leak prevention"] is ConceptStatus.CONTRADICTED
    assert report.score < 10 and not report.covered
    rotation = next(c for c in report.concepts if c.name == "rotation")
    assert rotation.evidence.text == "never bother with key rotation"
    assert rotation.evidence.cue == "never"
    assert any("never bother with key rotation" in note and "goes against rotation" in note
               for note in report.feedback)


def test_the_negation_scope_ends_with_its_clause(scorer):
    # "gitleaks" is said plainly after the clause that rejects rotation
    report = scorer.score_text("We never rotate keys, but gitleaks runs on every commit so "
                               "leaks are caught early.", SECRETS)
    statuses = {concept.name: concept.status for concept in report.concepts}
    assert statuses["rotation"] is ConceptStatus.CONTRADICTED
    assert statuses["leak prevention"] is ConceptStatus.COVERED


def test_a_concept_the_model_answer_negates_is_matched_with_its_negation(scorer):
    lockdown = BANK.get("devsecops-04")
    said = scorer.score_text("The worker nodes sit on private subnets with no public IPs.",
                             lockdown)
    assert "private nodes" in covered(said)
    # an alias that says the negation itself is not credited without it
    opposite = scorer.score_text("Our nodes have public IPs so we can reach them.", lockdown)
    assert "private nodes" not in covered(opposite)


def test_explaining_sentences_earn_more_than_a_list_of_the_same_terms(scorer):
    listed = scorer.score_text("HashiCorp Vault, OIDC, gitleaks, rotation, RBAC, "
                               "just-in-time access.", SECRETS)
    explained = scorer.score_text(
        "Secrets live in HashiCorp Vault and CI jobs fetch them at run time through OIDC. "
        "gitleaks runs before each commit, keys are rotated on a schedule, and production "
        "access goes through RBAC with just-in-time access for engineers.", SECRETS)
    assert listed.score < 35 and explained.score >= 60, (listed.score, explained.score)
    # all but RBAC, which shares its clause with just-in-time access: that clause says
    # just-in-time access, and the sentence model finds it no closer to RBAC's meaning than
    # unrelated sentences come (a measured trade-off: docs/scoring.md)
    assert sum(not concept.explained for concept in explained.covered) <= 1


def test_terms_scattered_through_filler_are_not_explained(scorer):
    filler = ("Communication is key, and so is making sure everyone is on the same page. "
              "There's also Vault. Culture plays a huge part in whether anything succeeds. "
              "And OIDC, of course. Every organisation is different, so there is no single "
              "answer. Then there's gitleaks. Ultimately it's about people, process and "
              "technology. People talk about rotation too. I like to keep an open mind.")
    report = scorer.score_text(filler, SECRETS)
    assert report.score < 35, report.score
    # "People talk about rotation too" passes as explained: "people" is a word of the model
    # answer ("when people leave"); the other three mentions explain nothing
    assert {"central secrets store", "OIDC workload identity in CI", "leak prevention"} <= \
        {concept.name for concept in report.concepts if not concept.explained}
    assert any(note.startswith("Named but not explained") for note in report.feedback)


@pytest.mark.slow
def test_interview_set_targets_hold_on_its_development_part(scorer):
    """The issue's targets on bench/interview (the figures are printed by the benchmark)."""
    items = [item for item in yaml.safe_load(
        (REPO / "bench" / "interview" / "answers.yaml").read_text()) if item["split"] == "dev"]
    reports = scorer.score_texts([(item["answer"], BANK.get(item["question"]))
                                  for item in items])
    by_kind: dict[str, list[float]] = {}
    for item, report in zip(items, reports, strict=True):
        by_kind.setdefault(item["kind"], []).append(report.score)
    assert max(by_kind["list"] + by_kind["stuffed"] + by_kind["negated"]) < 40
    assert max(by_kind["other"]) <= 10
    assert min(by_kind["strong-long"] + by_kind["strong-short"] + by_kind["asr"]) >= 60


def test_score_texts_gives_the_reports_score_text_gives(scorer):
    answers = [(text, BANK.get(qid)) for qid, text in ANSWERS["partial"].items()]
    batched = scorer.score_texts(answers)
    assert [report.to_dict() for report in batched] == \
        [scorer.score_text(text, question).to_dict() for text, question in answers]


# ---------------------------------------------------------------- properties

QUESTION = BANK.get("devsecops-16")
FITTED = RECIPE.scorer(BANK.questions)
ALIASES = [phrase for concept in QUESTION.concepts for phrase in concept.phrases]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
@example("¨1")  # a sentence with no words to embed crashed the sentence reading
def test_property_score_stays_in_range(text):
    report = FITTED.score_text(text, QUESTION)
    assert 0 <= report.score <= 100
    assert 0 <= report.coverage <= 1 and 0 <= report.similarity <= 1


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(categories=["Lu", "Ll", "Zs", "Po"]), max_size=300),
       st.sampled_from(ALIASES))
@example("CHECKS", "pre-commit hooks")  # a named, unexplained concept earned less than a hint
@example("CI", "pre-commit hooks")  # "CI" alone was credited in other words
def test_property_saying_an_alias_never_lowers_coverage(text, alias):
    before = FITTED.score_text(text, QUESTION).coverage
    after = FITTED.score_text(f"{text} {alias}.", QUESTION).coverage
    assert after >= before - 1e-9


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(categories=["Zs", "Po", "Pd", "Cc"]), max_size=50))
def test_property_no_words_scores_zero(text):
    report = FITTED.score_text(text, QUESTION)
    assert report.score == 0 and report.band == "empty"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(categories=["Ll", "Nd", "Zs"]), max_size=120))
def test_property_char_ngrams_equal_scikit_learn(text):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from scoring.similarity import char_wb_ngrams

    analyzer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5),
                               lowercase=False).build_analyzer()
    assert char_wb_ngrams(text, 2, 5) == analyzer(text)


def test_vectors_equal_scikit_learn_transform():
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    from scoring.similarity import TfidfSimilarity, prepare

    documents = [prepare(question.model_answer) for question in BANK.questions]
    similarity = TfidfSimilarity().fit(documents)
    answer = prepare(ANSWERS["paraphrase"]["devsecops-01"])
    ours = similarity.vectorize(answer)[0]
    reference = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                lowercase=False).fit(documents)
    row = reference.transform([answer])
    names = reference.get_feature_names_out()
    theirs = {names[index]: value for index, value in zip(row.indices, row.data, strict=True)}
    assert set(ours) == set(theirs)
    assert np.allclose([ours[key] for key in theirs], list(theirs.values()))


@pytest.mark.slow
def test_fitted_state_round_trip_gives_identical_scores(scorer):
    import json

    import numpy as np

    restored = app_scorer().set_state(json.loads(json.dumps(scorer.get_state())))
    # the model answers' sentences come back with the state: not embedded again
    assert restored._sentences is not None and scorer._sentences is not None
    kept = scorer._sentences._units
    assert set(restored._sentences._units) == {answer for _, answer in scorer.references_}
    assert all(np.array_equal(restored._sentences._units[answer], kept[answer])
               for answer in restored._sentences._units)
    for qid, text in ANSWERS["partial"].items():
        assert restored.score_text(text, BANK.get(qid)).to_dict() == \
            scorer.score_text(text, BANK.get(qid)).to_dict()
    with pytest.raises(ValueError, match="configuration"):
        app_scorer(similarity_weight=0.5).set_state(scorer.get_state())


def test_embedder_matches_wordllama_exactly():
    """The direct reader of wordllama's files gives wordllama's own vectors, bit for bit."""
    import warnings

    import numpy as np

    from scoring.embedding import WordLlamaEmbedder, wordllama_folder

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import wordllama

        reference = wordllama.WordLlama.load(cache_dir=wordllama_folder(), disable_download=True)
    texts = ["I keep every secret in a central vault", "", "a",
             "rotate keys, scan with gitleaks on every pull request " * 20] * 40  # > one batch
    ours = WordLlamaEmbedder().embed(texts)
    with np.errstate(invalid="ignore", divide="ignore"):
        theirs = np.nan_to_num(reference.embed(texts, norm=True))
    assert ours.shape == (160, 256)
    assert np.array_equal(ours, theirs)
    assert not ours[1].any() and abs(np.linalg.norm(ours[0]) - 1) < 1e-5


@pytest.mark.slow
def test_recipe_memoises_by_content_before_anything_else():
    """A set of questions seen before is served from memory: the background is not loaded
    again (it cost ~90 ms on every --jsonl line of a small bank)."""
    calls = []

    def background():
        calls.append(1)
        return BANK.questions

    from scoring.recipe import ScorerRecipe

    recipe = ScorerRecipe(background=background, keep=2)
    small = [BANK.questions[0]]
    first = recipe.scorer(small)
    assert recipe.scorer(list(small)) is first and calls == [1]
    recipe.scorer(BANK.questions[1:3])
    recipe.scorer(BANK.questions[3:5])  # keep=2: the first set is dropped
    assert recipe.scorer(small) is not first and len(calls) == 4


@pytest.mark.slow
def test_recipe_state_store_is_used_and_a_damaged_state_refitted():
    from scoring.recipe import ScorerRecipe

    class Memory:
        def __init__(self):
            self.states = {}

        def load(self, key):
            return self.states.get(key)

        def save(self, key, state):
            self.states[key] = state

    store = Memory()
    fitted = ScorerRecipe(states=store).scorer(BANK.questions)
    (key, state), = store.states.items()
    again = ScorerRecipe(states=store).scorer(BANK.questions)
    answer = ANSWERS["partial"]["devsecops-03"]
    question = BANK.get("devsecops-03")
    assert again.score_text(answer, question).to_dict() == \
        fitted.score_text(answer, question).to_dict()
    store.states[key] = {"config": "damaged"}
    assert ScorerRecipe(states=store).scorer(BANK.questions).similarity_ is not None
    assert store.states[key]["config"] != "damaged"  # replaced by a fresh fit


def test_an_answer_cut_by_the_time_limit_is_not_called_short(scorer):
    from scoring import TimedWord

    question = BANK.get("devsecops-01")
    words = [TimedWord(("" if i == 0 else " ") + word, i * 0.4, i * 0.4 + 0.3, 0.9)
             for i, word in enumerate("We run static analysis with Semgrep and dependency "
                                      "scanning on every pull request and".split())]
    cut = scorer.score_words(words, question, 10.0, time_limit_reached=True)
    ended = scorer.score_words(words, question, 10.0)
    assert any("is short" in note for note in ended.feedback)
    assert not any("is short" in note for note in cut.feedback)
    assert any("time limit" in note for note in cut.feedback)
    assert cut.delivery.time_limit_reached and not ended.delivery.time_limit_reached
    stored = type(cut).from_dict(cut.to_dict())
    assert stored.delivery.time_limit_reached
