"""Where phonetui's log goes when asked: a file, with a clear format. Never the terminal
(but for ``serve``'s stdout, where a service manager keeps it: ``cli/serve_log.py``).

The library only logs (``logging.getLogger(__name__)`` in each module) and, by itself,
writes nothing. ``logging_to_file`` gives the ``phonetui`` logger a file for as long as
a command runs: the command line calls it for ``--log-file``, and a process phonetui
starts for itself (the TUI's push process) calls it with the same two values.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
from collections.abc import Iterator
from typing import Any

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
#: Above every level ``--log-level`` can name: what an operator relies on (``serve``'s start, its
#: reloads, its stop) is written whatever the level. Named once, for the format's ``%(levelname)s``.
NOTICE = 45
logging.addLevelName(NOTICE, "NOTICE")
DEFAULT_LEVEL = "INFO"
#: ``2025-01-31 10:00:00,123 INFO phonetui.push: push 1a2b3c started: ...``
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: Every module's logger is a child of this one (``phonetui.push``, ``phonetui.service``, ...).
PACKAGE_LOGGER = __name__.partition(".")[0]


def level_number(text: str | None) -> int:
    """The level ``text`` names, in any case (INFO when None); ValueError for any other word."""
    name = (text or DEFAULT_LEVEL).strip().upper()
    if name not in LEVELS:
        raise ValueError(f"{text!r}: must be one of {', '.join(LEVELS)}")
    return logging.getLevelNamesMapping()[name]


def open_log_file(path: str) -> logging.FileHandler:
    """A handler appending to ``path`` (made readable by its owner only, if new); OSError if it cannot."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
    handler = logging.FileHandler(path, mode="a", encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    return handler


def _private(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Every file it makes, the first and each one a rotation starts, is its owner's alone (0600).

    The standard handler opens a new file with the umask's mode (0644, often): the log names
    users and addresses, and must not become readable to all at its first rotation.
    """

    def _open(self) -> Any:
        return open(self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors, opener=_private)


def open_rotating_log(path: str, max_bytes: int, backups: int) -> logging.handlers.RotatingFileHandler:
    """A handler appending to ``path`` that starts a new file past ``max_bytes``, keeping ``backups`` old ones."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
    handler = PrivateRotatingFileHandler(path, "a", max_bytes, backups, encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    return handler


@contextlib.contextmanager
def logging_to_handler(handler: logging.Handler, level: int) -> Iterator[None]:
    """Within the block, phonetui's log goes to ``handler`` at ``level``; the handler is closed after."""
    logger = logging.getLogger(PACKAGE_LOGGER)
    before = logger.level
    logger.addHandler(handler)
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(before)
        handler.close()


@contextlib.contextmanager
def logging_to_file(path: str, level: str | None = None) -> Iterator[None]:
    """Within the block, phonetui's log is appended to ``path`` at ``level`` (INFO when None).

    ValueError for a level that is none; OSError when the file cannot be opened for writing.
    """
    number = level_number(level)
    with logging_to_handler(open_log_file(path), number):
        yield


def current_log_options() -> list[str]:
    """``--log-file F --log-level L`` for a process phonetui starts, when this one logs to a file; else []."""
    logger = logging.getLogger(PACKAGE_LOGGER)
    for handler in logger.handlers:
        if isinstance(handler, logging.FileHandler):
            return ["--log-file", handler.baseFilename, "--log-level", logging.getLevelName(logger.level)]
    return []
