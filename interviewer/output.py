"""Shared output helpers: JSON on stdout, a console sized for the terminal."""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from typing import Any

# Characters a terminal acts on instead of showing: C0 and C1 controls (ESC starts sequences
# that clear the screen, retitle the window or make hidden links), DEL, and the bidirectional
# overrides that make text read differently from what it is. Tab and newline are shown as such.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROLS_AND_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e"
                                  "\u2066-\u2069]")


def _escaped(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object, one_line: bool = False) -> str:
    """`text` with every control character shown as an escape (ESC as \\x1b), so text from a
    bank, a file name or a settings file is printed as it is, never acted on; `one_line` also
    shows line breaks so, for a message that must stay one line."""
    return (_CONTROLS_AND_BREAKS if one_line else _CONTROLS).sub(_escaped, str(text))


def shown(text: object) -> str:
    """`text` ready for rich's markup: printable, and with '[' escaped, so "[/]" or
    "[link=...]" in a title or a file name is shown, not interpreted."""
    from rich.markup import escape

    return escape(printable(text))


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
    from interviewer.errors import UserError

    try:
        sys.stdout.write(json.dumps(to_jsonable(value), ensure_ascii=False, indent=2) + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as error:  # a full disk under a redirection
        raise UserError(f"cannot write the result ({error.strerror}); free some space or "
                        "write it elsewhere") from error


def make_console(plain: bool = False, stderr: bool = False):
    """A rich console; `plain` drops colour and decoration for screen readers and logs."""
    from rich.console import Console

    class QuietConsole(Console):
        def on_broken_pipe(self) -> None:
            # `interviewer ... | head`: the reader had all it wanted, which is no failure
            # (rich's own handler exits 1); the command line ends it with exit 0
            raise BrokenPipeError

    if plain:
        return QuietConsole(stderr=stderr, no_color=True, highlight=False, emoji=False,
                            force_terminal=False, soft_wrap=True)
    return QuietConsole(stderr=stderr, highlight=False, emoji=False)
