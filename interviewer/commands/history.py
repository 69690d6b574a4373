"""`interviewer history`, `rescore` and `forget`: what was answered, scored again, or removed."""

from __future__ import annotations

import click

from interviewer.commands import ROW_ID
from interviewer.errors import UserError
from interviewer.output import make_console, print_json, printable, shown
from interviewer.states import AnswerStatus


@click.command("history")
@click.option("--question", "-q", "question_id", metavar="ID", help="Only this question.")
@click.option("--session", "session_id", type=ROW_ID, help="Only this session.")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True,
              help="Show at most this many of the latest answers.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only (all fields).")
@click.pass_obj
def history(app, question_id, session_id, limit, as_json) -> None:
    """Answers given so far, newest last, with each question's trend. The id is what
    'interviewer fix' takes.

    \b
    Examples:
      interviewer history
      interviewer history --question devsecops-03 --json
    """
    from interviewer.rescoring import finish_typed_answers, unfinished

    store = app.store
    if session_id is not None:
        store.session(session_id)
    finished = finish_typed_answers(app)
    answers = store.answers(session_id=session_id, question_id=question_id)
    sessions = {session.id: session for session in store.sessions()}
    if as_json:
        print_json({"sessions": [vars(sessions[sid]) for sid in
                                 sorted({a.session_id for a in answers})],
                    "answers": [answer.to_dict() for answer in answers]})
        return
    console = make_console()
    if not answers:
        console.print("No answers yet. 'interviewer practice' starts a session, "
                      "'interviewer demo' shows one.")
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False, show_edge=False)
    for column in ("id", "when", "session", "question", "score", "band", "length", "status"):
        table.add_column(column, no_wrap=column != "status",
                         justify="right" if column in ("id", "score", "length") else "left")
    for answer in answers[-limit:]:
        when = answer.started_at.replace("T", " ")[:16]
        kind = sessions[answer.session_id].mode
        follow = " (follow-up)" if answer.follow_up_of else \
            f" (#{answer.attempt})" if answer.attempt > 1 else ""
        # stored text (a bank's question ids) is shown as written, never as markup
        table.add_row(str(answer.id), shown(when), f"{answer.session_id} {shown(kind)}",
                      shown(answer.question_id + follow),
                      f"{answer.score:.0f}" if answer.score is not None else "-",
                      shown(answer.band or "-"),
                      f"{answer.duration_s:.0f}s" if answer.duration_s else "-",
                      shown(answer.status) if answer.status is not AnswerStatus.SCORED else
                      "corrected" if answer.corrected else "")
    console.print(table)
    by_question: dict[str, list[float]] = {}
    for answer in answers:
        if answer.score is not None:
            by_question.setdefault(answer.question_id, []).append(answer.score)
    if by_question:
        console.print("\n[bold]By question[/] (first → latest, best)")
        for qid, scores in sorted(by_question.items()):
            trend = " → ".join(f"{score:.0f}" for score in scores[-6:])
            console.print(f"  {shown(qid)}: {trend} (best {max(scores):.0f})")
    for session in sessions.values():
        if session.error:
            console.print(printable(f"Session {session.id}: {session.error}"), markup=False)
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
