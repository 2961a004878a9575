"""The push journal: one JSON line per event, handed to the OS as it is written.

A push writes a ``start`` record (object, targets), one ``result`` record per phone
and an ``end`` record. Each record is one ``write`` to a file opened for appending,
so a killed process loses at most the record being written; ``sync()`` (called at
the end of every push) also makes them survive a power cut. Syncing every record
would stall the event loop for a disk flush per phone. No password is ever written:
records are built from fields chosen by the caller.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class Journal:
    """Append-only JSONL file of pushes and their results."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    def _open(self) -> int:
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return self._fd

    def append(self, record: dict[str, Any], sync: bool = False) -> None:
        """Write one record as one line in a single write; fsync too when ``sync``."""
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        fd = self._open()
        os.write(fd, line.encode("utf-8"))
        if sync:
            os.fsync(fd)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def records(self) -> Iterator[dict[str, Any]]:
        """Every readable record; a torn last line (a crash mid-write) is skipped."""
        try:
            handle = self.path.open(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return
        with handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(record, dict):
                    yield record

    def pushes(self) -> list[PushRecord]:
        """Past pushes, oldest first, each with the results that reached the journal."""
        found: dict[str, PushRecord] = {}
        for record in self.records():
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
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.start.get("time", 0)))
