"""Whether the answer explains the key terms it names, or only names them.

A candidate who says "I keep every secret in Vault and hand out short-lived credentials" has
explained something; one who says "Vault, OIDC, gitleaks, rotation" or scatters "There's also
Vault." through talk about culture has not. The test is simple and visible. A sentence
explains when it holds a word of the question's topic — a content word of the model answer or
of the question — that is not a word of any concept's name or aliases; or when it reads as
prose (at least `PROSE_WORDS` words, a quarter of them function words, which a list has not)
and either relates two concepts or holds a topic word outside the concepts it names ("if
something leaks anyway I rotate the secret"). A concept counts fully only where it is named in
an explaining sentence, and sentences that name concepts and explain none earn no similarity
points either: the similarity is measured on the rest of the answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from scoring.negation import FORWARD
from scoring.text import Token, tokenize

_SENTENCE_BREAK = re.compile(r"[.;!?\n]")
PROSE_WORDS, PROSE_FUNCTION_SHARE = 8, 0.25


def sentence_numbers(text: str, tokens: Sequence[Token]) -> list[int]:
    """The sentence of each token (a new one after . ; ! ? or a line break)."""
    numbers, current = [], 0
    for index, token in enumerate(tokens):
        if index and _SENTENCE_BREAK.search(text[tokens[index - 1].end:token.start]):
            current += 1
        numbers.append(current)
    return numbers


def topic_words(model_answer: str, question: str,
                phrases: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
    """(topic, terms): the stems of the content words of the model answer and the question
    (negation words aside), and those of them that are words of a concept's name or aliases."""
    topic = frozenset(token.stem for token in tokenize(f"{model_answer} {question}")
                      if not token.is_stop and token.norm not in FORWARD)
    terms = frozenset(token.stem for phrase in phrases for token in tokenize(phrase))
    return topic, topic & terms


class Explanation:
    """Which sentences of an answer explain something, given the question's topic words and
    where concepts were found (first and last token of each mention)."""

    def __init__(self, text: str, tokens: Sequence[Token],
                 topic: tuple[frozenset[str], frozenset[str]],
                 mentions: Sequence[tuple[int, int]] = ()):
        words, terms = topic
        self.sentence_of = sentence_numbers(text, tokens)
        named = {index for first, last in mentions for index in range(first, last + 1)}
        context = [token for token in tokens if token.stem in words
                   and token.index not in named and not token.is_stop
                   and token.norm not in FORWARD]
        self.explaining = {self.sentence_of[token.index] for token in context
                           if token.stem not in terms}
        loose = {self.sentence_of[token.index] for token in context}
        concepts_in: dict[int, int] = {}
        for first, _last in mentions:
            sentence = self.sentence_of[first]
            concepts_in[sentence] = concepts_in.get(sentence, 0) + 1
        for sentence, count in concepts_in.items():
            if (count >= 2 or sentence in loose) and self._prose(tokens, sentence):
                self.explaining.add(sentence)

    def _prose(self, tokens: Sequence[Token], sentence: int) -> bool:
        words = [token for token in tokens if self.sentence_of[token.index] == sentence]
        return len(words) >= PROSE_WORDS and \
            sum(token.is_stop for token in words) / len(words) >= PROSE_FUNCTION_SHARE

    def explains(self, first: int, last: int) -> bool:
        """Whether the mention at tokens first..last stands in an explaining sentence."""
        return any(self.sentence_of[index] in self.explaining
                   for index in range(first, last + 1))

    def withdraw_sentence(self, sentence: int) -> None:
        """The sentence explains nothing after all (the sentence model found its mentions to
        be terms dropped into talk about something else)."""
        self.explaining.discard(sentence)

    def kept_for_similarity(self, mentions: Sequence[tuple[int, int]]) -> list[bool]:
        """For each token: False when its sentence names concepts and explains none."""
        bare = {self.sentence_of[index] for first, last in mentions
                for index in range(first, last + 1)} - self.explaining
        return [sentence not in bare for sentence in self.sentence_of]
