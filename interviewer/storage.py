"""SQLite storage of sessions and answers, with recordings as WAV files beside the database.

An answer's row is written before its recording starts and updated at each step (recorded,
transcribed, scored), so a failure at any point loses nothing: `interviewer rescore` finishes
what was left. The schema is versioned (`PRAGMA user_version`) and migrated forward on open.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from audio.capture import EndedBy
from interviewer.errors import UserError
from interviewer.migrations import MIGRATIONS
from interviewer.processes import is_running
from interviewer.rows import AnswerRow, SessionRow, read_answer, read_session
from interviewer.states import (
    AnswerKind,
    AnswerStatus,
    SessionMode,
    SessionStatus,
    TranscriptPass,
)

DATABASE = "interviewer.sqlite3"
# the columns that hold a state, and the enum each value must belong to
STATE_COLUMNS = {"status": AnswerStatus, "kind": AnswerKind, "transcript_pass": TranscriptPass,
                 "ended_by": EndedBy}


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store:
    """The database of one user. Open with `Store.open(data_dir)`."""

    def __init__(self, connection: sqlite3.Connection, data_dir: Path):
        self.connection = connection
        self.data_dir = data_dir
        self.recordings_dir = data_dir / "recordings"

    @classmethod
    def open(cls, data_dir: Path) -> Store:
        """Open (creating and migrating) the database in `data_dir`, private to the user.
        Sessions that a killed process left active are closed as interrupted."""
        from interviewer.files import private_dir

        data_dir = Path(os.path.abspath(data_dir))  # recordings are found from it, anywhere
        try:
            private_dir(data_dir)
            private_dir(data_dir / "recordings")
        except OSError as error:
            raise UserError(f"cannot create the data folder {data_dir} ({error.strerror}); "
                            "choose another with --data-dir or INTERVIEWER_DATA_DIR") from error
        path = data_dir / DATABASE
        # a folder that cannot be written (mounted read-only, say) can still be read: WAL
        # needs a -shm file beside the database, which only an immutable open does without
        read_only = path.is_file() and not os.access(data_dir, os.W_OK)
        try:
            if read_only:
                connection = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True,
                                             isolation_level=None, check_same_thread=False)
            else:
                connection = sqlite3.connect(path, timeout=10, isolation_level=None,
                                             check_same_thread=False)
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA foreign_keys = ON")
            if not read_only:
                connection.execute("PRAGMA journal_mode = WAL")
                connection.execute("PRAGMA synchronous = NORMAL")
            store = cls(connection, data_dir)
            store._migrate()
        except sqlite3.DatabaseError as error:
            raise UserError(_database_problem(path, error)) from error
        for name in (DATABASE, f"{DATABASE}-wal", f"{DATABASE}-shm"):
            with contextlib.suppress(OSError):
                (data_dir / name).chmod(0o600)
        if not read_only:
            store.close_abandoned_sessions()
        return store

    def close(self) -> None:
        self.connection.close()

    def _migrate(self) -> None:
        version = self.connection.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise UserError(f"the database in {self.data_dir} was made by a newer version "
                            f"(schema {version}); upgrade interviewer")
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            # each migration and its version bump commit together or not at all
            self.connection.executescript(f"BEGIN; {script}; PRAGMA user_version = {number};"
                                          " COMMIT;")

    def _execute(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        try:
            return self.connection.execute(sql, params)
        except sqlite3.DatabaseError as error:
            raise UserError(_database_problem(self.data_dir / DATABASE, error)) from error
        except OverflowError as error:  # an id of 2**63 or more: no row has it
            raise UserError(f"{error}: no row has that id; 'interviewer history' lists "
                            "them") from error

    # ------------------------------------------------------------------ sessions

    def create_session(self, mode: SessionMode, bank_id: str, bank_version: str,
                       bank_source: str, settings: dict[str, Any]) -> int:
        cursor = self._execute(
            "INSERT INTO sessions (started_at, mode, status, bank_id, bank_version, "
            "bank_source, settings_json, pid) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (now(), SessionMode(mode).value, SessionStatus.ACTIVE.value, bank_id, bank_version,
             bank_source, json.dumps(settings), os.getpid()))
        return int(cursor.lastrowid)

    def close_abandoned_sessions(self) -> list[int]:
        """Mark sessions left active by a process that no longer runs (killed, crashed) as
        interrupted, and their unfinished answers too; the answers and recordings are kept
        (`interviewer rescore` finishes them). Returns the sessions closed."""
        closed = []
        for row in self._execute("SELECT id, pid, started_at FROM sessions WHERE "
                                 "status = ?", (SessionStatus.ACTIVE.value,)):
            if not is_running(row["pid"], since=row["started_at"]):
                closed.append(int(row["id"]))
        for session_id in closed:
            unfinished = [status.value for status in AnswerStatus if status.unfinished]
            # how it ended is kept as for Ctrl-C, so it stays marked once it is finished
            self._execute("UPDATE answers SET status = ?, ended_by = coalesce(ended_by, ?) "
                          "WHERE session_id = ? AND status IN "
                          f"({', '.join('?' * len(unfinished))})",
                          (AnswerStatus.INTERRUPTED.value, EndedBy.INTERRUPTED.value,
                           session_id, *unfinished))
            self._execute("UPDATE sessions SET status = ?, ended_at = ? WHERE id = ?",
                          (SessionStatus.INTERRUPTED.value, now(), session_id))
        return closed

    def running(self, session_id: int | None = None) -> list[SessionRow]:
        """Sessions still active in a live process (all of them, or this one)."""
        return [session for session in self.sessions()
                if session.status is SessionStatus.ACTIVE and \
                is_running(session.pid, session.started_at)
                and session_id in (None, session.id)]

    def finish_session(self, session_id: int,
                       status: SessionStatus = SessionStatus.COMPLETED) -> None:
        self._execute("UPDATE sessions SET ended_at = ?, status = ? WHERE id = ?",
                      (now(), SessionStatus(status).value, session_id))

    def session(self, session_id: int) -> SessionRow:
        row = self._execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise UserError(f"no session {session_id}; 'interviewer history' lists them")
        return read_session(row)

    def sessions(self) -> list[SessionRow]:
        return [read_session(row) for row in
                self._execute("SELECT * FROM sessions ORDER BY id").fetchall()]

    def latest_session_id(self) -> int | None:
        row = self._execute("SELECT max(id) FROM sessions").fetchone()
        return row[0]

    # ------------------------------------------------------------------ answers

    def recording_path(self, session_id: int, question_id: str, attempt: int) -> Path:
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in question_id)
        folder = self.recordings_dir / f"session-{session_id:05d}"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{safe}-attempt{attempt}-{datetime.now():%H%M%S}.wav"

    def start_answer(self, session_id: int, question_id: str, bank_id: str, bank_version: str,
                     category: str, prompt: str, attempt: int = 1,
                     follow_up_of: int | None = None, audio_path: Path | None = None,
                     source_path: str | None = None,
                     kind: AnswerKind = AnswerKind.SPOKEN) -> int:
        kind = AnswerKind(kind)
        cursor = self._execute(
            "INSERT INTO answers (session_id, question_id, bank_id, bank_version, category, "
            "prompt, attempt, follow_up_of, status, kind, started_at, audio_path, "
            "source_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (session_id, question_id, bank_id, bank_version, category, prompt, attempt,
             follow_up_of, AnswerStatus.RECORDING.value, kind.value, now(),
             self._stored_path(audio_path), source_path))
        return int(cursor.lastrowid)

    def update_answer(self, answer_id: int, **values: Any) -> None:
        """Set columns of an answer; `transcript` and `report` take the typed objects."""
        allowed = {"status", "ended_at", "audio_path", "duration_s", "lead_in_s", "ended_by",
                   "transcript_text", "transcript", "backend", "model", "score", "band",
                   "report", "error", "transcript_pass", "recognised_text",
                   "corrected_at"}
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"unknown answer fields: {unknown}")
        for column, kind in STATE_COLUMNS.items():
            if values.get(column) is not None:
                values[column] = kind(values[column]).value  # ValueError if not a state
        if "audio_path" in values:
            values["audio_path"] = self._stored_path(values["audio_path"])
        for key in ("transcript", "report"):
            if key in values:
                value = values.pop(key)
                values[f"{key}_json"] = json.dumps(value.to_dict()) if value is not None \
                    else None
        assignments = ", ".join(f"{key} = ?" for key in values)
        self._execute(f"UPDATE answers SET {assignments} WHERE id = ?",
                      (*values.values(), answer_id))

    def delete_answer(self, answer_id: int) -> None:
        """Remove an answer row that never received an answer (typed input ended)."""
        self._execute("DELETE FROM answers WHERE id = ?", (answer_id,))

    def answer(self, answer_id: int) -> AnswerRow:
        row = self._execute("SELECT * FROM answers WHERE id = ?", (answer_id,)).fetchone()
        if row is None:
            raise UserError(f"no answer {answer_id}")
        return self._located(read_answer(row))

    def answers(self, session_id: int | None = None, question_id: str | None = None,
                statuses: tuple[str, ...] | None = None) -> list[AnswerRow]:
        clauses, params = [], []
        if session_id is not None:
            clauses.append("session_id = ?")
            params.append(session_id)
        if question_id is not None:
            clauses.append("question_id = ?")
            params.append(question_id)
        if statuses:
            clauses.append(f"status IN ({', '.join('?' for _ in statuses)})")
            params.extend(statuses)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._execute(f"SELECT * FROM answers {where} ORDER BY started_at, id",
                             tuple(params)).fetchall()
        return [self._located(read_answer(row)) for row in rows]

    def mean_scores(self) -> dict[str, float]:
        """Average scored result per question, for 'weakest first' ordering."""
        rows = self._execute("SELECT question_id, avg(score) FROM answers WHERE score IS NOT "
                             "NULL GROUP BY question_id").fetchall()
        return {row[0]: float(row[1]) for row in rows}

    # ------------------------------------------------------------------ recordings' paths

    def _stored_path(self, path: Path | str | None) -> str | None:
        """A recording in the data folder as a path relative to it; any other file as an
        absolute path."""
        if not path:
            return None
        absolute = Path(os.path.abspath(path))
        if self.data_dir in absolute.parents:
            return absolute.relative_to(self.data_dir).as_posix()
        return str(absolute)

    def _located(self, answer: AnswerRow) -> AnswerRow:
        """The row with its recording's path made absolute, from this data folder."""
        if not answer.audio_path or Path(answer.audio_path).is_absolute():
            return answer
        return dataclasses.replace(answer, audio_path=str(self.data_dir / answer.audio_path))

    # ------------------------------------------------------------------ forgetting

    def forget_session(self, session_id: int) -> tuple[int, int]:
        """Delete a session, its answers and its recordings. Returns (answers, files)."""
        self.session(session_id)
        self._refuse_running(session_id)
        answers = self.answers(session_id=session_id)
        files, kept = self._delete_recordings(answers)
        folder = self.recordings_dir / f"session-{session_id:05d}"
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
        self._execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        _refuse_kept(kept, f"session {session_id} ({len(answers)} answer(s)) is forgotten")
        return len(answers), files

    def forget_all(self) -> tuple[int, int, int]:
        self._refuse_running(None)
        sessions = self.sessions()
        answers = self.answers()
        files, kept = self._delete_recordings(answers)
        shutil.rmtree(self.recordings_dir, ignore_errors=True)
        self.recordings_dir.mkdir(exist_ok=True)
        self._execute("DELETE FROM answers")
        self._execute("DELETE FROM sessions")
        self._execute("VACUUM")
        _refuse_kept(kept, f"every session ({len(sessions)}) is forgotten")
        return len(sessions), len(answers), files

    def _refuse_running(self, session_id: int | None) -> None:
        busy = self.running(session_id)
        if busy and busy[0].pid != os.getpid():
            raise UserError(f"session {busy[0].id} is still running (process {busy[0].pid}); "
                            "end it first, then forget it")

    def _delete_recordings(self, answers: list[AnswerRow]) -> tuple[int, list[str]]:
        """(recordings deleted, "PATH (why)" of each that could not be): one that cannot be
        (immutable, another owner's) does not stop the others."""
        removed, kept = 0, []
        for answer in answers:
            if answer.audio_path:
                path = Path(answer.audio_path)
                # only files the application made; a reviewed file belongs to the user
                if path.is_file() and self.recordings_dir in path.parents:
                    try:
                        path.unlink()
                        removed += 1
                    except OSError as error:
                        kept.append(f"{path} ({error.strerror})")
        return removed, kept


