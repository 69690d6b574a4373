"""Finishing stored answers: what `rescore` does to each, and the typed answers a stopped
session left unscored, which the next `history`, `report` or `practice` finishes by itself
(a typed answer's lines are stored as they are typed, so they are all there to score).

An answer is *unfinished* when it is not scored and something of it was kept: a typed
answer (its lines, perhaps none), a recording, or a transcript. `history` counts those and
`rescore` finishes every one of them; an answer that failed before anything was kept (no
microphone) has nothing to finish, and is shown as failed.
"""

from __future__ import annotations

from pathlib import Path

from interviewer.rows import AnswerRow
from interviewer.states import AnswerKind, AnswerStatus


def unfinished(answer: AnswerRow) -> bool:
    """Not scored, and `rescore` can finish it."""
    if answer.status is AnswerStatus.SCORED:
        return False
    return answer.kind is AnswerKind.TYPED or answer.transcript is not None or \
        bool(answer.audio_path)


def rescore_answer(app, store, answer: AnswerRow, bank, recogniser):
    """Score a stored answer again (transcribing it first if it never was); None when there
    is nothing to score. A typed answer stopped before a line was ended is scored as the
    empty answer it is, so it is finished like every other."""
    from audio.capture import EndedBy
    from interviewer.follow_ups import question_answered
    from interviewer.pipeline import AnswerPipeline, CapturedAnswer

    scorer = app.scorers.scorer(bank.questions)
    pipeline = AnswerPipeline(store, lambda: scorer, recogniser, session_id=answer.session_id,
                              bank=bank)
    question = question_answered(bank.get(answer.question_id), answer.prompt,
                                 answer.follow_up_of)
    if answer.status is AnswerStatus.INTERRUPTED and answer.ended_by is None and \
            answer.source_path is None:  # cut short while given: it stays marked once scored
        store.update_answer(answer.id, ended_by=EndedBy.INTERRUPTED)
    if answer.corrected:  # the candidate's text stands; the recogniser's is kept beside it
        ticket = pipeline.reopen(answer.id, question, answer.prompt, answer.kind, None)
        return pipeline.correct(ticket, answer.transcript_text or "", answer.transcript,
                                answer.recognised_text, answer.duration_s)
    if answer.transcript is not None:
        captured = CapturedAnswer(transcript=answer.transcript, duration_s=answer.duration_s)
    elif answer.kind is AnswerKind.TYPED:
        captured = CapturedAnswer(text=answer.transcript_text or "")
    elif answer.audio_path:
        captured = CapturedAnswer(audio_path=Path(answer.audio_path),
                                  duration_s=answer.duration_s)
    else:
        return None
    ticket = pipeline.reopen(answer.id, question, answer.prompt, answer.kind,
                             captured.audio_path)
    return pipeline.finish(ticket, captured)  # a length not known yet is stored with it


def finish_typed_answers(app) -> list[AnswerRow]:
    """Score the typed answers that stopped sessions (Ctrl-C, a closed terminal, a killed
    process) left unscored; the answers of sessions still running are left to them. Returns
    the answers finished (as they were before)."""
    from interviewer.questions import bank_of_session

    store = app.store
    waiting = [answer for answer in store.answers()
               if answer.kind is AnswerKind.TYPED and unfinished(answer)]
    if not waiting:
        return []
    running = {session.id for session in store.running()}
    sessions = {session.id: session for session in store.sessions()}
    banks: dict = {}
    finished = []
    for answer in waiting:
        if answer.session_id in running:
            continue
        bank = bank_of_session(sessions[answer.session_id].bank_source, answer.bank_id, banks)
        if bank is None or answer.question_id not in bank.ids:
            continue  # `rescore` reports it
        if rescore_answer(app, store, answer, bank, None) is not None:
            finished.append(answer)
    return finished
