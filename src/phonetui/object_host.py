"""Hosting via-url objects: the protocol the push needs, a remote service, or the embedded one.

No Textual here: the command line and the TUI share it. aiohttp is imported only when
the embedded service is started (it costs a quarter of a second to import).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import httpx

from .config import ServiceConfig
from .service_tls import client_verify

if TYPE_CHECKING:
    from .service import Service


class ObjectHost(Protocol):
    """Something phones can fetch a hosted object from (the service)."""

    async def host(self, data: bytes, charset: str) -> str:
        """Host ``data`` and return the URL a phone fetches it from."""
        ...


class RemoteObjectHost:
    """Hosts objects on a phonetui service running in another process."""

    def __init__(self, base_url: str, username: str, password: str, ca_file: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self.auth = (username, password)
        #: The service's own certificate (``[service] tls_cert``) when it serves https.
        self.ca_file = ca_file

    async def host(self, data: bytes, charset: str) -> str:
        verify = client_verify(self.base_url, self.ca_file)
        async with httpx.AsyncClient(trust_env=False, timeout=5.0, verify=verify) as client:
            response = await client.post(
                f"{self.base_url}/objects", params={"charset": charset}, content=data, auth=self.auth
            )
            response.raise_for_status()
            return response.text.strip()


class ServiceObjectHost:
    """Hosts via-url objects: an embedded service, started at the first object, or the one already listening there.

    When the configured address is taken (most likely by ``phonetui serve`` or ``simulate``),
    the objects go to that service over HTTP instead.
    """

    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        self.service: Service | None = None
        self._chosen: ObjectHost | None = None

    async def chosen(self) -> ObjectHost:
        """The embedded service, started now, or the service already listening there."""
        if self._chosen is None:
            from .service import Service

            service = Service(self.config)
            try:
                await service.start()
                self.service, self._chosen = service, service
            except OSError:  # taken: most likely 'phonetui serve' or 'simulate' runs there
                config = self.config
                self._chosen = RemoteObjectHost(service.url, config.username, config.password, config.tls_cert)
        return self._chosen

    async def host(self, data: bytes, charset: str) -> str:
        return await (await self.chosen()).host(data, charset)

    async def aclose(self) -> None:
        """Stop the embedded service, if this host started one."""
        if self.service:
            await self.service.stop()
