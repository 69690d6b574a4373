"""Where the application keeps its files, following each platform's conventions.

Every location can be moved with an environment variable (and the data and config locations
with a command-line flag, which wins over the variable).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "interviewer"

ENV_DATA_DIR = "INTERVIEWER_DATA_DIR"
ENV_CONFIG_FILE = "INTERVIEWER_CONFIG"
ENV_CACHE_DIR = "INTERVIEWER_CACHE_DIR"


@dataclass(frozen=True)
class AppPaths:
    data_dir: Path  # SQLite database, recordings, the log
    config_file: Path  # settings.toml
    cache_dir: Path  # derived files that can be rebuilt (converted model checkpoints, ...)
    config_named: bool = False  # the user named the settings file: it must exist

    @property
    def log_file(self) -> Path:
        return self.data_dir / "interviewer.log"


def resolve_paths(data_dir: str | Path | None = None,
                  config_file: str | Path | None = None) -> AppPaths:
    import platformdirs

    data = data_dir or os.environ.get(ENV_DATA_DIR) or platformdirs.user_data_dir(APP_NAME)
    named = config_file or os.environ.get(ENV_CONFIG_FILE)
    config = named or Path(platformdirs.user_config_dir(APP_NAME)) / "settings.toml"
    cache = os.environ.get(ENV_CACHE_DIR) or platformdirs.user_cache_dir(APP_NAME)
    return AppPaths(Path(data).expanduser(), Path(config).expanduser(),
                    Path(cache).expanduser(), config_named=bool(named))
