"""The one recipe for a fitted scorer, used unchanged by the application, the benchmarks and
the tests, so that what is measured is what users get.

    recipe = ScorerRecipe(background=lambda: bundled_bank.questions, states=cache)
    scorer = recipe.scorer(bank.questions)      # fitted once per set of questions

Fitting needs scikit-learn, whose import alone takes about a second; a `StateStore` (the
caller's: scoring does no I/O) keeps fitted states so a later process can skip it. Fitted
scorers are memoised by the content of their questions, checked before anything else is
done, and at most `keep` of them are kept.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # the scorer's libraries load when a scorer is first made, not on import
    from scoring.model import TextEmbedder
    from scoring.scorer import AnswerScorer
    from scoring.types import ScorableQuestion

# Below this many model answers a bank says little about which words are common, and offers
# few examples of unrelated answers: the background questions are added to its corpus.
MIN_OWN_REFERENCES = 8
STATE_FORMAT = 3  # 3: the model answers' embedded sentences are kept too
_UNSET: Any = object()


class StateStore(Protocol):
    """Where fitted states are kept between processes (the application's cache folder)."""

    def load(self, key: str) -> dict | None: ...

    def save(self, key: str, state: dict) -> None: ...


def needs_background(questions: Sequence[ScorableQuestion]) -> bool:
    return len({question.model_answer for question in questions}) < MIN_OWN_REFERENCES


def _content_key(config: dict, *groups: Iterable[ScorableQuestion]) -> str:
    digest = hashlib.sha256(json.dumps([STATE_FORMAT, config], sort_keys=True).encode())
    for group in groups:
        digest.update(b"\x00|")  # separates the groups
        for question in group:
            digest.update(f"{question.id}\x00{question.text}\x00{question.model_answer}\x01"
                          .encode())
    return digest.hexdigest()[:32]


class ScorerRecipe:
    """Fitted `AnswerScorer`s for sets of questions.

    `background`: questions whose model answers serve as unrelated examples for a set with
    fewer than `MIN_OWN_REFERENCES` (called only when one is needed). `embedder`: a
    `TextEmbedder`, a function returning one (called once, when first needed), or None for
    TF-IDF alone; by default WordLlama's. `sentence_embedder`: likewise, the sentence model
    that reads concepts said in other words (by default the bundled MiniLM, loaded on first
    use; None: concepts are matched by their words only). `states`: where fitted states are
    kept, or None. Every other keyword is an `AnswerScorer` parameter (the benchmarks try
    variants)."""

    def __init__(self, *, background: Callable[[], Sequence[ScorableQuestion]] = tuple,
                 embedder: TextEmbedder | Callable[[], TextEmbedder | None] | None = _UNSET,
                 sentence_embedder: TextEmbedder | Callable[[], TextEmbedder | None] | None
                 = _UNSET, states: StateStore | None = None, keep: int = 8, **config: Any):
        self.background = background
        self.embedder = embedder
        self.sentence_embedder = sentence_embedder
        self.states = states
        self.keep = keep
        self.config = config
        self._memo: OrderedDict[str, AnswerScorer] = OrderedDict()
        self._lock = threading.Lock()

    def _embedder(self) -> TextEmbedder | None:
        if self.embedder is _UNSET:
            from scoring.embedding import load_embedder

            self.embedder = load_embedder
        if self.embedder is not None and not hasattr(self.embedder, "embed"):
            self.embedder = self.embedder()  # a loader: called once
        return self.embedder

    def _sentence_embedder(self) -> TextEmbedder | None:
        if self.sentence_embedder is _UNSET:
            from scoring.sentence_model import load_sentence_embedder

            self.sentence_embedder = load_sentence_embedder
        if self.sentence_embedder is not None and not hasattr(self.sentence_embedder, "embed"):
            self.sentence_embedder = self.sentence_embedder()  # a loader: called once
        return self.sentence_embedder

    def configured(self, sentences: bool = True) -> AnswerScorer:
        """A scorer with this recipe's configuration, not yet fitted. `sentences=False`: no
        sentence model (questions without curated concepts never use it, and a process that
        scores only those, such as `score --jsonl` with references, need not load it)."""
        from scoring.scorer import AnswerScorer

        return AnswerScorer(embedder=self._embedder(),
                            sentence_embedder=self._sentence_embedder() if sentences else None,
                            **self.config)

    def scorer(self, questions: Iterable[ScorableQuestion]) -> AnswerScorer:
        """The fitted scorer for these questions: from memory, from the state store, or
        fitted now."""
        questions = list(questions)
        with self._lock:
            scorer = self.configured(any(question.concepts for question in questions))
            memo_key = _content_key(scorer.get_config(), questions)
            if memo_key in self._memo:
                self._memo.move_to_end(memo_key)
                return self._memo[memo_key]
            scorer = self._fitted(scorer, questions)
            self._memo[memo_key] = scorer
            while len(self._memo) > self.keep:
                self._memo.popitem(last=False)
            return scorer

    def _fitted(self, scorer: AnswerScorer, questions: list[ScorableQuestion]) -> AnswerScorer:
        background: list[ScorableQuestion] = []
        if needs_background(questions):
            own = {question.model_answer for question in questions}
            background = [question for question in self.background()
                          if question.model_answer not in own]
        key = _content_key(scorer.get_config(), questions, background)
        state = self.states.load(key) if self.states is not None else None
        if state is not None:
            try:
                return scorer.set_state(state)
            except (ValueError, KeyError, TypeError):
                pass  # a stale or damaged state: fit again, and replace it
        scorer.fit(questions, background=background)
        if self.states is not None:
            self.states.save(key, scorer.get_state())
        return scorer
