"""Editing a transcript: in the candidate's $EDITOR without leaving a copy where others look,
or, with no editor set, in a multi-line editor in the terminal (prompt_toolkit) that keeps the
text in memory only, so a killed process leaves no file at all.

click.edit writes the text to a file in the shared temporary folder and removes it only if the
process lives to do so; a `kill -9` while the editor is open left the transcript in /tmp. Here
the file lives in a private folder of the user's cache (0700, the file 0600), is removed when
the editor returns, and one that a killed process left behind is removed by the next edit.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

from interviewer.errors import UserError

PREFIX = "transcript-"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
EDIT_KEYS = "Esc then Enter (or Alt+Enter) saves, Ctrl-C leaves it as it was"


def as_lines(text: str) -> str:
    """A transcript one sentence a line, so a long answer is easy to move about in."""
    return "\n".join(line for line in _SENTENCE_END.split(" ".join(text.split())) if line)


def edit_in_terminal(text: str) -> str | None:
    """The text as edited in a multi-line editor on the terminal, lines joined again into one
    paragraph; None when the candidate cancelled (Ctrl-C, or Ctrl-D on an empty text)."""
    from prompt_toolkit import prompt

    try:
        edited = prompt("", default=as_lines(text), multiline=True,
                        prompt_continuation="", mouse_support=False)
    except (KeyboardInterrupt, EOFError):
        return None
    return " ".join(edited.split())


def edit_privately(text: str, editor: str, folder: Path | None = None) -> str | None:
    """The text as saved in `editor`; None when the editor was closed without saving.
    UserError when the editor cannot be started or fails."""
    import click

    from interviewer.private_files import private_dir

    folder = folder or _editing_dir()
    try:
        private_dir(folder)
        _remove_abandoned(folder)
        descriptor, name = tempfile.mkstemp(dir=folder, prefix=f"{PREFIX}{os.getpid()}-",
                                            suffix=".txt")
    except OSError as error:
        raise UserError(f"{folder}: cannot make the file to edit ({error.strerror}); check "
                        "the cache folder (INTERVIEWER_CACHE_DIR)") from error
    path = Path(name)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(text)
        before = path.stat().st_mtime_ns
        try:
            click.edit(filename=str(path), editor=editor)
        except click.ClickException as error:  # not found, or it exited with an error
            raise UserError(f"the editor failed ({error.format_message()}); check $VISUAL / "
                            "$EDITOR, or give the text on the command line") from error
        if path.stat().st_mtime_ns == before:
            return None  # closed without saving
        return path.read_text(encoding="utf-8", errors="replace")
    finally:
        path.unlink(missing_ok=True)


def _editing_dir() -> Path:
    from interviewer.paths import resolve_paths

    return resolve_paths().cache_dir / "editing"


def _remove_abandoned(folder: Path) -> None:
    """Files of edits whose process no longer runs (killed while the editor was open)."""
    for leftover in folder.glob(f"{PREFIX}*"):
        pid = leftover.name[len(PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                leftover.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
