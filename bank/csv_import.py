"""Import questions from a spreadsheet (CSV) into the YAML bank format.

One question a row, a header row naming the columns (case and spacing do not matter):

    id, question, category, tags, model_answer, concepts, look_for, time_limit,
    follow_up_concept, follow_up

Only `question` and `model_answer` are required. Lists (`tags`, `look_for`) are separated by
semicolons. `concepts` is a semicolon-separated list of concepts, each written as
`name|alias|alias`, for example `SAST|static analysis|Semgrep; secrets scanning|gitleaks`.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import yaml

from bank.errors import Problem
from bank.parse import Unreadable, read_bank_bytes
from bank.schema import Bank
from bank.validate import ID_PATTERN, build_bank

COLUMN_ALIASES = {
    "id": "id",
    "question_id": "id",
    "question": "text",
    "text": "text",
    "question_text": "text",
    "category": "category",
    "type": "category",
    "tags": "tags",
    "model_answer": "model_answer",
    "answer": "model_answer",
    "reference_answer": "model_answer",
    "concepts": "concepts",
    "key_concepts": "concepts",
    "look_for": "look_for",
    "what_interviewers_look_for": "look_for",
    "time_limit": "time_limit",
    "time_limit_s": "time_limit",
    "follow_up_concept": "follow_up_concept",
    "follow_up": "follow_up",
}


def _column_key(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")


def _split(cell: str, separator: str = ";") -> list[str]:
    return [part.strip() for part in cell.split(separator) if part.strip()]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "bank"


def import_csv(path: str | Path, *, bank_id: str | None = None, title: str | None = None,
               role: str | None = None, version: str = "1", language: str = "en",
               ) -> tuple[dict[str, Any] | None, Bank | None, list[Problem]]:
    """Read a CSV of questions. Returns (yaml-ready data, validated bank, problems).

    Problems point at the CSV's own lines. Data is None when the file cannot be read at all.
    """
    path = Path(path)
    file = str(path)
    try:
        raw = read_bank_bytes(path, expected="a .csv file")
    except Unreadable as error:
        return None, None, [Problem(file, 1, "(file)", str(error))]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, None, [Problem(file, line, "(file)",
                                    "is not valid UTF-8; export the spreadsheet as "
                                    "'CSV UTF-8'")]
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    # only the delimiter is guessed: spreadsheets quote as Excel does (the sniffer's guesses
    # of the rest let a stray quote swallow the cells after it); strict, so a stray or
    # unclosed quote is an error at its row
    reader = csv.reader(io.StringIO(text), csv.excel, delimiter=delimiter, strict=True)
    problems: list[Problem] = []
    try:
        header = next(reader)
    except StopIteration:
        return None, None, [Problem(file, 1, "(file)", "the file is empty; add a header row "
                                                       "and one row per question")]
    except csv.Error as error:
        return None, None, [Problem(file, 1, "(file)", f"malformed CSV: {error}")]
    columns: list[str | None] = []
    for cell in header:
        key = COLUMN_ALIASES.get(_column_key(cell))
        if key is None and cell.strip():
            problems.append(Problem(file, 1, cell.strip(),
                                    f"unknown column; known columns: "
                                    f"{', '.join(sorted(set(COLUMN_ALIASES.values())))}"))
        columns.append(key)
    for needed, header_name in (("text", "question"), ("model_answer", "model_answer")):
        if needed not in columns:
            problems.append(Problem(file, 1, needed,
                                    f"missing column; add a column named '{header_name}'"))
    if problems:
        return None, None, problems

    bank_id = bank_id or slug(path.stem)
    data: dict[str, Any] = {"id": bank_id, "title": title or path.stem.replace("_", " ").title(),
                            "role": role or title or path.stem.replace("_", " ").title(),
                            "language": language, "version": str(version), "questions": []}
    lines: dict[tuple, int] = {(): 1}
    line = reader.line_num + 1
    try:
        for row in reader:
            row_line, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            index = len(data["questions"])
            cells = {key: value.strip() for key, value in zip(columns, row, strict=False) if key}
            question = _question_from_row(cells, index, bank_id)
            data["questions"].append(question)
            path_ = ("questions", index)
            lines[path_] = row_line
            for key in question:
                lines[path_ + (key,)] = row_line
    except csv.Error as error:
        return None, None, [Problem(file, line, "(file)",
                                    f"malformed CSV: {error}; a quote inside a cell is written "
                                    'twice ("") and a quoted cell ends with a quote')]
    if not data["questions"]:
        lines[("questions",)] = 1
    bank, problems = build_bank(data, file, lines)
    return data, bank, problems


def _question_from_row(cells: dict[str, str], index: int, bank_id: str) -> dict[str, Any]:
    question: dict[str, Any] = {
        "id": cells.get("id") or f"{bank_id}-{index + 1:02d}",
        "text": cells.get("text", ""),
        "category": (cells.get("category") or "technical").lower(),
    }
    if cells.get("tags"):
        question["tags"] = [tag.lower() for tag in _split(cells["tags"].replace(",", ";"))]
    if cells.get("time_limit"):
        limit = cells["time_limit"]
        question["time_limit"] = int(float(limit)) if re.fullmatch(r"\d+(\.\d+)?", limit) \
            else limit
    question["model_answer"] = cells.get("model_answer", "")
    if cells.get("concepts"):
        concepts = []
        for item in _split(cells["concepts"]):
            name, *aliases = [part.strip() for part in item.split("|")]
            concept: dict[str, Any] = {"name": name}
            if aliases:
                concept["aliases"] = [alias for alias in aliases if alias]
            concepts.append(concept)
        question["concepts"] = concepts
    if cells.get("look_for"):
        question["look_for"] = _split(cells["look_for"])
    if cells.get("follow_up"):
        question["follow_ups"] = [{"concept": cells.get("follow_up_concept", ""),
                                   "text": cells["follow_up"]}]
    return question


class _BankDumper(yaml.SafeDumper):
    pass


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else (">" if len(value) > 80 else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BankDumper.add_representer(str, _represent_text)


def dump_yaml(data: dict[str, Any]) -> str:
    """Bank data as readable YAML: keys in schema order, long texts folded."""
    return yaml.dump(data, Dumper=_BankDumper, sort_keys=False, allow_unicode=True, width=88)


def is_valid_id(text: str) -> bool:
    return bool(ID_PATTERN.match(text))
