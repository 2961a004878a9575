"""Where ``phonetui serve`` logs: stdout (a service manager's journal) or a file rotated by size.

The responder's log is bounded by itself (``service_watch.BoundedLog``); the rotation bounds
the file even so. ``--log-file`` wins over ``[service] log_file``; ``--log-level`` applies to both.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import os
import sys
from collections.abc import Callable, Iterator
from typing import TextIO

from ..config import ServiceConfig
from ..logfile import LOG_FORMAT, NOTICE, level_number, logging_to_handler, open_rotating_log
from .common import UsageError


def serve_log_file(args: argparse.Namespace, config: ServiceConfig) -> str:
    """The file ``serve`` logs to ("" for stdout)."""
    return str(getattr(args, "log_file", None) or config.log_file or "")


@contextlib.contextmanager
def serve_logging(args: argparse.Namespace, config: ServiceConfig) -> Iterator[Callable[[], None]]:
    """While ``serve`` runs its log goes to the file, or to stdout; a mistake is a UsageError.

    Yields ``started``, to be called once ``serve`` has printed its "listening on" line: on
    stdout the log starts after it (that line comes first, for whoever reads the output).
    """
    try:
        level = level_number(getattr(args, "log_level", None))
    except ValueError as exc:
        raise UsageError(f"--log-level {exc}") from None
    path = serve_log_file(args, config)
    with contextlib.ExitStack() as stack:
        if path:
            try:
                handler: logging.Handler = open_rotating_log(path, config.log_max_bytes, config.log_backups)
            except OSError as exc:
                raise UsageError(f"cannot write the log file {path}: {exc.strerror or exc}") from None
            stack.enter_context(logging_to_handler(handler, level))
            yield lambda: None
            return
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter(LOG_FORMAT))

        def started() -> None:
            stack.enter_context(logging_to_handler(handler, level))

        yield started


class SturdyStdout(io.TextIOBase):
    """stdout that may go away (a closed terminal, a pipe's reader gone) without taking the responder along.

    The first failed write points the descriptor at /dev/null and says so once in the log (the file,
    if there is one): from then on nothing written to stdout fails, and every phone is still answered.
    """

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream
        self.gone = False

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                return self.stream.write(text)
            except (OSError, ValueError) as exc:
                self._lost(exc)
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self.stream.flush()
            except (OSError, ValueError) as exc:
                self._lost(exc)

    def isatty(self) -> bool:
        return not self.gone and self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    def _lost(self, exc: BaseException) -> None:
        self.gone = True
        with contextlib.suppress(OSError, ValueError):  # what is left in its buffer goes nowhere, quietly
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, self.stream.fileno())
            os.close(null)
        why = getattr(exc, "strerror", None) or exc.__class__.__name__
        logging.getLogger("phonetui.service").log(NOTICE, "stdout is gone (%s): the responder serves on", why)


@contextlib.contextmanager
def sturdy_stdout() -> Iterator[None]:
    """While ``serve`` runs, writing to a stdout that went away is never an error (see SturdyStdout)."""
    before = sys.stdout
    sys.stdout = SturdyStdout(before)
    try:
        yield
    finally:
        sys.stdout = before
