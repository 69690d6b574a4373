"""Every state and kind the application stores, as `str` enums: one name for each, checked
where rows are written and read (a value the code does not know is reported, not guessed).

They are `str` subclasses, so a stored row compares equal to its plain text and JSON output is
unchanged.
"""

from __future__ import annotations

from enum import Enum


class State(str, Enum):
    def __str__(self) -> str:  # shown as its value: "scored", not "AnswerStatus.SCORED"
        return self.value


class AnswerStatus(State):
    RECORDING = "recording"  # the row exists; the answer is being given
    RECORDED = "recorded"  # the recording is complete
    TRANSCRIBED = "transcribed"
    SCORED = "scored"
    INTERRUPTED = "interrupted"  # Ctrl-C, SIGTERM or a killed process: the part given is kept
    FAILED = "failed"  # the device or the recogniser failed; the error column says why

    @property
    def unfinished(self) -> bool:
        """Kept, but not yet scored: `rescore` finishes it."""
        return self in (AnswerStatus.RECORDING, AnswerStatus.RECORDED,
                        AnswerStatus.TRANSCRIBED)


class AnswerKind(State):
    SPOKEN = "spoken"
    TYPED = "typed"


class TranscriptPass(State):
    """Which pass made a spoken answer's transcript."""

    STREAMED = "streamed"  # while the candidate spoke
    REFINED = "refined"  # stretches decoded in pieces, decoded whole again after
    RECORDING = "recording"  # the recording, transcribed afterwards


class SessionMode(State):
    PRACTICE = "practice"  # spoken
    TEXT = "text"  # typed
    DEMO = "demo"  # the synthetic candidate
    REVIEW = "review"  # recordings made earlier


class SessionStatus(State):
    ACTIVE = "active"
    COMPLETED = "completed"
    INTERRUPTED = "interrupted"


def parse(kind: type[Enum], value: str | None, where: str) -> Enum | None:
    """`value` as a member of `kind` (None stays None); ValueError naming `where` if it is
    not one of them."""
    if value is None:
        return None
    try:
        return kind(value)
    except ValueError:
        known = ", ".join(member.value for member in kind)  # type: ignore[attr-defined]
        raise ValueError(f"{where}: unknown {kind.__name__} {value!r} (known: {known})") \
            from None
