"""`interviewer review`: transcribe and score answers recorded earlier."""

from __future__ import annotations

import contextlib
import csv
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import click

from interviewer.errors import UserError
from interviewer.output import make_console, print_json, printable, shown
from interviewer.questions import find_question
from interviewer.settings import setting_options

CSV_COLUMNS = ["file", "question_id", "score", "band", "similarity", "coverage", "words",
               "duration_s", "words_per_minute", "long_pauses", "fillers", "covered",
               "missed", "transcript", "error"]


@dataclass
class ReviewItem:
    path: Path
    question_id: str | None
    error: str | None = None
    result: object = None  # interviewer.pipeline.AnswerResult
    warning: str | None = None  # the file is damaged, but something of it was heard

    def to_dict(self) -> dict:
        result = self.result
        return {"file": str(self.path), "question_id": self.question_id, "error": self.error,
                "warning": self.warning,
                "transcript": result.transcript.to_dict() if result else None,
                "report": result.report.to_dict() if result else None}


def collect_files(inputs: tuple[str, ...]) -> list[tuple[Path, str | None]]:
    """(file, problem) for every input: folders are searched for audio files."""
    from audio import is_audio_file

    found: list[tuple[Path, str | None]] = []
    for raw in inputs:
        path = Path(raw).expanduser()
        if path.is_dir():
            files, skipped = [], []
            for candidate in sorted(path.rglob("*")):
                if is_audio_file(candidate):
                    (files if candidate.is_file() else skipped).append(candidate)
            found.extend((file, None) for file in files)
            found.extend((link, f"{link}: not a readable file (a broken or looping link?); "
                                "skipped") for link in skipped)
            if not files and not skipped:
                found.append((path, f"{path}: no audio files (wav, flac, mp3, m4a, ogg) in "
                                    "this folder"))
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
@setting_options("bank", "backend", "model", "glossary", "plain")
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False),
              help="Also write a summary table (one row per recording) to this CSV file.")
@click.option("--force", is_flag=True, help="Overwrite the --csv file if it exists.")
@click.option("--no-store", is_flag=True, help="Do not keep the results in the history.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@click.pass_obj
def review(app, inputs, question_id, map_file, settings, csv_out, force, no_store,
           as_json) -> None:
    """Transcribe recorded answers and score them: transcript, score, concepts covered and
    missed, and delivery (pace, pauses, fillers) for each recording.

    Results are written as each file is finished, so an interrupted review keeps them.

    \b
    Examples:
      interviewer review answer.m4a --question devsecops-03
      interviewer review recordings/ --map answers.csv --csv results.csv
    """
    if not question_id and not map_file:
        raise UserError("which question do the recordings answer? pass --question ID, or "
                        "--map FILE.csv with columns file,question_id")
    csv_path = Path(csv_out) if csv_out else None
    if csv_path is not None and csv_path.exists() and not force:
        raise UserError(f"{csv_path} exists; pass --force to overwrite it, or choose another "
                        "--csv file")
    bank = app.bank(settings)
    default_question = find_question(bank, question_id) if question_id else None
    mapping = read_question_map(Path(map_file)) if map_file else {}
    items = []
    for path, problem in collect_files(inputs):
        qid = mapping.get(path.resolve()) if mapping else None
        qid = qid or (default_question.id if default_question else None)
        if problem is None and qid is None:
            problem = f"{path}: not in {map_file}; add a row for it or pass --question"
        items.append(ReviewItem(path, qid, problem))
    _probe(items)
    if csv_path is not None:
        from interviewer.private_files import refuse_overwriting_inputs

        read = [Path(map_file)] if map_file else []
        read += [item.path for item in items] + [Path(bank.source)]
        refuse_overwriting_inputs(csv_path, read, "--csv")
    console = make_console(plain=settings.plain, stderr=as_json)
    with _CsvOut(csv_path) as table:
        try:
            if any(item.error is None for item in items):
                _review(app, items, bank, settings, console, table, no_store, as_json)
        finally:
            for item in items:
                if item.error:
                    table.write(item)
            if as_json:
                print_json([item.to_dict() for item in items if item.result or item.error])
    failures = [item for item in items if item.error]
    for item in failures:
        click.echo(f"interviewer: {printable(item.error, one_line=True)}", err=True)
    if failures:
        raise click.exceptions.Exit(2)


def _probe(items: list[ReviewItem]) -> None:
    """A file that cannot be decoded (or claims 1 sample a second) fails before the speech
    recogniser is loaded for it."""
    from audio import AudioFileError
    from audio.files import probe_audio

    for item in items:
        if item.error is None:
            try:
                probe_audio(item.path)
            except AudioFileError as error:
                item.error = str(error)


def _review(app, items, bank, settings, console, table, no_store, as_json) -> None:
    from audio import load_speech_to_text
    from interviewer.pipeline import AnswerPipeline, open_session
    from interviewer.speech import speech_options
    from interviewer.states import SessionMode

    with console.status("Loading the speech recogniser") if not settings.plain \
            else contextlib.nullcontext():
        stt = load_speech_to_text(speech_options(settings, bank, app.paths.cache_dir),
                                  on_status=lambda m: console.print(m, markup=False))
    store = None if no_store else app.store
    scorer = app.scorers.scorer(bank.questions)
    with open_session(store, SessionMode.REVIEW, bank, settings.to_dict()) as session_id:
        pipeline = AnswerPipeline(store, lambda: scorer, lambda: stt, session_id=session_id,
                                  bank=bank)
        _run(items, bank, pipeline, console, table, settings.plain, as_json)


def _run(items, bank, pipeline, console, table, plain, as_json) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    todo = [item for item in items if item.error is None]
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        console=console, transient=True, disable=plain or not todo)
    with progress:
        task = progress.add_task("Reviewing", total=len(todo))
        for number, item in enumerate(todo, start=1):
            # file names are shown as written: "[/]" or ESC in a name is text
            progress.update(task, description=shown(item.path.name[:30]))
            if plain:
                console.print(f"[{number}/{len(todo)}] {printable(item.path)}", markup=False)
            _one(item, bank, pipeline)
            table.write(item)
            progress.advance(task)
            if item.result is not None and not as_json:
                _show(console, item, bank, plain)


