"""Building scorers for banks: fitted once, then kept in the user's cache directory.

Fitting needs scikit-learn, whose import alone takes about a second; a saved fitted state
(plain JSON, keyed by the bank's content and the scorer's configuration) lets `score`,
`review` and `history` start without it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from bank import BUNDLED_DEFAULT, Bank, Question, load_bank
from interviewer.errors import UserError
from scoring import AnswerScorer

# Below this many model answers a bank says little about which words are common, and offers
# few examples of unrelated answers: the bundled bank is added as background.
MIN_OWN_REFERENCES = 8
CACHE_FORMAT = 1

_scorers: dict[str, AnswerScorer] = {}


def background_for(questions: list[Question]) -> list[Question]:
    if len(questions) >= MIN_OWN_REFERENCES:
        return []
    bundled = load_bank(BUNDLED_DEFAULT)
    own = {question.model_answer for question in questions}
    return [question for question in bundled.questions if question.model_answer not in own]


def _cache_dir() -> Path | None:
    from interviewer.paths import resolve_paths

    try:
        return resolve_paths().cache_dir / "scorers"
    except Exception:  # no usable home directory: just do not cache
        return None


def _key(questions: list[Question], background: list[Question], config: dict) -> str:
    from interviewer import __version__

    digest = hashlib.sha256()
    digest.update(json.dumps([CACHE_FORMAT, __version__, config], sort_keys=True).encode())
    for question in questions + [None] + background:  # None separates the two lists
        if question is None:
            digest.update(b"\x00|")
            continue
        digest.update(f"{question.id}\x00{question.text}\x00{question.model_answer}\x01"
                      .encode())
    return digest.hexdigest()[:32]


def scorer_for_questions(questions: Iterable[Question]) -> AnswerScorer:
    """A fitted scorer for these questions: from memory, from the cache, or fitted now."""
    from interviewer.meaning import load_embedder

    questions = list(questions)
    background = background_for(questions)
    scorer = AnswerScorer(embedder=load_embedder())
    key = _key(questions, background, scorer.get_config())
    if key in _scorers:
        return _scorers[key]
    cache = _cache_dir()
    path = cache / f"{key}.json" if cache else None
    if path is not None and path.exists():
        try:
            scorer.set_state(json.loads(path.read_text(encoding="utf-8")))
            _scorers[key] = scorer
            return scorer
        except (OSError, ValueError, KeyError, TypeError):
            pass  # a stale or damaged cache entry: fit again and overwrite it
    scorer.fit(questions, background=background)
    _scorers[key] = scorer
    if path is not None:
        _save(path, scorer.get_state())
    return scorer


def _save(path: Path, state: dict) -> None:
    from interviewer.files import atomic_write

    with contextlib.suppress(UserError):  # a read-only or full cache costs the next start 1 s
        atomic_write(path, json.dumps(state), "the scorer cache")


def scorer_for(bank: Bank) -> AnswerScorer:
    return scorer_for_questions(bank.questions)
