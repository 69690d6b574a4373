"""`interviewer bank list|show|validate|import`: browse, check and import question banks."""

from __future__ import annotations

from pathlib import Path

import click

from bank import CATEGORIES, Bank, Question, bundled_banks
from interviewer.errors import UserError
from interviewer.output import make_console, print_json, printable, shown
from interviewer.questions import find_question, select_questions
from interviewer.settings import setting_options


def bank_summary(bank: Bank) -> dict:
    return {"id": bank.id, "title": bank.title, "role": bank.role, "language": bank.language,
            "version": bank.version, "source": bank.source,
            "question_count": len(bank.questions)}


def question_record(question: Question, full: bool = False) -> dict:
    record = {"id": question.id, "category": question.category, "tags": list(question.tags),
              "time_limit": question.time_limit, "text": question.text}
    if not full:
        record["concepts"] = [concept.name for concept in question.concepts]
        return record
    record.update({
        "model_answer": question.model_answer,
        "concepts": [{"name": concept.name, "aliases": list(concept.aliases),
                      "weight": concept.weight} for concept in question.concepts],
        "look_for": list(question.look_for),
        "follow_ups": [{"concept": follow.concept, "text": follow.text}
                       for follow in question.follow_ups],
    })
    return record


@click.group()
def bank() -> None:
    """Browse, validate and import question banks."""


@bank.command("list")
@setting_options("bank")
@click.option("--tag", "tags", multiple=True, help="Only questions with this tag (repeatable).")
@click.option("--category", "categories", multiple=True, type=click.Choice(CATEGORIES),
              help="Only questions of this category (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@click.pass_obj
def list_questions(app, settings, tags: tuple[str, ...], categories: tuple[str, ...],
                   as_json: bool) -> None:
    """List the questions of a bank.

    \b
    Example:  interviewer bank list --category technical
    """
    loaded = app.bank(settings)
    questions = select_questions(loaded, tags=tags, categories=categories)
    if as_json:
        print_json({"bank": bank_summary(loaded),
                    "bundled_banks": list(bundled_banks()),
                    "questions": [question_record(question) for question in questions]})
        return
    from rich.table import Table

    console = make_console()
    # the bank's own text is shown as written: '[/]' in a title is text, ESC is \x1b
    console.print(f"[bold]{shown(loaded.title)}[/] ({shown(loaded.id)} "
                  f"v{shown(loaded.version)}, {len(loaded.questions)} questions) — "
                  f"{shown(loaded.source)}")
    table = Table(box=None, pad_edge=False, show_edge=False, expand=False)
    table.add_column("id", no_wrap=True, style="cyan")
    table.add_column("category", no_wrap=True)
    table.add_column("time", no_wrap=True, justify="right")
    table.add_column("question", overflow="fold")
    for question in questions:
        limit = f"{question.time_limit}s" if question.time_limit else "-"
        table.add_row(shown(question.id), shown(question.category), limit,
                      shown(question.text))
    console.print(table)


@bank.command("show")
@click.argument("question_id")
@setting_options("bank")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@click.pass_obj
def show_question(app, question_id: str, settings, as_json: bool) -> None:
    """Show one question in full: model answer, key concepts, what interviewers look for.

    \b
    Example:  interviewer bank show devsecops-03
    """
    loaded = app.bank(settings)
    question = find_question(loaded, question_id)
    if as_json:
        print_json({"bank": bank_summary(loaded), "question": question_record(question, True)})
        return
    console = make_console()
    limit = f", {question.time_limit} s" if question.time_limit else ""
    console.print(f"[bold cyan]{shown(question.id)}[/] ({shown(question.category)}{limit}) "
                  f"[dim]{shown(', '.join(question.tags))}[/]")
    console.print(f"[bold]{shown(question.text)}[/]\n")
    console.print("[bold]Model answer[/]")
    console.print(shown(question.model_answer) + "\n")
    if question.concepts:
        console.print("[bold]Key concepts[/] (aliases also count)")
        for concept in question.concepts:
            weight = f" ×{concept.weight:g}" if concept.weight != 1 else ""
            aliases = f" [dim]— {shown(', '.join(concept.aliases))}[/]" if concept.aliases else ""
            console.print(f"  • {shown(concept.name)}{weight}{aliases}")
        console.print()
    if question.look_for:
        console.print("[bold]What interviewers look for[/]")
        for item in question.look_for:
            console.print(f"  • {shown(item)}")
        console.print()
    if question.follow_ups:
        console.print("[bold]Follow-ups[/] (asked when the concept is missed)")
        for follow in question.follow_ups:
            console.print(f"  • \\[{shown(follow.concept)}] {shown(follow.text)}")


@bank.command("validate")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
def validate(paths: tuple[str, ...], as_json: bool) -> None:
    """Check bank files and report every problem as FILE:LINE: field: what is wrong.

    Exits 2 when any file has a problem. A valid bank may still get warnings
    (FILE:LINE: field: warning: ...) about aliases that will misfire; they do not change the
    exit status (docs/writing-banks.md says how to write concepts that score well).

    \b
    Example:  interviewer bank validate my-bank.yaml
    """
    from bank import BankError
    from bank.loader import read_bank_document, resolve_bank_path
    from bank.warnings import located_warnings

    results = []
    for path in paths:
        warnings = []
        try:
            bank_obj, problems, doc = read_bank_document(resolve_bank_path(path))
            if bank_obj is not None and not problems:
                warnings = located_warnings(doc, bank_obj, _concept_advice)
        except BankError as error:
            bank_obj, problems = None, error.problems
        results.append((path, bank_obj, problems, warnings))
    if as_json:
        print_json([{"file": path, "valid": not problems,
                     "questions": len(bank_obj.questions) if bank_obj else 0,
                     "problems": [vars(problem) for problem in problems],
                     "warnings": [vars(warning) for warning in warnings]}
                    for path, bank_obj, problems, warnings in results])
    else:
        for path, bank_obj, problems, warnings in results:
            for problem in problems + warnings:
                click.echo(printable(problem, one_line=True), err=True)
            if not problems and bank_obj is not None:
                said = f" ({len(warnings)} warning{'s' if len(warnings) != 1 else ''})" \
                    if warnings else ""
                click.echo(printable(f"{path}: OK, bank '{bank_obj.id}' with "
                                     f"{len(bank_obj.questions)} questions{said}",
                                     one_line=True))
    count = sum(len(problems) for _, _, problems, _ in results)
    if count:
        if not as_json:
            bad = sum(1 for _, _, problems, _ in results if problems)
            click.echo(f"interviewer: {count} problem{'s' if count > 1 else ''} in {bad} "
                       f"file{'s' if bad > 1 else ''}; fix the lines above", err=True)
        raise click.exceptions.Exit(2)


def _concept_advice(question: Question) -> list[tuple[str, str | None, str]]:
    from scoring.advice import question_advice

    return [(item.concept, item.phrase, item.message) for item in question_advice(question)]


@bank.command("import")
@click.argument("csv_file", type=click.Path(dir_okay=False))
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False),
              help="The YAML bank file to write.")
