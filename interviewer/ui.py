"""The terminal interface of a session: questions, a live recording meter, spinners, feedback,
and the keys between questions. Everything fits 80 columns.

Two presentations: rich (colour, a live level meter and timer) and plain (`--plain`: short
lines that say everything in words, for screen readers and logs). Without a keyboard (input
piped or closed) nothing waits for a key.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator

from bank import Question
from interviewer.keys import KeyReader
from interviewer.render import render_report
from scoring import ScoreReport

METER_WIDTH = 20


def _clock(seconds: float) -> str:
    minutes, rest = divmod(int(max(0, seconds)), 60)
    return f"{minutes}:{rest:02d}"


def configured_editor() -> str | None:
    """The editor the candidate set ($VISUAL, then $EDITOR), if any."""
    import os

    return os.environ.get("VISUAL") or os.environ.get("EDITOR")


def ending_said(interactive: bool, silence_stop_s: float | None) -> str:
    """How the answer being recorded will end, in words."""
    pause = f"a pause of {silence_stop_s:g} s" if silence_stop_s else "a pause"
    if not interactive:
        return f"the answer ends after {pause}"
    if silence_stop_s:
        return f"press Enter when you have finished, or it ends after {pause}"
    return "press Enter when you have finished"


def meter(level_db: float, width: int = METER_WIDTH) -> str:
    """A level bar from -60 dBFS (empty) to 0 dBFS (full)."""
    filled = int(round(max(0.0, min(1.0, (level_db + 60) / 60)) * width))
    return "█" * filled + "░" * (width - filled)


class Frontend:
    def __init__(self, plain: bool = False, keys: KeyReader | None = None):
        from interviewer.output import make_console

        self.plain = plain
        self.console = make_console(plain=plain)
        self.keys = keys or KeyReader()

    @property
    def interactive(self) -> bool:
        return self.keys.interactive

    # ------------------------------------------------------------------ text

    def heading(self, text: str) -> None:
        from interviewer.output import shown as escape

        if self.plain:
            self.console.print(f"\n== {escape(text)} ==")
        else:
            self.console.rule(f"[bold]{escape(text)}[/]")

    def interviewer(self, text: str) -> None:
        from interviewer.output import shown as escape

        label = "Interviewer: " if self.plain else "[bold cyan]Interviewer:[/] "
        self.console.print(label + escape(text))

    def info(self, text: str) -> None:
        from interviewer.output import shown as escape

        self.console.print(escape(text) if self.plain else f"[dim]{escape(text)}[/]")

    def warn(self, text: str) -> None:
        from interviewer.output import shown as escape

        self.console.print(f"Warning: {escape(text)}" if self.plain else
                           f"[yellow]! {escape(text)}[/]")

    def question(self, index: int, total: int, question: Question, prompt: str,
                 time_limit_s: float | None = None) -> None:
        """`time_limit_s`: the answer's time limit, shown in the heading."""
        limit = f", {time_limit_s:g} s" if time_limit_s else ""
        self.heading(f"Question {index} of {total} ({question.id}, {question.category}{limit})")
        self.interviewer(prompt)

    def transcript(self, text: str, warnings: tuple[str, ...] = ()) -> None:
        from interviewer.output import shown as escape

        self.console.print("\nYou said:" if self.plain else "\n[bold]You said:[/]")
        self.console.print(escape(text) if text.strip() else "(nothing was heard)")
        for warning in warnings:
            self.warn(warning)

    def feedback(self, report: ScoreReport, question: Question,
                 show_model_answer: bool = False, empty_hint: str | None = None) -> None:
        self.console.print()
        render_report(self.console, report, question, show_model_answer=show_model_answer,
                      plain=self.plain, empty_hint=empty_hint)

    # ------------------------------------------------------------------ live parts

    @contextlib.contextmanager
    def busy(self, message: str) -> Iterator[None]:
        if self.plain:
            self.console.print(f"{message} ...")
            yield
            return
        with self.console.status(message, spinner="dots"):
            yield

    def record(self, recorder, live_text: Callable[[], str] | None = None):
        """Show the recording until it ends; Enter (or any key but space) ends it early."""
        from rich.live import Live
        from rich.text import Text

        how = ending_said(self.interactive, recorder.settings.silence_stop_s)
        if self.plain:
            self.console.print(f"Recording. Speak now; {how}.")
            sys.stdout.flush()
            with self.keys:
                self._plain_record_loop(recorder)
            return recorder.wait()

        def frame() -> Text:
            status = recorder.status()
            limit = f" / {_clock(status.elapsed_s + status.remaining_s)}" \
                if status.remaining_s is not None else ""
            line = Text()
            line.append("● REC ", style="bold red")
            line.append(f"{_clock(status.elapsed_s)}{limit}  ")
            line.append(meter(status.level_db), style="green" if status.speaking else "dim")
            line.append(f" {status.level_db:>4.0f} dB  ")
            if status.near_limit:
                line.append(f"{status.remaining_s:.0f} s left!", style="bold yellow")
            elif status.speech_started_s is None:
                line.append("waiting for you to speak", style="dim")
            else:
                line.append("listening", style="cyan")
            line.append(f"\n{how}", style="dim")
            if live_text is not None:
                words = live_text()
                if words:
                    tail = words[-230:]
                    line.append("\n" + ("…" if len(words) > 230 else "") + tail, style="italic")
            return line

        with self.keys, Live(frame(), console=self.console, refresh_per_second=10,
                             transient=True) as live:
            while not recorder.finished:
                key = self.keys.poll(0.1)
                if key is not None and key != " ":
                    recorder.stop("stopped")
                live.update(frame())
        return recorder.wait()

    def _plain_record_loop(self, recorder) -> None:
        warned = False
        while not recorder.finished:
            key = self.keys.poll(0.1)
            if key is not None and key != " ":
                recorder.stop("stopped")
            status = recorder.status()
            if status.near_limit and not warned:
                warned = True
                self.console.print(f"{status.remaining_s:.0f} seconds left.")

    # ------------------------------------------------------------------ input

    def until_key(self, finished: Callable[[], bool]) -> str | None:
        """Wait until `finished()`; a key pressed first ends the wait and is returned (None
        without a keyboard: then only `finished()` ends it)."""
        if not self.interactive:
            while not finished():
                time.sleep(0.05)
            return None
        with self.keys:
            while not finished():
                key = self.keys.poll(0.05)
                if key is not None:
                    return key
        return None

    def choose(self, options: dict[str, str], default: str,
               idle: Callable[[], bool] | None = None) -> str:
        """One key from `options` (key -> label); `default` without a keyboard or on Enter.
        `idle` is called while waiting; when it returns True (it printed), the keys are
        listed again."""
        if not self.interactive:
            return default
        listing = "  ".join(f"[{key}] {label}" for key, label in options.items())
        with self.keys:  # listening before the keys are shown: a key pressed on sight counts
            self.console.print(f"\n{listing}", highlight=False, markup=False)
            while True:
                key = self.keys.poll(0.2 if idle else 3600)
                if key is None:
                    if idle is not None and idle():
                        self.console.print(f"\n{listing}", highlight=False, markup=False)
                    continue
                key = key.lower()
                if key == "\n":
                    return default
                if key in options:
                    return key

    def edit_text(self, text: str) -> str | None:
        """The candidate's correction of `text`: in $VISUAL / $EDITOR when one is set, else in
        a multi-line editor in the terminal. None when they left it unchanged or gave
        nothing."""
        from interviewer.editing import EDIT_KEYS, edit_in_terminal, edit_privately

        editor = configured_editor()
        if editor:
            edited = edit_privately(text + "\n", editor)
            edited = None if edited is None else " ".join(edited.split())
        else:
            self.console.print(f"Correct the transcript, one sentence a line ({EDIT_KEYS}):",
                               markup=False, highlight=False)
            edited = edit_in_terminal(text)
        if not edited or edited.strip() == text.strip():
            return None
        return edited.strip()

    def refined(self, before: ScoreReport, after: ScoreReport, before_text: str,
                text: str) -> None:
        """What refining the transcript changed, below the first feedback: the words that
        changed, not the whole text again."""
        from interviewer.changes import MAX_SHOWN, word_changes
        from interviewer.output import shown as escape

        label = "Refined transcript" if self.plain else "[bold]Refined transcript[/]"
        self.console.print(f"\n{label} (score {before.score:.0f} → {after.score:.0f}, "
                           f"{after.band}):")
        changes = word_changes(before_text, text)
        if not text.strip():
            self.console.print("(nothing was heard)")
        elif not changes:
            self.console.print("only capitals and punctuation changed")
        for change in changes[:MAX_SHOWN]:
            self.console.print("  " + escape(change.said()), highlight=False)
        if len(changes) > MAX_SHOWN:
            self.console.print(f"  and {len(changes) - MAX_SHOWN} more changes "
                               "('interviewer history --json' has the whole text)")
        was = {concept.name for concept in before.covered}
        now = {concept.name for concept in after.covered}
        if now - was:
            self.info("Now covered: " + ", ".join(sorted(now - was)))
        if was - now:
            self.info("No longer covered: " + ", ".join(sorted(was - now)))

    def read_typed_answer(self, on_line: Callable[[str], None]) -> str | None:
        """A typed answer: lines until an empty line (or end of input). None at end of input
        with nothing typed. `on_line` is given the answer so far after every line, so it can
        be stored before the next one is typed."""
        from interviewer.typed_input import LineReader

        self.console.print("Type your answer; finish with an empty line.")
        reader = LineReader(self.warn)
        lines: list[str] = []
        while True:
            text = reader.read("> " if not self.plain else "")
            if text is None:
                return "\n".join(lines) if lines else None
            # a paste of several lines arrives as one text at a terminal: its blank lines
            # are part of it, not the end of the answer
            typed = [line for line in text.splitlines() if line.strip()]
            if not typed:
                if lines:
                    return "\n".join(lines)
                continue
            lines.extend(typed)
            on_line("\n".join(lines))
