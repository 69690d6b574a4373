"""The database schema, as the migrations that build it: migration N takes a database from
`PRAGMA user_version` N-1 to N, and `Store.open` applies the missing ones in order, each
with its version bump in one transaction. Never edit a released migration; add one."""

MIGRATIONS = [
    # 1: sessions and answers
    """
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        mode TEXT NOT NULL,               -- practice, text, demo, review
        status TEXT NOT NULL,             -- active, completed, interrupted
        bank_id TEXT NOT NULL,
        bank_version TEXT NOT NULL,
        bank_source TEXT NOT NULL,
        settings_json TEXT NOT NULL
    );
    CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        question_id TEXT NOT NULL,
        bank_id TEXT NOT NULL,
        bank_version TEXT NOT NULL,
        category TEXT NOT NULL DEFAULT '',
        prompt TEXT NOT NULL,             -- what was asked (a follow-up differs)
        attempt INTEGER NOT NULL DEFAULT 1,
        follow_up_of INTEGER REFERENCES answers(id) ON DELETE SET NULL,
        status TEXT NOT NULL,             -- recording, recorded, transcribed, scored,
                                          -- interrupted, failed
        started_at TEXT NOT NULL,
        ended_at TEXT,
        audio_path TEXT,
        source_path TEXT,                 -- the file reviewed, for review sessions
        duration_s REAL,
        lead_in_s REAL,
        ended_by TEXT,
        transcript_text TEXT,
        transcript_json TEXT,
        backend TEXT,
        model TEXT,
        score REAL,
        band TEXT,
        report_json TEXT,
        error TEXT
    );
    CREATE INDEX answers_by_question ON answers(question_id, started_at);
    CREATE INDEX answers_by_session ON answers(session_id);
    """,
    # 2: how an answer was given, instead of backend = 'typed'
    """
    ALTER TABLE answers ADD COLUMN kind TEXT NOT NULL DEFAULT 'spoken';  -- spoken, typed
    UPDATE answers SET kind = 'typed', backend = NULL WHERE backend = 'typed';
    """,
    # 3: the process running a session, so a session a killed process left active is closed
    """
    ALTER TABLE sessions ADD COLUMN pid INTEGER;
    """,
    # 4: which pass made the transcript, and the candidate's corrections beside the recogniser's
    """
    ALTER TABLE answers ADD COLUMN transcript_pass TEXT;  -- streamed, refined, recording
    ALTER TABLE answers ADD COLUMN recognised_text TEXT;  -- what the recogniser heard, once
                                                          -- the candidate corrected it
    ALTER TABLE answers ADD COLUMN corrected_at TEXT;
    """,
    # 5: recordings the application made are stored relative to the data folder, so a data
    # folder that was moved, restored elsewhere or named by a relative path keeps them; a
    # reviewed file (source_path set) is the user's own and keeps its absolute path
    """
    UPDATE answers SET audio_path = substr(audio_path, instr(audio_path, 'recordings/session-'))
    WHERE source_path IS NULL AND
          ('/' || audio_path) GLOB '*/recordings/session-[0-9][0-9][0-9][0-9][0-9]/*';
    """,
    # 6: a reviewed file's content hash, so reviewing it again for the same question updates
    # its result instead of adding a row
    """
    ALTER TABLE answers ADD COLUMN source_sha256 TEXT;
    CREATE INDEX answers_by_source ON answers(source_sha256, question_id);
    """,
]
