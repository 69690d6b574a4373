"""Terminal rendering of score reports, shared by `score`, `review`, `practice` and `history`.

Everything fits 80 columns. In plain mode (screen readers, logs) there is no colour and no
symbol carries meaning on its own: every line says in words what it is.
"""

from __future__ import annotations

from bank import Question
from scoring import ScoreReport

BAND_STYLE = {"strong": "bold green", "partial": "bold yellow", "weak": "bold red",
              "off-topic": "bold magenta", "empty": "bold red"}


def _quote(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return f"\u201c{text if len(text) <= limit else text[:limit - 1] + '…'}\u201d"


def _when(start: float | None) -> str:
    if start is None:
        return ""
    minutes, seconds = divmod(int(start), 60)
    return f" at {minutes}:{seconds:02d}"


def _item(console, mark: str, text: str) -> None:
    """One list item with a hanging indent, so wrapped lines stay under the text."""
    from rich.table import Table

    from interviewer.output import shown as escape

    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("  " + mark, escape(text))
    console.print(grid)


def render_report(console, report: ScoreReport, question: Question, *,
                  show_model_answer: bool = False, plain: bool = False,
                  show_delivery: bool = True, empty_hint: str | None = None) -> None:
    """`empty_hint`: what to do when the answer had no words, where the caller knows (a
    spoken answer: check the microphone)."""
    from interviewer.output import shown as escape

    style = "" if plain else BAND_STYLE.get(report.band, "bold")
    head = f"{question.id}: score {report.score:.0f} of 100, {report.band}"
    console.print(f"[{style}]{escape(head)}[/]" if style else escape(head))
    if report.band != "empty":
        detail = (f"similarity to the model answer {report.similarity:.2f} gives "
                  f"{report.similarity_points:.0f} points; key concepts "
                  f"{100 * report.coverage:.0f}% covered gives {report.coverage_points:.0f}")
        if report.capped_at is not None:
            detail += f"; capped at {report.capped_at:.0f} (a list of terms)"
        console.print(escape(detail), style="dim" if not plain else None)
    covered, possible, missed = report.covered, report.possible, report.missed
    total = len(report.concepts)
    label = "derived from the model answer" if report.derived_concepts else "key concepts"
    if covered:
        console.print(f"\nCovered {len(covered)} of {total} {label}:")
        for concept in covered:
            evidence = concept.evidence
            how = "you described it as" if evidence and evidence.in_other_words else "you said"
            said = f" — {how} {_quote(evidence.text)}{_when(evidence.start)}" \
                if evidence else ""
            _item(console, "covered:" if plain else "[green]✓[/]", concept.name + said)
    if possible:
        console.print("\nPossibly said (the recogniser was unsure, or in other words):")
        for concept in possible:
            evidence = concept.evidence
            how = "in other words:" if evidence and evidence.in_other_words else "heard as"
            heard = f" — {how} {_quote(evidence.text)}{_when(evidence.start)}" \
                if evidence else ""
            _item(console, "possibly:" if plain else "[yellow]?[/]", concept.name + heard)
    if missed:
        console.print(f"\nMissed {len(missed)}:")
        for concept in sorted(missed, key=lambda item: -item.weight):
            _item(console, "missed:" if plain else "[red]✗[/]", concept.name)
    if show_delivery and report.delivery is not None and report.delivery.duration_s:
        render_delivery(console, report, plain=plain)
    if report.feedback:
        console.print("\nFeedback:")
        for note in report.feedback:
            _item(console, "-", note)
        if report.band == "empty" and empty_hint:
            _item(console, "-", empty_hint)
    if question.look_for and report.band != "empty":
        console.print("\nInterviewers listen for:")
        for item in question.look_for:
            _item(console, "-", item)
    if show_model_answer:
        console.print("\nModel answer:")
        console.print(escape(question.model_answer))


def render_delivery(console, report: ScoreReport, *, plain: bool = False) -> None:
    from interviewer.output import shown as escape

    delivery = report.delivery
    if delivery is None:
        return
    parts = []
    if delivery.duration_s is not None:
        parts.append(f"{delivery.duration_s:.0f} s recorded")
    if delivery.speaking_s is not None:
        parts.append(f"{delivery.speaking_s:.0f} s speaking")
    if delivery.words_per_minute is not None:
        pace = f" ({delivery.pace})" if delivery.pace else ""
        parts.append(f"{delivery.words_per_minute:.0f} words/min{pace}")
    if delivery.lead_in_s is not None:
        parts.append(f"started after {delivery.lead_in_s:.1f} s")
    parts.append(f"{len(delivery.long_pauses)} pause(s) over 2 s"
                 + (f", longest {delivery.longest_pause_s:.1f} s" if delivery.long_pauses else ""))
    fillers = ", ".join(f"{word} x{count}" for word, count in sorted(delivery.fillers.items()))
    # the recogniser writes most fillers but not all (python -m bench --only fillers), so the
    # count is a floor
    parts.append(f"fillers heard: {fillers or 'none'} (about 4 in 5 are caught)")
    console.print("\nDelivery: " + escape("; ".join(parts)) + ".")
    if delivery.repeated_phrases:
        console.print("  repeated: " + escape(", ".join(delivery.repeated_phrases[:5])))
    if delivery.unsure_words:
        # as said, without the recogniser's punctuation ("tests." / "Semgrep,")
        said = [word.text.strip(" .,;:!?\"'") for word in delivery.unsure_words]
        words = ", ".join(list(dict.fromkeys(word for word in said if word))[:8])
        console.print("  words the recogniser was unsure of: " + escape(words))
