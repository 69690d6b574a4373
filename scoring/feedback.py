"""The feedback lines of a score report: one line per point, quoting the candidate's words."""

from __future__ import annotations

from dataclasses import replace

from scoring.types import Band, ConceptStatus, ScoreReport

SHORT_ANSWER_WORDS = 40


def _quote(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return f"\u201c{text if len(text) <= limit else text[:limit - 1] + '…'}\u201d"


def with_feedback(report: ScoreReport) -> ScoreReport:
    notes = _content_notes(report) + _delivery_notes(report)
    return replace(report, feedback=tuple(notes))


def _content_notes(report: ScoreReport) -> list[str]:
    """What happened, most important first: a rejection of the practices, a bare list, an
    answer about something else; then what was said in other words, left unexplained or
    missed."""
    notes: list[str] = []
    for concept in report.contradicted:
        said = _quote(concept.evidence.text) if concept.evidence else "it"
        notes.append(f"You said {said}: that goes against {concept.name}, which the question "
                     "expects you to do.")
    if report.keyword_list:
        notes.append("This is a list of terms. Explain how they fit together: what you would "
                     "do, in what order, and why.")
    elif report.band is Band.OFF_TOPIC:
        notes.append("This does not seem to answer the question asked; listen to it again "
                     "and answer that question.")
    else:
        bare = [concept.name for concept in report.concepts if not concept.explained]
        if bare:
            names = ", ".join(bare[:4]) + (f" (and {len(bare) - 4} more)" if len(bare) > 4
                                           else "")
            notes.append(f"Named but not explained: {names}. Say what each does and how you "
                         "would use it here.")
    in_words = [concept for concept in report.concepts if concept.evidence is not None
                and concept.evidence.in_other_words]
    for concept in in_words:
        assert concept.evidence is not None
        if concept.status is ConceptStatus.COVERED:
            notes.append(f"{concept.name}: you described it as {_quote(concept.evidence.text)}.")
        else:
            notes.append(f"{concept.name}, perhaps: you said {_quote(concept.evidence.text)}; "
                         "name it to make sure it counts.")
    missed = sorted(report.missed, key=lambda concept: -concept.weight)
    if missed:
        names = ", ".join(concept.name for concept in missed[:4])
        more = f" (and {len(missed) - 4} more)" if len(missed) > 4 else ""
        notes.append(f"Not mentioned: {names}{more}.")
    heard = [concept for concept in report.possible
             if concept.evidence is None or not concept.evidence.in_other_words]
    if heard:
        names = ", ".join(concept.name + (f" (heard as “{concept.evidence.text}”)"
                                          if concept.evidence else "")
                          for concept in heard)
        notes.append(f"Possibly said, but the recogniser was unsure: {names}.")
    cut_off = report.delivery is not None and report.delivery.time_limit_reached
    if report.word_count < SHORT_ANSWER_WORDS and not cut_off and \
            report.band not in (Band.EMPTY, Band.OFF_TOPIC):
        notes.append(f"The answer is short ({report.word_count} words); a good spoken answer "
                     "usually takes a minute or more.")
    return notes


def _delivery_notes(report: ScoreReport) -> list[str]:
    delivery = report.delivery
    if delivery is None:
        return []
    notes = []
    if delivery.time_limit_reached:
        notes.append("The time limit ended the answer before you finished: lead with the "
                     "main points, then add detail while time is left.")
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