def _refuse_kept(kept: list[str], done: str) -> None:
    if kept:
        raise UserError(f"{done}, but {len(kept)} recording(s) could not be deleted: "
                        f"{'; '.join(kept)}; delete them yourself (check their permissions "
                        "and attributes, e.g. chattr -i)")


def _database_problem(path: Path, error: sqlite3.DatabaseError) -> str:
    """One line for what went wrong with the database, and what to do about it."""
    text = str(error).lower()
    try:
        nearly_full = shutil.disk_usage(path.parent).free < 2**20
    except OSError:
        nearly_full = False
    if "full" in text or nearly_full:
        return f"{path}: the disk is full, so nothing more can be stored; free some space " \
               "(what is already stored is kept)"
    if "readonly" in text or "read-only" in text or "unable to open" in text or \
            "permission" in text:
        return f"{path}: the database cannot be written ({error}); check the folder's " \
               "permissions, or use another --data-dir"
    if "locked" in text or "busy" in text:
        return f"{path}: the database is busy in another interviewer process; try again " \
               "when it has finished"
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return f"{path}: the database is damaged ({error}); move the file aside to start " \
               "afresh (your recordings stay in the recordings folder), or use another " \
               "--data-dir"
    return f"{path}: database error ({error}); check free space and permissions"
