"""Recognise an answer that only lists terms without explaining anything.

Prose carries function words ("the", "to", "we", "because"): in the bank's model answers they
are about 40% of the words. A list of terms has almost none, or is cut into short pieces by
commas. Such an answer may name every key concept and still say nothing about how they fit
together, so it is flagged and kept out of the top band.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from scoring.text import Token

MIN_WORDS = 6
MIN_CONCEPTS = 3
MAX_FUNCTION_WORD_SHARE = 0.15
MAX_WORDS_PER_ITEM = 3.0
MIN_ITEMS = 5
_SEPARATORS = re.compile(r"[,;\n•·|/]+|\s[-–—]\s")


def looks_like_keyword_list(text: str, tokens: Sequence[Token], concepts_named: int) -> bool:
    if len(tokens) < MIN_WORDS or concepts_named < MIN_CONCEPTS:
        return False
    function_share = sum(token.is_stop for token in tokens) / len(tokens)
    if function_share < MAX_FUNCTION_WORD_SHARE:
        return True
    items = [item for item in _SEPARATORS.split(text) if item.strip()]
    if len(items) >= MIN_ITEMS:
        words_per_item = len(tokens) / len(items)
        return words_per_item <= MAX_WORDS_PER_ITEM and function_share < 0.25
    return False
