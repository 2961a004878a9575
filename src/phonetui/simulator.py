"""A fleet of fake phones on loopback that behave like real ones as far as phonetui can tell.

Each phone listens on its own 127.x.y.z address (one shared port) or its own port
on 127.0.0.1. Where 127.x.y.z cannot be bound (macOS has only 127.0.0.1 on loopback)
the fleet falls back to a port each on 127.0.0.1 and says so in ``Simulator.fallback``.
``POST /CGI/Execute`` checks Basic credentials with the phone's authentication URL,
parses the object as strictly as a phone, runs it, and answers the way its family
does. Faults are per-phone knobs. Each phone also draws its screen and serves it as a
screenshot on its model's path (``simscreen.py``); ``Key:`` URIs change what it shows.
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import os
import random
import ssl
import time
from dataclasses import asdict
from typing import Any, Unpack
from urllib.parse import unquote_to_bytes

import aiohttp
from aiohttp import web

from .basic_auth import parse_basic
from .cisco import (
    FAMILIES,
    LEGACY,
    CiscoIPPhoneExecute,
    CiscoIPPhoneText,
    ObjectError,
    check_uri,
    errors,
    escape,
    parse_object,
    validate,
)
from .cisco.encode import declaration
from .cisco.limits import AUTH_AUTHORIZED, STATUS_MEANINGS
from .cisco.screens import display_for, is_mpp
from .sim_digest import DigestGate, execute_mpp
from .simphone import FAULTS, FLEET_MODELS, LOCALHOST, FleetLayout, Screen, SimPhone, fleet_config, fleet_phones
from .simpress import KeyPresser
from .simscreen import ScreenServer, press

log = logging.getLogger(__name__)


def _error(number: int, charset: str, text: str = "") -> web.Response:
    return _xml(_error_body(number, charset, text), charset)


def _xml(body: str, charset: str) -> web.Response:
    response = web.Response(body=body.encode(charset, "replace"), content_type="text/xml", charset=charset)
    response.force_close()
    return response


def form_field(body: bytes, name: bytes) -> bytes | None:
    """The raw bytes of one form field, percent-decoded, without assuming a charset."""
    for pair in body.split(b"&"):
        key, sep, value = pair.partition(b"=")
        if sep and key == name:
            return unquote_to_bytes(value.replace(b"+", b" "))
    return None


class Simulator:
    """Runs a fleet of SimPhones on loopback until ``stop()``."""

    def __init__(self, phones: list[SimPhone], fetch_timeout: float = 5.0) -> None:
        self.phones = phones
        self.fetch_timeout = fetch_timeout
        #: Why the phones listen on ports of 127.0.0.1 instead of their own addresses; "" if they do not.
        self.fallback = ""
        self._by_name = {phone.name: phone for phone in phones}
        self._by_address: dict[tuple[str, int], SimPhone] = {}
        self._sites: dict[str, web.TCPSite] = {}
        self._runner: web.AppRunner | None = None
        self._tls: ssl.SSLContext | None = None
        self._served: dict[tuple[str, str], ssl.SSLContext] = {}
        self._hang = asyncio.Event()
        self.digest = DigestGate()  # multiplatform phones' challenges
        app = web.Application(client_max_size=256 * 1024)
        app.router.add_post("/CGI/Execute", self._execute)
        app.router.add_get("/DeviceInformationX", self._device_information)
        app.router.add_get("/sim/screen", self._screen)
        ScreenServer(self).add_routes(app)
        self.presser = KeyPresser(self)  # POST /sim/press, and phones that acknowledge on their own
        self.presser.add_routes(app)
        self.app = app

    @classmethod
    def fleet(cls, count: int, auth_url: str = "", **layout: Unpack[FleetLayout]) -> Simulator:
        """``count`` phones of mixed families on consecutive loopback addresses (see ``fleet_phones``)."""
        return cls(fleet_phones(count, auth_url, **layout))

    def phone(self, name: str) -> SimPhone:
        return self._by_name[name]

    def bind_host(self, phone: SimPhone) -> str:
        """The address the phone's socket is bound to: its own (a seam for the fallback's tests)."""
        return phone.host

    async def start(self) -> None:
        """Bind every phone that is not offline; offline phones keep an address nobody answers on."""
        self._tls = ssl.create_default_context()
        for ca_file in sorted({p.auth_ca for p in self.phones if p.auth_ca}):  # a secure auth URL's certificate
            self._tls.load_verify_locations(cafile=ca_file)
        runner = web.AppRunner(self.app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
        await runner.setup()
        self._runner = runner
        try:
            await self._bind()
        except OSError as exc:
            own = [p for p in self.phones if p.host != LOCALHOST]
            if exc.errno != errno.EADDRNOTAVAIL or not own:
                raise
            first = own[0]
            reason = os.strerror(exc.errno)
            self.fallback = f"{first.host} cannot be bound here ({reason}): the phones listen on ports of {LOCALHOST}"
            await self._unbind()
            for phone in self.phones:
                phone.host, phone.port = LOCALHOST, 0
            await self._bind()
        for phone in self.phones:
            if phone.offline or phone.web_off:  # stop listening: connecting now gets "connection refused"
                await self._sites.pop(phone.name).stop()
        faulty = [f"{p.name} {fault}" for p in self.phones for fault in FAULTS if getattr(p, fault)]
        log.info("%d phones started; faults: %s", len(self.phones), ", ".join(faulty) or "none")

    async def _bind(self) -> None:
        assert self._runner is not None, "start() sets the runner up first"
        shared_port = next((p.port for p in self.phones if p.port and p.host != LOCALHOST), 0)
        for phone in self.phones:
            port = phone.port or (shared_port if phone.host != LOCALHOST else 0)
            tls = self._server_context(phone)
            site = web.TCPSite(
                self._runner, self.bind_host(phone), port, reuse_address=True, backlog=512, ssl_context=tls
            )
            await site.start()
            sockets = getattr(site._server, "sockets", None) or []
            phone.port = sockets[0].getsockname()[1]
            if phone.host != LOCALHOST and not shared_port:
                shared_port = phone.port
            self._by_address[(phone.host, phone.port)] = phone
            self._sites[phone.name] = site

    def _server_context(self, phone: SimPhone) -> ssl.SSLContext | None:
        """The phone's https context (one for each certificate), or None for plain http."""
        if not phone.cert_file:
            return None
        key = (phone.cert_file, phone.key_file)
        if key not in self._served:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(phone.cert_file, phone.key_file)
            self._served[key] = context
        return self._served[key]

    async def _unbind(self) -> None:
        for site in self._sites.values():
            await site.stop()
        self._sites.clear()
        self._by_address.clear()

    async def stop(self) -> None:
        self._hang.set()
        self.presser.stop()
        if self._runner:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Simulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def config(self, username: str, password: str, service: dict[str, Any] | None = None) -> dict[str, Any]:
        """A config (as TOML-ready data) listing this fleet with working push credentials."""
        return fleet_config(self.phones, username, password, service)

    # -- the phone's web server ------------------------------------------------------------

    def _phone_for(self, request: web.Request) -> SimPhone:
        sockname = request.transport.get_extra_info("sockname") if request.transport else None
        phone = self._by_address.get((sockname[0], sockname[1])) if sockname else None
        if phone is None:
            raise web.HTTPNotFound()
        return phone

    async def request(
        self, phone: SimPhone, method: str, url: str, fields: dict[str, str] | None = None
    ) -> tuple[int, bytes, str | None] | None:
        """The phone's own request, sent from its own address as a real one sends it.

        Status, body and charset, or None when no answer came. A session per request: a
        fleet of ten thousand holds no clients between pushes, and aiohttp's client costs
        a quarter of httpx's per request (0.55 ms vs 1.9 ms of CPU, measured), which is
        most of what a simulated phone spends on a push.
        """
        local = None if phone.host == LOCALHOST else (phone.host, 0)
        # One TLS context for all: building one costs ~80 ms (loading the CA bundle).
        connector = aiohttp.TCPConnector(local_addr=local, force_close=True, ssl=self._tls or True)
        headers = {
            "x-CiscoIPPhoneModelName": phone.model,
            "x-CiscoIPPhoneDisplay": display_for(phone.model).header,
            "User-Agent": "Allegro-Software-WebClient/4.34",
        }
        query, form = (fields, None) if method == "GET" else (None, fields)
        try:
            async with (
                aiohttp.ClientSession(
                    connector=connector, timeout=aiohttp.ClientTimeout(self.fetch_timeout)
                ) as session,
                session.request(method, url, params=query, data=form, headers=headers) as answer,
            ):
                return answer.status, await answer.read(), answer.charset
        except (aiohttp.ClientError, TimeoutError):
            return None

    async def _authorized(self, phone: SimPhone, user: str, password: str) -> bool:
        fields = {"UserID": user, "Password": password, "devicename": phone.devicename}
        answer = await self.request(phone, phone.auth_method, phone.auth_url, fields)
        return answer is not None and answer[:2] == (200, AUTH_AUTHORIZED.encode())

    async def _execute(self, request: web.Request) -> web.StreamResponse:
        phone = self._phone_for(request)
        charset = phone.family.charset
        if phone.black_hole:
            await self._hang.wait()  # accept, never answer
            raise web.HTTPServiceUnavailable()
        if phone.latency:
            await asyncio.sleep(phone.latency)
        if "expect" in request.headers:  # phones answer Error 6 to Expect: 100-continue
            return _error(6, charset)
        if "chunked" in request.headers.get("Transfer-Encoding", "").lower():  # and know no chunked bodies
            raise web.HTTPNotFound()
        if is_mpp(phone.model):
            return await execute_mpp(self, phone, request)
        credentials = parse_basic(request.headers.get("Authorization", ""))
        if credentials is None or not phone.auth_url or not await self._authorized(phone, *credentials):
            if phone.family.auth_failure == "http-401":
                raise web.HTTPUnauthorized(headers={"WWW-Authenticate": 'Basic realm="user"'})
            return _error(4, charset)
        body = await request.read()
        xml = form_field(body, b"XML")
        if xml is None:
            return _error(1, charset, "no XML field")
        if len(xml) > phone.family.size_limit:
            return _error(1, charset, f"object over {phone.family.size_limit} bytes")
        reply = await self._run(phone, xml)
        if phone.garbled:
            junk = bytes(random.randrange(256) for _ in range(48))
            return web.Response(body=b"\x00garbled\x1b" + junk, content_type="text/xml")
        return _xml(reply, charset)

    async def _run(self, phone: SimPhone, xml: bytes) -> str:
        charset = phone.family.charset
        try:
            obj = parse_object(xml, default_charset=charset)
        except ObjectError as exc:
            return _error_body(1, charset, str(exc.problems[0]))
        if errors(validate(obj, charset)):
            return _error_body(1, charset, str(errors(validate(obj, charset))[0]))
        phone.screen.pushes += 1
        if isinstance(obj, CiscoIPPhoneText):
            self._display(phone, obj)
            items = [("", 0, "Success")]
        else:
            items = [await self._run_item(phone, item.url) for item in obj.items]
            random.shuffle(items)  # phones answer in completion order, not request order
        rows = "".join(
            f'<ResponseItem URL="{escape(url)}" Data="{escape(data)}" Status="{status}"/>'
            for url, status, data in items
        )
        return f"{declaration(charset)}<CiscoIPPhoneResponse>{rows}</CiscoIPPhoneResponse>"

    def _display(self, phone: SimPhone, obj: CiscoIPPhoneText) -> None:
        screen = phone.screen
        screen.title, screen.prompt, screen.text = obj.title, obj.prompt, obj.text
        keys = sorted(obj.softkeys, key=lambda key: key.position)
        screen.softkeys = [key.name for key in keys]
        screen.softkey_urls = [key.url for key in keys]
        screen.updated = time.time()
        self.presser.shown(phone)

    async def _run_item(self, phone: SimPhone, url: str) -> tuple[str, int, str]:
        check = check_uri(url)
        phone.screen.executed.append(url)
        del phone.screen.executed[:-20]
        if check.kind == "http":
            return await self._fetch_and_show(phone, url)
        if check.kind != "internal" or errors(check.problems):
            return url, 1, "Invalid URI"
        if check.scheme in ("Key", "Init", "SoftKey"):
            done = press(phone, url)
            if isinstance(done, str):  # a softkey's URL: run as the phone runs it
                _, status, data = await self._run_item(phone, done)
                return url, status, data
            return url, *done
        if check.scheme == "Display":
            phone.screen.backlight = url.split(":")[1]
        elif check.scheme == "Play" and url != "Play:Stop":
            await asyncio.sleep(phone.play_seconds)
        return url, 0, STATUS_MEANINGS[0].capitalize()

    async def _fetch_and_show(self, phone: SimPhone, url: str) -> tuple[str, int, str]:
        answer = await self.request(phone, "GET", url)
        if answer is None or answer[0] != 200:
            return url, 6, "URI not found"
        _, content, charset = answer
        try:
            obj = parse_object(content, default_charset=charset or phone.family.charset)
        except (ObjectError, LookupError):
            return url, 6, "Parse error"
        if isinstance(obj, CiscoIPPhoneText):
            self._display(phone, obj)
        elif isinstance(obj, CiscoIPPhoneExecute):
            for item in obj.items:
                await self._run_item(phone, item.url)
        return url, 0, "Success"

    async def _device_information(self, request: web.Request) -> web.Response:
        phone = self._phone_for(request)
        if phone.latency:  # a phone's web server is as slow for this page as for a push
            await asyncio.sleep(phone.latency)
        s = phone.screen
        fields = {
            "MACAddress": phone.mac,
            "HostName": phone.devicename,
            "phoneDN": str(1000 + phone.number),
            "modelNumber": phone.model,
            "versionID": "sim-1.0",
            "ScreenTitle": s.title,
            "ScreenPrompt": s.prompt,
            "ScreenText": s.text,
        }
        charset = phone.family.charset
        if phone.family is LEGACY:  # a 79xx pads and localises, and its header disagrees with its body
            fields |= {"phoneDN": f"  {fields['phoneDN']}", "MessageWaiting": " OUI", "Location": "Zürich  "}
        inner = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in fields.items())
        body = f"{declaration(charset)}<DeviceInformation>{inner}</DeviceInformation>"
        if phone.family is not LEGACY:
            return _xml(body, charset)
        headers = {
            "Content-Type": 'text/xml; charset="utf-8"',
            "Server": "Allegro-Software-RomPager/4.34",
            "Cache-Control": "no-cache",
            "Expires": "Thu, 26 Oct 1995 00:00:00 GMT",
        }
        response = web.Response(body=body.encode(charset, "replace"), headers=headers)
        response.force_close()
        return response

    async def _screen(self, request: web.Request) -> web.Response:
        phone = self._phone_for(request)
        data = {"name": phone.name, "devicename": phone.devicename, "model": phone.model}
        data |= {"family": phone.family.name, **asdict(phone.screen)}
        return web.json_response(data, dumps=lambda d: json.dumps(d, ensure_ascii=False))


def _error_body(number: int, charset: str, text: str = "") -> str:
    content = f">{escape(text[:200])}</CiscoIPPhoneError>" if text else "/>"
    return f'{declaration(charset)}<CiscoIPPhoneError Number="{number}"{content}'


__all__ = [
    "FAMILIES",
    "FAULTS",
    "FLEET_MODELS",
    "LOCALHOST",
    "Screen",
    "SimPhone",
    "Simulator",
    "fleet_config",
    "form_field",
]
