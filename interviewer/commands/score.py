"""`interviewer score`: score a typed answer, or many answers as JSON lines."""

from __future__ import annotations

import contextlib
import json
import sys

import click

from bank import BankError, Concept, Question
from interviewer.errors import UserError
from interviewer.output import make_console, print_json
from interviewer.questions import find_question, open_bank

MAX_INPUT_BYTES = 16 * 1024 * 1024


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
@click.option("--bank", "bank_ref", metavar="PATH|NAME",
              help="Bank file or bundled bank name [default: devsecops].")
@click.option("--jsonl", "jsonl_source", metavar="FILE|-",
              help="Score many answers: one JSON object a line in, one out, in order.")
@click.option("--model-answer", "show_model_answer", is_flag=True,
              help="Also show the model answer.")
@click.option("--plain", is_flag=True, help="No colour or symbols (screen readers, logs).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
def score(text: str | None, question_id: str | None, bank_ref: str | None,
          jsonl_source: str | None, show_model_answer: bool, plain: bool,
          as_json: bool) -> None:
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
        raise click.exceptions.Exit(_score_jsonl(jsonl_source, bank_ref))
    if question_id is None:
        raise UserError("which question? pass --question ID (see 'interviewer bank list')")
    bank = open_bank(bank_ref)
    question = find_question(bank, question_id)
    answer = _read_stdin_text() if text in (None, "-") else text
    from interviewer.judging import scorer_for

    report = scorer_for(bank).score(answer, question)
    if as_json:
        print_json(report.to_dict())
        return
    from interviewer.render import render_report

    console = make_console(plain=plain)
    render_report(console, report, question, show_model_answer=show_model_answer, plain=plain)


def _score_jsonl(source: str, default_bank: str | None) -> int:
    """Score every line; a bad line gives an error object in its place. Returns the exit code."""
    from interviewer.judging import scorer_for, scorer_for_questions

    raw = _read_lines(source)
    parsed: list[tuple[int, dict | None, str | None]] = []
    for number, line in enumerate(raw, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise ValueError("expected a JSON object")
            parsed.append((number, item, None))
        except ValueError as error:
            parsed.append((number, None, f"not a JSON object ({error})"))

    # Answers given with their own reference are scored by a scorer fitted on all the
    # references of the input (plus the bundled bank as background when there are few).
    ad_hoc: dict[int, Question] = {}
    for number, item, problem in parsed:
        if item is not None and problem is None and "question_id" not in item:
            with contextlib.suppress(UserError):  # reported when the line is scored below
                ad_hoc[number] = _question_from_item(item, number)
    reference_scorer = scorer_for_questions(ad_hoc.values()) if ad_hoc else None

    failures = 0
    for number, item, problem in parsed:
        try:
            if problem is not None:
                raise UserError(problem)
            assert item is not None
            answer = item.get("answer")
            if answer is None:
                answer = ""
            if not isinstance(answer, str):
                raise UserError("'answer' must be text")
            if "question_id" in item:
                bank = open_bank(item.get("bank") or default_bank)
                question = find_question(bank, str(item["question_id"]))
                report = scorer_for(bank).score(answer, question)
            else:
                question = ad_hoc.get(number) or _question_from_item(item, number)
                assert reference_scorer is not None
                report = reference_scorer.score(answer, question)
            result = report.to_dict()
            if "id" in item:
                result["id"] = item["id"]
        except (UserError, BankError) as error:
            failures += 1
            click.echo(f"{source}:{number}: {error}", err=True)
            result = {"line": number, "error": str(error)}
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    if failures:
        click.echo(f"interviewer: {failures} line(s) of {source} could not be scored; each has "
                   "an 'error' object in the output", err=True)
        return 2
    return 0


def _read_lines(source: str) -> list[str]:
    if source == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise UserError("--jsonl -: pipe JSON lines on standard input")
        data = sys.stdin.buffer.read()
    else:
        try:
            with open(source, "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise UserError(f"{source}: cannot be read ({error.strerror}); check the path") \
                from error
    try:
        return data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise UserError(f"{source}:{line}: not valid UTF-8; save the file as UTF-8") from error


def _question_from_item(item: dict, number: int) -> Question:
    reference = item.get("reference")
    if not isinstance(reference, str) or not reference.strip():
        raise UserError("give 'question_id' (a bank question) or 'reference' (a model answer)")
    question_text = item.get("question") or ""
    if not isinstance(question_text, str):
        raise UserError("'question' must be text")
    concepts = []
    for entry in item.get("concepts") or []:
        if isinstance(entry, str) and entry.strip():
            concepts.append(Concept(name=entry.strip()))
        elif isinstance(entry, dict) and isinstance(entry.get("name"), str):
            aliases = entry.get("aliases") or []
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                raise UserError("a concept's 'aliases' must be a list of text")
            weight = entry.get("weight", 1.0)
            if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
                raise UserError("a concept's 'weight' must be a positive number")
            concepts.append(Concept(name=entry["name"], aliases=tuple(aliases),
                                    weight=float(weight)))
        else:
            raise UserError("'concepts' must be a list of names or {name, aliases, weight}")
    qid = str(item.get("id", f"line-{number}"))
    return Question(id=qid, text=question_text, category="technical",
                    model_answer=reference, concepts=tuple(concepts))
