"""``serve``'s end: what it answered, counted from the service's own events, said in one line at SIGTERM.

An unattended responder is stopped by systemd or an admin, not watched; the last line of its
journal says how long it ran and what the phones were told, so a stop is never a mystery.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from typing import TYPE_CHECKING

from aiohttp import web
from aiohttp.typedefs import Handler

from .cisco.limits import AUTH_AUTHORIZED, AUTH_ERROR, AUTH_UNAUTHORIZED
from .logfile import NOTICE
from .wording import plural

if TYPE_CHECKING:
    from .service import AuthEvent, Service

log = logging.getLogger("phonetui.service")
#: How long a stop waits for requests in flight before it ends them.
STOP_GRACE = 4.0
#: Then aiohttp's own shutdown: how long a request still running is waited for, twice (asked to end, then ended).
SHUTDOWN_TIMEOUT = 0.5


class InFlight:
    """The requests being answered now, so a stop waits for them (``middleware`` goes on the app).

    aiohttp's own graceful shutdown stops reading the connections it waits for: a phone still
    sending its form when the stop begins would never be answered. Here the listeners close
    first, the requests in flight finish reading and are answered, and only then is aiohttp's
    cleanup run (idle connections closed at once).
    """

    def __init__(self) -> None:
        self.count = 0
        self._idle = asyncio.Event()
        self._idle.set()

        @web.middleware
        async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
            self.count += 1
            self._idle.clear()
            try:
                return await handler(request)
            finally:
                self.count -= 1
                if not self.count:
                    self._idle.set()

        self.middleware = middleware

    async def drain(self, runner: web.BaseRunner, grace: float = STOP_GRACE) -> None:
        """Stop accepting; wait up to ``grace`` seconds for the requests in flight to be answered."""
        for site in list(runner.sites):
            await site.stop()
        with contextlib.suppress(TimeoutError):  # the cleanup after ends what is left
            await asyncio.wait_for(self._idle.wait(), grace)


def duration(seconds: float) -> str:
    """``3d 4h``, ``2h 5m``, ``7m 3s``, ``12s``: an uptime in its two largest units."""
    whole = int(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m {secs}s" if minutes else f"{secs}s"


class Tally:
    """Counts every answer a ``Service`` gives, from the moment it is attached."""

    def __init__(self, service: Service) -> None:
        self.started = time.monotonic()
        self.verdicts: Counter[str] = Counter()
        self.others: Counter[int] = Counter()
        service.listeners.append(self._verdict)
        service.request_listeners.append(self._request)

    def _verdict(self, event: AuthEvent) -> None:
        self.verdicts[event.verdict] += 1

    def _request(self, peer: str, method: str, path: str, status: int) -> None:
        self.others[status] += 1

    def summary(self, reloads: int = 0, refused: int = 0) -> str:
        """The last line of a run: how long, the phones' verdicts, other requests by status, reloads and refusals."""
        answered = sum(self.verdicts.values())
        verdicts = ", ".join(f"{self.verdicts[v]} {v}" for v in (AUTH_AUTHORIZED, AUTH_UNAUTHORIZED, AUTH_ERROR))
        others = sum(self.others.values())
        statuses = ", ".join(f"{status}: {count}" for status, count in sorted(self.others.items()))
        line = f"stopped after {duration(time.monotonic() - self.started)}: "
        line += f"{plural(answered, 'authentication')} ({verdicts}), {plural(others, 'other request')}"
        if others:
            line += f" ({statuses})"
        if reloads:
            line += f", {plural(reloads, 'reload')}" + (f", {refused} refused" if refused else "")
        return line

    def report(self, reloads: int = 0, refused: int = 0) -> str:
        """The summary, logged (``--log-file``, the journal) above any level, and returned to be printed."""
        line = self.summary(reloads, refused)
        log.log(NOTICE, "%s", line)
        return line
