"""`interviewer history`, `rescore` and `forget`: what was answered, scored again, or removed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from interviewer.commands import ROW_ID
from interviewer.errors import UserError
from interviewer.output import make_console, print_json, printable, shown
from interviewer.states import AnswerStatus, SessionMode


@click.command("history")
@click.option("--question", "-q", "question_id", metavar="ID", help="Only this question.")
@click.option("--session", "session_id", type=ROW_ID, help="Only this session.")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True,
              help="Show at most this many of the latest answers.")
@click.option("--demo", "demo", is_flag=True,
              help="The demo's sessions (kept apart from your own record).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only (all fields).")
@click.pass_obj
def history(app, question_id, session_id, limit, demo, as_json) -> None:
    """Answers given so far, newest last, with each question's trend. The id is what
    'interviewer fix' takes. Follow-ups are shown under the answer they follow up; they,
    retried, interrupted and empty answers are not counted in the trends.

    \b
    Examples:
      interviewer history
      interviewer history --question devsecops-03 --json
    """
    from interviewer.counting import beside_parents, judge
    from interviewer.rescoring import finish_typed_answers

    store = app.store
    if session_id is not None:
        store.session(session_id)
    finished = finish_typed_answers(app)
    sessions = {session.id: session for session in store.sessions()}
    everything = judge(store.answers(session_id=session_id, question_id=question_id),
                       sessions, demo=demo)
    is_demo = {sid for sid, session in sessions.items() if session.mode is SessionMode.DEMO}
    judged = [item for item in everything if (item.answer.session_id in is_demo) == demo]
    hidden = len(everything) - len(judged) if not demo else 0
    if as_json:
        answers = [item.answer for item in judged]
        print_json({"sessions": [vars(sessions[sid]) for sid in
                                 sorted({a.session_id for a in answers})],
                    "answers": [{**item.answer.to_dict(), "counted": item.counts,
                                 "not_counted": item.not_counted} for item in judged]})
        return
    console = make_console()
    if not judged:
        console.print("No demo sessions yet; 'interviewer demo' shows one." if demo else
                      "No answers yet. 'interviewer practice' starts a session, "
                      "'interviewer demo' shows one.")
    else:
        _table(console, beside_parents(judged[-limit:]), sessions)
        _trends(console, judged)
        _notes(console, sessions, [item.answer for item in judged], finished)
    if hidden:
        console.print(f"\n{hidden} answer(s) of the demo's synthetic candidate are kept "
                      "apart; 'interviewer history --demo' shows them.")


def _table(console, judged, sessions) -> None:
    from rich.table import Table

    from interviewer.counting import FOLLOW_UP, label

    # one space between columns, and the question column as wide as its widest id, so the
    # notes (a reviewed file's name) keep room on an 80-column terminal
    table = Table(box=None, pad_edge=False, show_edge=False, padding=(0, 1))
    this_year = datetime.now().strftime("%Y-")
    questions = [("↳ " if item.answer.follow_up_of else "") + item.answer.question_id +
                 (f" (#{item.answer.attempt})" if item.answer.attempt > 1 and
                  not item.answer.follow_up_of else "") for item in judged]
    for column in ("id", "when", "session", "question", "score", "band", "length", "notes"):
        table.add_column(column, no_wrap=column != "notes",
                         min_width=min(max(map(len, questions)), 30)
                         if column == "question" else None,
                         justify="right" if column in ("id", "score", "length") else "left")
    for item, question in zip(judged, questions, strict=True):
        answer = item.answer
        when = answer.started_at.replace("T", " ")[:16]
        when = when.removeprefix(this_year)  # the year only when it is not this one
        kind = sessions[answer.session_id].mode
        note = label(item)
        notes = [str(answer.status) if answer.status is not AnswerStatus.SCORED else "",
                 f"follow-up to {answer.follow_up_of}" if note == FOLLOW_UP else
                 note if note != str(answer.status) else "",
                 "corrected" if answer.corrected else "",
                 Path(answer.source_path).name if answer.source_path else ""]
        # stored text (a bank's question ids, file names) is shown as written, never markup
        table.add_row(str(answer.id), shown(when), f"{answer.session_id} {shown(kind)}",
                      shown(question),
                      f"{answer.score:.0f}" if answer.score is not None else "-",
                      shown(answer.band or "-"),
                      f"{answer.duration_s:.0f}s" if answer.duration_s else "-",
                      shown(", ".join(filter(None, notes))))
    console.print(table)


def _trends(console, judged) -> None:
    from interviewer.counting import counted_scores

    by_question = counted_scores(judged)
    if by_question:
        console.print("\n[bold]By question[/] (first → latest, best; counted answers only)")
        for qid, scores in sorted(by_question.items()):
            trend = " → ".join(f"{score:.0f}" for score in scores[-6:])
            console.print(f"  {shown(qid)}: {trend} (best {max(scores):.0f})")


def _notes(console, sessions, answers, finished) -> None:
    from interviewer.rescoring import unfinished

    for sid in sorted({answer.session_id for answer in answers}):
        if sessions[sid].error:
            console.print(printable(f"Session {sid}: {sessions[sid].error}"), markup=False)
    for answer in answers:
        if answer.error and "damaged" in answer.error:
            console.print(printable(f"Answer {answer.id}: {answer.error}"), markup=False)
    if finished:
        console.print(f"\nScored {len(finished)} typed answer(s) a stopped session left "
                      "unscored: " + ", ".join(str(answer.id) for answer in finished) + ".")
    pending = [a for a in answers if unfinished(a)]
    if pending:
        console.print(f"\n{len(pending)} answer(s) not scored yet; 'interviewer rescore' "
                      "finishes them.")
    failed = [a for a in answers if a.status is not AnswerStatus.SCORED and not unfinished(a)]
    if failed:
        console.print(f"{len(failed)} answer(s) failed before anything was recorded; the "
                      "status column says why.")


@click.command("rescore")
@click.option("--session", "session_id", type=ROW_ID, help="Only this session.")
@click.option("--question", "-q", "question_id", metavar="ID", help="Only this question.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@click.pass_obj
def rescore(app, session_id, question_id, as_json) -> None:
    """Score stored answers again with the current bank and scorer; answers whose recording
    was never transcribed (a crash, Ctrl-C) are transcribed first.

    \b
    Example:  interviewer rescore --session 3
    """
    from audio import AudioFileError
    from interviewer.questions import bank_of_session
    from interviewer.rescoring import rescore_answer

    store = app.store
    if session_id is not None:
        store.session(session_id)
    answers = store.answers(session_id=session_id, question_id=question_id)
    sessions = {session.id: session for session in store.sessions()}
    banks: dict = {}
    recogniser = _recogniser(app)
    results, problems = [], []
    for answer in answers:
        session = sessions[answer.session_id]
        bank = bank_of_session(session.bank_source, answer.bank_id, banks)
        if bank is None or answer.question_id not in bank.ids:
            problems.append(f"answer {answer.id}: question {answer.question_id} of bank "
                            f"{answer.bank_id} is no longer available")
            continue
        before = answer.score
        try:
            result = rescore_answer(app, store, answer, bank, recogniser)
        except AudioFileError as error:
            problems.append(f"answer {answer.id}: {error}")
            continue
        if result is None:
            continue
        results.append({"answer_id": answer.id, "question_id": answer.question_id,
                        "before": before, "after": result.report.score,
                        "band": result.report.band.value})
    if as_json:
        print_json({"rescored": results, "problems": problems})
    else:
        console = make_console()
        changed = sum(1 for r in results if r["before"] is None or
                      abs((r["before"] or 0) - r["after"]) >= 0.05)
        for item in results:
            before = "-" if item["before"] is None else f"{item['before']:.0f}"
            console.print(printable(f"  answer {item['answer_id']} {item['question_id']}: "
                                    f"{before} → {item['after']:.0f} ({item['band']})"),
                          markup=False)
        console.print(f"Rescored {len(results)} answer(s); {changed} changed.")
    for problem in problems:
        click.echo(f"interviewer: {printable(problem, one_line=True)}", err=True)
    if problems:
        raise click.exceptions.Exit(2)


def _recogniser(app):
    """The speech recogniser, loaded only if an answer needs transcribing (then once)."""
    import functools

    from interviewer.speech import load_recogniser

    return functools.cache(lambda: load_recogniser(app.settings, app.bank(),
                                                   app.paths.cache_dir))


@click.command("forget")
@click.argument("session_id", type=ROW_ID, required=False)
@click.option("--all", "everything", is_flag=True, help="Forget every session.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def forget(app, session_id, everything, yes) -> None:
    """Delete a session (or all) with its answers and recordings. Files you reviewed are
    never deleted, only the recordings the application made.

    \b
    Examples:
      interviewer forget 3
      interviewer forget --all --yes
    """
    if (session_id is None) == (not everything):
        raise UserError("name one session (interviewer forget 3) or pass --all")
    store = app.store
    what = "every session" if everything else f"session {session_id}"
    if session_id is not None:
        store.session(session_id)
    if not yes:
        import sys

        if not sys.stdin or not sys.stdin.isatty():
            raise UserError(f"refusing to forget {what} without confirmation; pass --yes")
        click.confirm(f"Delete {what}, its answers and recordings?", abort=True)
    if everything:
        sessions, answers, files = store.forget_all()
        click.echo(f"Forgot {sessions} session(s), {answers} answer(s), {files} recording(s).")
    else:
        answers, files = store.forget_session(session_id)
        click.echo(f"Forgot session {session_id}: {answers} answer(s), {files} recording(s).")