def _one(item: ReviewItem, bank, pipeline) -> None:
    from audio import AudioFileError
    from audio.files import probe_audio, wav_truncation
    from interviewer.pipeline import CapturedAnswer
    from interviewer.states import AnswerKind, AnswerStatus

    if item.question_id not in bank.ids:
        item.error = f"{item.path}: question '{item.question_id}' is not in bank '{bank.id}'"
        return
    question = bank.get(item.question_id)
    try:
        probe_audio(item.path)
    except AudioFileError as error:
        item.error = str(error)
        return
    source = item.path.resolve()
    try:
        content = file_sha256(source)
    except OSError as error:
        item.error = f"{item.path}: cannot be read ({error.strerror})"
        return
    ticket = pipeline.open(question, question.text, kind=AnswerKind.SPOKEN, audio_path=source,
                           source_path=str(source), source_sha256=content)
    try:  # read and transcribed a window at a time: a two-hour file never sits in memory
        item.result = pipeline.finish(ticket, CapturedAnswer(audio_path=source))
    except AudioFileError as error:
        pipeline.fail(ticket, AnswerStatus.FAILED, str(error))
        item.error = str(error)
        return
    truncated = wav_truncation(item.path)
    if truncated and not item.result.text.strip():
        # nothing heard in what is left: the file is at fault, not the microphone
        pipeline.fail(ticket, AnswerStatus.FAILED, truncated)
        item.error, item.result = truncated + "; nothing could be heard in what is left", None
    elif truncated:
        item.warning = truncated + "; only what is left was scored"


def file_sha256(path: Path) -> str:
    """The file's content hash, read a megabyte at a time."""
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def _show(console, item: ReviewItem, bank, plain: bool) -> None:
    from interviewer.render import render_report

    transcript = item.result.transcript
    console.print(f"\n[bold]{shown(item.path)}[/]" if not plain else
                  f"\n{printable(item.path)}", markup=not plain, highlight=False)
    console.print("Transcript: " + printable(transcript.text or "(nothing heard)"),
                  markup=False)
    for warning in transcript.warnings + ((item.warning,) if item.warning else ()):
        console.print(f"Warning: {printable(warning)}", markup=False)
    render_report(console, item.result.report, bank.get(item.question_id), plain=plain)


class _CsvOut:
    """The --csv table, one row written (and flushed) as each recording is finished, into a
    private temporary file beside it that replaces the file when the review ends, finished or
    interrupted: a file given with --force is never half-overwritten, and is 0600 whatever
    it was before."""

    def __init__(self, path: Path | None):
        self.path = path
        self._temp: Path | None = None
        self._handle = None
        self._writer = None
        self._written: set[int] = set()

    def __enter__(self) -> _CsvOut:
        if self.path is not None:
            try:
                descriptor, name = tempfile.mkstemp(dir=self.path.parent or Path("."),
                                                    prefix=f".{self.path.name}.",
                                                    suffix=".tmp")
                self._temp = Path(name)
                self._handle = os.fdopen(descriptor, "w", newline="", encoding="utf-8")
            except OSError as error:
                raise UserError(f"{self.path}: cannot write the CSV ({error.strerror}); check "
                                "the folder and free space") from error
            self._writer = csv.DictWriter(self._handle, CSV_COLUMNS)
            self.write(None)
        return self

    def write(self, item: ReviewItem | None) -> None:
        """The item's row, once (None: the header)."""
        if self._writer is None or id(item) in self._written:
            return
        self._written.add(id(item))
        try:
            if item is None:
                self._writer.writeheader()
            else:
                self._writer.writerow(_csv_row(item))
            self._handle.flush()
        except OSError as error:
            raise UserError(f"{self.path}: cannot write the CSV ({error.strerror}); check "
                            "free space") from error

    def __exit__(self, *exc) -> None:
        if self._handle is None or self._temp is None:
            return
        try:
            with self._handle:
                os.fsync(self._handle.fileno())
            os.chmod(self._temp, 0o600)
            os.replace(self._temp, self.path)
        except OSError as error:
            self._temp.unlink(missing_ok=True)
            click.echo(printable(f"interviewer: {self.path}: cannot write the CSV "
                                 f"({error.strerror}); check free space", one_line=True),
                       err=True)
            return
        print(printable(f"Wrote {self.path}"), file=sys.stderr)


def _csv_row(item: ReviewItem) -> dict:
    report = item.result.report if item.result else None
    transcript = item.result.transcript if item.result else None
    delivery = report.delivery if report else None
    return {
        "file": str(item.path), "question_id": item.question_id or "",
        "score": f"{report.score:.1f}" if report else "",
        "band": report.band.value if report else "",
        "similarity": f"{report.similarity:.3f}" if report else "",
        "coverage": f"{report.coverage:.3f}" if report else "",
        "words": report.word_count if report else "",
        "duration_s": delivery.duration_s if delivery else "",
        "words_per_minute": delivery.words_per_minute if delivery else "",
        "long_pauses": len(delivery.long_pauses) if delivery else "",
        "fillers": delivery.filler_count if delivery else "",
        "covered": "; ".join(c.name for c in report.covered) if report else "",
        "missed": "; ".join(c.name for c in report.missed) if report else "",
        "transcript": transcript.text if transcript else "",
        "error": item.error or ""}
