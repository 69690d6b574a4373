"""Settings: defaults, overridden by the TOML settings file, overridden by command-line flags.

    # ~/.config/interviewer/settings.toml (the path `interviewer doctor` prints)
    bank = "devsecops"
    [speech]
    backend = "faster-whisper"     # or "openai-whisper"
    model = ""                     # empty: the bundled tiny.en; a name; or a folder/.pt path
    glossary = true                # bias recognition towards the bank's terms
    [voice]
    voice = "en-us"
    rate = 165                     # words a minute
    volume = 1.0
    [devices]
    input = ""                     # index or part of a name; empty: the default
    output = ""
    [answers]
    time_limit = 0                 # seconds; 0: each question's own limit
    silence_stop = 0               # end an answer after this many silent seconds; 0: Enter
    [display]
    plain = false
"""

from __future__ import annotations

import difflib
import sys
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from interviewer.errors import UserError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class Settings:
    bank: str = "devsecops"
    backend: str = "faster-whisper"
    model: str = ""
    glossary: bool = True
    voice: str = "en-us"
    rate: int = 165
    volume: float = 1.0
    input_device: str = ""
    output_device: str = ""
    time_limit: int = 0
    silence_stop: float = 0.0
    plain: bool = False

    def with_overrides(self, **values: Any) -> Settings:
        """Flags win over the file; a flag left unset (None) keeps the file's value."""
        return replace(self, **{key: value for key, value in values.items()
                                if value is not None})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# TOML layout: section -> {key in the file: field of Settings}
LAYOUT: dict[str | None, dict[str, str]] = {
    None: {"bank": "bank"},
    "speech": {"backend": "backend", "model": "model", "glossary": "glossary"},
    "voice": {"voice": "voice", "rate": "rate", "volume": "volume"},
    "devices": {"input": "input_device", "output": "output_device"},
    "answers": {"time_limit": "time_limit", "silence_stop": "silence_stop"},
    "display": {"plain": "plain"},
}
_TYPES = {field.name: field.type for field in fields(Settings)}


def load_settings(path: Path) -> Settings:
    """Read the settings file (a missing file means defaults). UserError on any problem."""
    if not path.exists():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise UserError(f"{path}: not valid UTF-8; save it as UTF-8") from error
    except tomllib.TOMLDecodeError as error:
        raise UserError(f"{path}: {error}; fix the TOML syntax there") from error
    except OSError as error:
        raise UserError(f"{path}: cannot be read ({error.strerror})") from error
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key in LAYOUT[None]:
            values[LAYOUT[None][key]] = _typed(path, key, LAYOUT[None][key], value)
        elif key in LAYOUT and isinstance(value, dict):
            section = LAYOUT[key]
            for inner, inner_value in value.items():
                if inner not in section:
                    raise UserError(f"{path}: [{key}] has no setting '{inner}'"
                                    f"{_suggest(inner, section)}")
                values[section[inner]] = _typed(path, f"{key}.{inner}", section[inner],
                                                inner_value)
        else:
            known = [name for name in LAYOUT if name] + list(LAYOUT[None])
            raise UserError(f"{path}: unknown setting '{key}'{_suggest(key, known)}")
    return Settings(**values)


def _suggest(word: str, known) -> str:
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else f"; known: {', '.join(known)}"


def _typed(path: Path, where: str, name: str, value: Any) -> Any:
    wanted = _TYPES[name]
    if wanted == "bool" and isinstance(value, bool):
        return value
    if wanted == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if wanted == "float" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if wanted == "str" and isinstance(value, str):
        return value
    raise UserError(f"{path}: '{where}' should be {_describe(wanted)}, not {value!r}")


def _describe(type_name: str) -> str:
    return {"bool": "true or false", "int": "a whole number", "float": "a number",
            "str": "text in quotes"}.get(type_name, type_name)
