"""Text to the phoneme ids a Piper voice model reads, with espeak-ng run as a separate program.

A Piper voice was trained on espeak-ng's IPA, one codepoint per symbol after Unicode
decomposition (NFD), with the clause's punctuation written after it ("," and a space inside a
sentence, "." "?" "!" at its end), then mapped to ids by the voice's `phoneme_id_map`: the
start mark `^`, then every symbol followed by the pad `_`, then the end mark `$`. This module
does the same steps on the output of `espeak-ng -q --ipa`, which prints one line per clause.
espeak-ng is not linked in: it is called as a program (`ESPEAK_COMMAND`).

Sentences are found here rather than by espeak-ng, so each can be synthesised (and cached) on
its own while the one before it plays.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from audio.errors import SpeechEngineError

ESPEAK_PROGRAMS = ("espeak-ng", "espeak")
ESPEAK_TIMEOUT_S = 20.0
PAD, BOS, EOS = "_", "^", "$"
# what ends a clause, and what Piper writes for it: inside a sentence a space follows
CLAUSE_MARKS = {",": ", ", ";": "; ", ":": ": ", ".": ".", "?": "?", "!": "!"}
SENTENCE_MARKS = ".?!"
# a sentence ends at . ? ! (and any closing quote or bracket) before a space and a word that
# does not start in lower case: "etc. and" goes on, "Dr. Smith" and "e.g. Trivy" break, as
# espeak-ng breaks them
_SENTENCE_END = re.compile(r"(?:(?<=[.?!])|(?<=[.?!][\"')\]]))\s+(?=[^\sa-z])")
# a clause ends at , ; : ? ! before a space or the end, and at the sentence's final "." ("3.5",
# "CI/CD" and "etc. and" do not end one)
_CLAUSE_END = re.compile(r"([,;:?!]+|\.+(?=[\"')\]]*$))[\"')\]]*(?:\s+|$)")
_LANGUAGE_FLAG = re.compile(r"\([^)]*\)")  # espeak-ng marks a switch of language: "(fr)"


@dataclass(frozen=True)
class Clause:
    text: str
    mark: str  # the punctuation Piper writes after it: ", " or "." ...


def split_sentences(text: str) -> list[str]:
    """`text` cut into sentences, whitespace collapsed; no empty ones."""
    flat = " ".join(text.split())
    return [part.strip() for part in _SENTENCE_END.split(flat) if part.strip()]


def split_clauses(sentence: str) -> list[Clause]:
    """A sentence's clauses, each with the mark that ended it; the last one ends with "."
    when it has no mark of its own (as espeak-ng's end of text does)."""
    clauses: list[Clause] = []
    start = 0
    for match in _CLAUSE_END.finditer(sentence):
        words = sentence[start:match.start()].strip()
        if words:
            clauses.append(Clause(words, CLAUSE_MARKS[_main_mark(match.group(1))]))
        start = match.end()
    rest = sentence[start:].strip()
    if rest:
        clauses.append(Clause(rest, "."))
    if clauses and clauses[-1].mark.strip() not in SENTENCE_MARKS:
        clauses[-1] = Clause(clauses[-1].text, ".")
    return clauses


def _main_mark(marks: str) -> str:
    """The one mark a run stands for: "?!" is a question, "..." a full stop."""
    for mark in "?!.;:,":
        if mark in marks:
            return mark
    return "."


def espeak_program() -> str | None:
    for name in ESPEAK_PROGRAMS:
        found = shutil.which(name)
        if found:
            return found
    return None


class Phonemizer:
    """espeak-ng's IPA for text, in a voice's language (`voice`: espeak-ng's name, "en-us")."""

    def __init__(self, voice: str, program: str | None = None):
        self.voice = voice
        found = program or espeak_program()
        if found is None:
            raise SpeechEngineError("espeak-ng is not installed (the neural voice reads its "
                                    "phonemes); Debian/Ubuntu: sudo apt-get install espeak-ng")
        self.program: str = found

    def sentence_phonemes(self, sentence: str) -> str:
        """One sentence as Piper would phonemise it: each clause's IPA and its mark."""
        clauses = split_clauses(sentence)
        if not clauses:
            return ""
        lines = self._espeak([clause.text for clause in clauses])
        if len(lines) != len(clauses):
            # espeak-ng cut a clause further than the marks show (an abbreviation): each
            # clause on its own, its pieces joined
            lines = [" ".join(self._espeak([clause.text])) for clause in clauses]
        return "".join(_clean(line) + clause.mark
                       for line, clause in zip(lines, clauses, strict=True))

    def _espeak(self, clauses: Sequence[str]) -> list[str]:
        """IPA lines for `clauses`, one a line on stdin (espeak-ng ends a clause at a line's
        end); empty lines dropped."""
        command = [self.program, "-q", "--ipa", "-b", "1", "-v", self.voice]
        try:
            done = subprocess.run(command, input="\n".join(clauses) + "\n",
                                  capture_output=True, text=True, encoding="utf-8",
                                  timeout=ESPEAK_TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise SpeechEngineError(f"espeak-ng could not be run for phonemes ({error})") \
                from error
        if done.returncode != 0:
            reason = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else \
                f"exit {done.returncode}"
            raise SpeechEngineError(f"espeak-ng failed making phonemes for voice "
                                    f"'{self.voice}' ({reason})")
        return [line.strip() for line in done.stdout.splitlines() if line.strip()]


def _clean(line: str) -> str:
    return unicodedata.normalize("NFD", _LANGUAGE_FLAG.sub("", line)).strip()


def phoneme_ids(phonemes: str, id_map: Mapping[str, Sequence[int]]) -> tuple[list[int], str]:
    """Piper's ids for a phoneme string: `^`, each known symbol followed by `_`, `$`.
    Returns (ids, the symbols the voice does not know, which are left out)."""
    ids = [*id_map[BOS], *id_map[PAD]]
    missing = []
    for symbol in phonemes:
        known = id_map.get(symbol)
        if known is None:
            missing.append(symbol)
            continue
        ids += [*known, *id_map[PAD]]
    ids += id_map[EOS]
    return ids, "".join(dict.fromkeys(missing))
