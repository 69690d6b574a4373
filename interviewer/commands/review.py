"""`interviewer review`: transcribe and score answers recorded earlier."""

from __future__ import annotations

import contextlib
import csv
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click

from interviewer.commands.practice import resolved_settings
from interviewer.errors import UserError
from interviewer.output import make_console, print_json
from interviewer.questions import find_question, open_bank

CSV_COLUMNS = ["file", "question_id", "score", "band", "similarity", "coverage", "words",
               "duration_s", "words_per_minute", "long_pauses", "fillers", "covered",
               "missed", "transcript", "error"]


@dataclass
class ReviewItem:
    path: Path
    question_id: str | None
    error: str | None = None
    transcript: object = None
    report: object = None
    extra: dict = field(default_factory=dict)


def collect_files(inputs: tuple[str, ...]) -> list[tuple[Path, str | None]]:
    """(file, problem) for every input: folders are searched for audio files."""
    from audio import is_audio_file

    found: list[tuple[Path, str | None]] = []
    for raw in inputs:
        path = Path(raw).expanduser()
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and is_audio_file(p))
            if not files:
                found.append((path, f"{path}: no audio files (wav, flac, mp3, m4a, ogg) in "
                                    "this folder"))
            found.extend((file, None) for file in files)
        else:
            found.append((path, None))  # load_audio reports missing or unsupported files
    return found


