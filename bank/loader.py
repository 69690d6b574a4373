"""Load and validate question banks (YAML or JSON, one bank a file).

Validation collects every problem instead of stopping at the first, and each problem knows
the file and line it comes from, so a person editing a bank by hand can fix them all in one
pass: ``banks/mine.yaml:42: questions[3].concepts[1].aliases: expected a list of text ...``.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from bank.schema import CATEGORIES, Bank, Concept, FollowUp, Question

BUNDLED_DEFAULT = "devsecops"
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
MAX_TIME_LIMIT = 3600
MAX_WEIGHT = 10.0

BANK_FIELDS = {
    "id": "required",
    "title": "required",
    "questions": "required",
    "role": "optional",
    "language": "optional",
    "version": "optional",
    "description": "optional",
    "glossary": "optional",
}
QUESTION_FIELDS = {
    "id": "required",
    "text": "required",
    "category": "required",
    "model_answer": "required",
    "concepts": "optional",
    "tags": "optional",
    "look_for": "optional",
    "follow_ups": "optional",
    "time_limit": "optional",
}
CONCEPT_FIELDS = {"name": "required", "aliases": "optional", "weight": "optional"}
FOLLOW_UP_FIELDS = {"concept": "required", "text": "required"}

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a bank file, located to a line."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class BankError(Exception):
    """A bank could not be found or is invalid. `problems` holds every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(str(problems[0]) if problems else "invalid bank")

    def __str__(self) -> str:
        first = str(self.problems[0])
        more = len(self.problems) - 1
        if more:
            return f"{first} (and {more} more problem{'s' if more > 1 else ''}: run " \
                   f"'interviewer bank validate {self.problems[0].file}')"
        return first


# ----------------------------------------------------------------------------- locating

def bundled_banks() -> dict[str, Path]:
    """Names of the banks shipped with the package, mapped to their files."""
    folder = resources.files("bank") / "banks"
    found = {}
    for entry in folder.iterdir():
        if entry.name.endswith((".yaml", ".yml", ".json")):
            found[entry.name.rsplit(".", 1)[0]] = Path(str(entry))
    return dict(sorted(found.items()))


def resolve_bank_path(ref: str | Path | None = None) -> Path:
    """A bank reference is a file path or the name of a bundled bank; None means the default."""
    ref = BUNDLED_DEFAULT if ref is None or str(ref).strip() == "" else ref
    path = Path(ref).expanduser()
    bundled = bundled_banks()
    if path.exists():
        if path.is_dir():
            raise BankError([Problem(str(path), 1, "(file)",
                                     "is a folder; give the path of one .yaml or .json bank file")])
        return path
    if str(ref) in bundled:
        return bundled[str(ref)]
    names = ", ".join(bundled) or "none"
    raise BankError([Problem(str(ref), 1, "(file)",
                             f"no such bank file and no bundled bank of that name "
                             f"(bundled banks: {names}); check the path")])


def load_bank(ref: str | Path | None = None) -> Bank:
    """Load a bank by path or bundled name. Raises BankError listing every problem."""
    path = resolve_bank_path(ref)
    bank, problems = read_bank_file(path)
    if problems or bank is None:
        raise BankError(problems or [Problem(str(path), 1, "(file)", "could not be read")])
    return bank


def validate_bank_file(path: str | Path) -> list[Problem]:
    """Every problem of one bank file; an empty list means it is valid."""
    try:
        resolved = resolve_bank_path(path)
    except BankError as error:
        return error.problems
    return read_bank_file(resolved)[1]


# ----------------------------------------------------------------------------- parsing

class _Document:
    """Plain data parsed from a file, with the line every value came from."""

    def __init__(self, file: str):
        self.file = file
        self.data: Any = None
        self.lines: dict[Path_, int] = {}
        self.problems: list[Problem] = []

    def line_of(self, path: Path_) -> int:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def problem(self, path: Path_, message: str, line: int | None = None) -> None:
        self.problems.append(
            Problem(self.file, line or self.line_of(path), _field_name(path), message))


def _field_name(path: Path_) -> str:
    if not path:
        return "(bank)"
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _decode(raw: bytes, doc: _Document) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as error:
            doc.problem((), f"is not valid UTF-8 (byte 0x{line[error.start]:02x} at column "
                            f"{error.start + 1}); save the file with UTF-8 encoding", line=number)
    return raw.decode("utf-8", errors="replace")


