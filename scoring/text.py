"""Text normalisation and tokenisation shared by similarity and concept matching.

Speech recognisers and people write the same thing many ways: "SOC 2" / "SOC two",
"pre-commit" / "pre commit", "40%" / "forty percent", "policies" / "policy". Everything that
is compared goes through `normalize` and `tokenize` first, so both sides are written alike.
Tokens keep their character offsets into the original text, so evidence can quote the
candidate's own words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from num2words import num2words

# scikit-learn's English stop words, reduced: words that carry meaning in an answer
# ("not", "never", "first", "all", "only") are kept as content.
STOP_WORDS = frozenset("""
a about above after again against am an and any are as at be because been before being below
between both but by can could did do does doing down during each for from further had has have
having he her here hers herself him himself his how i if in into is it its itself just me more
most my myself of off on once or other our ours ourselves out over own same she should so some
such than that the their theirs them themselves then there these they this those through to
too under until up very was we were what when where which while who whom why will with would
you your yours yourself yourselves also etc e g ie eg like well really yeah okay ok um uh
""".split())

_ANSI_ESCAPE = re.compile(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|[@-Z\\-_])")
_CONTROL = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e]")
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(st|nd|rd|th|s| ?%)?(?!\w)")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)
_MAX_NUMBER = 10**12

_stemmer = snowballstemmer.stemmer("english")


@dataclass(frozen=True)
class Token:
    """One word of a text: its normalised form, its stem, and where it stands in the original."""

    norm: str  # lower case, numbers spelled out, accents kept
    stem: str
    start: int  # character offsets into the original text
    end: int
    index: int  # position among the text's tokens

    @property
    def is_stop(self) -> bool:
        return self.norm in STOP_WORDS


def clean(text: str) -> str:
    """Unicode-normalise and drop control and zero-width characters."""
    text = unicodedata.normalize("NFKC", text)
    return _CONTROL.sub(" ", _ANSI_ESCAPE.sub(" ", text))


@lru_cache(maxsize=4096)
def _spell_number(digits: str, decimals: str | None, suffix: str | None) -> str:
    value = int(digits.replace(",", ""))
    if value > _MAX_NUMBER:
        return digits
    try:
        if suffix in ("st", "nd", "rd", "th"):
            words = num2words(value, to="ordinal")
        else:
            words = num2words(value)
            if decimals:
                words += " point " + " ".join(num2words(int(digit)) for digit in decimals)
            if suffix == "s":  # "1990s", "90s"
                words += "s"
            elif suffix and suffix.strip() == "%":
                words += " percent"
    except (OverflowError, NotImplementedError, ValueError):
        return digits
    return words.replace("-", " ").replace(",", "").replace(" and ", " ")


def _spelled_out(match: re.Match) -> str:
    return " " + _spell_number(match.group(1), match.group(2), match.group(3)) + " "


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def tokenize(text: str) -> list[Token]:
    """Split into word tokens with offsets into `text`; numbers become words ("2" -> "two")."""
    text = clean(text)
    tokens: list[Token] = []
    position = 0
    # Numbers are spelled out piecewise so each word still points at the digits it came from.
    for piece_start, piece_end, replacement in _pieces(text):
        source = replacement if replacement is not None else text[piece_start:piece_end]
        for match in _WORD.finditer(source):
            word = _fold_accents(match.group(0).lower().replace("\u2019", "'"))
            if word.endswith("'s"):
                word = word[:-2]
            word = word.replace("'", "")
            if not word:
                continue
            if replacement is None:
                start, end = piece_start + match.start(), piece_start + match.end()
            else:
                start, end = piece_start, piece_end
            tokens.append(Token(word, stem(word), start, end, position))
            position += 1
    return tokens


@lru_cache(maxsize=65536)
def _fold_accents(word: str) -> str:
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", folded)


def _pieces(text: str):
    """(start, end, replacement) spans: numbers with their spelled-out words, text as is."""
    last = 0
    for match in _NUMBER.finditer(text):
        if match.start() > last:
            yield last, match.start(), None
        yield match.start(), match.end(), _spelled_out(match)
        last = match.end()
    if last < len(text):
        yield last, len(text), None


def normalize(text: str) -> str:
    """Lower case, numbers as words, punctuation and hyphens as spaces: one canonical string."""
    return " ".join(token.norm for token in tokenize(text))


