"""The terminal interface of a session: questions, a live recording meter, spinners, feedback,
and the keys between questions. Everything fits 80 columns.

Two presentations: rich (colour, a live level meter and timer) and plain (`--plain`: short
lines that say everything in words, for screen readers and logs). Without a keyboard (input
piped or closed) nothing waits for a key.
"""

from __future__ import annotations

import contextlib
import sys
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


def _input_prefilled(prompt: str, text: str) -> str | None:
    """A line read with `text` already typed in it (readline where there is one)."""
    try:
        import readline
    except ImportError:  # pragma: no cover - Windows without pyreadline
        readline = None
    if readline is not None:
        readline.set_startup_hook(lambda: readline.insert_text(text))
    try:
        return input(prompt)
    except EOFError:
        return None
    finally:
        if readline is not None:
            readline.set_startup_hook(None)


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

    def question(self, index: int, total: int, question: Question, prompt: str) -> None:
        limit = f", {question.time_limit} s" if question.time_limit else ""
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

        how = "press Enter when you have finished" if self.interactive else \
            "the answer ends after a pause"
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
        """The candidate's correction of `text`: in $EDITOR when it is set, else on one line
        with the text ready to edit. None when they left it unchanged or gave nothing."""
        editor = configured_editor()
        if editor:
            from interviewer.editing import edit_privately

            edited = edit_privately(text + "\n", editor)
            edited = None if edited is None else " ".join(edited.split())
        else:
            self.console.print("Correct the transcript (Enter keeps it as edited, an empty "
                               "line cancels):")
            edited = _input_prefilled("> ", text)
        if not edited or edited.strip() == text.strip():
            return None
        return edited.strip()

    def refined(self, before: ScoreReport, after: ScoreReport, text: str) -> None:
        """What refining the transcript changed, below the first feedback."""
        from interviewer.output import shown as escape

        label = "Refined transcript" if self.plain else "[bold]Refined transcript[/]"
        self.console.print(f"\n{label} (score {before.score:.0f} → {after.score:.0f}, "
                           f"{after.band}):")
        self.console.print(escape(text) if text.strip() else "(nothing was heard)")
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
