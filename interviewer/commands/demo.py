"""`interviewer demo`: see the whole product in about a minute, no microphone needed."""

from __future__ import annotations

import click

from interviewer.commands.practice import resolved_settings


@click.command("demo")
@click.option("--voice", help="Interviewer voice: id, name or language code.")
@click.option("--rate", type=click.IntRange(60, 400), help="Speech rate, words/min.")
@click.option("--output-device", help="Speaker: index or part of a name.")
@click.option("--backend", type=click.Choice(["faster-whisper", "openai-whisper"]),
              help="Speech-to-text backend [default: faster-whisper].")
@click.option("--model", help="Whisper model [default: the bundled tiny.en].")
@click.option("--silent", is_flag=True, help="Do not play sound; write it to files.")
@click.option("--plain", is_flag=True, default=None, help="Plain output.")
@click.pass_obj
def demo(app, voice, rate, output_device, backend, model, silent, plain) -> None:
    """A short mock interview with a synthetic candidate: the questions are spoken, the
    candidate's answers are synthesised, transcribed, scored, shown and stored.

    \b
    Example:  interviewer demo
    """
    from audio import Speaker, TextToSpeech, find_device
    from audio.errors import AudioDeviceError
    from bank import load_bank
    from interviewer.answering import AnswerProcessor
    from interviewer.demo import DemoSession, demo_answers
    from interviewer.judging import scorer_for
    from interviewer.practice import PracticeOptions
    from interviewer.speech import BackgroundModel, speech_options
    from interviewer.ui import Frontend

    settings = resolved_settings(app, voice=voice, rate=rate, output_device=output_device,
                                 backend=backend, model=model, plain=plain)
    bank = load_bank("devsecops")
    frontend = Frontend(plain=settings.plain)
    frontend.keys.interactive = False  # the demo runs on its own
    model_loader = BackgroundModel(speech_options(settings, bank, app.paths.cache_dir),
                                   on_status=frontend.info)
    answers = {item.question_id: item for item in demo_answers()}
    store = app.store
    speech_dir = app.paths.data_dir / "demo-speech"
    if not silent:
        try:
            find_device(settings.output_device or None, "output")
        except AudioDeviceError:
            silent = True
            frontend.warn(f"no speaker found: the interviewer's questions are written to "
                          f"{speech_dir} instead")
    tts = TextToSpeech(voice=settings.voice or None, rate=settings.rate,
                       volume=settings.volume, out_dir=speech_dir)
    speaker = Speaker(tts, settings.output_device or None, silent=silent)
    candidate = TextToSpeech(voice="en-gb-x-rp" if settings.voice != "en-gb-x-rp" else
                             "en-us", rate=150, out_dir=app.paths.cache_dir / "speech")
    questions = [bank.get(item.question_id) for item in demo_answers()]
    options = PracticeOptions(questions=questions, mode="demo", follow_ups=False,
                              spoken_summary=True, settings=settings.to_dict())
    session = DemoSession(store, bank, options, frontend,
                          AnswerProcessor(store, scorer_for(bank)), speaker,
                          model_loader.get, answers=answers, candidate_tts=candidate)
    try:
        summary = session.run()
    finally:
        model_loader.settle()
    frontend.info(f"Stored as session {summary.session_id} in {app.paths.data_dir}. Next: "
                  "'interviewer practice' to answer yourself, 'interviewer report "
                  f"{summary.session_id} --out demo.html' for a report.")
