"""Plain-text rendering of push results and plans for the command line."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable

from .cisco import Outcome
from .config import Phone
from .printable import fit, printable
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


def plan_lines(deliveries: list[Delivery]) -> list[str]:
    """The delivery plan of a dry run, one phone a line."""
    width = max((len(d.phone.name) for d in deliveries), default=5)
    lines = [f"{'PHONE'.ljust(width)}  {'ADDRESS'.ljust(21)}  {'ROUTE'.ljust(8)}  REASON"]
    for d in deliveries:
        lines.append(f"{d.phone.name.ljust(width)}  {d.phone.address.ljust(21)}  {d.route.ljust(8)}  {d.reason}")
    return lines
