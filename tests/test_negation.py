"""Negation scopes, on short hand-written cases."""

from __future__ import annotations

import pytest

from scoring.negation import find_negation
from scoring.text import tokenize


def negated(text: str) -> str:
    tokens = tokenize(text)
    flags = find_negation(text, tokens).negated
    return " ".join(token.norm for token, flag in zip(tokens, flags, strict=True) if flag)


@pytest.mark.parametrize("text,words", [
    ("We don't rotate keys.", "rotate keys"),
    ("We never bother with key rotation, and we use Vault.", "bother with key rotation"),
    ("We don't run a scanner because it slows people down.", "run a scanner"),
    ("I wouldn't use OIDC, a static key works fine.", "use oidc"),
    ("CI signs in with OIDC instead of stored keys.", "stored keys"),
    ("Rather than a policy, I sat with the team.", "a policy"),
    ("Policy as code with OPA is overkill.", "policy as code with opa"),
    ("BuildKit secret mounts aren't worth the effort.", "buildkit secret mounts"),
    ("OIDC isn't a priority.", "oidc"),
    ("Branch protection can wait.", "branch protection"),
    ("We skip Trivy scans.", "trivy scans"),
    ("No public S3 buckets and no security groups open to the internet.",
     "public s3 buckets and security groups open to the internet"),
    ("RBAC is minimal, with anonymous access turned off.", "with anonymous access"),
    ("We disabled anonymous access.", "anonymous access"),
    ("Turn off anonymous access.", "anonymous access"),
    ("We stop trusting the internal network.", "trusting the internal network"),
    ("No request is trusted because of where it comes from.",
     "request is trusted because of where it comes from"),
])
def test_what_a_cue_negates(text, words):
    assert negated(text) == words


@pytest.mark.parametrize("text", [
    "To stop leaks we run gitleaks.",  # a goal, not a refusal
    "We not only rotate keys but also revoke them.",
    "Not to mention gitleaks on every commit.",
    "We rotate keys and run gitleaks.",
])
def test_phrases_that_only_look_negative(text):
    assert negated(text) == ""


def test_without_inside_a_negation_turns_it_back():
    assert negated("We never deploy without a Trivy scan.") == "deploy"


def test_a_new_clause_with_a_subject_ends_the_scope():
    assert negated("We don't use Vault and we rotate keys monthly.") == "use vault"
