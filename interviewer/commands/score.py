"""`interviewer score`: score a typed answer, or many answers as JSON lines."""

from __future__ import annotations

import difflib
import json
import logging
import math
import os
import sys

import click

from bank import BankError, Question, build_concepts
from interviewer.errors import UserError
from interviewer.output import make_console, print_json
from interviewer.private_files import file_kind
from interviewer.questions import find_question
from interviewer.settings import setting_options

MAX_INPUT_BYTES = 16 * 1024 * 1024
MAX_LINE_BYTES = 4 * 1024 * 1024
MAX_ANSWER_BYTES = 1024 * 1024  # as `fix` takes; scoring is linear, so this is about 1 s
MAX_JSONL_BYTES = 2**30
MAX_WEIGHT = 10.0  # as in a bank file
BATCH = 512  # lines scored together
log = logging.getLogger(__name__)


def _read_stdin_text() -> str:
    if sys.stdin is None or sys.stdin.isatty():
        raise UserError("no answer given: pass it as TEXT, or pipe it on standard input "
                        "(echo 'my answer' | interviewer score --question ID)")
    data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise UserError(f"the answer on standard input is over {MAX_INPUT_BYTES // 2**20} MB; "
                        "score a shorter text")
    return data.decode("utf-8", errors="replace")


@click.command("score")
@click.argument("text", required=False)
@click.option("--question", "-q", "question_id", metavar="ID",
              help="The question the answer is for, e.g. devsecops-03.")
@setting_options("bank", "plain")
@click.option("--jsonl", "jsonl_source", metavar="FILE|-",
              help="Score many answers: one JSON object a line in, one out, in order.")
