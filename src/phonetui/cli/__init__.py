"""The command line: the TUI by default, and its commands (push, probe, screenshot, discover, simulate, serve, ...).

Exit status: 0 when every phone succeeded, 1 when any failed, 2 for usage or
config errors. Errors are one clear line each on stderr (a config shows every
problem it has, one a line), never a traceback.

``parser`` holds the grammar, ``common`` what the commands share, and each command
has a module of its own (``tui``, ``push``, ``simulate``, ``serve``, ``check``).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable

from .. import __version__
from ..config import ConfigError
from .check import check_command
from .clear import clear_command
from .common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, first_run_message
from .discover import discover_command
from .dry_run import dry_run_json
from .history import history_command
from .keys import keys_command
from .logs import logging_to
from .parser import build_parser
from .probe import probe_command
from .push import build_object, push_command, push_config, select_phones
from .screenshot import screenshot_command
from .serve import serve_command
from .simulate import simulate_command
from .trust import trust_command
from .tui import make_app, tui_command

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "UsageError",
    "build_object",
    "build_parser",
    "dry_run_json",
    "first_run_message",
    "main",
    "make_app",
    "push_config",
    "select_phones",
]

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``phonetui`` command."""
    args = build_parser().parse_args(argv)
    handlers: dict[str | None, Callable[[argparse.Namespace], int]] = {
        "push": push_command,
        "clear": clear_command,
        "history": history_command,
        "probe": probe_command,
        "keys": keys_command,
        "screenshot": screenshot_command,
        "discover": discover_command,
        "simulate": simulate_command,
        "serve": serve_command,
        "check": check_command,
        "trust": trust_command,
        "demo": tui_command,
        None: tui_command,
    }
    try:
        serve = args.command == "serve"  # serve logs by itself: to stdout, or to a file it rotates
        with logging_to(None if serve else args.log_file, None if serve else args.log_level):
            log.info("phonetui %s %s", __version__, args.command or "(the app)")  # never argv: it may hold --password
            return handlers[args.command](args)
    except ConfigError as exc:
        for line in exc.lines():
            print(f"phonetui: {line}", file=sys.stderr)
        return EXIT_USAGE
    except UsageError as exc:
        for line in str(exc).splitlines() or [""]:  # several problems: a line each
            print(f"phonetui: {line}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_FAILED
    except BrokenPipeError:  # output piped into 'head' and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
