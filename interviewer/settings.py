"""Settings: one table says everything about each setting.

`SETTINGS` gives each setting's name, type, default, place in the TOML file, command-line flag,
allowed range and help. From it come the `Settings` record, the reader of the settings file,
the click options of the commands that take a setting, and the settings table of
docs/settings.md (`scripts/generate_docs.py`). Precedence: defaults < settings file <
command-line flags.

A setting that may be unset (`model`, `time_limit`, ...) is None when unset, everywhere: in the
file it is simply left out.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audio.tts_engines import RATE_RANGE, VOLUME_RANGE
from interviewer.errors import UserError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def _backend_names() -> tuple[str, ...]:
    from audio.backends import backend_names

    return backend_names()


@dataclass(frozen=True)
class Setting:
    name: str  # attribute of Settings, and the click parameter name
    type: type  # str, int, float or bool
    default: Any  # None: unset unless given
    section: str | None  # TOML table, or None for the top level
    help: str
    flag: str | None = None  # "--backend"; booleans get "--x/--no-x"
    low: float | None = None  # allowed range, inclusive
    high: float | None = None
    choices: Callable[[], tuple[str, ...]] | None = None
    metavar: str | None = None
    example: Any = None  # shown in the docs' example file when the default is None
    alias: str | None = None  # a second, shorter flag

    @property
    def key(self) -> str:
        """The key in the TOML file."""
        return {"input_device": "input", "output_device": "output"}.get(self.name, self.name)

    @property
    def where(self) -> str:
        return f"{self.section}.{self.key}" if self.section else self.key

    def check(self, value: Any, where: str) -> Any:
        """`value` of the right type and in range; UserError (saying `where`) if not."""
        if value is None and self.default is None:
            return None
        kind = self.type
        ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value, ok = float(value), True
        if not ok:
            raise UserError(f"{where}: '{self.where}' should be {_describe(kind)}, not "
                            f"{value!r}")
        if kind in (int, float) and not _in_range(value, self.low, self.high):
            raise UserError(f"{where}: '{self.where}' = {value} is out of range; use "
                            f"{_range_text(self)}")
        if self.choices is not None and value not in self.choices():
            raise UserError(f"{where}: '{self.where}' = {value!r} is not one of "
                            f"{', '.join(self.choices())}")
        if kind is str and self.default is None and not value.strip():
            raise UserError(f"{where}: '{self.where}' is empty; leave the line out for "
                            f"the default")
        return value

    def click_option(self) -> Callable:
        import click

        help_text = self.help
        if self.default is not None and self.type is not bool:
            help_text += f" [default: {self.default}]"
        if self.type is bool:
            base = self.flag or f"--{self.name.replace('_', '-')}"
            return click.option(f"{base}/--no-{base[2:]}", self.name, default=None,
                                help=help_text)
        if self.choices is not None:
            kind: Any = click.Choice(self.choices())
        elif self.type is int:
            kind = click.IntRange(self.low, self.high)
        elif self.type is float:
            kind = click.FloatRange(self.low, self.high)
        else:
            kind = str
        flags = [self.flag] + ([self.alias] if self.alias else [])
        return click.option(*flags, self.name, type=kind, default=None,
                            metavar=self.metavar, help=help_text)


SETTINGS: tuple[Setting, ...] = (
    Setting("bank", str, "devsecops", None, "Question bank: a file path or the name of a "
            "bundled bank.", "--bank", metavar="PATH|NAME"),
    Setting("backend", str, "faster-whisper", "speech", "Speech-to-text backend.",
            "--backend", choices=_backend_names),
    Setting("model", str, None, "speech", "Whisper model: a name, a local folder or .pt "
            "file; unset: the bundled tiny.en.", "--model", example="/models/base.en"),
    Setting("glossary", bool, True, "speech", "Bias recognition towards the bank's terms."),
    Setting("voice", str, "en-us", "voice", "Interviewer voice: an engine (`neural`, "
            "`pyttsx3`), ENGINE:VOICE (`pyttsx3:en-gb-x-rp`), or a voice id, name or language "
            "code; `en-us` is the neural voice where it is installed, else the system's "
            "('interviewer devices --voices').", "--voice", metavar="VOICE"),
    Setting("rate", int, 165, "voice", "Speech rate, words a minute.", "--rate", *RATE_RANGE),
    Setting("volume", float, 1.0, "voice", "Speech volume.", "--volume", *VOLUME_RANGE),
    Setting("input_device", str, None, "devices", "Microphone: an index or (part of) a name "
            "from 'interviewer devices', a sound server's source included; unset: the "
            "default.", "--input-device", metavar="NAME|INDEX", example="USB",
            alias="--input"),
    Setting("output_device", str, None, "devices", "Speaker: index or part of a name; unset: "
            "the default.", "--output-device", example="2"),
    Setting("time_limit", int, None, "answers", "Seconds per answer; unset: each question's "
            "own limit.", "--time-limit", 5, 3600, example=120),
    Setting("silence_stop", float, None, "answers", "End an answer after this many silent "
            "seconds (as well as on Enter); unset: Enter only.", "--silence-stop", 0.5, 60,
            example=3.0),
    Setting("plain", bool, False, "display", "Plain output without colour or symbols, for "
            "screen readers and logs."),
)
BY_NAME = {setting.name: setting for setting in SETTINGS}
MAX_SETTINGS_BYTES = 2**20  # a settings file is a few hundred bytes
Settings = dataclasses.make_dataclass(
    "Settings", [(s.name, s.type if s.default is not None else s.type | None,
                  dataclasses.field(default=s.default)) for s in SETTINGS],
    frozen=True, namespace={
        "__doc__": "The effective settings of a command (see SETTINGS).",
        "with_overrides": lambda self, **values: dataclasses.replace(
            self, **{key: value for key, value in values.items() if value is not None}),
        "to_dict": lambda self: dataclasses.asdict(self),
    })


# ---------------------------------------------------------------------- the settings file

def load_settings(path: Path, required: bool = False) -> Settings:
    """Read the settings file. A missing file means the defaults, unless `required` (the user
    named it). UserError, with the file and line, on any problem."""
    try:
        present = path.exists()
    except OSError as error:  # a folder on the way the user cannot enter
        raise UserError(f"{path}: cannot be read ({error.strerror}); check the permissions "
                        "of its folder, or name another file with --config") from error
    if not present:
        if required:
            raise UserError(f"{path}: no such settings file (named by --config or "
                            "INTERVIEWER_CONFIG); create it or fix the path")
        return Settings()
    text = _read_settings_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UserError(f"{path}: {error}; fix the TOML syntax there") from error
    except ValueError as error:  # a number Python will not build (over 4300 digits)
        raise UserError(f"{path}: {' '.join(str(error).split())[:100]}; fix the value "
                        "there") from error
    sections = {setting.section for setting in SETTINGS if setting.section}
    top = {setting.key: setting for setting in SETTINGS if setting.section is None}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key in sections and isinstance(value, dict):
            inner_settings = {s.key: s for s in SETTINGS if s.section == key}
            for inner, inner_value in value.items():
                setting = inner_settings.get(inner)
                where = f"{path}:{_line_of(text, key, inner)}"
                if setting is None:
                    raise UserError(f"{where}: [{key}] has no setting '{inner}'"
                                    f"{_suggest(inner, inner_settings)}")
                values[setting.name] = setting.check(inner_value, where)
        elif key in top:
            values[top[key].name] = top[key].check(value, f"{path}:{_line_of(text, None, key)}")
        elif key in sections:
            raise UserError(f"{path}:{_line_of(text, None, key)}: '{key}' is a section; write "
                            f"it as [{key}] with its settings below")
        else:
            raise UserError(f"{path}:{_line_of(text, None, key)}: unknown setting '{key}'"
                            f"{_suggest(key, list(sections) + list(top))}")
    return Settings(**values)


def _read_settings_text(path: Path) -> str:
    """The settings file's text; /dev/null stands for an empty file. A FIFO or a device is
    refused without blocking, and so is a file of over MAX_SETTINGS_BYTES."""
    from interviewer.private_files import NotAFile, read_small_file

    if os.path.abspath(path) == os.devnull:
        return ""
    try:
        return read_small_file(path, MAX_SETTINGS_BYTES).decode("utf-8")
    except UnicodeDecodeError as error:
        raise UserError(f"{path}: not valid UTF-8; save it as UTF-8") from error
    except NotAFile as error:
        raise UserError(f"{path}: {error}; the settings are a TOML file") from error
    except OSError as error:
        raise UserError(f"{path}: cannot be read ({error.strerror}); check its permissions") \
            from error


def write_setting(path: Path, name: str, value: Any) -> None:
    """Set one setting in the settings file (None removes it, meaning the default), keeping
    the rest of the file, comments included. The file is replaced whole (a full disk leaves
    the old one) and private; through a symbolic link, the file it points to is."""
    import tomlkit

    from interviewer.private_files import atomic_write

    setting = BY_NAME[name]
    if value is not None:
        value = setting.check(value, str(path))
    path = Path(os.path.realpath(path))
    text = _read_settings_text(path) if path.exists() else ""
    try:
        document = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as error:
        raise UserError(f"{path}: cannot be read as TOML ({error}); fix it, or give the "
                        f"setting on each command ({setting.flag})") from error
    table: Any = document
    if setting.section is not None:
        table = document.get(setting.section)
        if table is None:
            if value is None:
                return
            table = document[setting.section] = tomlkit.table()
        elif not isinstance(table, dict):
            raise UserError(f"{path}:{_line_of(text, None, setting.section)}: "
                            f"'{setting.section}' is not a section; write it as "
                            f"[{setting.section}] with its settings below, then try again")
    if value is None:
        table.pop(setting.key, None)
    else:
        table[setting.key] = value
    atomic_write(path, tomlkit.dumps(document), "the settings")


def _line_of(text: str, section: str | None, key: str) -> int:
    """The line of `key` (in `[section]`), for messages; 1 when it cannot be found."""
    current: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"\s*\[\[?\s*([^\]]+?)\s*\]", line)
        if header:
            current = header.group(1)
            if section is None and current == key:
                return number
        elif current == section and re.match(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=", line):
            return number
    return 1


def _suggest(word: str, known) -> str:
    known = [name for name in known if name != word]
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else f"; known: {', '.join(known)}"


def _describe(kind: type) -> str:
    return {bool: "true or false", int: "a whole number", float: "a number",
            str: "text in quotes"}[kind]


def _in_range(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def _range_text(setting: Setting) -> str:
    return f"{setting.low:g} to {setting.high:g}"


# ---------------------------------------------------------------------- commands

def setting_options(*names: str) -> Callable:
    """Decorate a click command with the flags of these settings. The command then receives
    `settings`: the settings file's values with the flags given on this command line on top."""
    chosen = [BY_NAME[name] for name in names]

    def decorate(command: Callable) -> Callable:
        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            import click

            flags = {setting.name: kwargs.pop(setting.name) for setting in chosen}
            app = click.get_current_context().obj  # interviewer.context.AppContext
            base = app.settings if app is not None else Settings()
            return command(*args, settings=base.with_overrides(**flags), **kwargs)

        for setting in reversed(chosen):
            wrapper = setting.click_option()(wrapper)
        return wrapper

    return decorate