@click.option("--model-answer", "show_model_answer", is_flag=True,
              help="Also show the model answer.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@click.pass_obj
def score(app, text: str | None, question_id: str | None, settings, jsonl_source: str | None,
          show_model_answer: bool, as_json: bool) -> None:
    """Score an answer against a question's model answer and key concepts.

    The answer is TEXT, or standard input when TEXT is '-' or missing.

    \b
    Examples:
      interviewer score -q devsecops-03 "I keep secrets in Vault and rotate them"
      interviewer score -q devsecops-03 --json < answer.txt
      interviewer score --jsonl answers.jsonl > scores.jsonl

    \b
    JSON lines in: {"answer": ..., "question_id": ..., "bank": ...}
               or: {"answer": ..., "reference": ..., "question": ..., "concepts": [...]}
    JSON lines out: score (0-100), band, similarity, coverage, concepts, feedback, ...
    """
    if jsonl_source is not None:
        if text is not None or question_id is not None:
            raise UserError("--jsonl reads answers and questions from the file; do not pass "
                            "TEXT or --question with it")
        raise click.exceptions.Exit(JsonLinesScorer(settings.bank, app.scorers).run(jsonl_source))
    if question_id is None:
        raise UserError("which question? pass --question ID (see 'interviewer bank list')")
    bank = app.bank(settings)
    question = find_question(bank, question_id)
    answer = _read_stdin_text() if text in (None, "-") else text
    report = app.scorers.scorer(bank.questions).score_text(answer, question)
    if as_json:
        print_json(report.to_dict())
        return
    from interviewer.render import render_report

    console = make_console(plain=settings.plain)
    render_report(console, report, question, show_model_answer=show_model_answer,
                  plain=settings.plain)


class JsonLinesScorer:
    """`score --jsonl`: one result line for every input line, in order. A line that cannot be
    scored, for whatever reason, gets `{"line": N, "error": ...}` in its place and the rest go
    on. A scorer is fitted once per bank, and once for all the lines that bring their own
    reference answer; each distinct question is prepared once."""

    def __init__(self, default_bank: str, scorers):
        self.default_bank = default_bank
        self.scorers = scorers  # scoring.recipe.ScorerRecipe
        self.failures = 0
        self._banks: dict[str, object] = {}

    def run(self, source: str) -> int:
        items = [(number, _parse_line(line)) for number, line in
                 enumerate(_read_lines(source), start=1) if isinstance(line, str) or line.strip()]
        # every reference of the input is an example of an unrelated answer to the others
        own = {}
        for number, item in items:
            if isinstance(item, dict) and "question_id" not in item:
                try:
                    question = _question_from_item(item)
                    own.setdefault(_question_key(question), question)
                except UserError:
                    pass  # reported when that line is scored
                except Exception:  # a bug: that line reports it, the others are scored
                    log.exception("reading the reference of line %d failed", number)
        self._own_scorer = self.scorers.scorer(own.values()) if own else None
        for start in range(0, len(items), BATCH):
            for result in self._batch(items[start:start + BATCH], source):
                _write_line(result)
        _write_line(None)
        if self.failures:
            click.echo(f"interviewer: {self.failures} line(s) of {source} could not be "
                       "scored; each has an 'error' object in the output", err=True)
            return 2
        return 0

    def _batch(self, items: list, source: str) -> list[dict]:
        """The results of a batch of lines, in order: lines that share a scorer are scored
        together (their meanings are embedded at once)."""
        results: dict[int, dict] = {}
        groups: dict[int, tuple] = {}
        for number, item in items:
            try:
                if isinstance(item, str):
                    raise UserError(item)
                scorer, question, answer = self._prepare(item)
                groups.setdefault(id(scorer), (scorer, []))[1].append(
                    (number, item, question, answer))
            except Exception as error:
                results[number] = self._failure(number, error, source)
        for scorer, members in groups.values():
            try:
                reports = scorer.score_texts([(answer, question)
                                              for _, _, question, answer in members])
            except Exception:  # find the line at fault: score them one by one
                reports = [None] * len(members)
            for (number, item, question, answer), report in zip(members, reports,
                                                                 strict=True):
                try:
                    report = report or scorer.score_text(answer, question)
                    results[number] = self._output(number, item, report)
                except Exception as error:
                    results[number] = self._failure(number, error, source)
        return [results[number] for number, _ in items]

    def _output(self, number: int, item: dict, report) -> dict:
        result = report.to_dict()
        if "question_id" not in item:
            result["question_id"] = str(item.get("id", f"line-{number}"))
        if "id" in item:
            result["id"] = item["id"]
        json.dumps(result, allow_nan=False)
        return result

    def _failure(self, number: int, error: BaseException, source: str) -> dict:
        if isinstance(error, (UserError, BankError)):
            message = str(error)
        else:  # a bug must not cost the other lines their results
            log.error("scoring line %d failed", number, exc_info=error)
            message = f"internal error ({type(error).__name__}); the log has the details"
        self.failures += 1
        click.echo(f"{source}:{number}: {message}", err=True)
        return {"line": number, "error": message}

    def _prepare(self, item: dict):
        """(scorer, question, answer) for a line, or UserError saying what is wrong."""
        if "answer" not in item:
            close = difflib.get_close_matches("answer", [str(key) for key in item], n=1)
            hint = f" ('{close[0]}' is not a field of a line)" if close else ""
            raise UserError(f"missing 'answer': the text to score{hint}; give "
                            '{"answer": ..., "question_id": ...}')
        answer = item["answer"]
        if answer is None:
            answer = ""
        if not isinstance(answer, str):
            raise UserError("'answer' must be text")
        if len(answer.encode("utf-8", "surrogatepass")) > MAX_ANSWER_BYTES:
            raise UserError(f"'answer' is over {MAX_ANSWER_BYTES // 2**20} MB; score a shorter "
                            "text")
        identifier = item.get("id")
        if "id" in item and (isinstance(identifier, bool) or not isinstance(
                identifier, (str, int, float)) or identifier != identifier or
                identifier in (math.inf, -math.inf)):
            raise UserError("'id' must be text or a number")
        if "question_id" in item:
            bank = self._bank(item.get("bank"))
            question = find_question(bank, _text_field(item, "question_id"))
            return self.scorers.scorer(bank.questions), question, answer
        question = _question_from_item(item)
        return self._own_scorer, question, answer

    def _bank(self, ref):
        from bank import load_bank

        if ref is not None and not isinstance(ref, str):
            raise UserError("'bank' must be text: a bank file or the name of a bundled bank")
        ref = ref or self.default_bank
        if ref not in self._banks:
            self._banks[ref] = load_bank(ref)
        return self._banks[ref]


def _parse_line(line: bytes | str) -> dict | str:
    """The line's object, or what is wrong with it (a line already refused is its message)."""
    if isinstance(line, str):
        return line
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"not valid UTF-8 (byte 0x{line[error.start]:02x} at column {error.start + 1}); " \
               "save the file as UTF-8"
    try:
        item = json.loads(text)
    except RecursionError:
        return "the JSON is nested too deeply; give one flat object"
    except ValueError as error:
        return f"not a JSON object ({' '.join(str(error).split())[:100]})"
    if not isinstance(item, dict):
        return "expected a JSON object"
    try:  # "\ud800" is valid JSON but not text: it could not be written out again
        json.dumps(item, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return "holds a lone surrogate (such as \\ud800), which is not text; fix the line"
    return item


def _read_lines(source: str) -> list[bytes | str]:
    """The lines of the input, split at b"\\n" only: U+2028 or U+0085 inside a string is
    part of its line. A line over MAX_LINE_BYTES is replaced by what is wrong with it, so
    one huge line costs no memory."""
    if source == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise UserError("--jsonl -: pipe JSON lines on standard input")
        return _split_lines(sys.stdin.buffer, source)
    try:
        handle = open(source, "rb")  # noqa: SIM115 - closed below
    except OSError as error:
        raise UserError(f"{source}: cannot be read ({error.strerror}); check the path") \
            from error
    with handle:
        kind = file_kind(os.fstat(handle.fileno()).st_mode)
        if kind not in (None, "a named pipe (FIFO)"):  # <(command) is a pipe, and fine
            raise UserError(f"{source}: is {kind}, not a file of JSON lines")
        return _split_lines(handle, source)


def _split_lines(stream, source: str) -> list[bytes | str]:
    lines: list[bytes | str] = []
    total = 0
    while True:
        try:
            line = stream.readline(MAX_LINE_BYTES + 1)
        except OSError as error:
            raise UserError(f"{source}: cannot be read ({error.strerror})") from error
        if not line:
            return lines
        total += len(line)
        if total > MAX_JSONL_BYTES:
            raise UserError(f"{source}: is over {MAX_JSONL_BYTES // 2**30} GB; split it")
        if len(line) > MAX_LINE_BYTES:
            while line and not line.endswith(b"\n"):  # the rest of the line, unread
                line = stream.readline(MAX_LINE_BYTES)
                total += len(line)
            lines.append(f"the line is over {MAX_LINE_BYTES // 2**20} MB; split the answer")
            continue
        line = line.removesuffix(b"\n").removesuffix(b"\r")
        lines.append(line.removeprefix(b"\xef\xbb\xbf") if not lines else line)


def _write_line(result: dict | None) -> None:
    """One result line on stdout (None: flush). A full disk is the user's to fix, not a bug."""
    try:
        if result is not None:
            try:
                text = json.dumps(result, allow_nan=False, ensure_ascii=False)
                sys.stdout.write(text + "\n")
            except UnicodeEncodeError:  # a terminal that cannot show the text
                sys.stdout.write(json.dumps(result, allow_nan=False) + "\n")
        else:
            sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        raise UserError(f"cannot write the results ({error.strerror}); free some space or "
                        "write them elsewhere") from error


def _text_field(item: dict, key: str) -> str:
    value = item.get(key)
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise UserError(f"'{key}' must be text")
    return str(value)


def _question_from_item(item: dict) -> Question:
    reference = item.get("reference")
    if not isinstance(reference, str) or not reference.strip():
        raise UserError("give 'question_id' (a bank question) or 'reference' (a model answer)")
    question_text = item.get("question") or ""
    if not isinstance(question_text, str):
        raise UserError("'question' must be text")
    concepts, problems = build_concepts(item.get("concepts") or [], "line")
    if problems:
        # the bank's rules, worded for a line: "concepts[1].weight: 0 is out of range; ..."
        raise UserError(f"{problems[0].field}: {problems[0].message}")
    # the question's id does not take part: lines with the same reference share one model
    return Question(id="reference", text=question_text, category="technical",
                    model_answer=reference, concepts=concepts)


def _question_key(question: Question) -> tuple:
    return (question.text, question.model_answer, question.concepts)
