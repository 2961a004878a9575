"""The results of a push or an alert as rows for a change ticket: CSV or JSON, one row a phone.

An alert is merged over its rounds so each phone appears once: its first ``ok`` round when
it had one (when it got the alert), else its latest round (the newest failure), with the
time of its first acknowledgement. A push is its own rows; a push that was a round of an
alert also carries that alert's acknowledgements.

Every value comes from the journal, so from outside (phone names, a phone's reply). JSON
keeps it as it is; CSV keeps it too, but a cell that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading ``'``.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from .alert_journal import acknowledgements, alert_of, alert_pushes, clock_time, iso_time, number, round_number
from .history import PushRecord
from .printable import printable

Format = Literal["csv", "json"]
FORMATS: tuple[Format, ...] = ("csv", "json")
COLUMNS = ("phone", "address", "outcome", "detail", "latency_ms", "acked_at", "push", "round", "time")
#: What a spreadsheet takes for the start of a formula (OWASP's list: the brief's four, tab and CR).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Columns that JSON writes as null when there is nothing (CSV: an empty cell).
_EMPTY_IS_NULL = ("acked_at", "push", "time")
#: An acknowledgement's time to the millisecond, as ``push --ack --json`` writes ``acked_at``.
ACK_TIMESPEC = "milliseconds"


@dataclass(frozen=True)
class ExportRow:
    """One phone's line: how its push went and when it acknowledged ('' and None when it did not)."""

    phone: str
    address: str
    outcome: str
    detail: str
    latency_ms: int | None
    acked_at: str
    push: str
    round: int | None
    time: str


