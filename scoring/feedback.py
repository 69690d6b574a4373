"""The feedback lines of a score report: one line per point, quoting the candidate's words."""

from __future__ import annotations

from dataclasses import replace

from scoring.types import Band, ScoreReport

SHORT_ANSWER_WORDS = 40


def _quote(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return f"\u201c{text if len(text) <= limit else text[:limit - 1] + '…'}\u201d"


def with_feedback(report: ScoreReport) -> ScoreReport:
    notes = _content_notes(report) + _delivery_notes(report)
    return replace(report, feedback=tuple(notes))


def _content_notes(report: ScoreReport) -> list[str]:
    notes: list[str] = []
    if report.band is Band.OFF_TOPIC and report.covered:
        names = ", ".join(concept.name for concept in report.covered[:3])
        notes.append(f"Too little to judge: it names {names}, but does not explain the "
                     "approach; answer the question in full sentences.")
    elif report.band is Band.OFF_TOPIC and not report.contradicted:
        notes.append("This does not seem to answer the question asked; listen to it again "
                     "and answer that question.")
    for concept in report.contradicted:
        said = _quote(concept.evidence.text) if concept.evidence else "it"
        notes.append(f"You said {said}: that goes against {concept.name}, which the question "
                     "expects you to do.")
    if report.keyword_list:
        notes.append("This is a list of terms. Explain how they fit together: what you would "
                     "do, in what order, and why.")
    else:
        bare = [concept.name for concept in report.concepts if not concept.explained]
        if bare:
            names = ", ".join(bare[:4]) + (f" (and {len(bare) - 4} more)" if len(bare) > 4
                                           else "")
            notes.append(f"Named but not explained: {names}. Say what each does and how you "
                         "would use it here.")
    missed = sorted(report.missed, key=lambda concept: -concept.weight)
    if missed:
        names = ", ".join(concept.name for concept in missed[:4])
        more = f" (and {len(missed) - 4} more)" if len(missed) > 4 else ""
        notes.append(f"Not mentioned: {names}{more}.")
    if report.possible:
        names = ", ".join(concept.name + (f" (heard as “{concept.evidence.text}”)"
                                          if concept.evidence else "")
                          for concept in report.possible)
        notes.append(f"Possibly said, but the recogniser was unsure: {names}.")
    if report.word_count < SHORT_ANSWER_WORDS and \
            report.band not in (Band.EMPTY, Band.OFF_TOPIC):
        notes.append(f"The answer is short ({report.word_count} words); a good spoken answer "
                     "usually takes a minute or more.")
    return notes


def _delivery_notes(report: ScoreReport) -> list[str]:
    delivery = report.delivery
    if delivery is None:
        return []
    notes = []
    if delivery.pace == "fast":
        notes.append(f"You spoke fast ({delivery.words_per_minute:.0f} words a minute); "
                     "slow down to about 140.")
    elif delivery.pace == "slow":
        notes.append(f"You spoke slowly ({delivery.words_per_minute:.0f} words a minute); "
                     "about 140 keeps listeners with you.")
    if delivery.long_pauses:
        notes.append(f"{len(delivery.long_pauses)} pause(s) over 2 s (longest "
                     f"{delivery.longest_pause_s:.1f} s).")
    if delivery.filler_count >= 3:
        notes.append(f"At least {delivery.filler_count} filler words "
                     f"({', '.join(sorted(delivery.fillers))}).")
    return notes