@click.option("--id", "bank_id", help="Bank id [default: from the file name].")
@click.option("--title", help="Bank title [default: from the file name].")
@click.option("--role", help="The role interviewed for [default: the title].")
@click.option("--version", "bank_version", default="1", show_default=True,
              help="Bank version.")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
def import_csv_command(csv_file: str, out_path: str, bank_id: str | None, title: str | None,
                       role: str | None, bank_version: str, force: bool, as_json: bool) -> None:
    """Turn a spreadsheet (CSV) of questions into a YAML bank.

    Columns (header row): id, question, category, tags, model_answer, concepts, look_for,
    time_limit, follow_up_concept, follow_up. Only question and model_answer are required.
    Separate list items with ';' and a concept's aliases with '|':
    "SAST|static analysis|Semgrep; secrets scanning|gitleaks".

    \b
    Example:  interviewer bank import questions.csv --out my-bank.yaml
    """
    from bank.csv_import import dump_yaml, import_csv, is_valid_id
    from interviewer.private_files import atomic_write, refuse_overwriting_inputs

    if not Path(csv_file).exists():
        raise UserError(f"{csv_file}: no such file; give the path of a .csv file")
    out = Path(out_path)
    refuse_overwriting_inputs(out, [Path(csv_file)], "--out")
    if out.exists() and not force:
        raise UserError(f"{out}: already exists; choose another --out or pass --force")
    if bank_id is not None and not is_valid_id(bank_id):
        raise UserError(f"--id '{bank_id}' is not a usable id; use letters, digits, '.', '_' "
                        "and '-'")
    data, bank_obj, problems = import_csv(csv_file, bank_id=bank_id, title=title, role=role,
                                          version=bank_version)
    if problems or data is None or bank_obj is None:
        for problem in problems:
            click.echo(printable(problem, one_line=True), err=True)
        click.echo(printable(f"interviewer: {len(problems)} problem(s) in {csv_file}; nothing "
                             "was written", one_line=True), err=True)
        raise click.exceptions.Exit(2)
    atomic_write(out, dump_yaml(data), "the bank")
    if as_json:
        print_json({"out": str(out), "bank": bank_obj.id, "questions": len(bank_obj.questions)})
    else:
        click.echo(printable(f"Wrote {len(bank_obj.questions)} questions to {out}; try "
                             f"'interviewer bank list --bank {out}'"))
