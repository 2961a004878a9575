"""Small rules of English the messages share."""

from __future__ import annotations

import errno
import os

from .printable import printable


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 phone``, ``2 phones``, ``0 phones``."""
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"


def names_phrase(names: list[str], shown: int = 3) -> str:
    """``sim-1, sim-2, sim-3 and 4 more`` (or ``the phone sim-1``), names drawn as they are."""
    listed = ", ".join(printable(n, 24) for n in names[:shown])
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return f"{'the phone' if len(names) == 1 else f'{len(names)} phones:'} {listed}{more}"


def listen_problem(where: str, exc: OSError) -> str:
    """Why an address cannot be listened on, in words (never Python's own message), and what to do."""
    reason = os.strerror(exc.errno) if exc.errno else (exc.strerror or "it cannot be bound")
    hint = {
        errno.EADDRINUSE: "another program holds it",
        errno.EACCES: "ports below 1024 need root or the CAP_NET_BIND_SERVICE capability",
        errno.EADDRNOTAVAIL: "that address is not one of this machine's",
    }.get(exc.errno or 0, "")
    return f"cannot listen on {where}: {reason}" + (f" ({hint})" if hint else "")
