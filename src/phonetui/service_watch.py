"""What the responder keeps about the requests it refuses: throttles, and a log that stays small.

A flood of refused requests must not fill the disk: ``BoundedLog`` writes the first refusal of
each kind from an address in full, then only counts, and writes one summary line per address
and kind at the end of each window (``127.0.0.9: 48211 more throttled requests in the last 60 s``).
Successful authentications get a line each up to ``success_limit`` an address and window (so a phone
new to the responder is always seen, however busy the others), and at most ``SUCCESS_CEILING`` lines
a window in all (very many addresses still cannot fill the disk); beyond either they are counted too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

from aiohttp.http_exceptions import HttpProcessingError

from .printable import printable

#: Addresses a window tracks one by one; the rest of a flood from more addresses is counted together.
MAX_TRACKED = 1000
OTHERS = "other addresses"
#: Success lines a window, all addresses together: about 150 KB a minute at most.
SUCCESS_CEILING = 1000


class Throttle:
    """``limit`` failures from one address within ``window`` seconds and it is refused until they age out.

    Each endpoint has its own, so a person pressing a stale Ack key cannot lock their
    phone's address out of ``/authenticate``.
    """

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, peer: str) -> deque[float] | None:
        failures = self._failures.get(peer)
        if failures is not None:
            cutoff = self.clock() - self.window
            while failures and failures[0] < cutoff:
                failures.popleft()
        return failures

    def throttled(self, peer: str) -> bool:
        failures = self._recent(peer)
        return failures is not None and len(failures) >= self.limit

    def failed(self, peer: str) -> bool:
        """Count one failure; True when this one throttles the address."""
        if len(self._failures) > 10_000:  # forget quiet addresses; the table stays small
            for quiet in [p for p in list(self._failures) if not self._recent(p)]:
                del self._failures[quiet]
        failures = self._failures.setdefault(peer, deque(maxlen=self.limit * 2))
        failures.append(self.clock())
        return len(failures) == self.limit

    def addresses(self) -> int:
        """How many addresses are throttled now."""
        return sum(1 for peer in list(self._failures) if self.throttled(peer))


class BoundedLog:
    """Lines for ``logger``, at most a few per address and window however many requests come.

    ``start()`` runs the timer that writes each window's summaries even when the flood has
    stopped; ``close()`` stops it and writes what is left.
    """

    def __init__(
        self,
        logger: logging.Logger,
        success_limit: int = 60,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger, self.success_limit, self.window, self.clock = logger, success_limit, window, clock
        self._since = clock()
        self._seen: set[tuple[str, str]] = set()
        self._more: Counter[tuple[str, str]] = Counter()
        self._successes: Counter[str] = Counter()  # lines written this window, by address
        self._written = 0  # their sum (Counter.total() walks every address: a request must not)
        self._timer: asyncio.Task[None] | None = None

    def refusal(self, peer: str, kind: str, level: int, message: str, *args: object, **kw: Any) -> None:
        """A refused request: written in full the first time ``peer`` is refused as ``kind`` this window."""
        self._once(peer, kind, level, message, *args, **kw)

    def success(self, peer: str, kind: str, message: str, *args: object) -> None:
        """An answered request: written in full up to ``success_limit`` for ``peer`` a window, then counted.

        The window's lines for all addresses stop at ``SUCCESS_CEILING`` (or ``success_limit``, if more).
        """
        written = self._successes
        tracked = peer in written or len(written) < MAX_TRACKED
        ceiling = max(SUCCESS_CEILING, self.success_limit)
        if tracked and written[peer] < self.success_limit and self._written < ceiling:
            written[peer] += 1
            self._written += 1
            self.logger.info(message, *args)
        else:
            self._count(peer, kind)

    def _once(self, peer: str, kind: str, level: int, message: str, *args: object, **kw: Any) -> None:
        key = (peer, kind)
        if key in self._seen:
            self._count(peer, kind)
        elif len(self._seen) >= MAX_TRACKED:
            self._count(OTHERS, kind)
        else:
            self._seen.add(key)
            self.logger.log(level, message, *args, **kw)

    def _count(self, peer: str, kind: str) -> None:
        key = (peer, kind)
        if key not in self._more and len(self._more) >= MAX_TRACKED:
            key = (OTHERS, kind)
        self._more[key] += 1

    def flush(self) -> None:
        """Write the window's summaries (one line per address and kind) and open a new window."""
        seconds = max(1, round(self.clock() - self._since))
        for (peer, kind), count in sorted(self._more.items()):
            level = logging.INFO if kind in ("authorized", "answered") else logging.WARNING
            self.logger.log(level, "%s: %d more %s requests in the last %d s", peer, count, kind, seconds)
        self._more.clear()
        self._seen.clear()
        self._successes.clear()
        self._written = 0
        self._since = self.clock()

    def start(self) -> None:
        """Write each window's summaries when it ends (within a running event loop)."""
        if self._timer is None:
            self._since = self.clock()
            self._timer = asyncio.get_running_loop().create_task(self._every_window())

    async def _every_window(self) -> None:
        while True:
            await asyncio.sleep(self.window)
            self.flush()

    async def close(self) -> None:
        """Stop the timer and write what the last window counted."""
        if self._timer is not None:
            self._timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._timer
            self._timer = None
        self.flush()


class ServerComplaints(logging.Handler):
    """aiohttp's own log (a request it could not even parse) through the bounded log, one line, no traceback.

    A flood of garbage would otherwise write a traceback a request (about 1 KB each) to stderr.
    """

    def __init__(self, bounded: BoundedLog, count: Callable[[int], None]) -> None:
        super().__init__()
        self.bounded, self.count = bounded, count

    def emit(self, record: logging.LogRecord) -> None:
        exc = record.exc_info[1] if record.exc_info else None
        args = record.args if isinstance(record.args, tuple) else ()
        peer = str(args[0]) if args else "-"
        if isinstance(exc, HttpProcessingError):
            self.count(exc.code)
            what = printable(str(exc.message).strip().splitlines()[0] if str(exc.message).strip() else "", 120)
            self.bounded.refusal(peer, "malformed-http", logging.INFO, "%s malformed HTTP: %s", peer, what)
        else:  # a fault of the service's own: its traceback once a window, then counted
            self.count(500)
            self.bounded.refusal(
                peer, "server-error", logging.ERROR, "%s", record.getMessage(), exc_info=record.exc_info
            )
