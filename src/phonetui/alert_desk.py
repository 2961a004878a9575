"""Where a push registers its alert and hears the acknowledgements: this process's service, or another's.

Mirrors ``object_host.py``: ``phonetui push --ack`` starts the embedded service, or, when
``phonetui serve`` or ``simulate`` already listens at the configured address, registers the
alert there (``POST /alerts``) and reads its acknowledgements (``GET /alerts/{id}``).
No Textual and no aiohttp here (the embedded service is reached only through its object).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Protocol

import httpx

from .alerts import Acknowledgement, Alert
from .object_host import RemoteObjectHost, ServiceObjectHost
from .service_tls import client_verify

if TYPE_CHECKING:
    from .service import Service

#: How often a remote desk asks for news (seconds).
POLL_INTERVAL = 0.25


class NotPhonetui(Exception):
    """What listens at the service's address is some other program: the alert cannot be registered there."""

    def __init__(self, base_url: str) -> None:
        super().__init__(
            f"another program (not phonetui) answers at {base_url}: it cannot take the alert;"
            " stop it or change [service] listen"
        )


class AlertDesk(Protocol):
    """What a push with acknowledgements needs of the service."""

    #: The service's URL as phones reach it: the Ack keys point here.
    base_url: str

    async def register(self, alert: Alert) -> None:
        """Start taking acknowledgements for ``alert``; raises when the service will not."""
        ...

    async def acknowledgements(self, alert_id: str, since: int = 0) -> list[Acknowledgement]:
        """The acknowledgements of the alert so far, in order, from the ``since``-th on."""
        ...

    async def news(self, within: float) -> None:
        """Return when an acknowledgement may have come, or after ``within`` seconds."""
        ...


class ServiceAlertDesk:
    """The service in this process: acknowledgements are heard as they come (its listener)."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.base_url = service.url
        self._news = asyncio.Event()
        service.ack_listeners.append(self._heard)

    def _heard(self, ack: Acknowledgement) -> None:
        self._news.set()

    async def register(self, alert: Alert) -> None:
        if not self.service.alerts.register(alert):
            raise ValueError("an alert with this id exists")

    async def acknowledgements(self, alert_id: str, since: int = 0) -> list[Acknowledgement]:
        return self.service.alerts.acknowledgements(alert_id, since) or []

    async def news(self, within: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._news.wait(), within)
        self._news.clear()

    def close(self) -> None:
        with contextlib.suppress(ValueError):
            self.service.ack_listeners.remove(self._heard)


class RemoteAlertDesk:
    """A phonetui service in another process (``serve``, ``simulate``), asked over HTTP."""

    def __init__(self, base_url: str, username: str, password: str, ca_file: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self.auth = (username, password)
        verify = client_verify(self.base_url, ca_file)
        self._client = httpx.AsyncClient(trust_env=False, timeout=5.0, auth=self.auth, verify=verify)

    async def register(self, alert: Alert) -> None:
        try:
            response = await self._client.post(f"{self.base_url}/alerts", json=alert.to_json())
        except httpx.RemoteProtocolError as exc:  # it does not even speak HTTP as phonetui does
            raise NotPhonetui(self.base_url) from exc
        if response.status_code == 401:
            raise PermissionError(f"{self.base_url} refused the [service] credentials")
        if not response.is_success:  # 404, 405, 501...: httpx's own words would be two lines and a link
            raise NotPhonetui(self.base_url)

    async def acknowledgements(self, alert_id: str, since: int = 0) -> list[Acknowledgement]:
        response = await self._client.get(f"{self.base_url}/alerts/{alert_id}", params={"since": since})
        response.raise_for_status()
        rows = response.json().get("acks", [])
        return [Acknowledgement(alert_id, str(r["phone"]), float(r["time"]), "") for r in rows]

    async def news(self, within: float) -> None:
        await asyncio.sleep(min(within, POLL_INTERVAL))

    async def aclose(self) -> None:
        await self._client.aclose()


async def open_desk(host: ServiceObjectHost) -> AlertDesk:
    """The desk of the service ``host`` uses (started here, or the one already listening)."""
    chosen = await host.chosen()
    if isinstance(chosen, RemoteObjectHost):
        return RemoteAlertDesk(chosen.base_url, *chosen.auth, chosen.ca_file)
    assert host.service is not None, "an embedded host is a started service"
    return ServiceAlertDesk(host.service)


async def close_desk(desk: AlertDesk) -> None:
    if isinstance(desk, RemoteAlertDesk):
        await desk.aclose()
    elif isinstance(desk, ServiceAlertDesk):
        desk.close()