def _loader_class() -> type:
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _compose(text: str, doc: _Document) -> bool:
    """Parse YAML (JSON is read the same way, for its line numbers). False on a syntax error."""
    loader = _loader_class()(text)
    try:
        node = loader.get_single_node()
        constructor = yaml.SafeLoader("")  # builds typed scalars: ints, floats, bools, null
        doc.data = _plain(node, (), doc, constructor) if node is not None else None
        return True
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        what = (error.problem or error.context or "syntax error").strip()
        doc.problem((), f"malformed YAML: {what}; check the indentation and quoting there",
                    line=line)
        return False
    except yaml.YAMLError as error:
        doc.problem((), f"malformed YAML: {error}")
        return False
    finally:
        loader.dispose()


def _plain(node: yaml.Node, path: Path_, doc: _Document, constructor: yaml.SafeLoader) -> Any:
    doc.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                doc.problem(path, f"key {key!r} is not text; keys are names such as 'id'",
                            line=key_node.start_mark.line + 1)
                continue
            if key in result:
                doc.problem(path + (key,), "appears twice in the same block; keep one",
                            line=key_node.start_mark.line + 1)
            result[key] = _plain(value_node, path + (key,), doc, constructor)
            doc.lines[path + (key,)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, path + (index,), doc, constructor)
                for index, item in enumerate(node.value)]
    return constructor.construct_object(node, deep=True)


def parse_document(path: Path) -> _Document:
    doc = _Document(str(path))
    try:
        raw = path.read_bytes()
    except OSError as error:
        doc.problem((), f"cannot be read ({error.strerror}); check the path and permissions")
        return doc
    text = _decode(raw, doc)
    if not text.strip():
        doc.problem((), "the file is empty; a bank needs an id, a title and questions")
        return doc
    if path.suffix.lower() == ".json":
        try:
            json_data = json.loads(text)
        except json.JSONDecodeError as error:
            doc.problem((), f"malformed JSON: {error.msg} at column {error.colno}",
                        line=error.lineno)
            return doc
        located = _Document(doc.file)
        if _compose(text, located) and located.data == json_data:
            doc.lines = located.lines
            doc.problems.extend(located.problems)
        doc.data = json_data
        return doc
    _compose(text, doc)
    return doc


# ----------------------------------------------------------------------------- validation

def read_bank_file(path: str | Path) -> tuple[Bank | None, list[Problem]]:
    """Parse and validate one file. Returns the bank (None if invalid) and every problem."""
    path = Path(path)
    doc = parse_document(path)
    if doc.problems and doc.data is None:
        return None, doc.problems
    bank = _BankBuilder(doc, path).build()
    return (bank if not doc.problems else None), doc.problems


def build_bank(data: Any, file: str, lines: dict[Path_, int] | None = None
               ) -> tuple[Bank | None, list[Problem]]:
    """Validate plain data (as parsed from YAML/JSON, or built by an importer).

    `lines` maps a field path such as ("questions", 2, "text") to the line it came from, so
    problems point into the original file (a CSV row, for instance).
    """
    doc = _Document(file)
    doc.data = data
    doc.lines = dict(lines or {})
    bank = _BankBuilder(doc, Path(file)).build()
    return (bank if not doc.problems else None), doc.problems


