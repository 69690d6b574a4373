"""`interviewer demo`: see the whole product in about a minute, no microphone needed."""

from __future__ import annotations

import click

from interviewer.settings import setting_options


@click.command("demo")
@setting_options("voice", "rate", "volume", "output_device", "backend", "model", "glossary",
                 "plain")
@click.option("--silent", is_flag=True, help="Do not play sound; write it to files.")
@click.pass_obj
def demo(app, settings, silent) -> None:
    """A short mock interview with a synthetic candidate: the questions are spoken, the
    candidate answers in a second voice, and each answer is recorded, transcribed while it is
    spoken, scored, shown and stored, exactly as yours would be.

    \b
    Example:  interviewer demo
    """
    from audio import find_device
    from audio.errors import AudioDeviceError
    from bank import BUNDLED_DEFAULT, load_bank
    from interviewer.answer_sources import demo_answers
    from interviewer.commands.practice import run_session
    from interviewer.states import SessionMode
    from interviewer.ui import Frontend

    bank = load_bank(BUNDLED_DEFAULT)  # the demo's answers are for the bundled questions
    ui = Frontend(plain=settings.plain)
    ui.keys.interactive = False  # the demo runs on its own
    if not silent:
        try:
            find_device(settings.output_device, "output")
        except AudioDeviceError:
            silent = True
            ui.warn("no speaker found: the interviewer's questions are written to "
                    f"{app.paths.data_dir / 'demo-speech'} instead")
    questions = [bank.get(item.question_id) for item in demo_answers()]
    summary = run_session(app, bank, questions, settings, mode=SessionMode.DEMO, silent=silent,
                          follow_ups=False, spoken_summary=True, ui=ui)
    ui.info(f"Stored as demo session {summary.session_id} in {app.paths.data_dir}, kept "
            "apart from your own record ('interviewer history --demo' lists it). Next: "
            "'interviewer practice' to answer yourself, 'interviewer report "
            f"{summary.session_id} --out demo.html' for a report.")
