"""Which words of an answer are negated: "we don't rotate keys", "I would never use Vault",
"instead of stored keys", "policy as code is overkill".

A negation cue opens a scope that runs to the end of its clause (punctuation, or a word such as
"but" or "because" that starts a new one), at most `MAX_SCOPE` words; a few cues negate what
came before them in the clause instead ("X isn't worth it", "X is overkill", "X can wait"). A
second cue inside a scope turns it back ("never deploy without a scan": the scan is not
negated), and phrases that only look like negations ("not only", "not to mention") are not
cues. This is deliberately simple (after NegEx: Chapman et al. 2001) and transparent: the
feedback quotes the cue it found.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from scoring.text import Token

MAX_SCOPE = 12
FORWARD = frozenset("""
not no never dont doesnt didnt wont wouldnt cant cannot couldnt shouldnt isnt arent wasnt
werent hasnt havent hadnt neither nor none nobody nothing nowhere without skip skips skipped
skipping disable disables disabled disabling
""".split())
STOPPING = frozenset({"stop", "stopped", "stopping", "quit", "quitting"})
FORWARD_PAIRS = frozenset({("instead", "of"), ("rather", "than"), ("no", "need"),
                           ("get", "rid"), ("turn", "off"), ("turned", "off"),
                           ("turning", "off"), ("switch", "off"), ("switched", "off")})
PSEUDO = frozenset({("not", "only"), ("not", "just"), ("no", "doubt"), ("not", "to"),
                    ("no", "matter"), ("not", "necessarily"), ("nothing", "but"),
                    ("no", "longer")})
# cues that negate what came before them in the clause: "X is overkill", "X isn't worth it"
BACKWARD = frozenset({"overkill", "waste", "unnecessary", "pointless"})
# cues that negate what follows, or at the end of a clause what came before ("X turned off")
TWO_WAY = frozenset({"disabled", "nothing", "none"})  # "the network earns you nothing"
BACKWARD_PAIRS = frozenset({("turned", "off"), ("switched", "off")})
BACKWARD_AFTER_NOT = frozenset({"worth", "needed", "necessary", "required", "priority",
                                "important", "something", "useful"})
WAIT = frozenset({"wait"})  # "X can wait"
CLAUSE_WORDS = frozenset("but because so while although though however which whereas yet "
                         "unless until then whose".split())
# a clause word that is a preposition here: "no request is trusted because of where it is from"
PREPOSITIONS = frozenset({("because", "of")})
SUBJECTS = frozenset("we i they you it he she people teams nobody everyone".split())
_CLAUSE_BREAK = re.compile(r"[,;:.!?()\u2014\u2013]|\s-\s")


@dataclass(frozen=True)
class Negation:
    """For each token: whether it is negated, the index of the cue that negates it, and its
    clause (a negation never reaches past its clause)."""

    negated: tuple[bool, ...]
    cue: tuple[int | None, ...]
    clause: tuple[int, ...] = ()

    @classmethod
    def none(cls, count: int) -> Negation:
        return cls((False,) * count, (None,) * count, (0,) * count)


def clauses(text: str, tokens: Sequence[Token]) -> list[int]:
    """The clause number of each token: a new clause starts after punctuation, and at a word
    such as "but" or "because", or "and"/"or" followed by a subject ("and we ...")."""
    numbers, clause = [], 0
    for index, token in enumerate(tokens):
        if index:
            between = text[tokens[index - 1].end:token.start]
            following = tokens[index + 1].norm if index + 1 < len(tokens) else ""
            if _CLAUSE_BREAK.search(between) or (
                    token.norm in CLAUSE_WORDS and (token.norm, following) not in PREPOSITIONS
            ) or (token.norm in ("and", "or") and following in SUBJECTS):
                clause += 1
        numbers.append(clause)
    return numbers


NOT_WORDS = frozenset({"not", "isnt", "arent", "wasnt", "werent", "never"})
_FILLERS = frozenset({"a", "an", "the", "really", "very", "that", "all", "so"})
_LINKS = _FILLERS | {"is", "are", "was", "were", "be", "can", "could", "will", "would",
                     "just", "total", "complete"}


def _skip_fillers(tokens: Sequence[Token], index: int, step: int) -> str:
    """The word `step` away from `index`, passing over articles and intensifiers."""
    index += step
    while 0 <= index < len(tokens) and tokens[index].norm in _FILLERS:
        index += step
    return tokens[index].norm if 0 <= index < len(tokens) else ""


def _is_cue(tokens: Sequence[Token], index: int) -> int:
    """How many tokens the forward cue at `index` spans (0: not a cue)."""
    word = tokens[index].norm
    following = tokens[index + 1].norm if index + 1 < len(tokens) else ""
    if (word, following) in PSEUDO or (
            word in NOT_WORDS and _skip_fillers(tokens, index, 1) in BACKWARD_AFTER_NOT):
        return 0  # not a forward cue; "isn't worth" negates what came before
    if (word, following) in FORWARD_PAIRS:
        return 2
    if word in STOPPING and following.endswith("ing") and len(following) > 4:
        return 1  # "stop trusting the network", but not "stop leaks" (a goal, not a refusal)
    return 1 if word in FORWARD else 0


def _backward_cue(tokens: Sequence[Token], index: int) -> bool:
    word = tokens[index].norm
    previous = tokens[index - 1].norm if index else ""
    if word in BACKWARD:
        return True
    if word in BACKWARD_AFTER_NOT and _skip_fillers(tokens, index, -1) in NOT_WORDS:
        return True
    return word in WAIT and previous in ("can", "could", "will")


def find_negation(text: str, tokens: Sequence[Token]) -> Negation:
    count = len(tokens)
    if not count:
        return Negation((), (), ())
    clause_of = clauses(text, tokens)
    negated: list[bool] = [False] * count
    cue_of: list[int | None] = [None] * count
    index = 0
    while index < count:
        width = _is_cue(tokens, index)
        if width and _two_way(tokens, index, width) and (
                index + width >= count or clause_of[index + width] != clause_of[index]):
            # "with anonymous access turned off": nothing follows, so it negates what came
            # before it
            _mark_before(tokens, clause_of, index, index, negated, cue_of)
            index += width
            continue
        if width:
            index = _forward_scope(tokens, clause_of, index, width, negated, cue_of)
            continue
        if _backward_cue(tokens, index):
            end = index
            if tokens[index].norm in BACKWARD_AFTER_NOT:  # the scope ends before the "not"
                while end > 0 and tokens[end - 1].norm not in NOT_WORDS:
                    end -= 1
                end -= 1
            _mark_before(tokens, clause_of, index, end, negated, cue_of)
        index += 1
    return Negation(tuple(negated), tuple(cue_of), tuple(clause_of))


def _two_way(tokens: Sequence[Token], index: int, width: int) -> bool:
    """Cues that negate what follows them, or, at the end of a clause, what came before."""
    following = tokens[index + 1].norm if index + 1 < len(tokens) else ""
    return tokens[index].norm in TWO_WAY or (width == 2 and (tokens[index].norm, following)
                                              in BACKWARD_PAIRS)


def _mark_before(tokens: Sequence[Token], clause_of: list[int], cue: int, end: int,
                 negated: list[bool], cue_of: list[int | None]) -> None:
    """Negate the words before `end` in the cue's clause (at most `MAX_SCOPE`)."""
    while end > 0 and tokens[end - 1].norm in _LINKS:  # "X is (a) waste", "X can"
        end -= 1
    start = end
    while start > 0 and clause_of[start - 1] == clause_of[cue] and end - start < MAX_SCOPE:
        start -= 1
    for position in range(start, end):
        negated[position], cue_of[position] = True, end


def _forward_scope(tokens: Sequence[Token], clause_of: list[int], cue: int, width: int,
                   negated: list[bool], cue_of: list[int | None]) -> int:
    """Mark the scope of the cue at `cue`; returns where to go on looking for cues."""
    position, active, opened = cue + width, True, cue
    while position < len(tokens) and clause_of[position] == clause_of[cue] and \
            position - cue <= MAX_SCOPE:
        inner = _is_cue(tokens, position)
        if inner and tokens[position].norm == "without":
            # a double negative turns the scope back: "never deploy without a scan"
            active, opened = not active, position
            position += inner
            continue
        if inner:  # "no X and no Y": the new cue goes on negating
            active, opened = True, position
            position += inner
            continue
        if active:
            negated[position], cue_of[position] = True, opened
        position += 1
    return max(position, cue + width)


def is_cue_phrase(tokens: Sequence[Token]) -> bool:
    """Whether a phrase contains a negation itself ("no public IPs", "never committed")."""
    return any(_is_cue(tokens, index) for index in range(len(tokens)))
