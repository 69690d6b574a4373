"""A concept's phrases as the matcher reads them, and the rules that keep matching precise.

- Content words match by stem ("rotated" / "rotation"), but a stem never reaches a different
  word: "container" shares the stem of "contain", and "customer" is not "customer ID". Words of
  three letters or fewer match only as written (or with a plural "s").
- Numbers, versions and codes match exactly: "409" is not "429", "ISO 27001" is not "27002";
  the tokenizer spells numbers out, so a number is matched as its whole run of number words.
- A spelling-tolerant (fuzzy) match is for words a recogniser misspells: both words at least
  `MIN_FUZZY_LENGTH` letters, the answer's word not an ordinary English word ("sale" is a word,
  not a misspelling of "stale"), neither word another with a prefix or suffix ("reprocessing").
- The words of a phrase come in order, with small gaps; or its last word first when only
  function words stand between ("credentials that are short-lived" says "short-lived
  credentials").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scoring.negation import is_cue_phrase
from scoring.text import STOP_WORDS, Token, tokenize

MIN_FUZZY_LENGTH = 5
SHORT_WORD = 3  # letters: matched only as written
WINDOW_SLACK = 3  # extra words allowed between the words of one phrase, in all
MAX_RELATIVE_GAP = 3  # "credentials that are short-lived": function words between
MIN_JOINED_LETTERS = 6  # "git leaks" / "gitleaks"; shorter joins ("i am" / "IAM") are chance
# a word that ends like this is another word than its stem's ("container" / "contain")
OTHER_WORD_SUFFIXES = ("er", "ers", "or", "ors")
NUMBER_WORDS = frozenset("""
zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety
hundred thousand million billion trillion point first second third fourth fifth sixth seventh
eighth ninth tenth percent
""".split())


@dataclass(frozen=True)
class Phrase:
    concept: int
    text: str
    words: tuple[str, ...]  # the normalised words that must occur (see `phrase_from_text`)
    stems: tuple[str, ...]
    joined: str  # all normalised words without spaces, for split/joined forms
    span: int  # number of words in the phrase as written
    self_negating: bool  # says a negation itself ("no public IPs"): matched with it
    numeric: bool  # holds a number: its words must come as one exact run


def phrase_from_text(concept: int, text: str) -> Phrase | None:
    tokens = tokenize(text)
    if not tokens:
        return None
    content = [token for token in tokens if not token.is_stop]
    # Function words may be left out ("short-lived credentials" is said as "credentials that
    # are short-lived"), unless that leaves too little: "just in time" is not "time".
    numeric = any(token.norm in NUMBER_WORDS for token in tokens) and \
        any(char.isdigit() for char in text)
    if not content or (len(content) < 2 and len(tokens) >= 2) or numeric:
        content = tokens
    return Phrase(concept=concept, text=text, words=tuple(token.norm for token in content),
                  stems=tuple(token.stem for token in content),
                  joined="".join(token.norm for token in tokens), span=len(tokens),
                  self_negating=is_cue_phrase(tokens), numeric=numeric)


def same_word(phrase_word: str, answer_word: str) -> bool:
    """Whether two words with the same stem are forms of one word ("rotate" / "rotation"),
    not two words ("contain" / "container")."""
    if phrase_word == answer_word:
        return True
    if len(phrase_word) <= SHORT_WORD or len(answer_word) <= SHORT_WORD:
        return answer_word in (phrase_word + "s", phrase_word + "es") or \
            phrase_word in (answer_word + "s", answer_word + "es")
    common = 0
    for left, right in zip(phrase_word, answer_word, strict=False):
        if left != right:
            break
        common += 1
    rests = (phrase_word[common:], answer_word[common:])
    return sum(rest.endswith(OTHER_WORD_SUFFIXES) for rest in rests) != 1


def may_be_misspelt(phrase_word: str, answer_word: str,
                    is_english_word=lambda word: False) -> bool:
    """Whether a spelling-tolerant match of these two words is allowed at all."""
    short, long = sorted((phrase_word, answer_word), key=len)
    # a word with something before it, or two letters or more after it, is another word
    # ("reprocessing", "customerid"); one letter more is a slip ("falcoo")
    other_word = long.endswith(short) or (long.startswith(short) and
                                          len(long) - len(short) >= 2)
    return (len(phrase_word) >= MIN_FUZZY_LENGTH and len(answer_word) >= MIN_FUZZY_LENGTH
            and not other_word and phrase_word not in NUMBER_WORDS
            and answer_word not in NUMBER_WORDS and not is_english_word(answer_word))


def in_order(positions: Sequence[int], phrase: Phrase, tokens: Sequence[Token]) -> bool:
    """Whether token positions (one per phrase word, in the phrase's order) read as the
    phrase: in order within `WINDOW_SLACK` extra words, or the last word first and the rest
    after it, with only function words between ("keys that are short-lived")."""
    if len(positions) != len(set(positions)):
        return False
    if phrase.numeric:  # one exact run, not inside a longer number
        first, last = positions[0], positions[-1]
        before = tokens[first - 1].norm if first else ""
        after = tokens[last + 1].norm if last + 1 < len(tokens) else ""
        return list(positions) == list(range(first, first + len(positions))) and \
            before not in NUMBER_WORDS and after not in NUMBER_WORDS
    if all(b > a for a, b in zip(positions, positions[1:], strict=False)):
        return positions[-1] - positions[0] + 1 <= phrase.span + WINDOW_SLACK
    head, rest = positions[-1], positions[:-1]
    if len(rest) and all(b > a for a, b in zip(rest, rest[1:], strict=False)) and \
            head < rest[0]:
        between = range(head + 1, rest[0])
        return len(between) <= MAX_RELATIVE_GAP and \
            all(tokens[index].norm in STOP_WORDS for index in between) and \
            rest[-1] - rest[0] + 1 <= len(rest) + WINDOW_SLACK
    return False


def joinable(tokens: Sequence[Token]) -> bool:
    """Whether 1-3 consecutive answer words may stand for one phrase written joined."""
    return len(tokens) == 1 or not any(token.is_stop or token.norm in NUMBER_WORDS
                                       for token in tokens)


ABSENCE_OPENERS = ("no", "never", "without", "avoid", "avoiding", "not", "nothing", "dont")


def names_an_absence(name: str) -> bool:
    """Whether a concept's name says it is an absence or a practice to avoid: "no stored
    keys", "never lock the table", "without shared accounts", "secret-free images"."""
    words = [token.norm for token in tokenize(name)]
    if not words:
        return False
    return words[0] in ABSENCE_OPENERS or (
        "-free" in name.lower() or name.lower().endswith(" free"))


def phrase_texts(phrases: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(phrases))
