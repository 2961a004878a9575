"""An app alert heard through another process's service (``phonetui serve`` or ``simulate``).

When that program holds the configured ``[service] listen`` address, the app's own service cannot
start; ``push --ack`` then registers its alert there and polls its acknowledgements, and so does
the app, through ``alert_desk.py``'s remote desk. What is polled goes through the same batches
(``Alerting.heard``) as what the embedded service hears, so the rows, the tally and the journal
look the same either way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx

from ..alert_desk import POLL_INTERVAL, NotPhonetui, RemoteAlertDesk
from ..alerts import Alert
from ..printable import printable

if TYPE_CHECKING:
    from .alerting import Alerting
    from .current_alert import CurrentAlert

#: How long a failed poll waits before the next (seconds): a service that went away is not hammered.
RETRY_SECONDS = 2.0


def remote_url(alerting: Alerting) -> str:
    """Where the alert goes when the app's own service is not running and another program holds its
    address (found when the app tried to start it), or "" for the app's own service."""
    app = alerting.app
    config, service = app.config.service, app.service
    if config is None or not app.service_taken or (service is not None and service.running):
        return ""
    return config.public_url


def remote_phrase(alerting: Alerting) -> str:
    """The confirmation's line when the alert goes to the other program's service, or ""."""
    url = remote_url(alerting)
    return f"\nacknowledgements are heard by the service already listening at {url} (serve, simulate)" if url else ""


def registration_problem(exc: Exception, url: str) -> str:
    """One line on why the other service would not take the alert (no traceback, no httpx link)."""
    if isinstance(exc, NotPhonetui | PermissionError):
        return printable(str(exc), 300)
    if isinstance(exc, httpx.ConnectError) and "SSL" not in str(exc):  # a certificate refused: its own words
        return f"nothing answers at {url} any more: r, then s, starts the app's own responder"
    if isinstance(exc, httpx.TimeoutException):
        return f"the service at {url} did not answer in time"
    return printable(f"the service at {url} cannot take the alert: {exc or type(exc).__name__}", 300)


def poll_problem(exc: Exception) -> str:
    """A few words on why a poll failed, for the status line (httpx's own words run to two lines)."""
    if isinstance(exc, httpx.ConnectError) and "SSL" not in str(exc):
        return "nothing answers"
    if isinstance(exc, httpx.HTTPStatusError):
        code = exc.response.status_code
        return "it no longer knows the alert: restarted?" if code == 404 else f"HTTP {code}"
    if isinstance(exc, httpx.TimeoutException):
        return "no answer in time"
    return printable(str(exc) or type(exc).__name__, 80)


class RemoteAcks:
    """The current alert's desk on another service: registering, then polling while the alert waits."""

    def __init__(self, alerting: Alerting) -> None:
        self.alerting = alerting
        #: Why the last poll failed ("" when it answered): said on the status line.
        self.problem = ""
        self._watching: str = ""  # the alert id a poller runs for
        self._registering = False

    def _open(self, url: str) -> RemoteAlertDesk:
        """A desk (its own connection pool) at ``url``, closed by whoever opened it."""
        config = self.alerting.app.config.service
        assert config is not None, "remote_url() said there is a [service] table"
        return RemoteAlertDesk(url, config.username, config.password, config.tls_cert)

    def begin(self, url: str, alert: Alert, then: Callable[[str], bool]) -> bool:
        """Register ``alert`` at ``url`` in the background; once it is taken, ``then(url)`` pushes the first
        round. False (busy) while the last alert is still being registered."""
        if self._registering:
            return False
        self._registering = True
        self.alerting.app.run_worker(self._register(url, alert, then), group="alert-desk", exit_on_error=False)
        return True

    async def _register(self, url: str, alert: Alert, then: Callable[[str], bool]) -> None:
        desk = self._open(url)
        try:
            await desk.register(alert)
        except Exception as exc:  # another program, refused credentials, gone: said in one line, nothing sent
            problem = registration_problem(exc, desk.base_url)
            self.alerting.app.notify(f"Not sent: {problem}.", severity="error", timeout=10)
            return
        finally:
            self._registering = False
            await desk.aclose()
        self.problem = ""
        if not then(desk.base_url):
            self.alerting.app.main.say_busy()

    def watch(self, current: CurrentAlert) -> None:
        """Poll ``current``'s acknowledgements until it ends (a clear, a newer alert, every phone, its time)."""
        if not current.remote or self._watching == current.id:
            return
        self._watching = current.id
        app = self.alerting.app
        app.run_worker(self._poll(current), group="alert-acks", exit_on_error=False)

    def _waiting(self, current: CurrentAlert) -> bool:
        tally = current.tally
        return (
            self.alerting.current is current
            and not current.ended
            and not tally.complete
            and not current.alert.expired()
        )

    async def _poll(self, current: CurrentAlert) -> None:
        desk = self._open(current.remote)
        try:
            while self._waiting(current):
                try:
                    acks = await desk.acknowledgements(current.id, current.seen)
                except Exception as exc:  # gone, restarted (the alert with it), garbled: said, and tried again
                    self._said(poll_problem(exc))
                    await asyncio.sleep(RETRY_SECONDS)
                    continue
                self._said("")
                current.seen += len(acks)
                for ack in acks:
                    self.alerting.heard(ack)
                await asyncio.sleep(POLL_INTERVAL)
        finally:
            if self._watching == current.id:
                self._watching = ""
            await desk.aclose()

    def _said(self, problem: str) -> None:
        if problem != self.problem:
            self.problem = problem
            self.alerting.refresh()

    def status(self, current: CurrentAlert) -> str:
        """The status line's word on where acknowledgements are heard: ``acks via http://127.0.0.1:8088``."""
        if not current.remote:
            return ""
        if self.problem and not current.ended:
            return f"acks via {current.remote}: {self.problem}"
        return f"acks via {current.remote}"
