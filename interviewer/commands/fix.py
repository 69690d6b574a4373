"""`interviewer fix`: correct what the recogniser heard in a stored answer, and score it again."""

from __future__ import annotations

import sys

import click

from interviewer.commands import ROW_ID
from interviewer.errors import UserError
from interviewer.output import make_console, print_json

# two hours of speech is about 120 kB of text; the cap keeps a paste of anything else from
# being stored as an answer (python -m bench --only faults times a correction of this size)
MAX_CORRECTION_BYTES = 2**20


@click.command("fix")
@click.argument("answer_id", type=ROW_ID)
@click.argument("text", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@click.pass_obj
def fix(app, answer_id, text, as_json) -> None:
    """Correct the transcript of a spoken answer (ANSWER_ID, from 'interviewer history') and
    score it again. TEXT is what you said; '-' reads it from standard input; without TEXT the
    transcript opens in $EDITOR (or on the line, at a terminal). The recogniser's transcript is
    kept beside yours; giving it back removes the correction.

    \b
    Examples:
      interviewer fix 12 "We scan every commit with gitleaks and keep secrets in Vault."
      interviewer fix 12 - < corrected.txt
      interviewer fix 12
    """
    from interviewer.pipeline import AnswerPipeline
    from interviewer.questions import bank_of_session
    from interviewer.states import AnswerKind
    from interviewer.ui import Frontend

    store = app.store
    answer = store.answer(answer_id)
    if answer.kind is not AnswerKind.SPOKEN:
        raise UserError(f"answer {answer_id} was typed, so nothing was mis-heard; "
                        "'interviewer practice --text' takes a new typed answer")
    if answer.transcript_text is None:
        raise UserError(f"answer {answer_id} has no transcript yet; run 'interviewer rescore "
                        f"--session {answer.session_id}' first")
    session = store.session(answer.session_id)
    bank = bank_of_session(session.bank_source, answer.bank_id, {})
    if bank is None or answer.question_id not in bank.ids:
        raise UserError(f"answer {answer_id}: question {answer.question_id} of bank "
                        f"{answer.bank_id} is no longer available, so it cannot be scored")
    corrected = _corrected_text(text, answer.transcript_text)
    if corrected is None:
        click.echo("Transcript unchanged; nothing stored.", err=True)
        return
    scorer = app.scorers.scorer(bank.questions)
    pipeline = AnswerPipeline(store, lambda: scorer, session_id=answer.session_id, bank=bank)
    from interviewer.follow_ups import question_answered

    question = question_answered(bank.get(answer.question_id), answer.prompt,
                                 answer.follow_up_of)
    ticket = pipeline.reopen(answer.id, question, answer.prompt, answer.kind, None)
    recognised = answer.transcript
    result = pipeline.correct(ticket, corrected, recognised,
                              answer.recognised_text or answer.transcript_text,
                              answer.duration_s, ended_by=answer.ended_by)
    row = store.answer(answer_id)
    if as_json:
        print_json({"answer": row.to_dict(), "before": answer.score,
                    "after": result.report.score})
        return
    console = make_console()
    before = "-" if answer.score is None else f"{answer.score:.0f}"
    state = "corrected" if row.corrected else "correction removed"
    console.print(f"Answer {answer_id} ({answer.question_id}) {state}: score {before} → "
                  f"{result.report.score:.0f} ({result.report.band}).", markup=False)
    if row.corrected:
        console.print(f"Recogniser heard: {row.recognised_text}", markup=False,
                      highlight=False)
    Frontend().feedback(result.report, question)


def _corrected_text(text: str | None, current: str) -> str | None:
    """The new text from the argument, standard input or an editor; None if unchanged."""
    if text == "-":
        data = sys.stdin.buffer.read(MAX_CORRECTION_BYTES + 1) if sys.stdin else b""
        text = data.decode("utf-8", errors="replace")
    elif text is None:
        from interviewer.ui import Frontend, configured_editor

        if not (sys.stdin and sys.stdin.isatty()) and not configured_editor():
            raise UserError("give the corrected text (interviewer fix ID \"TEXT\"), '-' to "
                            "read it from standard input, or set $EDITOR")
        text = Frontend().edit_text(current)
        if text is None:
            return None
    if len(text.encode("utf-8", errors="surrogatepass")) > MAX_CORRECTION_BYTES:
        raise UserError(f"the corrected text is over {MAX_CORRECTION_BYTES // 2**20} MB; an "
                        "answer's transcript is far shorter, so give only what you said")
    text = " ".join(text.split())
    if not text:
        raise UserError("the corrected text is empty; give what you said (to remove an "
                        "answer, use 'interviewer forget' on its session)")
    return None if text == current.strip() else text

