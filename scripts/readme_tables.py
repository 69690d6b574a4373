"""Regenerate the README's tables that come from the code (the settings table and the lists of
speech-to-text backends and text-to-speech engines), or check that they are current.

    .venv/bin/python scripts/readme_tables.py          # rewrite README.md
    .venv/bin/python scripts/readme_tables.py --check  # exit 1 if README.md is out of date
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def generated() -> dict[str, str]:
    from audio.backends import backends_markdown
    from audio.tts_engines import engines_markdown
    from interviewer.settings import settings_markdown

    return {"settings": settings_markdown(), "backends": backends_markdown(),
            "engines": engines_markdown()}


def updated(text: str) -> str:
    for name, body in generated().items():
        pattern = re.compile(rf"(<!-- {name}: start[^>]*-->\n)(?:.*?\n)?(<!-- {name}: end -->)",
                             re.DOTALL)
        if not pattern.search(text):
            raise SystemExit(f"README.md has no '<!-- {name}: start -->' ... "
                             f"'<!-- {name}: end -->' markers")
        text = pattern.sub(lambda match, body=body: match.group(1) + body + "\n" +
                           match.group(2), text)
    return text


def main() -> int:
    readme = REPO / "README.md"
    text = readme.read_text(encoding="utf-8")
    new = updated(text)
    if "--check" in sys.argv[1:]:
        if new != text:
            print("README.md's generated tables are out of date; run "
                  "'python scripts/readme_tables.py'", file=sys.stderr)
            return 1
        return 0
    readme.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
