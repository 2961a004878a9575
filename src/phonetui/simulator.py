"""A fleet of fake phones on loopback that behave like real ones as far as phonetui can tell.

Each phone listens on its own 127.x.y.z address (one shared port) or its own port
on 127.0.0.1. ``POST /CGI/Execute`` checks Basic credentials with the phone's
authentication URL, parses the object as strictly as a phone, runs it, and answers
the way its family does. Faults are per-phone knobs.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import random
import ssl
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Literal
from urllib.parse import unquote_to_bytes

import httpx
from aiohttp import web

from .basic_auth import parse_basic
from .cisco import (
    CLASSIC,
    FAMILIES,
    LEGACY,
    MODERN,
    CiscoIPPhoneExecute,
    CiscoIPPhoneText,
    Family,
    ObjectError,
    check_uri,
    errors,
    escape,
    parse_object,
    validate,
)
from .cisco.encode import declaration
from .cisco.limits import AUTH_AUTHORIZED, STATUS_MEANINGS

AuthMethod = Literal["GET", "POST"]
log = logging.getLogger(__name__)
FAULTS = ("offline", "black_hole", "garbled", "wrong_password", "web_off")

#: Models the fleet cycles through: (model, family).
FLEET_MODELS: tuple[tuple[str, Family], ...] = (
    ("CP-8845", MODERN),
    ("CP-7975G", CLASSIC),
    ("CP-7960G", LEGACY),
    ("CP-7841", MODERN),
    ("CP-6945", CLASSIC),
    ("CP-7940G", LEGACY),
    ("CP-8865", MODERN),
    ("CP-8961", CLASSIC),
)


@dataclass
class Screen:
    """What a simulated phone shows, and what it last ran."""

    title: str = ""
    prompt: str = ""
    text: str = ""
    softkeys: list[str] = field(default_factory=list)
    backlight: str = "Default"
    executed: list[str] = field(default_factory=list)
    pushes: int = 0
    updated: float = 0.0


@dataclass
class SimPhone:
    """One simulated phone: identity, family, where it listens, and its fault knobs."""

    name: str
    mac: str
    model: str
    family: Family
    host: str
    port: int = 0
    auth_url: str = ""
    auth_method: AuthMethod = "GET"
    latency: float = 0.0
    offline: bool = False
    black_hole: bool = False
    garbled: bool = False
    wrong_password: bool = False
    #: Web Access disabled: the phone refuses connections on its web port (pushes and probes alike).
    web_off: bool = False
    play_seconds: float = 0.05
    screen: Screen = field(default_factory=Screen)

    @property
    def devicename(self) -> str:
        return f"SEP{self.mac}"

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


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
        self._by_address: dict[tuple[str, int], SimPhone] = {}
        self._sites: dict[str, web.TCPSite] = {}
        self._runner: web.AppRunner | None = None
        self._client: httpx.AsyncClient | None = None
        self._own_clients: dict[str, httpx.AsyncClient] = {}
        self._tls: ssl.SSLContext | None = None
        self._hang = asyncio.Event()
        app = web.Application(client_max_size=256 * 1024)
        app.router.add_post("/CGI/Execute", self._execute)
        app.router.add_get("/DeviceInformationX", self._device_information)
        app.router.add_get("/sim/screen", self._screen)
        self.app = app

    @classmethod
    def fleet(
        cls,
        count: int,
        auth_url: str = "",
        *,
        base: str = "127.77.0.0",
        port: int = 0,
        per_port: bool = False,
        auth_method: AuthMethod | None = None,
    ) -> Simulator:
        """``count`` phones of mixed families, on consecutive loopback addresses.

        With ``per_port`` every phone gets its own port on 127.0.0.1 instead.
        """
        start = int(ipaddress.IPv4Address(base))
        phones = []
        for i in range(count):
            model, family = FLEET_MODELS[i % len(FLEET_MODELS)]
            host = "127.0.0.1" if per_port else str(ipaddress.IPv4Address(start + 1 + i + i // 254 * 2))
            if not ipaddress.IPv4Address(host).is_loopback:
                raise ValueError(f"{host} is outside 127.0.0.0/8; the simulator stays on loopback")
            method: AuthMethod = auth_method or "GET"  # as real phones ask (and usecallmanagernz accepts only GET)
            mac = f"0050{0x56000000 + i:08X}"
            phones.append(
                SimPhone(f"sim-{i + 1:04d}", mac, model, family, host, 0 if per_port else port, auth_url, method)
            )
        return cls(phones)

    def phone(self, name: str) -> SimPhone:
        return next(p for p in self.phones if p.name == name)

    async def start(self) -> None:
        """Bind every phone that is not offline; offline phones keep an address nobody answers on."""
        self._tls = ssl.create_default_context()
        self._client = httpx.AsyncClient(trust_env=False, timeout=self.fetch_timeout, verify=self._tls)
        runner = web.AppRunner(self.app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
        await runner.setup()
        self._runner = runner
        shared_port = next((p.port for p in self.phones if p.port), 0)
        for phone in self.phones:
            port = phone.port or (shared_port if phone.host != "127.0.0.1" else 0)
            site = web.TCPSite(runner, phone.host, port, reuse_address=True, backlog=512)
            await site.start()
            sockets = getattr(site._server, "sockets", None) or []
            phone.port = sockets[0].getsockname()[1]
            if phone.host != "127.0.0.1" and not shared_port:
                shared_port = phone.port
            self._by_address[(phone.host, phone.port)] = phone
            self._sites[phone.name] = site
        for phone in self.phones:
            if phone.offline or phone.web_off:  # stop listening: connecting now gets "connection refused"
                await self._sites.pop(phone.name).stop()
        faulty = [f"{p.name} {fault}" for p in self.phones for fault in FAULTS if getattr(p, fault)]
        log.info("%d phones started; faults: %s", len(self.phones), ", ".join(faulty) or "none")

    async def stop(self) -> None:
        self._hang.set()
        if self._runner:
            await self._runner.cleanup()
            self._runner = None
        if self._client:
            await self._client.aclose()
            self._client = None
        for client in self._own_clients.values():
            await client.aclose()
        self._own_clients.clear()

    async def __aenter__(self) -> Simulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def config(self, username: str, password: str, service: dict[str, Any] | None = None) -> dict[str, Any]:
        """A config (as TOML-ready data) listing this fleet with working push credentials."""
        phones = []
        for phone in self.phones:
            entry: dict[str, Any] = {
                "name": phone.name,
                "host": phone.host,
                "port": phone.port,
                "model": phone.model,
                "tags": [phone.family.name, f"group-{(self.phones.index(phone) % 4) + 1}"],
            }
            if phone.wrong_password:
                entry["password"] = password + "-wrong"
            phones.append(entry)
        raw: dict[str, Any] = {
            "defaults": {"username": username, "password": password, "timeout": 5.0, "connect_timeout": 2.0},
            "phones": phones,
        }
        if service:
            raw["service"] = service
        return raw

    # -- the phone's web server ------------------------------------------------------------

    def _phone_for(self, request: web.Request) -> SimPhone:
        sockname = request.transport.get_extra_info("sockname") if request.transport else None
        phone = self._by_address.get((sockname[0], sockname[1])) if sockname else None
        if phone is None:
            raise web.HTTPNotFound()
        return phone

    def client_of(self, phone: SimPhone) -> httpx.AsyncClient:
        """The phone's own HTTP client, sending from the phone's own address, as a real one does."""
        assert self._client is not None, "start() first"
        if phone.host == "127.0.0.1":
            return self._client
        client = self._own_clients.get(phone.name)
        if client is None:
            # One TLS context for all: building one per client costs ~80 ms (loading the CA
            # bundle), a minute and a half of CPU for a fleet of a thousand.
            tls = self._tls or True  # set by start(); a client made before it verifies the default way
            transport = httpx.AsyncHTTPTransport(local_address=phone.host, verify=tls)
            client = httpx.AsyncClient(transport=transport, trust_env=False, timeout=self.fetch_timeout, verify=tls)
            self._own_clients[phone.name] = client
        return client

    async def _authorized(self, phone: SimPhone, user: str, password: str) -> bool:
        fields = {"UserID": user, "Password": password, "devicename": phone.devicename}
        headers = {"x-CiscoIPPhoneModelName": phone.model, "User-Agent": "Allegro-Software-WebClient/4.34"}
        try:
            if phone.auth_method == "POST":
                answer = await self.client_of(phone).post(phone.auth_url, data=fields, headers=headers)
            else:
                answer = await self.client_of(phone).get(phone.auth_url, params=fields, headers=headers)
        except httpx.HTTPError:
            return False
        return answer.status_code == 200 and answer.content == AUTH_AUTHORIZED.encode()

    async def _execute(self, request: web.Request) -> web.StreamResponse:
        phone = self._phone_for(request)
        charset = phone.family.charset
        if phone.black_hole:
            await self._hang.wait()  # accept, never answer
            raise web.HTTPServiceUnavailable()
        if phone.latency:
            await asyncio.sleep(phone.latency)
        if "expect" in request.headers:
            return _error(6, charset)
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
        screen.softkeys = [key.name for key in obj.softkeys]
        screen.updated = time.time()

    async def _run_item(self, phone: SimPhone, url: str) -> tuple[str, int, str]:
        check = check_uri(url)
        phone.screen.executed.append(url)
        del phone.screen.executed[:-20]
        if check.kind == "http":
            return await self._fetch_and_show(phone, url)
        if check.kind != "internal" or errors(check.problems):
            return url, 1, "Invalid URI"
        if check.scheme == "Display":
            phone.screen.backlight = url.split(":")[1]
        elif check.scheme == "Play" and url != "Play:Stop":
            await asyncio.sleep(phone.play_seconds)
        return url, 0, STATUS_MEANINGS[0].capitalize()

    async def _fetch_and_show(self, phone: SimPhone, url: str) -> tuple[str, int, str]:
        try:
            answer = await self.client_of(phone).get(url, headers={"x-CiscoIPPhoneModelName": phone.model})
        except httpx.HTTPError:
            return url, 6, "URI not found"
        if answer.status_code != 200:
            return url, 6, "URI not found"
        charset = answer.charset_encoding or phone.family.charset
        try:
            obj = parse_object(answer.content, default_charset=charset)
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
        s = phone.screen
        fields = {
            "MACAddress": phone.mac,
            "HostName": phone.devicename,
            "phoneDN": str(1000 + self.phones.index(phone)),
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


__all__ = ["FAMILIES", "FLEET_MODELS", "Screen", "SimPhone", "Simulator", "form_field"]
