"""Shared output helpers: JSON on stdout, a console sized for the terminal."""

from __future__ import annotations

import dataclasses
import json
import sys
from typing import Any


def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {key: to_jsonable(item) for key, item in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item) for item in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return value.item()
    return value


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(to_jsonable(value), ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def make_console(plain: bool = False, stderr: bool = False):
    """A rich console; `plain` drops colour and decoration for screen readers and logs."""
    from rich.console import Console

    if plain:
        return Console(stderr=stderr, no_color=True, highlight=False, emoji=False,
                       force_terminal=False, soft_wrap=True)
    return Console(stderr=stderr, highlight=False, emoji=False)
