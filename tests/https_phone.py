"""An https 'phone' on loopback for the TLS tests: certificates the tests make, every request's headers recorded."""

from __future__ import annotations

import ssl
from pathlib import Path

import tomli_w
from aiohttp import web

from phonetui.config import Phone, parse_config
from phonetui.phone_tls import fingerprint
from phonetui.sim_cucm import make_certificate

USER, PASSWORD = "pushuser", "s3cret-pw"
OK_REPLY = (
    '<?xml version="1.0"?><CiscoIPPhoneResponse><ResponseItem URL="" Data="Success" Status="0"/></CiscoIPPhoneResponse>'
)
INFO = "<DeviceInformation><modelNumber>CP-8845</modelNumber><HostName>SEP001122334455</HostName></DeviceInformation>"

OK_REPLY = (
    '<?xml version="1.0"?><CiscoIPPhoneResponse><ResponseItem URL="" Data="Success" Status="0"/></CiscoIPPhoneResponse>'
)


class RecordingPhone:
    """An https 'phone' on 127.0.0.1 that answers every push with Success and records each request's headers."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.requests: list[dict[str, str]] = []
        self.port = 0
        self._runner: web.AppRunner | None = None
        self.generation = 0
        self.cert = Path()

    def new_certificate(self) -> Path:
        self.generation += 1
        folder = self.folder / f"gen{self.generation}"
        folder.mkdir()
        self.cert, self.key = make_certificate(folder, "127.0.0.1", name="test phone", stem="phone")
        return self.cert

    @property
    def fingerprint(self) -> str:
        return fingerprint(ssl.PEM_cert_to_DER_cert(self.cert.read_text()))

    async def _any(self, request: web.Request) -> web.Response:
        self.requests.append(dict(request.headers))
        await request.read()
        if request.path == "/DeviceInformationX":
            return web.Response(text=INFO, content_type="text/xml")
        return web.Response(text=OK_REPLY, content_type="text/xml")

    async def start(self) -> None:
        """Serve with the current certificate (a new one if there is none), on the same port as before."""
        if self.generation == 0:
            self.new_certificate()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._any)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port, ssl_context=context, reuse_address=True)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()
            self._runner = None

    async def restart_with_new_certificate(self) -> None:
        await self.stop()
        self.new_certificate()
        await self.start()

    def phone(self, **keys: object) -> Phone:
        table = {"name": "desk", "host": "127.0.0.1", "port": self.port, "scheme": "https", **keys}
        raw = {"defaults": {"username": USER, "password": PASSWORD}, "phones": [table]}
        return parse_config(tomli_w.dumps(raw)).phones[0]
