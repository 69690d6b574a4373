"""`interviewer model list | get NAME | use NAME|PATH`: the Whisper models, fetched and chosen."""

from __future__ import annotations

from pathlib import Path

import click

from interviewer.errors import UserError
from interviewer.output import make_console, print_json, printable, shown


@click.group("model")
def model() -> None:
    """The Whisper models: the bundled tiny.en and larger ones fetched on request.

    \b
    Examples:
      interviewer model list
      interviewer model get base.en
      interviewer model use base.en
      interviewer model use /media/usb/faster-whisper-small.en
    """


@model.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@click.pass_obj
def list_models(app, as_json) -> None:
    """The models this tool knows, which are installed, and which one is in use."""
    rows = model_rows(app)
    if as_json:
        print_json({"models": rows, "in_use": app.settings.model or "tiny.en"})
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False, show_edge=False)
    for column in ("", "model", "size", "status", "note"):
        table.add_column(column, justify="right" if column == "size" else "left")
    for row in rows:
        # a model path from the settings is shown as written: "[/]" or ESC in it is text
        table.add_row("*" if row["in_use"] else "", shown(row["name"]),
                      f"{row['size_mb']} MB" if row["size_mb"] else "-", shown(row["status"]),
                      shown(row["note"]))
    console = make_console()
    console.print(table)
    console.print("\n* in use. 'interviewer model get NAME' fetches one, 'interviewer model "
                  "use NAME' chooses it; 'interviewer doctor' times the installed ones.",
                  markup=False)


def model_rows(app) -> list[dict]:
    from audio.catalogue import CATALOGUE, installed_path

    current = app.settings.model or "tiny.en"
    rows = []
    for entry in CATALOGUE:
        folder = None if entry.bundled else installed_path(entry.name, app.paths.cache_dir)
        status = "bundled" if entry.bundled else "installed" if folder else "not installed"
        rows.append({"name": entry.name, "size_mb": entry.size_mb, "status": status,
                     "path": str(folder) if folder else None, "note": entry.note,
                     "in_use": current == entry.name})
    if not any(row["in_use"] for row in rows):  # a folder of the user's own
        path = Path(current).expanduser()
        rows.append({"name": current, "size_mb": None,
                     "status": "local folder" if path.exists() else "missing",
                     "path": str(path), "note": "chosen with 'model use' or --model",
                     "in_use": True})
    return rows


@model.command("get")
@click.argument("name")
@click.pass_obj
def get(app, name) -> None:
    """Fetch a model into the cache (resumable; checked; used only once whole)."""
    from audio.catalogue import CATALOGUE, catalogue_model
    from audio.download import fetch_model

    entry = catalogue_model(name)
    if entry is None:
        known = ", ".join(item.name for item in CATALOGUE)
        raise UserError(f"unknown model '{name}'; choose one of {known}, or use a folder of "
                        "your own with 'interviewer model use PATH'")
    if entry.bundled:
        click.echo(f"{name} is bundled: nothing to fetch.")
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                  TransferSpeedColumn(), console=make_console(stderr=True),
                  transient=True) as bar:
        tasks: dict[str, int] = {}

        def progress(file: str, done: int, total: int | None) -> None:
            if file not in tasks:
                tasks[file] = bar.add_task(f"{name}/{file}", total=total)
            bar.update(tasks[file], completed=done)

        fetched = fetch_model(entry, app.paths.cache_dir, progress)
    size = sum(path.stat().st_size for path in fetched.folder.iterdir()) / 1e6
    if fetched.unchecked:  # a mirror that announces no SHA-256 (nor does the catalogue)
        checked = (f"sizes checked; no checksum was offered for "
                   f"{', '.join(fetched.unchecked)}, so those were not checked")
    else:
        checked = "size and SHA-256 of every file checked"
    click.echo(f"{name} is installed in {fetched.folder} ({size:.0f} MB; {checked}). Use it: "
               f"interviewer model use {name}")


@model.command("use")
@click.argument("name_or_path")
@click.pass_obj
def use(app, name_or_path) -> None:
    """Choose the model every command uses (written to the settings file)."""
    from audio.catalogue import catalogue_model, installed_path
    from audio.models import BUNDLED_ALIASES

    value: str | None = name_or_path
    entry = catalogue_model(name_or_path)
    if name_or_path in BUNDLED_ALIASES:
        value, chosen = None, "the bundled tiny.en"
    elif entry is not None:
        if installed_path(entry.name, app.paths.cache_dir) is None:
            raise UserError(f"{entry.name} is not installed; fetch it with 'interviewer model "
                            f"get {entry.name}', or copy a model folder and give its path")
        chosen = entry.name
    else:
        folder = Path(name_or_path).expanduser().resolve()
        problem = _not_a_model(folder)
        if problem:
            raise UserError(f"{name_or_path}: {problem}; give a faster-whisper model folder "
                            "(model.bin, config.json, tokenizer.json) or the name of one "
                            "from 'interviewer model list'")
        value, chosen = str(folder), str(folder)
    from interviewer.settings import write_setting

    write_setting(app.paths.config_file, "model", value)
    click.echo(printable(f"Using {chosen} from now on (set in {app.paths.config_file})."))


def _not_a_model(folder: Path) -> str | None:
    if not folder.exists():
        return "no such folder"
    if folder.is_file():
        return None if folder.suffix == ".pt" else "not a model folder or .pt checkpoint"
    missing = [name for name in ("model.bin", "config.json", "tokenizer.json")
               if not (folder / name).is_file()]
    if missing:
        return f"not a model folder (no {', '.join(missing)})"
    from audio.catalogue import damaged_model_file

    return damaged_model_file(folder)
