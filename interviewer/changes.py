"""What changed between two transcripts of one answer, word by word (the refined transcript is
shown as its changes, not as the whole text again)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_NOT_WORD = re.compile(r"[^\w']")
MAX_SHOWN = 12  # changes listed; a longer list is summed up in a count


@dataclass(frozen=True)
class WordChange:
    before: str  # the words as they were ("" for words added)
    after: str  # as they are now ("" for words removed)

    def said(self) -> str:
        """In words, for the candidate."""
        if not self.before:
            return f"added \u201c{self.after}\u201d"
        if not self.after:
            return f"removed \u201c{self.before}\u201d"
        return f"\u201c{self.before}\u201d \u2192 \u201c{self.after}\u201d"


def _key(word: str) -> str:
    """A word as compared: capitals and punctuation are not a change of wording."""
    return _NOT_WORD.sub("", word.lower())


def word_changes(before: str, after: str) -> list[WordChange]:
    """The stretches of words that differ, in order; [] when only capitals or punctuation
    changed."""
    old, new = before.split(), after.split()
    matcher = difflib.SequenceMatcher(None, [_key(word) for word in old],
                                      [_key(word) for word in new], autojunk=False)
    return [WordChange(" ".join(old[first:last]), " ".join(new[start:end]))
            for tag, first, last, start, end in matcher.get_opcodes() if tag != "equal"]
