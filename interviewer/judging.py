"""The application's scorers: the one recipe (`scoring.recipe`) with the bundled bank as
background for small banks, and fitted states kept in the user's cache folder."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from bank import BUNDLED_DEFAULT, load_bank
from interviewer.errors import UserError
from scoring.recipe import ScorerRecipe

log = logging.getLogger(__name__)


class CacheFolderStates:
    """Fitted scorer states as JSON files in a folder. An unusable folder (read-only, full,
    owned by another user after a `sudo` run) only costs fitting again: it is logged, never
    raised."""

    def __init__(self, folder: Path):
        self.folder = folder

    def load(self, key: str) -> dict | None:
        try:
            return json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            log.info("scorer cache %s not used (%s)", self.folder, error)
            return None

    def save(self, key: str, state: dict) -> None:
        from interviewer.private_files import atomic_write

        try:
            atomic_write(self.folder / f"{key}.json", json.dumps(state), "the scorer cache")
        except (UserError, OSError) as error:
            log.info("scorer cache %s not written (%s)", self.folder, error)


def bundled_background():
    return load_bank(BUNDLED_DEFAULT).questions


def scorer_recipe(cache_dir: Path | None = None, **config) -> ScorerRecipe:
    """The recipe every command uses (and the benchmarks and tests, with no cache folder);
    `config` overrides scorer parameters, for the benchmarks' comparisons."""
    states = CacheFolderStates(cache_dir / "scorers") if cache_dir is not None else None
    return ScorerRecipe(background=bundled_background, states=states, **config)