class _BankBuilder:
    def __init__(self, doc: _Document, path: Path):
        self.doc = doc
        self.path = path

    # -- small typed readers; each reports a problem and returns a fallback when wrong

    def _mapping(self, value: Any, path: Path_, fields: dict[str, str], what: str) -> dict | None:
        if not isinstance(value, dict):
            self.doc.problem(path, f"expected {what} (a block of 'key: value' lines), "
                                   f"got {_kind(value)}")
            return None
        for key in value:
            if key not in fields:
                close = difflib.get_close_matches(key, list(fields), n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'?" if close else \
                    f"allowed keys: {', '.join(fields)}"
                self.doc.problem(path + (key,), f"unknown key '{key}'; {hint}")
        for key, need in fields.items():
            if need == "required" and key not in value:
                self.doc.problem(path, f"missing required key '{key}'; add it")
        return value

    def _text(self, mapping: dict, key: str, path: Path_, required: bool,
              scalar_ok: bool = False) -> str:
        if key not in mapping or mapping[key] is None:
            if key in mapping and required:
                self.doc.problem(path + (key,), "is empty; write a value")
            return ""
        value = mapping[key]
        if scalar_ok and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.doc.problem(path + (key,), f"expected text, got {_kind(value)}; "
                                            "put the value in quotes")
            return ""
        if required and not value.strip():
            self.doc.problem(path + (key,), "is empty; write a value")
        return " ".join(value.split()) if key not in ("model_answer", "description") \
            else value.strip()

    def _text_list(self, mapping: dict, key: str, path: Path_) -> tuple[str, ...]:
        value = mapping.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.doc.problem(path + (key,), f"expected a list of text, got {_kind(value)}")
            return ()
        items = []
        for index, item in enumerate(value):
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str):
                self.doc.problem(path + (key, index),
                                 f"expected text, got {_kind(item)}; put it in quotes")
            elif not item.strip():
                self.doc.problem(path + (key, index), "is empty; remove it or write a value")
            else:
                items.append(" ".join(item.split()))
        return tuple(items)

    def _check_id(self, value: str, path: Path_) -> None:
        if value and not ID_PATTERN.match(value):
            self.doc.problem(path, f"'{value}' is not a usable id; use letters, digits, '.', "
                                   "'_' and '-' only, starting with a letter or digit")

    # -- the structure

    def build(self) -> Bank | None:
        top = self._mapping(self.doc.data, (), BANK_FIELDS, "a bank")
        if top is None:
            return None
        bank_id = self._text(top, "id", (), True, scalar_ok=True)
        self._check_id(bank_id, ("id",))
        title = self._text(top, "title", (), True)
        role = self._text(top, "role", (), False) or title
        language = self._text(top, "language", (), False) or "en"
        version = self._text(top, "version", (), False, scalar_ok=True) or "1"
        description = self._text(top, "description", (), False)
        vocabulary = self._text_list(top, "glossary", ())
        raw_questions = top.get("questions")
        questions: list[Question] = []
        if "questions" in top:
            if raw_questions is None or raw_questions == []:
                self.doc.problem(("questions",), "the bank has no questions; add at least one")
            elif not isinstance(raw_questions, list):
                self.doc.problem(("questions",), f"expected a list of questions (lines "
                                                 f"starting with '- '), got {_kind(raw_questions)}")
            else:
                seen_ids: dict[str, int] = {}
                for index, raw in enumerate(raw_questions):
                    question = self._question(raw, ("questions", index))
                    if question is None:
                        continue
                    if question.id in seen_ids:
                        self.doc.problem(("questions", index, "id"),
                                         f"duplicate id '{question.id}' (first used on line "
                                         f"{seen_ids[question.id]}); give each question its "
                                         "own id")
                    else:
                        seen_ids[question.id] = self.doc.line_of(("questions", index, "id"))
                    questions.append(question)
        return Bank(id=bank_id, title=title, role=role, language=language, version=version,
                    questions=tuple(questions), description=description,
                    vocabulary=vocabulary, source=str(self.path))

    def _question(self, raw: Any, path: Path_) -> Question | None:
        mapping = self._mapping(raw, path, QUESTION_FIELDS, "a question")
        if mapping is None:
            return None
        qid = self._text(mapping, "id", path, True, scalar_ok=True)
        self._check_id(qid, path + ("id",))
        text = self._text(mapping, "text", path, True)
        category = self._text(mapping, "category", path, True).lower()
        if category and category not in CATEGORIES:
            close = difflib.get_close_matches(category, CATEGORIES, n=1, cutoff=0.5)
            hint = f"did you mean '{close[0]}'?" if close else \
                f"use one of: {', '.join(CATEGORIES)}"
            self.doc.problem(path + ("category",), f"unknown category '{category}'; {hint}")
        model_answer = self._text(mapping, "model_answer", path, True)
        tags = tuple(tag.lower() for tag in self._text_list(mapping, "tags", path))
        look_for = self._text_list(mapping, "look_for", path)
        time_limit = self._time_limit(mapping, path)
        concepts = self._concepts(mapping, path)
        follow_ups = self._follow_ups(mapping, path, concepts)
        return Question(id=qid, text=text, category=category, model_answer=model_answer,
                        concepts=concepts, tags=tags, look_for=look_for,
                        follow_ups=follow_ups, time_limit=time_limit)

    def _time_limit(self, mapping: dict, path: Path_) -> int | None:
        value = mapping.get("time_limit")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.doc.problem(path + ("time_limit",), f"expected a number of seconds, got "
                                                     f"{_kind(value)} (for example: 120)")
            return None
        if not 5 <= value <= MAX_TIME_LIMIT:
            self.doc.problem(path + ("time_limit",), f"{value} seconds is out of range; use "
                                                     f"5 to {MAX_TIME_LIMIT}")
            return None
        return int(value)

    def _concepts(self, mapping: dict, path: Path_) -> tuple[Concept, ...]:
        raw = mapping.get("concepts")
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.doc.problem(path + ("concepts",), f"expected a list of concepts, got "
                                                   f"{_kind(raw)}")
            return ()
        concepts: list[Concept] = []
        owner_of_phrase: dict[str, tuple[str, int]] = {}
        for index, item in enumerate(raw):
            cpath = path + ("concepts", index)
            if isinstance(item, str):  # shorthand: a bare name
                item = {"name": item}
                self.doc.lines.setdefault(cpath + ("name",), self.doc.line_of(cpath))
            concept_map = self._mapping(item, cpath, CONCEPT_FIELDS, "a concept")
            if concept_map is None:
                continue
            name = self._text(concept_map, "name", cpath, True, scalar_ok=True)
            aliases = self._text_list(concept_map, "aliases", cpath)
            weight = self._weight(concept_map, cpath)
            phrases = [(name, cpath + ("name",))] + [
                (alias, cpath + ("aliases", number)) for number, alias in enumerate(aliases)]
            for phrase, phrase_path in phrases:
                if phrase and not _has_word(phrase):
                    self.doc.problem(phrase_path, f"'{phrase}' has no letters or digits, so it "
                                                  "can never be matched; write words")
            if name and not any(_has_word(phrase) for phrase, _ in phrases):
                continue
            for phrase, phrase_path in phrases:
                key = _phrase_key(phrase)
                if not key:
                    continue
                if key in owner_of_phrase and owner_of_phrase[key][1] != index:
                    other, line = owner_of_phrase[key][0], self.doc.line_of(
                        path + ("concepts", owner_of_phrase[key][1]))
                    what = "duplicate concept" if phrase_path[-1] == "name" and \
                        _phrase_key(other) == key else "duplicate concept phrase"
                    self.doc.problem(phrase_path, f"{what}: '{phrase}' is already used by "
                                                  f"concept '{other}' (line {line}); "
                                                  "merge them or remove one")
                owner_of_phrase.setdefault(key, (name, index))
            unique_aliases = tuple(dict.fromkeys(
                alias for alias in aliases if _phrase_key(alias) != _phrase_key(name)))
            if name:
                concepts.append(Concept(name=name, aliases=unique_aliases, weight=weight))
        return tuple(concepts)

    def _weight(self, mapping: dict, path: Path_) -> float:
        value = mapping.get("weight", 1.0)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.doc.problem(path + ("weight",), f"expected a number such as 1 or 2, got "
                                                 f"{_kind(value)}")
            return 1.0
        if not 0 < value <= MAX_WEIGHT:
            self.doc.problem(path + ("weight",), f"{value} is out of range; use a number "
                                                 f"above 0 and at most {MAX_WEIGHT:g}")
            return 1.0
        return float(value)

    def _follow_ups(self, mapping: dict, path: Path_,
                    concepts: Iterable[Concept]) -> tuple[FollowUp, ...]:
        raw = mapping.get("follow_ups")
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.doc.problem(path + ("follow_ups",), f"expected a list of follow-ups, got "
                                                     f"{_kind(raw)}")
            return ()
        names = {concept.name for concept in concepts}
        follow_ups = []
        for index, item in enumerate(raw):
            fpath = path + ("follow_ups", index)
            follow_map = self._mapping(item, fpath, FOLLOW_UP_FIELDS, "a follow-up")
            if follow_map is None:
                continue
            concept = self._text(follow_map, "concept", fpath, True, scalar_ok=True)
            text = self._text(follow_map, "text", fpath, True)
            if concept and names and concept not in names:
                close = difflib.get_close_matches(concept, list(names), n=1, cutoff=0.5)
                hint = f"did you mean '{close[0]}'?" if close else \
                    "use the name of one of this question's concepts"
                self.doc.problem(fpath + ("concept",), f"'{concept}' is not a concept of this "
                                                       f"question; {hint}")
            elif concept and not names:
                self.doc.problem(fpath + ("concept",), "this question has no concepts to tie "
                                                       "a follow-up to; add concepts")
            if concept and text:
                follow_ups.append(FollowUp(concept=concept, text=text))
        return tuple(follow_ups)


def _has_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _phrase_key(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text.lower()).split())


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"a true/false value ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a block of keys"
    return type(value).__name__