# ---------------------------------------------------------------------- documentation

def settings_markdown() -> str:
    """The settings table of docs/settings.md and an example settings file."""
    rows = ["| setting (`[section]` key) | type | default | flag | what |",
            "|---|---|---|---|---|"]
    for setting in SETTINGS:
        flag = setting.flag or f"--{setting.name.replace('_', '-')}"
        if setting.type is bool:
            flag = f"{flag}/--no-{flag[2:]}"
        if setting.alias:
            flag = f"{flag}`, `{setting.alias}"
        kind = _describe(setting.type).replace("text in quotes", "text")
        if setting.low is not None:
            kind += f", {_range_text(setting)}"
        if setting.choices is not None:
            kind = " or ".join(f"`{choice}`" for choice in setting.choices())
        default = "unset" if setting.default is None else f"`{_toml(setting.default)}`"
        rows.append(f"| `{setting.where}` | {kind} | {default} | `{flag}` | {setting.help} |")
    example = []
    for section in dict.fromkeys(setting.section for setting in SETTINGS):
        if section:
            example.append(f"[{section}]")
        for setting in SETTINGS:
            if setting.section == section:
                if setting.default is None:
                    example.append(f"# {setting.key} = {_toml(setting.example)}")
                else:
                    example.append(f"{setting.key} = {_toml(setting.default)}")
    return "\n".join(rows) + "\n\nAn example file with every default:\n\n```toml\n" + \
        "\n".join(example) + "\n```"


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)
