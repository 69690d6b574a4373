"""Problems found in a bank file, each located to a line, and the error that carries them."""

from __future__ import annotations

from dataclasses import dataclass

FieldPath = tuple[str | int, ...]  # ("questions", 2, "text")


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


def field_name(path: FieldPath) -> str:
    """("questions", 2, "text") -> "questions[2].text"."""
    if not path:
        return "(bank)"
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
