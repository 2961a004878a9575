"""Plain-text rendering of push results and plans for the command line."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable

from rich.cells import cell_len

from .cisco import Outcome
from .config import Phone
from .printable import fit, printable, wrapped
from .push import Delivery, PushResult

COLUMNS = (("PHONE", 16), ("ADDRESS", 21), ("OUTCOME", 12), ("STATUS", 6), ("LATENCY", 8))


def _row(values: Iterable[str], last: str) -> str:
    cells = [fit(value, width) for value, (_, width) in zip(values, COLUMNS, strict=True)]
    return "  ".join([*cells, printable(last)]).rstrip()


def table_header() -> str:
    return _row((name for name, _ in COLUMNS), "DETAIL")


def table_row(result: PushResult) -> str:
    """One line per phone, so ``grep`` finds a phone's whole story; the hint follows the detail."""
    latency = "-" if result.latency_ms is None else f"{result.latency_ms} ms"
    status = "-" if result.status is None else str(result.status)
    detail = f"{result.detail} (hint: {result.hint})" if result.hint else result.detail
    return _row((result.phone.name, result.phone.address, str(result.outcome), status, latency), detail)


def ack_row(phone: Phone, when: float, after: float) -> str:
    """One line for a phone's acknowledgement: when, and how long after the alert went out."""
    stamp = time.strftime("%H:%M:%S", time.localtime(when))
    return _row((phone.name, phone.address, "acknowledged", "-", "-"), f"at {stamp}, {after:.1f} s after the alert")


def summary(results: list[PushResult]) -> str:
    """One line: how many phones, how many ok, and the failures by outcome."""
    return outcome_summary([str(r.outcome) for r in results])


def outcome_summary(outcomes: list[str]) -> str:
    """``3 phones: 2 ok, 1 failed (1 auth-failed)``: push, screenshot and keys end with it alike."""
    counts = Counter(outcomes)
    ok = counts.pop(str(Outcome.OK), 0)
    failed = sum(counts.values())
    text = f"{len(outcomes)} phone{'s' if len(outcomes) != 1 else ''}: {ok} ok"
    if failed:
        detail = ", ".join(f"{n} {outcome}" for outcome, n in counts.most_common())
        text += f", {failed} failed ({detail})"
    return text


#: The dry run's phone column gives way to the terminal's width down to this (the push table's PHONE).
PLAN_PHONE_MIN = 16
#: The reason keeps at least this many cells before names are cut (it wraps under itself beyond).
PLAN_REASON_MIN = 40


def plan_lines(deliveries: list[Delivery], columns: int = 80) -> list[str]:
    """The delivery plan of a dry run, one phone a row, for a terminal ``columns`` cells wide.

    Address and route are as wide as their longest (an address at most 21 cells, as in the push
    table). The phone column is as wide as the longest name when the reason keeps 40 cells; else
    long names are cut with "…" (to no less than 16 cells). The reason is never cut, since it says
    what to do: it wraps under its own column.
    """
    rows = [[printable(d.phone.name), printable(d.phone.address), d.route] for d in deliveries]
    widths = [max([cell_len(row[i]) for row in rows], default=0) for i in range(3)]
    widths = [max(len(head), width) for head, width in zip(("PHONE", "ADDRESS", "ROUTE"), widths, strict=True)]
    widths[1] = min(widths[1], 21)
    room = columns - sum(widths[1:]) - 6 - PLAN_REASON_MIN
    widths[0] = min(widths[0], max(PLAN_PHONE_MIN, room))
    indent = sum(widths) + 6
    reason_width = max(20, columns - indent)

    def lines(cells: list[str], reason: str) -> list[str]:
        head = "  ".join(fit(cell, width) for cell, width in zip(cells, widths, strict=True))
        reasons = wrapped(reason, reason_width, 1_000) or [""]
        return [f"{head}  {reasons[0]}".rstrip(), *(" " * indent + more for more in reasons[1:])]

    out = lines(["PHONE", "ADDRESS", "ROUTE"], "REASON")
    for row, d in zip(rows, deliveries, strict=True):
        out += lines(row, d.reason)
    return out
