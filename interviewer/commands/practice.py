"""`interviewer practice`: a spoken (or typed) mock interview."""

from __future__ import annotations

import random

import click

from bank import CATEGORIES, Question
from interviewer.errors import UserError
from interviewer.questions import open_bank, select_questions

ORDERS = ("bank", "random", "weakest")


def order_questions(questions: list[Question], order: str, seed: int | None,
                    mean_scores: dict[str, float]) -> list[Question]:
    if order == "random":
        shuffled = list(questions)
        random.Random(seed).shuffle(shuffled)
        return shuffled
    if order == "weakest":
        # never answered first (in bank order), then the lowest average score first
        return sorted(questions, key=lambda q: (q.id in mean_scores, mean_scores.get(q.id, 0)))
    return list(questions)


def session_options(function):
    """Options shared by `practice` and `demo`."""
    for decorator in reversed([
        click.option("--bank", "bank_ref", metavar="PATH|NAME",
                     help="Bank file or bundled bank name [default: devsecops]."),
        click.option("--voice", help="Interviewer voice: id, name or language code "
                                     "('interviewer devices --voices')."),
        click.option("--rate", type=click.IntRange(60, 400), help="Speech rate, words/min."),
        click.option("--output-device", help="Speaker: index or part of a name."),
        click.option("--backend", type=click.Choice(["faster-whisper", "openai-whisper"]),
                     help="Speech-to-text backend [default: faster-whisper]."),
        click.option("--model", help="Whisper model: a name, a local path, or 'bundled' "
                                     "[default: the bundled tiny.en]."),
        click.option("--no-glossary", is_flag=True,
                     help="Do not bias recognition towards the bank's terms."),
        click.option("--plain", is_flag=True, default=None,
                     help="Plain output for screen readers and logs."),
    ]):
        function = decorator(function)
    return function


def resolved_settings(app, **flags):
    glossary = False if flags.pop("no_glossary", False) else None
    return app.settings.with_overrides(glossary=glossary, **flags)


@click.command("practice")
@session_options
@click.option("--question", "-q", "question_ids", multiple=True, metavar="ID",
              help="Ask this question (repeatable; in the order given).")
@click.option("--tag", "tags", multiple=True, help="Only questions with this tag.")
@click.option("--category", "categories", multiple=True, type=click.Choice(CATEGORIES),
              help="Only questions of this category.")
@click.option("--count", "-n", type=click.IntRange(1, 1000), help="Ask at most N questions.")
@click.option("--order", type=click.Choice(ORDERS), default="bank", show_default=True,
              help="bank order, random (see --seed), or weakest first from your history.")
@click.option("--seed", type=int, help="Seed for --order random (repeatable sessions).")
@click.option("--time-limit", type=click.IntRange(5, 3600),
              help="Seconds per answer [default: each question's own limit].")
@click.option("--silence-stop", type=click.FloatRange(0.5, 60),
              help="End an answer after this many silent seconds (as well as on Enter).")
@click.option("--input-device", help="Microphone: index or part of a name.")
@click.option("--text", "text_mode", is_flag=True,
              help="Type answers instead of speaking (no microphone needed).")
@click.option("--silent", is_flag=True, help="Do not speak; show the questions only.")
@click.option("--no-follow-ups", is_flag=True, help="Do not ask follow-up questions.")
@click.option("--no-spoken-feedback", is_flag=True, help="Do not speak the short summary.")
@click.pass_obj
def practice(app, bank_ref, voice, rate, output_device, backend, model, no_glossary, plain,
             question_ids, tags, categories, count, order, seed, time_limit, silence_stop,
             input_device, text_mode, silent, no_follow_ups, no_spoken_feedback) -> None:
    """A mock interview: each question is spoken, you answer aloud, and you get feedback.

    Keys after each answer: n next (Enter), r retry, h hear the question again, m model answer,
    q quit. Without a keyboard (input piped) answers end after a pause and the session goes on.

    \b
    Examples:
      interviewer practice --count 3
      interviewer practice --tag secrets --order random --seed 7
      interviewer practice --text --question devsecops-03
    """
    settings = resolved_settings(app, bank=bank_ref, voice=voice, rate=rate,
                                 output_device=output_device, backend=backend, model=model,
                                 no_glossary=no_glossary, plain=plain,
                                 input_device=input_device, time_limit=time_limit,
                                 silence_stop=silence_stop)
    bank = open_bank(settings.bank)
    chosen = select_questions(bank, question_ids, tags, categories)
    if order != "bank" and question_ids:
        raise UserError("--order applies to a selection by --tag/--category or the whole bank; "
                        "with --question the order is the one you give")
    if seed is not None and order != "random":
        raise UserError("--seed only applies to --order random")
    store = app.store
    chosen = order_questions(chosen, order, seed, store.mean_scores())[:count or None]
    run_session(app, bank, chosen, settings, mode="text" if text_mode else "practice",
                silent=silent, follow_ups=not no_follow_ups,
                spoken_summary=not no_spoken_feedback)


def run_session(app, bank, questions, settings, *, mode: str, silent: bool, follow_ups: bool,
                spoken_summary: bool):
    from interviewer.answering import AnswerProcessor
    from interviewer.judging import scorer_for
    from interviewer.practice import PracticeOptions, PracticeSession
    from interviewer.speech import Background
    from interviewer.ui import Frontend

    frontend = Frontend(plain=settings.plain)
    model_loader = None
    if mode == "practice":
        from audio import find_device

        find_device(settings.input_device or None, "input")  # fail early: no microphone
        from interviewer.speech import BackgroundModel, speech_options

        model_loader = BackgroundModel(
            speech_options(settings, bank, app.paths.cache_dir),
            on_status=lambda message: frontend.info(message))
    speaker = None if silent else make_speaker(settings, app, frontend)
    options = PracticeOptions(
        questions=questions, mode=mode, silent=silent,
        time_limit=settings.time_limit or None, silence_stop=settings.silence_stop or None,
        input_device=settings.input_device or None,
        output_device=settings.output_device or None, follow_ups=follow_ups,
        spoken_summary=spoken_summary and speaker is not None, settings=settings.to_dict())
    # built while the first question is spoken (fitting it imports scikit-learn, ~1 s)
    scorer = Background(lambda: scorer_for(bank), name="build-scorer")
    session = PracticeSession(app.store, bank, options, frontend,
                              AnswerProcessor(app.store, scorer.get), speaker,
                              model_loader.get if model_loader else None)
    try:
        return session.run()
    finally:
        for task in (model_loader, scorer):
            if task is not None:
                task.settle()


def make_speaker(settings, app, frontend):
    """The interviewer's voice, or None (with a warning) when no speech engine works."""
    from audio import Speaker, TextToSpeech
    from audio.errors import SpeechEngineError

    try:
        tts = TextToSpeech(voice=settings.voice or None, rate=settings.rate,
                           volume=settings.volume, out_dir=app.paths.cache_dir / "speech")
    except SpeechEngineError as error:
        frontend.warn(f"{error}; questions are shown as text only")
        return None
    return Speaker(tts, settings.output_device or None)
