"""`interviewer practice`: a spoken (or typed) mock interview."""

from __future__ import annotations

import random

import click

from bank import CATEGORIES, Question
from interviewer.errors import UserError
from interviewer.keys import keys_help
from interviewer.questions import select_questions
from interviewer.settings import setting_options
from interviewer.states import SessionMode

ORDERS = ("bank", "random", "weakest")
CANDIDATE_RATE = 150  # words a minute: the demo's candidate, slower than the interviewer
SETUP_WAIT_S = 2.0  # slow set-up begins at the first sound, or after this long without one
SESSION_SETTINGS = ("bank", "voice", "rate", "volume", "output_device", "backend", "model",
                    "glossary", "plain")


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


@click.command("practice")
@setting_options(*SESSION_SETTINGS, "input_device", "time_limit", "silence_stop")
@click.option("--question", "-q", "question_ids", multiple=True, metavar="ID",
              help="Ask this question (repeatable; in the order given).")
@click.option("--tag", "tags", multiple=True, help="Only questions with this tag.")
@click.option("--category", "categories", multiple=True, type=click.Choice(CATEGORIES),
              help="Only questions of this category.")
@click.option("--count", "-n", type=click.IntRange(1, 1000), help="Ask at most N questions.")
@click.option("--order", type=click.Choice(ORDERS), default="bank", show_default=True,
              help="bank order, random (see --seed), or weakest first from your history.")
@click.option("--seed", type=int, help="Seed for --order random (repeatable sessions).")
@click.option("--text", "text_mode", is_flag=True,
              help="Type answers instead of speaking (no microphone needed).")
@click.option("--silent", is_flag=True, help="Do not speak; show the questions only.")
@click.option("--no-follow-ups", is_flag=True, help="Do not ask follow-up questions.")
@click.option("--no-spoken-feedback", is_flag=True, help="Do not speak the short summary.")
@click.pass_obj
def practice(app, settings, question_ids, tags, categories, count, order, seed, text_mode,
             silent, no_follow_ups, no_spoken_feedback) -> None:
    """A mock interview: each question is spoken, you answer aloud, and you get feedback.

    Without a keyboard (input piped) answers end after a pause and the session goes on.

    {keys}

    \b
    Examples:
      interviewer practice --count 3
      interviewer practice --tag secrets --order random --seed 7
      interviewer practice --text --question devsecops-03
    """
    bank = app.bank(settings)
    chosen = select_questions(bank, question_ids, tags, categories)
    if order != "bank" and question_ids:
        raise UserError("--order applies to a selection by --tag/--category or the whole bank; "
                        "with --question the order is the one you give")
    if seed is not None and order != "random":
        raise UserError("--seed only applies to --order random")
    from interviewer.rescoring import finish_typed_answers

    for answer in finish_typed_answers(app):  # typed answers a stopped session left unscored
        click.echo(f"Scored answer {answer.id} ({answer.question_id}), typed in session "
                   f"{answer.session_id} before it stopped.")
    chosen = order_questions(chosen, order, seed,
                             _mean_scores(app.store) if order == "weakest" else {}
                             )[:count or None]
    run_session(app, bank, chosen, settings,
                mode=SessionMode.TEXT if text_mode else SessionMode.PRACTICE,
                silent=silent, follow_ups=not no_follow_ups,
                spoken_summary=not no_spoken_feedback)


def _mean_scores(store) -> dict[str, float]:
    """Each question's average of the scores that count (`interviewer.counting`)."""
    from interviewer.counting import mean_scores

    return mean_scores(store.answers(), {session.id: session for session in store.sessions()})


practice.help = (practice.help or "").replace("{keys}",
                                              keys_help().replace("\n", "\n    "))


