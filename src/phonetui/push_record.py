"""What a push writes down: its journal records, and its log lines. Never a password.

Records are built from fields chosen here (the object, the targets, each result's
``as_json``); the credentials a push uses are never among them. Log lines show outside
text (phone names, a phone's reply) through ``printable``, so a name holding a newline
or an escape sequence cannot forge or garble a line of the log.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from .cisco import CiscoObject
from .printable import printable
from .push_plan import Delivery
from .push_result import PushResult
from .wording import plural

#: How much of one outside value (a name, a reply's summary) a log line shows.
LOG_VALUE = 200


def start_record(run_id: str, obj: CiscoObject, deliveries: list[Delivery]) -> dict[str, Any]:
    """The journal's ``start`` record: the object as sent, and every target with its route."""
    return {
        "event": "start",
        "push": run_id,
        "time": time.time(),
        "object": type(obj).__name__,
        "xml": next((d.object_xml.decode(d.phone.charset, "replace") for d in deliveries if d.object_xml), ""),
        "targets": [{"phone": d.phone.name, "host": d.phone.address, "mode": d.route} for d in deliveries],
    }


def result_record(run_id: str, result: PushResult) -> dict[str, Any]:
    """The journal's ``result`` record of one phone, with the first 2 KB of its reply's body."""
    record = {"event": "result", "push": run_id, "time": time.time(), **result.as_json()}
    record["body"] = result.body[:2048].decode("utf-8", "replace")
    return record


def end_record(run_id: str, cancelled: bool, interrupted: bool) -> dict[str, Any]:
    """The journal's ``end`` record: whether the push was cancelled, or stopped from outside."""
    return {"event": "end", "push": run_id, "time": time.time(), "cancelled": cancelled, "interrupted": interrupted}


def start_line(run_id: str, obj: CiscoObject, deliveries: list[Delivery]) -> str:
    """``push 1a2b3c started: CiscoIPPhoneText to 12 phones (10 direct, 2 refused)``."""
    routes = Counter(d.route for d in deliveries)
    how = ", ".join(f"{count} {route}" for route, count in routes.items())
    return f"push {run_id} started: {type(obj).__name__} to {plural(len(deliveries), 'phone')} ({how or 'none'})"


def result_line(run_id: str, result: PushResult) -> str:
    """``push 1a2b3c: 'sim-0004' 127.77.0.5:80 auth-failed (12 ms): ...`` for one phone."""
    took = f" ({result.latency_ms} ms)" if result.latency_ms is not None else ""
    name, address = printable(repr(result.phone.name), LOG_VALUE), printable(result.phone.address, LOG_VALUE)
    return f"push {run_id}: {name} {address} {result.outcome}{took}: {printable(result.detail, LOG_VALUE)}"


def end_line(run_id: str, outcomes: Counter[str], cancelled: bool, interrupted: bool) -> str:
    """``push 1a2b3c ended: 12 phones, 10 ok, 1 auth-failed, 1 refused`` (and how it was stopped)."""
    counts = ", ".join(f"{count} {outcome}" for outcome, count in outcomes.most_common())
    how = " (interrupted)" if interrupted else " (cancelled)" if cancelled else ""
    return f"push {run_id} ended{how}: {plural(outcomes.total(), 'phone')}" + (f", {counts}" if counts else "")