def read_question_map(path: Path) -> dict[Path, str]:
    """A CSV of `file,question_id` rows; files relative to the CSV's folder."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"{path}: cannot be read ({error}); give a UTF-8 CSV with columns "
                        "file,question_id") from error
    rows = list(csv.DictReader(text.splitlines()))
    if not rows or not {"file", "question_id"} <= set(rows[0]):
        raise UserError(f"{path}:1: the header must name the columns file and question_id")
    mapping = {}
    for number, row in enumerate(rows, start=2):
        if not (row.get("file") or "").strip() or not (row.get("question_id") or "").strip():
            raise UserError(f"{path}:{number}: both file and question_id are needed")
        file = Path(row["file"].strip()).expanduser()
        if not file.is_absolute():
            file = path.parent / file
        mapping[file.resolve()] = row["question_id"].strip()
    return mapping


@click.command("review")
@click.argument("inputs", nargs=-1, required=True, metavar="FILE_OR_DIR...")
@click.option("--question", "-q", "question_id", metavar="ID",
              help="The question every recording answers.")
@click.option("--map", "map_file", type=click.Path(dir_okay=False),
              help="CSV with columns file,question_id, for recordings of several questions.")
@click.option("--bank", "bank_ref", metavar="PATH|NAME", help="Bank [default: devsecops].")
@click.option("--backend", type=click.Choice(["faster-whisper", "openai-whisper"]))
@click.option("--model", help="Whisper model [default: the bundled tiny.en].")
@click.option("--no-glossary", is_flag=True, help="No bias towards the bank's terms.")
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False),
              help="Also write a summary table (one row per recording) to this CSV file.")
@click.option("--no-store", is_flag=True, help="Do not keep the results in the history.")
@click.option("--plain", is_flag=True, default=None, help="Plain output.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@click.pass_obj
def review(app, inputs, question_id, map_file, bank_ref, backend, model, no_glossary, csv_out,
           no_store, plain, as_json) -> None:
    """Transcribe recorded answers and score them: transcript, score, concepts covered and
    missed, and delivery (pace, pauses, fillers) for each recording.

    \b
    Examples:
      interviewer review answer.m4a --question devsecops-03
      interviewer review recordings/ --map answers.csv --csv results.csv
    """
    settings = resolved_settings(app, bank=bank_ref, backend=backend, model=model,
                                 no_glossary=no_glossary, plain=plain)
    if not question_id and not map_file:
        raise UserError("which question do the recordings answer? pass --question ID, or "
                        "--map FILE.csv with columns file,question_id")
    bank = open_bank(settings.bank)
    default_question = find_question(bank, question_id) if question_id else None
    mapping = read_question_map(Path(map_file)) if map_file else {}
    items = []
    for path, problem in collect_files(inputs):
        qid = mapping.get(path.resolve()) if mapping else None
        qid = qid or (default_question.id if default_question else None)
        if problem is None and qid is None:
            problem = f"{path}: not in {map_file}; add a row for it or pass --question"
        items.append(ReviewItem(path, qid, problem))

    from interviewer.answering import AnswerProcessor
    from interviewer.judging import scorer_for
    from interviewer.speech import speech_options

    console = make_console(plain=settings.plain, stderr=as_json)
    processor = None
    session_id = None
    if any(item.error is None for item in items):
        from audio import load_speech_to_text

        with console.status("Loading the speech recogniser") if not settings.plain \
                else contextlib.nullcontext():
            stt = load_speech_to_text(speech_options(settings, bank, app.paths.cache_dir),
                                      on_status=lambda m: console.print(m, markup=False))
        store = None if no_store else app.store
        if store is not None:
            session_id = store.create_session("review", bank.id, bank.version, bank.source,
                                              settings.to_dict())
        processor = AnswerProcessor(store, scorer_for(bank)) if store else None
        scorer = scorer_for(bank)
        _run(items, bank, stt, scorer, processor, session_id, console, settings.plain,
             as_json)
        if store is not None and session_id is not None:
            store.finish_session(session_id)

    failures = [item for item in items if item.error]
    for item in failures:
        click.echo(f"interviewer: {item.error}", err=True)
    if as_json:
        print_json([_json(item) for item in items])
    if csv_out:
        _write_csv(Path(csv_out), items)
    if failures:
        raise click.exceptions.Exit(2)


def _run(items, bank, stt, scorer, processor, session_id, console, plain, as_json) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from audio import AudioFileError, load_audio
    from interviewer.render import render_report
    from interviewer.speech import timed_words

    todo = [item for item in items if item.error is None]
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        console=console, transient=True, disable=plain or not todo)
    with progress:
        task = progress.add_task("Reviewing", total=len(todo))
        for number, item in enumerate(todo, start=1):
            progress.update(task, description=f"{item.path.name[:30]}")
            if plain:
                console.print(f"[{number}/{len(todo)}] {item.path}", markup=False)
            question = bank.get(item.question_id) if item.question_id in bank.ids else None
            if question is None:
                item.error = f"{item.path}: question '{item.question_id}' is not in bank " \
                             f"'{bank.id}'"
                progress.advance(task)
                continue
            try:
                samples = load_audio(item.path)
            except AudioFileError as error:
                item.error = str(error)
                progress.advance(task)
                continue
            duration = samples.size / 16000
            if processor is not None:
                answer_id = processor.store.start_answer(
                    session_id, question.id, bank.id, bank.version, question.category,
                    question.text, audio_path=item.path.resolve(),
                    source_path=str(item.path.resolve()))
                processor.store.update_answer(answer_id, status="recorded",
                                              duration_s=duration)
                item.transcript = processor.transcribe(answer_id, samples, stt)
                item.report = processor.score_spoken(answer_id, question, item.transcript,
                                                     duration).report
            else:
                item.transcript = stt.transcribe(samples)
                item.report = scorer.score("", question, words=timed_words(item.transcript)
                                           or None, duration_s=duration)
            progress.advance(task)
            if not as_json:
                console.print(f"\n[bold]{item.path}[/]" if not plain else f"\n{item.path}",
                              highlight=False)
                console.print("Transcript: " + (item.transcript.text or "(nothing heard)"),
                              markup=False)
                for warning in item.transcript.warnings:
                    console.print(f"Warning: {warning}", markup=False)
                render_report(console, item.report, question, plain=plain)


def _json(item: ReviewItem) -> dict:
    return {"file": str(item.path), "question_id": item.question_id, "error": item.error,
            "transcript": item.transcript.to_dict() if item.transcript else None,
            "report": item.report.to_dict() if item.report else None}


def _write_csv(path: Path, items: list[ReviewItem]) -> None:
    try:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, CSV_COLUMNS)
            writer.writeheader()
            for item in items:
                report = item.report
                delivery = report.delivery if report else None
                writer.writerow({
                    "file": str(item.path), "question_id": item.question_id or "",
                    "score": f"{report.score:.1f}" if report else "",
                    "band": report.band if report else "",
                    "similarity": f"{report.similarity:.3f}" if report else "",
                    "coverage": f"{report.coverage:.3f}" if report else "",
                    "words": report.word_count if report else "",
                    "duration_s": delivery.duration_s if delivery else "",
                    "words_per_minute": delivery.words_per_minute if delivery else "",
                    "long_pauses": len(delivery.long_pauses) if delivery else "",
                    "fillers": delivery.filler_count if delivery else "",
                    "covered": "; ".join(c.name for c in report.covered) if report else "",
                    "missed": "; ".join(c.name for c in report.missed) if report else "",
                    "transcript": item.transcript.text if item.transcript else "",
                    "error": item.error or ""})
    except OSError as error:
        raise UserError(f"{path}: cannot write the CSV ({error.strerror})") from error
    print(f"Wrote {path}", file=sys.stderr)
