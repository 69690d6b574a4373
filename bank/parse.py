"""Reading a bank file into plain data, remembering the line every value came from.

YAML and JSON are both read through PyYAML's composer (JSON is YAML), so every field knows its
line and a problem can say `bank.yaml:42`. Hostile files are refused before they can hurt:
files over `MAX_BANK_BYTES`, nesting deeper than `MAX_DEPTH`, and YAML aliases (`*name`), which
can make a file of a few hundred bytes expand to gigabytes or refer to itself.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import yaml

from bank.errors import FieldPath, Problem, field_name

MAX_BANK_BYTES = 8 * 2**20
MAX_DEPTH = 32  # a bank nests about six levels deep


class Document:
    """Plain data parsed from a file, with the line every value came from."""

    def __init__(self, file: str):
        self.file = file
        self.data: Any = None
        self.lines: dict[FieldPath, int] = {}
        self.problems: list[Problem] = []

    def line_of(self, path: FieldPath) -> int:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def problem(self, path: FieldPath, message: str, line: int | None = None) -> None:
        self.problems.append(
            Problem(self.file, line or self.line_of(path), field_name(path), message))


def _decode(raw: bytes, doc: Document) -> str:
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


def _compose(text: str, doc: Document) -> bool:
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
        doc.problem((), f"malformed YAML: {' '.join(str(error).split())}")
        return False
    except _Refused as refused:
        doc.problem(refused.path, refused.message, line=refused.line)
        return False
    except RecursionError:
        doc.problem((), f"nested more than {MAX_DEPTH} levels deep; a bank is a list of "
                        "questions, each a block of keys")
        return False
    finally:
        loader.dispose()


class _Refused(Exception):
    def __init__(self, path: FieldPath, line: int, message: str):
        super().__init__(message)
        self.path, self.line, self.message = path, line, message


def _plain(node: yaml.Node, path: FieldPath, doc: Document, constructor: yaml.SafeLoader,
           seen: set[int] | None = None) -> Any:
    """Plain data from a composed node. An alias makes the composer hand out the same node
    again: refused, before it can expand or loop."""
    seen = set() if seen is None else seen
    line = node.start_mark.line + 1
    if id(node) in seen:
        raise _Refused(path, line, "uses a YAML alias (*name); write the value out in full, "
                                   "aliases are not allowed in a bank")
    if len(path) > MAX_DEPTH:
        raise _Refused(path, line, f"nested more than {MAX_DEPTH} levels deep; a bank is a "
                                   "list of questions, each a block of keys")
    seen.add(id(node))
    doc.lines[path] = line
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key, shown = _key(key_node, path, constructor)
            if key is None:
                doc.problem(path, f"key {shown} is not text; keys are names such as 'id'",
                            line=key_node.start_mark.line + 1)
                continue
            if key in result:
                doc.problem(path + (key,), "appears twice in the same block; keep one",
                            line=key_node.start_mark.line + 1)
            result[key] = _plain(value_node, path + (key,), doc, constructor, seen)
            doc.lines[path + (key,)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, path + (index,), doc, constructor, seen)
                for index, item in enumerate(node.value)]
    return _scalar(node, path, constructor)


def _key(node: yaml.Node, path: FieldPath, constructor: yaml.SafeLoader
         ) -> tuple[str | None, str]:
    """(the key, None) for a text key, else (None, what it is instead, for the message). A
    list or a block as a key is never built: through aliases it could expand to gigabytes."""
    if node.tag == "tag:yaml.org,2002:merge":
        raise _Refused(path, node.start_mark.line + 1, "uses a YAML merge key (<<); write the "
                                                       "keys out in full, merging is not "
                                                       "allowed in a bank")
    if not isinstance(node, yaml.ScalarNode):
        return None, "(a list or a block)"
    key = _scalar(node, path, constructor)
    return (key, "") if isinstance(key, str) else (None, repr(key)[:40])


def _scalar(node: yaml.Node, path: FieldPath, constructor: yaml.SafeLoader) -> Any:
    """A typed scalar. A value YAML takes for a date or a number that is not a valid one
    (2024-02-30, an int of 5000 digits, `!!float abc`) is a problem of that line."""
    try:
        return constructor.construct_object(node, deep=True)
    except yaml.YAMLError:
        raise
    except Exception as error:  # the constructors raise ValueError, TypeError, OverflowError
        kind = str(node.tag).rsplit(":", 1)[-1]
        shown = " ".join(str(node.value).split())
        shown = shown if len(shown) <= 40 else shown[:39] + "…"
        detail = " ".join(str(error).split())[:80] or type(error).__name__
        raise _Refused(path, node.start_mark.line + 1,
                       f"'{shown}' is read as a YAML {kind} but is not a valid one ({detail}); "
                       "put it in quotes if it is meant as text") from error


def parse_document(path: Path) -> Document:
    """The file's data and lines, and every problem met while reading it."""
    doc = Document(str(path))
    try:
        raw = read_bank_bytes(path)
    except Unreadable as refused:
        doc.problem((), str(refused))
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
        except ValueError as error:  # a number Python will not build (over 4300 digits)
            located = Document(doc.file)
            _compose(text, located)  # the YAML reading of the same text finds its line
            doc.problems.extend(located.problems or [Problem(
                doc.file, 1, "(bank)", f"malformed JSON: {' '.join(str(error).split())[:80]}")])
            return doc
        except RecursionError:
            doc.problem((), f"nested more than {MAX_DEPTH} levels deep; a bank is a list of "
                            "questions, each a block of keys")
            return doc
        if _depth(json_data) > MAX_DEPTH:
            doc.problem((), f"nested more than {MAX_DEPTH} levels deep; a bank is a list of "
                            "questions, each a block of keys")
            return doc
        located = Document(doc.file)
        if _compose(text, located) and located.data == json_data:
            doc.lines = located.lines
            doc.problems.extend(located.problems)
        doc.data = json_data
        return doc
    _compose(text, doc)
    return doc


def _depth(data: Any) -> int:
    """How deeply lists and objects nest in `data` (without recursion)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            deepest = max(deepest, level)
            stack.extend((item, level + 1) for item in value)
    return deepest


class Unreadable(Exception):
    """A bank file that cannot or may not be read; the message says why and what to do."""


def read_bank_bytes(path: Path, limit: int = MAX_BANK_BYTES,
                    expected: str = "a .yaml or .json bank") -> bytes:
    """The bytes of a regular file of at most `limit` bytes. A FIFO, a device or a folder is
    refused before any read (opened with O_NONBLOCK, then fstat), so it cannot block or feed
    bytes without end, and the limit holds whatever size the file system reports."""
    too_big = (f"a bank file may be at most {limit // 2**20} MB (split it into several "
               "banks)")
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as error:
        raise Unreadable(f"cannot be read ({error.strerror}); check the path and "
                         "permissions") from error
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            what = "a folder" if stat.S_ISDIR(info.st_mode) else \
                "a named pipe (FIFO)" if stat.S_ISFIFO(info.st_mode) else \
                "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else \
                "not a regular file"
            raise Unreadable(f"is {what}, not a file; give the path of {expected}")
        if info.st_size > limit:
            raise Unreadable(f"is {info.st_size / 2**20:.1f} MB; {too_big}")
        with os.fdopen(os.dup(descriptor), "rb") as stream:
            data = stream.read(limit + 1)
    except OSError as error:
        raise Unreadable(f"cannot be read ({error.strerror}); check the path and "
                         "permissions") from error
    finally:
        os.close(descriptor)
    if len(data) > limit:
        raise Unreadable(f"is over {limit // 2**20} MB; {too_big}")
    return data
