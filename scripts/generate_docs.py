"""Regenerate the parts of the documentation that come from the code or from the benchmark's
saved results, or check that they are current.

    .venv/bin/python scripts/generate_docs.py          # rewrite them
    .venv/bin/python scripts/generate_docs.py --check  # exit 1 if any is out of date

- docs/settings.md: the settings table (interviewer/settings.py);
- docs/speech.md: the speech-to-text backends (audio/backends.py) and the text-to-speech
  engines (audio/tts_engines.py);
- docs/benchmarks.md and the README's line of figures: docs/benchmarks.json, the saved
  output of `python -m bench --json`.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
RESULTS = REPO / "docs" / "benchmarks.json"


def _results() -> dict:
    return json.loads(RESULTS.read_text(encoding="utf-8"))


def _settings() -> str:
    from interviewer.settings import settings_markdown

    return settings_markdown()


def _backends() -> str:
    from audio.backends import backends_markdown

    return backends_markdown()


def _engines() -> str:
    from audio.tts_engines import engines_markdown

    return engines_markdown()


def _headline() -> str:
    from bench.docs import headline_sentence

    return headline_sentence(_results())


# file -> {marker name: what goes between its markers}
MARKED: dict[str, dict[str, Callable[[], str]]] = {
    "README.md": {"figures": _headline},
    "docs/settings.md": {"settings": _settings},
    "docs/speech.md": {"backends": _backends, "engines": _engines},
}


def updated(text: str, parts: dict[str, Callable[[], str]], name: str) -> str:
    for marker, make in parts.items():
        pattern = re.compile(rf"(<!-- {marker}: start[^>]*-->\n)(?:.*?\n)?(<!-- {marker}: end "
                             r"-->)", re.DOTALL)
        if not pattern.search(text):
            raise SystemExit(f"{name} has no '<!-- {marker}: start -->' ... "
                             f"'<!-- {marker}: end -->' markers")
        body = make()
        text = pattern.sub(lambda match, body=body: match.group(1) + body + "\n" +
                           match.group(2), text)
    return text


def wanted() -> dict[Path, str]:
    """Every generated file's expected text."""
    from bench.docs import benchmarks_markdown

    files = {}
    for name, parts in MARKED.items():
        path = REPO / name
        files[path] = updated(path.read_text(encoding="utf-8"), parts, name)
    files[REPO / "docs" / "benchmarks.md"] = benchmarks_markdown(_results())
    return files


def main() -> int:
    stale = []
    for path, text in wanted().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if "--check" in sys.argv[1:]:
            stale.append(str(path.relative_to(REPO)))
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print(f"out of date: {', '.join(stale)}; run 'python scripts/generate_docs.py'",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