def run_session(app, bank, questions, settings, *, mode: SessionMode, silent: bool,
                follow_ups: bool, spoken_summary: bool, ui=None):
    """Run a session of `mode` PRACTICE (spoken), TEXT (typed) or DEMO (the synthetic
    candidate): the voice, the speech model and the scorer are loaded in the background while
    the greeting and first question are spoken."""
    from interviewer.pipeline import AnswerPipeline, open_session
    from interviewer.session import PracticeSession, SessionPlan
    from interviewer.speech import load_recogniser
    from interviewer.ui import Frontend

    ui = ui or Frontend(plain=settings.plain)
    if mode is SessionMode.PRACTICE:
        from audio import find_device

        find_device(settings.input_device, "input")  # fail early: no microphone
    # the voice first: its model loads in the background while the rest is set up
    speaker = None if silent and mode is not SessionMode.DEMO else make_speaker(
        settings, app, ui, silent, app.paths.data_dir / "demo-speech"
        if mode is SessionMode.DEMO else None)
    # importing and loading the speech model and the scorer (about 2 s of CPU, much of it
    # holding Python's lock) waits until the greeting is heard, so it does not delay it; the
    # question that follows leaves time enough
    sounding = speaker.sounding if speaker is not None else None

    def after_first_sound(function, *args):
        if sounding is not None:
            sounding.wait(SETUP_WAIT_S)
        return function(*args)

    recogniser = None
    if mode in (SessionMode.PRACTICE, SessionMode.DEMO):
        recogniser = app.work.submit(after_first_sound, load_recogniser, settings, bank,
                                     app.paths.cache_dir, ui.info).result
    scorer = app.work.submit(after_first_sound, app.scorers.scorer, bank.questions).result
    source = _source(mode, ui, settings, recogniser, app, speaker, scorer)
    plan = SessionPlan(questions, mode, follow_ups=follow_ups,
                       spoken_summary=spoken_summary and speaker is not None,
                       time_limit=None if mode is SessionMode.DEMO else settings.time_limit)
    session = PracticeSession(bank, plan, ui, source, speaker)
    with open_session(app.store, mode, bank, settings.to_dict()) as session_id:
        pipeline = AnswerPipeline(app.store, scorer, recogniser, session_id=session_id,
                                  bank=bank, work=app.work, on_note=ui.warn, busy=ui.busy)
        return session.run(pipeline)


def _source(mode: str, ui, settings, recogniser, app, speaker, scorer):
    from interviewer.answer_sources import ReadAhead, SpokenAnswers, SyntheticAnswers, TypedAnswers

    if mode is SessionMode.TEXT:
        return TypedAnswers(ui)
    read_ahead = ReadAhead(scorer, app.work)
    if mode is SessionMode.DEMO:
        return SyntheticAnswers(ui, recogniser, candidate_voice(settings, app, speaker),
                                speaker, read_ahead)
    return SpokenAnswers(ui, settings, recogniser, read_ahead)


def make_speaker(settings, app, ui, silent: bool = False, out_dir=None):
    """The interviewer's voice, or None (with a warning) when no speech engine works; when
    the neural voice cannot be used, the system's voice with one line saying why.
    `silent`: synthesised into files in `out_dir` but not played."""
    from audio import Speaker, load_text_to_speech
    from audio.errors import SpeechEngineError
    from interviewer.speech import voice_options

    try:
        tts = load_text_to_speech(voice_options(
            settings, app.paths.cache_dir, out_dir or app.paths.cache_dir / "speech"),
            on_status=ui.warn)
    except SpeechEngineError as error:
        ui.warn(f"{error}; questions are shown as text only")
        return None
    app.work.submit(tts.prepare)  # the voice model loads while the session is set up
    return Speaker(tts, settings.output_device, silent=silent)


def candidate_voice(settings, app, speaker):
    """The demo's candidate, told apart from the interviewer: the neural voice with a higher
    pitch and a slower, less even delivery; without it, a second system voice."""
    from audio import load_text_to_speech
    from audio.tts_engines import DEFAULT_SYSTEM_VOICE, FALLBACK_ENGINE, SECOND_SYSTEM_VOICE
    from interviewer.speech import voice_options

    # no line when the neural voice is missing: the interviewer's voice has said it already
    candidate = load_text_to_speech(voice_options(
        settings, app.paths.cache_dir, voice="neural", rate=CANDIDATE_RATE, second_voice=True))
    interviewer = speaker.tts if speaker is not None else None
    # a second system voice is another voice only if the interviewer is not speaking with it
    if interviewer is not None and candidate.engine_name == FALLBACK_ENGINE == \
            interviewer.engine_name and candidate.voice_id == interviewer.voice_id:
        candidate.set_voice(DEFAULT_SYSTEM_VOICE if interviewer.voice_id.endswith(
            SECOND_SYSTEM_VOICE) else SECOND_SYSTEM_VOICE)
    return candidate
