"""What every command needs: where things are, the settings, the database (opened on demand)."""

from __future__ import annotations

from dataclasses import dataclass, field

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
            self._settings = load_settings(self.paths.config_file)
        return self._settings

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store.open(self.paths.data_dir)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
