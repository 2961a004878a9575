"""Small rules of English the messages share."""

from __future__ import annotations

from .printable import printable


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 phone``, ``2 phones``, ``0 phones``."""
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"


def names_phrase(names: list[str], shown: int = 3) -> str:
    """``sim-1, sim-2, sim-3 and 4 more`` (or ``the phone sim-1``), names drawn as they are."""
    listed = ", ".join(printable(n, 24) for n in names[:shown])
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return f"{'the phone' if len(names) == 1 else f'{len(names)} phones:'} {listed}{more}"