def _text(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _latency(value: object) -> int | None:
    found = number(value)
    return None if found is None or found < 0 else round(found)


def _phone_results(record: PushRecord) -> dict[str, tuple[dict[str, Any], dict[str, Any] | None]]:
    """Each target (then any stray result) by name: its target entry and its result, if one came."""
    results: dict[str, dict[str, Any]] = {}
    for result in record.results:
        name = result.get("phone")
        if isinstance(name, str):
            results.setdefault(name, result)
    found: dict[str, tuple[dict[str, Any], dict[str, Any] | None]] = {}
    targets = record.start.get("targets")
    for target in targets if isinstance(targets, list) else []:
        name = target.get("phone") if isinstance(target, dict) else None
        if isinstance(name, str) and name not in found:
            found[name] = (target, results.pop(name, None))
    for name, result in results.items():
        found[name] = ({"phone": name, "host": result.get("host", "")}, result)
    return found


def _row(name: str, target: dict[str, Any], result: dict[str, Any] | None, record: PushRecord, acked: str) -> ExportRow:
    result = result or {}
    outcome = _text(result.get("outcome")) or "no result"
    return ExportRow(
        phone=name,
        address=_text(result.get("host") or target.get("host")),
        outcome=outcome,
        detail=_text(result.get("detail")),
        latency_ms=_latency(result.get("latency_ms")),
        acked_at=acked,
        push=record.push_id,
        round=round_number(record),
        time=iso_time(number(record.start.get("time"))),
    )


def push_rows(record: PushRecord, acks: dict[str, float]) -> list[ExportRow]:
    """One row per phone of one push, with the acknowledgement times given."""
    return [
        _row(name, target, result, record, iso_time(acks.get(name), ACK_TIMESPEC))
        for name, (target, result) in _phone_results(record).items()
    ]


def alert_rows(rounds: list[PushRecord], acks: dict[str, float]) -> list[ExportRow]:
    """Every round of an alert merged: each phone once, its best outcome, its first acknowledgement."""
    best: dict[str, ExportRow] = {}
    for record in rounds:
        for row in push_rows(record, acks):
            kept = best.get(row.phone)
            if kept is None or (kept.outcome != "ok" and (row.outcome == "ok" or row.outcome != "no result")):
                best[row.phone] = row
    for name, when in acks.items():  # an ack from a phone no round lists (a hand-edited journal): still its row
        if name not in best:
            best[name] = ExportRow(name, "", "no result", "", None, iso_time(when, ACK_TIMESPEC), "", None, "")
    return list(best.values())


def rows_for(
    pushes: list[PushRecord], records: Iterable[dict[str, Any]], push_id: str | None = None, alert_id: str | None = None
) -> list[ExportRow]:
    """The rows of one push (by id) or of one alert (by id); KeyError naming what was not found."""
    if alert_id is not None:
        alert_id = find_alert(pushes, alert_id)
        return alert_rows(alert_pushes(pushes, alert_id), acknowledgements(records, alert_id))
    record = find_push(pushes, push_id or "")
    alert = alert_of(record)
    return push_rows(record, acknowledgements(records, alert) if alert else {})


#: Candidates an ambiguous id names at most.
CANDIDATES_SHOWN = 10


class AmbiguousId(KeyError):
    """Several pushes or alerts begin with the id given: the user must give more of it (a usage error)."""


def _ambiguous(what: str, given: str, candidates: dict[str, PushRecord]) -> AmbiguousId:
    """``3 alerts begin with 'a': a1 (10:31), a2 (10:40), …; give more of the id``, newest first."""
    newest = sorted(candidates.items(), key=lambda item: number(item[1].start.get("time")) or 0.0, reverse=True)
    named = [f"{printable(key, 40)} ({clock_time(number(p.start.get('time')))})" for key, p in newest]
    more = f" and {len(named) - CANDIDATES_SHOWN} more" if len(named) > CANDIDATES_SHOWN else ""
    listed = ", ".join(named[:CANDIDATES_SHOWN]) + more
    return AmbiguousId(f"{len(named)} {what} begin with {given!r}: {listed}; give more of the id")


def find_push(pushes: list[PushRecord], push_id: str) -> PushRecord:
    """The push with this id, or the one id it begins (ids are 12 hex digits); KeyError otherwise
    (AmbiguousId when several begin with it)."""
    exact = [p for p in pushes if p.push_id == push_id]
    if exact:
        return exact[-1]
    begun = {p.push_id: p for p in pushes if push_id and p.push_id.startswith(push_id)}
    if len(begun) == 1:
        return next(iter(begun.values()))
    if begun:
        raise _ambiguous("pushes", push_id, begun)
    raise KeyError(f"no push {push_id!r} in the history")


def find_alert(pushes: list[PushRecord], alert_id: str) -> str:
    """The alert with this id, or the one id it begins, as ``--push`` takes a push's; KeyError otherwise
    (AmbiguousId when several begin with it). Each alert is named by its first round."""
    first: dict[str, PushRecord] = {}
    for push in pushes:
        alert = alert_of(push)
        if alert is not None:
            first.setdefault(alert, push)
    if alert_id in first:
        return alert_id
    begun = {a: p for a, p in first.items() if alert_id and a.startswith(alert_id)}
    if len(begun) == 1:
        return next(iter(begun))
    if begun:
        raise _ambiguous("alerts", alert_id, begun)
    raise KeyError(f"no alert {alert_id!r} in the history")


def guarded(value: object) -> object:
    """A cell a spreadsheet shows as text: one that begins like a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(rows: list[ExportRow]) -> str:
    """A header row, then a row a phone; empty cells for nothing (no latency, no acknowledgement)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if value is None else guarded(value) for value in asdict(row).values()])
    return out.getvalue()


def to_json(rows: list[ExportRow]) -> str:
    """One JSON array of objects, a field per column (null for nothing), values as they were."""
    data = [{key: None if value == "" and key in _EMPTY_IS_NULL else value for key, value in asdict(row).items()}
            for row in rows]  # fmt: skip
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def render(rows: list[ExportRow], fmt: Format) -> str:
    return to_csv(rows) if fmt == "csv" else to_json(rows)


def write_new(path: Path, text: str, replace: bool = False, make_folder: bool = False) -> None:
    """Write ``text`` to ``path`` whole or not at all: a temporary file beside it, then renamed.

    FileExistsError when ``path`` exists and ``replace`` is false; any OSError (a full disk,
    no permission, a missing folder) leaves no partial file behind and an existing one
    untouched. Only a regular file is ever replaced: a device, a pipe, a folder or a link
    is refused (renaming over it would put a file where it was). ``make_folder``: the
    folder is the app's own (its exports), made if need be; a folder a person named is not.
    """
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise IsADirectoryError(
            errno.EISDIR, "not a regular file: a device, pipe, folder or link is never replaced", str(path)
        )
    if path.exists() and not replace:
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path))
    if make_folder:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except FileExistsError:  # a file where the folder should be: not "the export exists"
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path.parent)) from None
    elif not path.parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, "no such folder (phonetui makes none)", str(path.parent))
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        if not replace and path.exists():
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
