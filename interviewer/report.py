"""The HTML report: one self-contained file that opens offline.

Per answer: the transcript with covered concepts highlighted, the missed ones, the model answer,
delivery, feedback and the recording (embedded as MP3); charts of scores over time by question
and by category. Every piece of user or bank text goes through Jinja's autoescaping.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path

from interviewer import __version__
from interviewer.charts import line_chart, sparkline
from interviewer.counting import beside_parents, judge, label
from interviewer.follow_ups import question_answered
from interviewer.questions import bank_of_session
from interviewer.rows import AnswerRow, SessionRow
from interviewer.storage import Store
from scoring import ConceptResult, ConceptStatus, DeliveryReport, ScoreReport

MAX_EMBED_S = 600  # longer recordings are linked: ten minutes of MP3 is about 2.4 MB


@dataclass
class Piece:
    text: str
    concept: str | None = None
    possible: bool = False


@dataclass
class AnswerView:
    row: AnswerRow
    session: SessionRow
    question_text: str
    model_answer: str | None
    pieces: list[Piece]
    covered: tuple[ConceptResult, ...]
    possible: tuple[ConceptResult, ...]
    missed: tuple[ConceptResult, ...]
    feedback: tuple[str, ...]
    delivery: DeliveryReport | None
    audio_uri: str | None
    audio_note: str | None
    look_for: list[str] = field(default_factory=list)
    counts: bool = True  # in the averages and trends (`interviewer.counting`)
    note: str = ""  # why not: follow-up, retried, interrupted, empty


def highlighted(report: ScoreReport) -> list[Piece]:
    """Split the scored text into plain pieces and pieces that are evidence of a concept."""
    text = report.text
    spans = []
    for concept in report.concepts:
        evidence = concept.evidence
        shown = concept.status in (ConceptStatus.COVERED, ConceptStatus.POSSIBLE)
        if shown and evidence and 0 <= evidence.start_char < evidence.end_char <= len(text):
            spans.append((evidence.start_char, evidence.end_char, concept.name,
                          concept.status is ConceptStatus.POSSIBLE))
    spans.sort()
    pieces, position = [], 0
    for start, end, name, possible in spans:
        if start < position:
            continue  # overlaps a span already marked
        if start > position:
            pieces.append(Piece(text[position:start]))
        pieces.append(Piece(text[start:end], name, possible))
        position = end
    if position < len(text):
        pieces.append(Piece(text[position:]))
    return pieces


def _audio(row: AnswerRow, embed: bool) -> tuple[str | None, str | None]:
    """(audio URI, note): the recording embedded as MP3 (about 4 kB a second), or linked when
    embedding is off or the recording is longer than MAX_EMBED_S."""
    if not row.audio_path:
        return None, None
    path = Path(row.audio_path)
    if not path.is_file():
        return None, f"recording not found: {path}"
    if row.duration_s and row.duration_s > MAX_EMBED_S:
        return path.resolve().as_uri(), f"{row.duration_s / 60:.0f}-minute recording: " \
                                        "linked, not embedded"
    if not embed:
        return path.resolve().as_uri(), None
    from audio import AudioFileError, load_audio
    from audio.files import encode_mp3

    try:
        data = encode_mp3(load_audio(path))
    except (AudioFileError, OSError, ValueError) as error:
        return None, f"recording could not be embedded: {error}"
    return "data:audio/mpeg;base64," + base64.b64encode(data).decode("ascii"), None


def build_views(store: Store, sessions: list[SessionRow], embed_audio: bool = True
                ) -> list[AnswerView]:
    """Every answer of the sessions, each follow-up beside the answer it follows up, with
    whether it counts (`interviewer.counting`; demo sessions reported are their own
    record)."""
    banks: dict = {}
    views = []
    by_id = {session.id: session for session in sessions}
    rows = [row for session in sessions for row in store.answers(session_id=session.id)]
    for item in beside_parents(judge(rows, by_id, demo=True)):
        row, session = item.answer, by_id[item.answer.session_id]
        bank = bank_of_session(session.bank_source, session.bank_id, banks)
        question = question_answered(bank.get(row.question_id), row.prompt,
                                     row.follow_up_of) \
            if bank and row.question_id in bank.ids else None
        report = row.report
        uri, note = _audio(row, embed_audio)
        if report is not None and report.text:
            pieces = highlighted(report)
        else:  # not scored yet, or scored by a version that did not keep the text
            pieces = [Piece(row.transcript_text)] if row.transcript_text else []
        views.append(AnswerView(
            row=row, session=session, question_text=row.prompt,
            model_answer=question.model_answer if question else None, pieces=pieces,
            covered=report.covered if report else (),
            possible=report.possible if report else (),
            missed=report.missed if report else (),
            feedback=report.feedback if report else (),
            delivery=report.delivery if report else None,
            audio_uri=uri, audio_note=note,
            look_for=list(question.look_for) if question else [],
            counts=item.counts, note=label(item)))
    return views


def charts(views: list[AnswerView]) -> dict:
    scored = [view for view in views if view.counts and view.row.score is not None]
    by_question: dict[str, list[float]] = {}
    for view in scored:
        by_question.setdefault(view.row.question_id, []).append(view.row.score)
    questions = [{"id": qid, "spark": sparkline(scores), "latest": scores[-1],
                  "best": max(scores), "count": len(scores)}
                 for qid, scores in sorted(by_question.items())]
    by_category: dict[str, dict[str, list[float]]] = {}
    for view in scored:
        label = view.row.started_at[:10]
        by_category.setdefault(view.row.category or "other", {}).setdefault(label, []).append(
            view.row.score)
    series = {category: [(label, sum(values) / len(values)) for label, values in days.items()]
              for category, days in sorted(by_category.items())}
    return {"questions": questions,
            "categories": line_chart(series, "average score by category and day")}


def render(store: Store, sessions: list[SessionRow], embed_audio: bool = True) -> str:
    from jinja2 import Environment, select_autoescape

    views = build_views(store, sessions, embed_audio)
    template_text = (resources.files("interviewer.data") / "report.html.j2").read_text("utf-8")
    environment = Environment(autoescape=select_autoescape(default=True, default_for_string=True),
                              trim_blocks=True, lstrip_blocks=True)
    template = environment.from_string(template_text)
    scored = [view.row.score for view in views if view.counts and view.row.score is not None]
    return template.render(
        views=views, sessions=sessions, charts=charts(views), version=__version__,
        generated=datetime.now().strftime("%Y-%m-%d %H:%M"),
        average=sum(scored) / len(scored) if scored else None, scored=len(scored))
