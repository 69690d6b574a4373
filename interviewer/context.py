"""What every command needs: where things are, the settings, the database and the bank (each
opened on first use)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bank import Bank, load_bank
from interviewer.paths import AppPaths
from interviewer.settings import Settings, load_settings
from interviewer.storage import Store


@dataclass
class AppContext:
    paths: AppPaths
    _settings: Settings | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)

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

    def bank(self, settings: Settings | None = None) -> Bank:
        """The bank the settings name (a flag, the settings file, or the default)."""
        return load_bank((settings or self.settings).bank)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
