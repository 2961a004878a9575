"""The responder's keys for operators: where its log goes and how big it may grow, and where
monitors ask it (``metrics_listen``). Kept apart from the rest of the schema."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from .model import ServiceConfig
from .reader import _Reader

OPERATOR_KEYS = {"log_file", "log_max_bytes", "log_backups", "log_successes_per_minute", "metrics_listen"}


class OperatorKeys(NamedTuple):
    log_file: str
    log_max_bytes: int
    log_backups: int
    log_successes_per_minute: int
    metrics_listen: tuple[str, int] | None


def _count(reader: _Reader, key: str, default: int, least: int) -> int:
    """A whole number of at least ``least`` at ``key``."""
    value: int = reader.get(key, int, default)
    if value < least:
        reader.fail(key, f"must be {least} or more")
        return default
    return value


def operator_keys(reader: _Reader, split: Callable[[str, int], tuple[str, int]]) -> OperatorKeys:
    """``log_file`` (relative to the config), its rotation, the success lines a minute, ``metrics_listen``.

    ``split`` is the schema's ``split_host_port`` (passed in: the schema imports this module).
    """
    defaults = ServiceConfig()
    given: str = reader.get("log_file", str, "")
    log_file = ""
    if given and not given.strip():
        reader.fail("log_file", "must name a file (leave it out to log to stdout)")
    elif given:
        path = (reader.path.parent / given).expanduser()
        if path.is_dir() or not path.parent.is_dir():
            reader.fail("log_file", f"{path}: is a directory" if path.is_dir() else f"{path.parent} does not exist")
        else:
            log_file = str(path)
    listen: str = reader.get("metrics_listen", str, "")
    metrics: tuple[str, int] | None = None
    if listen:
        try:
            metrics = split(listen, 0)
        except ValueError as exc:
            reader.fail("metrics_listen", str(exc))
        else:
            if not re.search(r":\d+$", listen.strip()):  # ":0" is any free port (serve says which)
                reader.fail("metrics_listen", f"{listen!r}: give the port too, like 127.0.0.1:9100")
                metrics = None
    return OperatorKeys(
        log_file=log_file,
        log_max_bytes=_count(reader, "log_max_bytes", defaults.log_max_bytes, 4096),
        log_backups=_count(reader, "log_backups", defaults.log_backups, 1),
        log_successes_per_minute=_count(reader, "log_successes_per_minute", defaults.log_successes_per_minute, 0),
        metrics_listen=metrics,
    )
