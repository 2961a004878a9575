"""The push journal: one JSON line per event, handed to the OS as it is written.

A push writes a ``start`` record (object, targets), one ``result`` record per phone
and an ``end`` record (``cancelled``, ``interrupted``). Each record is one ``write``
to a file opened for appending, so a killed process loses at most the record being
written; ``sync()`` (called at the end of every push) also makes them survive a power
cut. Syncing every record would stall the event loop for a disk flush per phone. No
password is ever written: records are built from fields chosen by the caller.

The journal is a side duty: it never stops a push. The first time it cannot write
(a directory in its place, a read-only file, a full disk) it keeps a one-line
``problem`` for the caller to show and stops trying.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class Journal:
    """Append-only JSONL file of pushes and their results; never raises from writing."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._fd: int | None = None
        #: Why the journal stopped writing ("history not written: /path: Is a directory"), or None.
        self.problem: str | None = None

    def _open(self) -> int:
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return self._fd

    def _give_up(self, exc: Exception) -> None:
        if isinstance(exc, OSError):
            where = exc.filename if exc.filename is not None else self.path
            reason = exc.strerror or str(exc)
        else:
            where, reason = self.path, f"{type(exc).__name__}: {exc}"
        self.problem = f"history not written: {where}: {reason}"
        log.warning("%s", self.problem)
        self.close()

    def append(self, record: dict[str, Any], sync: bool = False) -> bool:
        """Write one record as one line in a single write; fsync too when ``sync``.

        False (and ``problem`` set) when it could not; after the first failure it no longer tries.
        """
        if self.problem is not None:
            return False
        try:
            data = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
            fd = self._open()
            written = os.write(fd, data)
            if written != len(data):  # a short write means the disk is full
                raise OSError(28, f"short write ({written} of {len(data)} bytes)", str(self.path))
            if sync:
                os.fsync(fd)
        except Exception as exc:  # whatever it is, the push goes on without its journal
            self._give_up(exc)
            return False
        return True

    def sync(self) -> bool:
        """Ask the OS to put what was written on disk; False (and ``problem``) if it cannot."""
        if self.problem is not None or self._fd is None:
            return self.problem is None
        try:
            os.fsync(self._fd)
        except OSError as exc:
            self._give_up(exc)
            return False
        return True

    def close(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                os.close(fd)

    def records(self) -> Iterator[dict[str, Any]]:
        """Every readable record; a torn last line (a crash mid-write) is skipped, an unreadable file is empty."""
        try:
            handle = self.path.open(encoding="utf-8", errors="replace")
        except OSError:
            return
        with handle:
            try:
                for line in handle:
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError:
                        continue
                    if isinstance(record, dict):
                        yield record
            except OSError:
                return

    def pushes(self) -> list[PushRecord]:
        """Past pushes, oldest first, each with the results that reached the journal."""
        return gather_pushes(self.records())


def gather_pushes(records: Iterable[dict[str, Any]]) -> list[PushRecord]:
    """The pushes among ``records``, oldest first: for a reader that needs the other records too
    (an alert's acknowledgements) without reading the file twice."""
    found: dict[str, PushRecord] = {}
    for record in records:
        push_id = str(record.get("push", ""))
        if record.get("event") == "start":
            found[push_id] = PushRecord(push_id, record)
        elif push_id in found:
            if record.get("event") == "result":
                found[push_id].results.append(record)
            elif record.get("event") == "end":
                found[push_id].end = record
    return list(found.values())


@dataclass
class PushRecord:
    """One past push as read back from the journal."""

    push_id: str
    start: dict[str, Any]
    results: list[dict[str, Any]] = field(default_factory=list)
    end: dict[str, Any] | None = None

    @property
    def when(self) -> str:
        """The start time, or "?" when the record's time is not a usable number (a journal is outside data)."""
        stamp = self.start.get("time")
        if not isinstance(stamp, int | float) or isinstance(stamp, bool):
            return "?"
        try:
            return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp))
        except (OverflowError, OSError, ValueError):
            return "?"

    @property
    def ended(self) -> bool:
        """The push wrote its end record (it finished, or was cancelled or interrupted in good order)."""
        return self.end is not None

    @property
    def cancelled(self) -> bool:
        """Phones were left outstanding: cancelled by the user, or interrupted (see ``interrupted``)."""
        return self.end is None or bool(self.end.get("cancelled"))

    @property
    def interrupted(self) -> bool:
        """Stopped from outside (the UI gone, a signal, a kill): no end record, or one that says so."""
        return self.end is None or bool(self.end.get("interrupted"))

    @property
    def status(self) -> str:
        """In words: done, cancelled, interrupted, or interrupted (no end record)."""
        if self.end is None:
            return "interrupted (no end record)"
        if self.interrupted:
            return "interrupted"
        return "cancelled" if self.cancelled else "done"
