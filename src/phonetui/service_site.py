"""The responder's https listener: aiohttp's, but a handshake that fails is logged (``serve``'s admin sees why).

asyncio drops a failed server-side TLS handshake silently (not even its exception handler
hears of it), so a phone that does not trust the responder's certificate looks, from the
responder, like a phone that never asked. Here each connection's TLS is asyncio's own
protocol, told to report its failed handshake first.
"""

from __future__ import annotations

import asyncio
import ssl
from asyncio import sslproto
from typing import Any

from aiohttp import web

from .service_tls import handshake_failed


class _ReportedTls(sslproto.SSLProtocol):
    """asyncio's TLS protocol, reporting a handshake that failed (with the peer's address) before closing."""

    def _on_handshake_complete(self, handshake_exc: BaseException | type[BaseException] | None) -> None:
        if handshake_exc is not None:
            transport: Any = getattr(self, "_transport", None)
            peer = transport.get_extra_info("peername") if transport is not None else None
            handshake_failed(str(peer[0]) if peer else "a peer", handshake_exc)
        super()._on_handshake_complete(handshake_exc)  # type: ignore[arg-type]


class ReportingTlsSite(web.TCPSite):
    """A TCPSite over TLS whose failed handshakes are logged, one line a peer a minute."""

    async def start(self) -> None:
        await web.BaseSite.start(self)
        loop = asyncio.get_running_loop()
        server, context = self._runner.server, self._ssl_context
        assert server is not None and isinstance(context, ssl.SSLContext)

        def protocol() -> asyncio.BaseProtocol:
            return _ReportedTls(loop, server(), context, None, server_side=True)  # type: ignore[arg-type]

        self._server = await loop.create_server(
            protocol, self._host, self._port, backlog=self._backlog, reuse_address=self._reuse_address
        )
        sockets = self._server.sockets
        self._bound_port = sockets[0].getsockname()[1] if sockets else self._port
