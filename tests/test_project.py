"""The project's own rules: imports run one way, modules and functions stay small, and the
generated documentation matches the code and the saved benchmark results."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from tests.conftest import REPO

PACKAGES = ("interviewer", "audio", "scoring", "bank")
# what each package may import of ours (CONTRIBUTING.md, "The layering rule")
ALLOWED = {"interviewer": set(PACKAGES), "audio": {"audio"}, "scoring": {"scoring"},
           "bank": {"bank"}}


def _modules():
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            yield package, path, ast.parse(path.read_text(encoding="utf-8"))


def _imported_packages(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(PACKAGES)


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_run_one_way(package):
    wrong = {str(path.relative_to(REPO)): sorted(_imported_packages(tree) - ALLOWED[package])
             for name, path, tree in _modules() if name == package}
    assert not {path: names for path, names in wrong.items() if names}


def test_modules_and_functions_stay_small():
    too_long = []
    for _, path, tree in _modules():
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > 400:
            too_long.append(f"{path.relative_to(REPO)}: {lines} lines")
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > 80:
                    too_long.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name}: "
                                    f"{length} lines")
    assert not too_long


@pytest.mark.slow
def test_generated_docs_are_current():
    """The settings and backend tables come from interviewer/settings.py and audio/backends.py,
    docs/benchmarks.md and the README's figures from docs/benchmarks.json; an edit to any of
    them must be followed by scripts/generate_docs.py."""
    result = subprocess.run([sys.executable, "scripts/generate_docs.py", "--check"], cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
