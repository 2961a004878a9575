"""Where ``phonetui serve`` logs: stdout (a service manager's journal) or a file rotated by size.

The responder's log is bounded by itself (``service_watch.BoundedLog``); the rotation bounds
the file even so. ``--log-file`` wins over ``[service] log_file``; ``--log-level`` applies to both.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import Callable, Iterator

from ..config import ServiceConfig
from ..logfile import LOG_FORMAT, level_number, logging_to_handler, open_rotating_log
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
