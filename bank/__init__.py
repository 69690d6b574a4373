"""Question banks: the schema, loading and validation, and the bundled DevSecOps bank."""

from bank.errors import BankError, Problem
from bank.loader import (
    BUNDLED_DEFAULT,
    bundled_banks,
    load_bank,
    resolve_bank_path,
    validate_bank_file,
)
from bank.schema import CATEGORIES, Bank, Concept, FollowUp, Question
from bank.validate import build_concepts

__all__ = [
    "BUNDLED_DEFAULT",
    "CATEGORIES",
    "Bank",
    "BankError",
    "Concept",
    "FollowUp",
    "Problem",
    "Question",
    "build_concepts",
    "bundled_banks",
    "load_bank",
    "resolve_bank_path",
    "validate_bank_file",
]
