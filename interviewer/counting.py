"""The one rule for which stored answers count as scores, used by the session summary,
`history`, trends, weakest-first and the report.

Every answer is kept and shown; only some are figures of the candidate's own practice. Not
counted, each with the word shown beside it:

- a follow-up: an answer of its own, shown beside its parent, never an attempt of the
  parent question;
- a retried attempt: the candidate asked to answer again, so the later attempt stands;
- an interrupted answer (Ctrl-C, a killed process while it was being given), even once
  `rescore` has scored the part given;
- an empty answer: nothing was said or typed;
- an answer not scored yet;
- the demo's synthetic candidate (its sessions are the demo's record, not the user's).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from audio.capture import EndedBy
from interviewer.rows import AnswerRow, SessionRow
from interviewer.states import AnswerStatus, SessionMode

FOLLOW_UP = "follow-up"
RETRIED = "retried"
INTERRUPTED = "interrupted"
EMPTY = "empty"
NOT_SCORED = "not scored"
DEMO = "demo"


def interrupted(answer: AnswerRow) -> bool:
    """Stopped while it was being given; it stays so after `rescore` scores the part given."""
    return answer.status is AnswerStatus.INTERRUPTED or answer.ended_by is EndedBy.INTERRUPTED


def _attempt_group(answer: AnswerRow) -> tuple[int, str, int | None]:
    # a follow-up's retries are retries of the follow-up, not of its parent question
    return answer.session_id, answer.question_id, answer.follow_up_of


def retried_ids(answers: Iterable[AnswerRow]) -> set[int]:
    """Answers followed by another attempt at the same question (or follow-up) in the same
    session. Files reviewed together are separate recordings, all attempt 1: none is
    retried."""
    latest: dict[tuple, int] = {}
    answers = list(answers)
    for answer in answers:
        key = _attempt_group(answer)
        latest[key] = max(latest.get(key, 0), answer.attempt)
    return {answer.id for answer in answers if answer.attempt < latest[_attempt_group(answer)]}


@dataclass(frozen=True)
class Counted:
    """An answer and why it is not counted (None: it counts)."""

    answer: AnswerRow
    not_counted: str | None

    @property
    def counts(self) -> bool:
        return self.not_counted is None


def judge(answers: Sequence[AnswerRow], sessions: dict[int, SessionRow], *,
          demo: bool = False) -> list[Counted]:
    """Each answer with the reason it does not count, in the order given. `answers` must hold
    every attempt of the sessions concerned, so retries are seen. `demo`: the demo's own
    record is being shown, so its answers count by the same rule as anyone's."""
    retried = retried_ids(answers)
    judged = []
    for answer in answers:
        session = sessions.get(answer.session_id)
        reason = None
        if not demo and session is not None and session.mode is SessionMode.DEMO:
            reason = DEMO
        elif answer.follow_up_of is not None:
            reason = FOLLOW_UP
        elif interrupted(answer):
            reason = INTERRUPTED
        elif answer.score is None:
            reason = NOT_SCORED
        elif answer.band == EMPTY:
            reason = EMPTY
        elif answer.id in retried:
            reason = RETRIED
        judged.append(Counted(answer, reason))
    return judged


def label(item: Counted) -> str:
    """The word shown beside a follow-up, a retried, interrupted or empty answer."""
    if item.not_counted in (None, DEMO, NOT_SCORED):
        return ""
    return item.not_counted


def counted_scores(judged: Iterable[Counted]) -> dict[str, list[float]]:
    """Scores that count, by question, oldest first."""
    by_question: dict[str, list[float]] = {}
    for item in judged:
        if item.counts and item.answer.score is not None:
            by_question.setdefault(item.answer.question_id, []).append(item.answer.score)
    return by_question


def mean_scores(answers: Sequence[AnswerRow], sessions: dict[int, SessionRow]
                ) -> dict[str, float]:
    """The average counted score of each question, for 'weakest first'."""
    return {qid: sum(scores) / len(scores)
            for qid, scores in counted_scores(judge(answers, sessions)).items()}


def average(judged: Iterable[Counted]) -> tuple[float | None, int]:
    """(mean of the counted scores or None, how many counted)."""
    scores = [item.answer.score for item in judged
              if item.counts and item.answer.score is not None]
    return (sum(scores) / len(scores) if scores else None), len(scores)


def beside_parents(judged: Sequence[Counted]) -> list[Counted]:
    """The answers in order, each follow-up moved to just after its parent (and the parent's
    earlier follow-ups)."""
    ids = {item.answer.id for item in judged}
    children: dict[int, list[Counted]] = {}
    top = []
    for item in judged:
        parent = item.answer.follow_up_of
        if parent is not None and parent in ids:
            children.setdefault(parent, []).append(item)
        else:
            top.append(item)
    ordered: list[Counted] = []
    for item in top:
        ordered.append(item)
        ordered.extend(children.get(item.answer.id, []))
    return ordered


def summary_lines(answers: Sequence[AnswerRow], sessions: dict[int, SessionRow]) -> list[str]:
    """A session's answers as its summary shows them (follow-ups beside their parents), and
    the average of those that count; a demo session is summarised as its own record."""
    judged = beside_parents(judge(answers, sessions, demo=True))
    lines = []
    for item in judged:
        answer = item.answer
        what = " follow-up" if answer.follow_up_of is not None else \
            f" (attempt {answer.attempt})" if answer.attempt > 1 else ""
        score = f"{answer.score:.0f} ({answer.band})" if answer.score is not None \
            else str(answer.status)
        note = label(item)
        note = f", {note}, not counted" if note and note != FOLLOW_UP else ""
        indent = "    " if answer.follow_up_of is not None else "  "
        lines.append(f"{indent}{answer.question_id}{what}: {score}{note}")
    mean, count = average(judged)
    if mean is not None:
        left_out = len(judged) - count
        aside = f" ({left_out} not counted: follow-ups, retried, interrupted or empty)" \
            if left_out else ""
        lines.append(f"  average {mean:.0f} over {count} answer(s){aside}")
    return lines
