"""Build answers.yaml, the interview development set, from the hand-written answers.

    .venv/bin/python -m bench.interview.generate

Three kinds are made from what is written by hand (see RUBRIC.md):
- `other`: the `strong-short` answer of a question on a clearly different topic (grade 0);
- `stuffed`: the terms of the `list` answer scattered through about 350 words of generic talk
  that explains nothing (grade 1);
- `asr`: the `strong-long` answer with its jargon mis-heard the way Whisper tiny.en mis-hears
  it (grade as the original: it is graded on what was said).
The output is written once and committed, so every answer can be read and graded as text.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
HELD_OUT = {"devsecops-04", "devsecops-08", "devsecops-12", "devsecops-16", "devsecops-20",
            "devsecops-24"}

# the question whose strong-short answer is given to each question, on another topic
OTHER = {"01": "13", "02": "23", "03": "10", "04": "14", "05": "20", "06": "22", "07": "09",
         "08": "17", "09": "12", "10": "21", "11": "18", "12": "11", "13": "04", "14": "19",
         "15": "06", "16": "24", "17": "10", "18": "03", "19": "05", "20": "07", "21": "13",
         "22": "16", "23": "02", "24": "21"}

# How a recogniser writes jargon it does not know; none of these is an alias in the bank.
MISHEARD = {
    "gitleaks": "Git Leeks", "Trivy": "trivia", "Semgrep": "Sembrep", "CodeQL": "code cool",
    "Dependabot": "dependable bot", "Kyverno": "Kiverno", "Cosign": "cosine",
    "Falco": "Falcon", "Syft": "Swift", "SBOMs": "Esboms", "SBOM": "Esbom",
    "OIDC": "OID see", "HashiCorp": "Hashi Corp", "distroless": "Trevless",
    "pre-commit": "pre-comet", "eBPF": "e-bee PF", "tfsec": "teeth sec",
    "Checkov": "Chekhov", "Conftest": "contest", "CycloneDX": "Cyclone decks",
    "SLSA": "Sulsa", "CloudTrail": "Cloud Rail", "Log4Shell": "log for shell",
    "BuildKit": "Bill kit", "filter-repo": "filter Rapo", "Grype": "gripe", "Snyk": "sneak",
    "RBAC": "are back", "SOC 2": "sock two", "ASVS": "a SVS", "OWASP": "oh wasp",
    "OKRs": "okay Rs", "SARIF": "Sarah F", "Sigstore": "Sig store", "tmpfs": "temp FS",
    "Access Analyzer": "access analyze her", "Gatekeeper": "gate keeper",
    "mutual TLS": "mutual TLA", "Alpine": "all pine", "Renovate": "renovated",
}

FILLER = [
    "I think this is a really important question and I'm glad you asked it.",
    "In my experience a lot depends on the company and on the people involved.",
    "You always have to think about the bigger picture and what the business needs.",
    "Every organisation is different, so there is no one-size-fits-all answer.",
    "Communication is key, and so is making sure everyone is on the same page.",
    "At my last job we talked about this kind of thing quite often.",
    "It's something I'm personally very passionate about.",
    "Of course you have to balance a lot of competing priorities.",
    "I always try to stay pragmatic and not overcomplicate things.",
    "There are many ways to approach it and they all have trade-offs.",
    "Culture plays a huge part in whether anything like this succeeds.",
    "I like to keep an open mind and learn from the team as I go.",
    "It really comes down to doing the right thing at the right time.",
    "Things change very quickly in this industry, so you have to adapt.",
    "Ultimately it's about people, process and technology working together.",
    "I would want to understand the context first before deciding anything.",
    "Collaboration with other teams is something I value a lot.",
    "You can't do everything at once, so you have to start somewhere.",
    "I've seen it done well and I've seen it done badly.",
    "So overall I'd say it's a journey rather than a destination.",
]
MENTIONS = ["There's also {}.", "And {}, of course.", "{} comes into it as well.",
            "Then there's {}.", "People talk about {} too.", "Not to forget {}."]


def stuffed(terms: list[str], seed: int) -> str:
    """The terms scattered through generic talk of about 350 words."""
    rng = random.Random(seed)
    sentences, term_iter = [], iter(terms)
    while sum(len(sentence.split()) for sentence in sentences) < 350:
        sentences.append(rng.choice(FILLER))
        if rng.random() < 0.5:
            term = next(term_iter, None)
            if term is not None:
                sentences.append(rng.choice(MENTIONS).format(term))
    sentences += [rng.choice(MENTIONS).format(term) for term in term_iter]
    text = " ".join(sentences)
    return text[0].upper() + text[1:]


def misheard(text: str) -> str:
    for term in sorted(MISHEARD, key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(term)}(?![\w-])", MISHEARD[term], text)
    return text


def build() -> list[dict]:
    written = yaml.safe_load((HERE / "written.yaml").read_text(encoding="utf-8"))
    items = []
    for number, (qid, kinds) in enumerate(written.items()):
        entries = dict(kinds)
        other_id = f"devsecops-{OTHER[qid[-2:]]}"
        entries["other"] = {"grade": 0, "answer": written[other_id]["strong-short"]["answer"],
                            "note": f"the strong-short answer to {other_id}"}
        terms = [term.strip() for term in kinds["list"]["answer"].rstrip(".").split(",")]
        entries["stuffed"] = {"grade": 1, "answer": stuffed(terms, seed=number)}
        entries["asr"] = {"grade": kinds["strong-long"]["grade"],
                          "answer": misheard(kinds["strong-long"]["answer"])}
        for kind, entry in entries.items():
            item = {"id": f"{qid}/{kind}", "question": qid, "kind": kind,
                    "grade": entry["grade"],
                    "split": "held-out" if qid in HELD_OUT else "dev",
                    "answer": " ".join(entry["answer"].split())}
            if "note" in entry:
                item["note"] = entry["note"]
            items.append(item)
    return items


def main() -> None:
    items = build()
    header = ("# The interview development set: generated by bench/interview/generate.py from "
              "written.yaml;\n# grades follow RUBRIC.md. Do not edit by hand: edit "
              "written.yaml and generate again.\n")
    body = yaml.safe_dump(items, sort_keys=False, allow_unicode=True, width=100)
    (HERE / "answers.yaml").write_text(header + body, encoding="utf-8")
    print(f"wrote {len(items)} answers to {HERE / 'answers.yaml'}")


if __name__ == "__main__":
    main()
