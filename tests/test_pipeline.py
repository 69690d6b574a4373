"""The answer flow in-process: the pipeline (the only writer of answer rows), open_session,
and a whole session of scripted answers, with a stand-in recogniser and a temporary store.
The real recogniser, microphone and CLI are exercised by the spoken-session tests."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest

from audio.transcript import Segment, Transcript, Word
from bank import load_bank
from interviewer.judging import scorer_recipe
from interviewer.pipeline import AnswerPipeline, CapturedAnswer, open_session
from interviewer.states import (
    AnswerKind,
    AnswerStatus,
    SessionMode,
    SessionStatus,
    TranscriptPass,
)
from interviewer.storage import Store
from interviewer.work import BackgroundWork

BANK = load_bank()
QUESTION = BANK.get("devsecops-03")
GOOD = ("Secrets live in HashiCorp Vault and CI jobs fetch them at run time through OIDC, "
        "so nothing long-lived sits in the pipeline. gitleaks runs before each commit and "
        "keys are rotated on a schedule.")
SCORER = scorer_recipe().scorer(BANK.questions)


def transcript_of(text: str) -> Transcript:
    words = tuple(Word(f" {word}", index * 0.4, index * 0.4 + 0.3, 0.95)
                  for index, word in enumerate(text.split()))
    return Transcript(text=text, segments=(Segment(0.0, len(words) * 0.4, text, words),),
                      duration=len(words) * 0.4 + 1, backend="stand-in", model="stand-in")


class StandInRecogniser:
    """Transcribes any file as the text it was given."""

    def __init__(self, text: str):
        self.text = text
        self.files: list[Path] = []

    def transcribe_file(self, path: Path) -> Transcript:
        self.files.append(path)
        return transcript_of(self.text)


class StandInStreamer:
    """A streamed answer whose refinement waits until the test lets it go."""

    pieced = 1

    def __init__(self, first: str, refined: str):
        self.first, self.refined = transcript_of(first), transcript_of(refined)
        self.release = threading.Event()
        self.cancelled = False

    def finish(self, duration: float, speech: float) -> Transcript:
        return self.first

    def refine(self) -> Transcript:
        self.release.wait(10)
        return self.refined

    def cancel(self) -> None:
        self.cancelled = True


@pytest.fixture
def store(tmp_path):
    opened = Store.open(tmp_path / "data")
    yield opened
    opened.close()


@pytest.fixture
def work():
    pool = BackgroundWork()
    yield pool
    pool.close()


def test_typed_answer_is_stored_and_scored(store):
    with open_session(store, SessionMode.TEXT, BANK, {}) as session_id:
        pipeline = AnswerPipeline(store, lambda: SCORER, session_id=session_id, bank=BANK)
        ticket = pipeline.open(QUESTION, QUESTION.text, kind=AnswerKind.TYPED)
        assert store.answer(ticket.answer_id).status is AnswerStatus.RECORDING
        result = pipeline.finish(ticket, CapturedAnswer(text=GOOD))
    row = store.answer(ticket.answer_id)
    assert row.status is AnswerStatus.SCORED and row.kind is AnswerKind.TYPED
    assert row.score == result.report.score > 50 and row.transcript_text == GOOD
    assert store.session(session_id).status is SessionStatus.COMPLETED


def test_a_session_ended_by_an_exception_is_interrupted(store):
    with pytest.raises(KeyboardInterrupt), \
            open_session(store, SessionMode.PRACTICE, BANK, {}) as session_id:
        raise KeyboardInterrupt
    assert store.session(session_id).status is SessionStatus.INTERRUPTED


def test_recording_is_transcribed_when_nothing_was_streamed(store, tmp_path):
    recogniser = StandInRecogniser(GOOD)
    with open_session(store, SessionMode.REVIEW, BANK, {}) as session_id:
        pipeline = AnswerPipeline(store, lambda: SCORER, lambda: recogniser,
                                  session_id=session_id, bank=BANK)
        ticket = pipeline.open(QUESTION, QUESTION.text, kind=AnswerKind.SPOKEN,
                               audio_path=tmp_path / "a.wav")
        result = pipeline.finish(ticket, CapturedAnswer(audio_path=tmp_path / "a.wav"))
    row = store.answer(ticket.answer_id)
    assert recogniser.files == [tmp_path / "a.wav"]
    assert row.transcript_pass is TranscriptPass.RECORDING
    assert row.duration_s == result.transcript.duration  # learnt from the file
    assert [word.start for word in row.transcript.words][:2] == [0.0, 0.4]


def test_refinement_replaces_the_streamed_transcript(store, work):
    streamer = StandInStreamer("Secrets live in vault", GOOD)
    pipeline = AnswerPipeline(store, lambda: SCORER, session_id=_session(store), bank=BANK,
                              work=work)
    ticket = pipeline.open(QUESTION, QUESTION.text, kind=AnswerKind.SPOKEN)
    first = pipeline.finish(ticket, CapturedAnswer(duration_s=20.0, streamer=streamer))
    assert first.transcript_pass is TranscriptPass.STREAMED and not streamer.cancelled
    streamer.release.set()
    refined = first.refinement.result(10)
    row = store.answer(ticket.answer_id)
    assert refined.report.score > first.report.score
    assert (row.transcript_text, row.transcript_pass) == (GOOD, TranscriptPass.REFINED)
    assert row.score == refined.report.score


def test_a_late_refinement_never_overwrites_a_correction(store, work):
    streamer = StandInStreamer("Secrets live in vault", "Secrets live in a vault somewhere")
    pipeline = AnswerPipeline(store, lambda: SCORER, session_id=_session(store), bank=BANK,
                              work=work)
    ticket = pipeline.open(QUESTION, QUESTION.text, kind=AnswerKind.SPOKEN)
    first = pipeline.finish(ticket, CapturedAnswer(duration_s=20.0, streamer=streamer))
    corrected = pipeline.correct(ticket, GOOD, first.transcript, None, 20.0)
    streamer.release.set()  # the refinement finishes after the candidate's correction
    assert first.refinement.result(10) is None
    row = store.answer(ticket.answer_id)
    assert row.transcript_text == GOOD and row.corrected
    assert row.score == corrected.report.score
    assert row.recognised_text == "Secrets live in vault"


def test_a_failed_answer_cancels_its_streamer(store):
    class Broken(StandInStreamer):
        def finish(self, duration, speech):
            raise RuntimeError("decoder crashed")

    streamer = Broken("", "")
    pipeline = AnswerPipeline(store, lambda: SCORER, None, session_id=_session(store),
                              bank=BANK)
    ticket = pipeline.open(QUESTION, QUESTION.text, kind=AnswerKind.SPOKEN)
    with pytest.raises(RuntimeError, match="speech recogniser"):
        pipeline.finish(ticket, CapturedAnswer(duration_s=3.0, streamer=streamer))
    assert streamer.cancelled


def test_unknown_states_are_refused_on_write_and_reported_on_read(store):
    session_id = _session(store)
    answer_id = store.start_answer(session_id, QUESTION.id, BANK.id, BANK.version,
                                   QUESTION.category, QUESTION.text)
    with pytest.raises(ValueError):
        store.update_answer(answer_id, status="half-done")
    store.connection.execute("UPDATE answers SET status = 'half-done' WHERE id = ?",
                             (answer_id,))
    row = store.answer(answer_id)
    assert row.status is AnswerStatus.FAILED and "half-done" in row.error


def _session(store: Store) -> int:
    return store.create_session(SessionMode.PRACTICE, BANK.id, BANK.version, BANK.source, {})


class ScriptedAnswers:
    """Typed answers given by the test, one per question; None ends the input."""

    kind = AnswerKind.TYPED

    def __init__(self, *answers: str | None):
        self.answers = list(answers)

    def capture(self, ticket, keep_text=None):
        text = self.answers.pop(0)
        return None if text is None else CapturedAnswer(text=text)


def test_a_session_of_scripted_answers(store, work, capsys):
    from interviewer.session import PracticeSession, SessionPlan
    from interviewer.ui import Frontend

    questions = [QUESTION, BANK.get("devsecops-01")]
    plan = SessionPlan(questions, SessionMode.TEXT, follow_ups=False, spoken_summary=False)
    session = PracticeSession(BANK, plan, Frontend(plain=True), ScriptedAnswers(GOOD, None))
    with open_session(store, SessionMode.TEXT, BANK, {}) as session_id:
        pipeline = AnswerPipeline(store, lambda: SCORER, session_id=session_id, bank=BANK,
                                  work=work)
        summary = session.run(pipeline)
    rows = store.answers(session_id=session_id)
    # the second question's input ended before an answer: no row is left for it
    assert [row.question_id for row in rows] == ["devsecops-03"]
    assert [result.report.score for result in summary.results] == [rows[0].score]
    shown = capsys.readouterr().out
    assert "devsecops-03: score" in shown and "average" in shown


@pytest.mark.slow
def test_no_background_thread_outlives_the_command(tmp_path, monkeypatch):
    """T12: typed input that ended early left a daemon thread inside native code (the
    scorer's preparation) at interpreter exit, and the process sometimes aborted (134). Now
    every background task has ended when the command returns."""
    import io

    from interviewer.cli import main

    monkeypatch.setenv("INTERVIEWER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("INTERVIEWER_CONFIG", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # the input ends at once
    before = set(threading.enumerate())
    handler, umask = signal.getsignal(signal.SIGTERM), os.umask(0o077)
    try:
        with pytest.raises(SystemExit) as done:
            main(["practice", "--text", "--silent", "--plain", "-q", "devsecops-03", "-q",
                  "devsecops-01"])
    finally:  # main() sets both for its process
        signal.signal(signal.SIGTERM, handler)
        os.umask(umask)
    assert done.value.code == 0
    left = [thread for thread in threading.enumerate()
            if thread not in before and thread.is_alive()]
    assert not left, [thread.name for thread in left]


# ---------------------------------------------------------------- reading ahead

class CountingScorer:
    def __init__(self):
        self.texts: list[str] = []
        self.release = threading.Event()

    def read_ahead(self, text, question) -> None:
        self.release.wait(5)
        self.texts.append(text)


def test_read_ahead_reads_a_growing_answer_once_at_a_time():
    from interviewer.answer_sources import ReadAhead

    scorer = CountingScorer()
    work = BackgroundWork()
    try:
        read = ReadAhead(lambda: scorer, work)
        read("Secrets live in Vault.", QUESTION)
        read("Secrets live in Vault. CI jobs", QUESTION)  # the first read is still running
        scorer.release.set()
        read._pending.result(5)
        read("Secrets live in Vault.", QUESTION)  # nothing new
        read("Secrets live in Vault. CI jobs fetch them.", QUESTION)
        read._pending.result(5)
    finally:
        work.close()
    assert scorer.texts == ["Secrets live in Vault.", "Secrets live in Vault. CI jobs fetch them."]


@pytest.mark.slow
def test_read_ahead_leaves_the_score_unchanged():
    recipe = scorer_recipe()
    fresh, warmed = recipe.scorer(BANK.questions), scorer_recipe().scorer(BANK.questions)
    assert fresh is not warmed
    half = GOOD.rsplit(".", 2)[0] + "."
    warmed.read_ahead(half, QUESTION)
    assert warmed.score_text(GOOD, QUESTION) == fresh.score_text(GOOD, QUESTION)
