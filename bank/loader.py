"""Finding and loading question banks (YAML or JSON, one bank a file).

    bank = load_bank("devsecops")          # a bundled bank, by name
    bank = load_bank("my-bank.yaml")       # a file
    problems = validate_bank_file("my-bank.yaml")

Reading is `bank.parse`, checking is `bank.validate`; every problem is a `Problem` located to
its file and line, and `load_bank` raises `BankError` carrying all of them.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from bank.errors import BankError, Problem
from bank.parse import Document, parse_document
from bank.schema import Bank
from bank.validate import BankValidator

BUNDLED_DEFAULT = "devsecops"


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




def read_bank_file(path: str | Path) -> tuple[Bank | None, list[Problem]]:
    """Parse and validate one file. Returns the bank (None if invalid) and every problem."""
    bank, problems, _ = read_bank_document(path)
    return bank, problems


def read_bank_document(path: str | Path) -> tuple[Bank | None, list[Problem], Document]:
    """`read_bank_file`, with the parsed document (its data and lines), for locating warnings
    (`bank.warnings.located_warnings`)."""
    path = Path(path)
    doc = parse_document(path)
    if doc.problems and doc.data is None:
        return None, doc.problems, doc
    bank = BankValidator(doc, path).build()
    return (bank if not doc.problems else None), doc.problems, doc
