"""What every command needs: where things are, the settings, the database, the bank and the
scorers (each made when a command first asks for it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bank import Bank, load_bank
from interviewer.paths import AppPaths
from interviewer.settings import Settings, load_settings
from interviewer.storage import Store

if TYPE_CHECKING:
    from interviewer.work import BackgroundWork
    from scoring.recipe import ScorerRecipe


@dataclass
class AppContext:
    paths: AppPaths
    _settings: Settings | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)
    _scorers: ScorerRecipe | None = field(default=None, repr=False)
    _work: BackgroundWork | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.paths.config_file,
                                           required=self.paths.config_named)
        return self._settings

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store.open(self.paths.data_dir)
        return self._store

    @property
    def scorers(self) -> ScorerRecipe:
        """Fitted scorers, kept in memory for this command and in the cache folder."""
        if self._scorers is None:
            from interviewer.judging import scorer_recipe

            self._scorers = scorer_recipe(self.paths.cache_dir)
        return self._scorers

    @property
    def work(self) -> BackgroundWork:
        """The command's background work; everything in it has ended once the command has
        (see `close`)."""
        if self._work is None:
            from interviewer.work import BackgroundWork

            self._work = BackgroundWork()
        return self._work

    def bank(self, settings: Settings | None = None) -> Bank:
        """The bank the settings name (a flag, the settings file, or the default)."""
        return load_bank((settings or self.settings).bank)

    def close(self) -> None:
        if self._work is not None:  # first: background work may still write to the store
            self._work.close()
            self._work = None
        if self._store is not None:
            self._store.close()
            self._store = None
