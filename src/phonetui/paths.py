"""Where phonetui's files live by default."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "phonetui"
CONFIG_ENV = "PHONETUI_CONFIG"
HISTORY_ENV = "PHONETUI_HISTORY"
#: The config the running command was given (``--config``): a hint that names a command to
#: paste names it too. The CLI sets it; empty means the default config, which needs no naming.
config_for_hints = ""


def default_config_path() -> Path:
    """The platform's config directory, ``phonetui/config.toml``."""
    return platformdirs.user_config_path(APP_NAME, appauthor=False) / "config.toml"


def find_config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--config``, else ``$PHONETUI_CONFIG``, else the platform config file."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    return default_config_path()


def default_history_path() -> Path:
    """``$PHONETUI_HISTORY``, else the platform state directory's ``phonetui/history.jsonl``."""
    if os.environ.get(HISTORY_ENV):
        return Path(os.environ[HISTORY_ENV])
    return platformdirs.user_state_path(APP_NAME, appauthor=False) / "history.jsonl"


#: The demo's files live in a temporary folder of this prefix, deleted when it quits.
DEMO_PREFIX = "phonetui-demo-"
