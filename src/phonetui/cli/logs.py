"""``--log-file`` and ``--log-level``: the one place the command line sets up phonetui's log.

Only ever a file (``phonetui.logfile``): the TUI draws on the terminal, and the other
commands' output is their own. No ``--log-file``, no log.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from ..logfile import logging_to_file
from .common import UsageError


@contextlib.contextmanager
def logging_to(path: str | None, level: str | None) -> Iterator[None]:
    """While the command runs, phonetui's log goes to ``path`` at ``level``; without a path, nowhere.

    A mistake (a level without a file, a level that is none, a file that cannot be
    written) is a UsageError: one line, exit status 2.
    """
    if path is None:
        if level is not None:
            raise UsageError("--log-level needs --log-file FILE: phonetui logs only to a file")
        yield
        return
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(logging_to_file(path, level))
        except ValueError as exc:
            raise UsageError(f"--log-level {exc}") from None
        except OSError as exc:
            raise UsageError(f"cannot write the log file {path}: {exc.strerror or exc}") from None
        yield
