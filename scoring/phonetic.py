"""Sound-alike matching: a phrase the recogniser may have written as other words that sound
like it ("OpenID Connect" heard as "OPA ID connect").

Both sides are reduced to a Metaphone key (jellyfish: consonant classes, silent letters
dropped) of their letters joined, and the keys compared by edit-distance similarity. Only
windows holding a word the recogniser was unsure of are compared, and a match only ever makes a
concept "possibly said" (half credit, shown as "heard as ..."), never covered.
"""

from __future__ import annotations

import jellyfish

# On the spoken development set (bench/spoken_bench.py) this keeps concepts credited in
# other questions' answers and in negated answers within the 1 % budget.
SOUND_SIMILARITY = 85.0
MIN_KEY_LENGTH = 5  # shorter keys ("KMS", "SB") match too much by chance


def sound_key(letters: str) -> str:
    return jellyfish.metaphone(letters) if letters else ""

