"""Stored sessions and answers as typed rows: what `Store` reads back from SQLite."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from audio.capture import EndedBy
from audio.transcript import Transcript
from interviewer.states import (
    AnswerKind,
    AnswerStatus,
    SessionMode,
    SessionStatus,
    TranscriptPass,
    parse,
)
from scoring import ScoreReport


@dataclass(frozen=True)
class SessionRow:
    id: int
    started_at: str
    ended_at: str | None
    mode: SessionMode
    status: SessionStatus
    bank_id: str
    bank_version: str
    bank_source: str
    settings: dict
    pid: int | None = None  # the process running it, while it is active
    error: str | None = None  # what of the stored row could not be read


@dataclass(frozen=True)
class AnswerRow:
    id: int
    session_id: int
    question_id: str
    bank_id: str
    bank_version: str
    category: str
    prompt: str
    attempt: int
    follow_up_of: int | None
    status: AnswerStatus
    kind: AnswerKind
    started_at: str
    ended_at: str | None
    audio_path: str | None
    source_path: str | None
    duration_s: float | None
    lead_in_s: float | None
    ended_by: EndedBy | None
    transcript_text: str | None
    transcript: Transcript | None
    backend: str | None
    model: str | None
    score: float | None
    band: str | None
    report: ScoreReport | None
    error: str | None
    transcript_pass: TranscriptPass | None = None  # None for typed answers and older rows
    recognised_text: str | None = None  # the recogniser's transcript, when corrected
    corrected_at: str | None = None
    source_sha256: str | None = None  # a reviewed file's content

    @property
    def corrected(self) -> bool:
        return self.corrected_at is not None

    def to_dict(self) -> dict[str, Any]:
        """The row as `history --json` shows it."""
        return {"id": self.id, "session_id": self.session_id,
                "question_id": self.question_id, "bank_id": self.bank_id,
                "bank_version": self.bank_version, "category": self.category,
                "prompt": self.prompt, "attempt": self.attempt,
                "follow_up_of": self.follow_up_of, "status": self.status, "kind": self.kind,
                "started_at": self.started_at, "ended_at": self.ended_at,
                "duration_s": self.duration_s, "lead_in_s": self.lead_in_s,
                "ended_by": self.ended_by, "audio_path": self.audio_path,
                "source_path": self.source_path, "source_sha256": self.source_sha256,
                "transcript": self.transcript_text, "transcript_pass": self.transcript_pass,
                "corrected": self.corrected, "corrected_at": self.corrected_at,
                "recognised_transcript": self.recognised_text if self.corrected
                else self.transcript_text if self.kind is AnswerKind.SPOKEN else None,
                "backend": self.backend,
                "model": self.model, "score": self.score, "band": self.band,
                "report": self.report.to_dict() if self.report else None,
                "error": self.error}


def read_session(row: sqlite3.Row) -> SessionRow:
    """A typed row; settings that cannot be read are dropped with a note in `error` (they are
    only a record of how the session ran), so the session can still be listed and forgotten."""
    data = dict(row)
    raw, error = data.pop("settings_json"), None
    try:
        settings = _json(raw, "settings", data["id"]) or {}
    except (ValueError, TypeError) as damage:
        settings, error = {}, f"stored settings damaged ({damage}); they are not shown"
    where = f"session {data['id']}"
    notes = [error] if error else []
    for column, kind in (("mode", SessionMode), ("status", SessionStatus)):
        try:
            data[column] = parse(kind, data[column], where)
        except ValueError as damage:
            notes.append(f"stored {column} damaged ({damage})")
            data[column] = {"mode": SessionMode.PRACTICE,
                            "status": SessionStatus.INTERRUPTED}[column]
    return SessionRow(settings=settings, error="; ".join(notes) or None, **data)


def read_answer(row: sqlite3.Row) -> AnswerRow:
    """A typed row; a stored JSON value that cannot be read is dropped with a note in `error`
    (rescoring writes it afresh), rather than failing every command that lists answers."""
    data = dict(row)
    notes = []
    transcript = report = None
    try:
        raw = _json(data.pop("transcript_json"), "transcript", data["id"])
        transcript = Transcript.from_dict(raw) if raw else None
    except (ValueError, KeyError, TypeError) as error:
        notes.append(f"stored transcript damaged ({error}); 'interviewer rescore' redoes it")
    try:
        raw = _json(data.pop("report_json"), "report", data["id"])
        report = ScoreReport.from_dict(raw) if raw else None
    except (ValueError, KeyError, TypeError) as error:
        notes.append(f"stored report damaged ({error}); 'interviewer rescore' redoes it")
    for key in ("score", "duration_s", "lead_in_s"):  # what the listings do arithmetic on
        value = data.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            data[key] = None
            notes.append(f"stored {key} damaged ({str(value)[:20]!r}); 'interviewer rescore' "
                         "redoes it")
    _parse_states(data, notes)
    if notes:
        data["error"] = "; ".join(filter(None, [data.get("error"), *notes]))
    return AnswerRow(transcript=transcript, report=report, **data)


def _json(text: str | None, what: str, row_id: int) -> Any:
    if not text:
        return None
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError(f"{what} of row {row_id} is not an object")
    return value


ANSWER_STATES = {"status": AnswerStatus, "kind": AnswerKind, "transcript_pass": TranscriptPass,
                 "ended_by": EndedBy}


def _parse_states(data: dict[str, Any], notes: list[str]) -> None:
    """The state columns as enums; a value this version does not know is reported in the
    row's error (a failed answer, which `rescore` can redo) rather than failing every
    command that lists answers."""
    for column, kind in ANSWER_STATES.items():
        try:
            data[column] = parse(kind, data[column], f"answer {data['id']}")
        except ValueError as error:
            notes.append(str(error))
            data[column] = {"status": AnswerStatus.FAILED, "kind": AnswerKind.SPOKEN}.get(column)
