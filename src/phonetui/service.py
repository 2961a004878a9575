"""The embedded HTTP service: the phones' authentication URL, hosted objects, alerts.

``/authenticate`` answers a phone's question "are these push credentials good?"
with exactly ``AUTHORIZED``, ``UN-AUTHORIZED`` or ``ERROR``. ``/objects/<token>``
serves objects too large to push directly; ``/ack/<alert>/<token>`` takes a phone's
acknowledgement of an alert (``service_alerts.py``). Runs inside any asyncio program.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

from .alerts import Acknowledgement, AlertBook
from .basic_auth import parse_basic
from .cisco.limits import AUTH_AUTHORIZED, AUTH_ERROR, AUTH_UNAUTHORIZED
from .config import ServiceConfig
from .printable import printable
from .service_alerts import AlertRoutes
from .service_site import ReportingTlsSite
from .service_stop import SHUTDOWN_TIMEOUT, InFlight
from .service_tls import server_context

if TYPE_CHECKING:
    import ssl

    from .cucm_verdict import CucmVerdicts

MAX_REQUEST_BYTES = 64 * 1024
#: Wrong credentials from one address this many times within THROTTLE_WINDOW seconds
#: and that address is refused outright (and logged) until the window has passed.
THROTTLE_FAILURES = 10
THROTTLE_WINDOW = 60.0
log = logging.getLogger(__name__)
_CONTENT_TYPES = {"utf-8": "text/xml; charset=UTF-8", "iso-8859-1": "text/xml; charset=ISO-8859-1"}


@dataclass(frozen=True)
class AuthEvent:
    """One authentication request as the service answered it; never the password."""

    time: float
    peer: str
    method: str
    devicename: str
    user: str
    verdict: str
    reason: str

    def line(self) -> str:
        stamp = time.strftime("%H:%M:%S", time.localtime(self.time))
        device = self.devicename or "-"
        return f"{stamp} {self.peer} {device} user={self.user or '-'} {self.verdict} ({self.reason})"


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison of two strings."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


SERVER_HEADER = {"Server": "phonetui"}


def _plain(body: str) -> web.Response:
    response = web.Response(body=body.encode("ascii"), content_type="text/plain", headers=SERVER_HEADER)
    response.force_close()
    return response


class Service:
    """The responder and object host; ``start()`` binds, ``stop()`` frees the port."""

    def __init__(self, config: ServiceConfig, on_event: Callable[[AuthEvent], None] | None = None) -> None:
        self.config = config
        self.listeners: list[Callable[[AuthEvent], None]] = [on_event] if on_event else []
        self.request_listeners: list[Callable[[str, str, str, int], None]] = []
        #: The alerts phones acknowledge here; each listener hears every new acknowledgement.
        self.alerts = AlertBook()
        self.ack_listeners: list[Callable[[Acknowledgement], None]] = []
        self.events: deque[AuthEvent] = deque(maxlen=1000)
        self.counters: Counter[str] = Counter()
        self._objects: dict[str, tuple[bytes, str, float]] = {}
        self._failures: dict[str, deque[float]] = {}
        self._runner: web.AppRunner | None = None
        #: The listener's TLS context; a reload loads a new certificate into it (``service_reload.py``).
        self.tls_context: ssl.SSLContext | None = None
        #: Verdicts asked of CUCM (``verdict = "cucm"``), made at the first question.
        self._cucm: CucmVerdicts | None = None
        self.bound: tuple[str, int] | None = None
        self._port_before = 0
        self.in_flight = InFlight()  # a stop answers them first
        self.app = web.Application(client_max_size=MAX_REQUEST_BYTES, middlewares=[self.in_flight.middleware])
        self.app.router.add_route("GET", "/authenticate", self._authenticate)
        self.app.router.add_route("POST", "/authenticate", self._authenticate)
        self.app.router.add_get("/objects/{token}", self._object)
        self.app.router.add_post("/objects", self._upload)
        AlertRoutes(self).add_routes(self.app)
        self.app.router.add_route("*", "/{anything:.*}", self._unknown)

    @property
    def running(self) -> bool:
        return self._runner is not None

    @property
    def url(self) -> str:
        """The base URL phones use; the configured one, else where it is bound."""
        if self.config.url:
            return self.config.url.rstrip("/")
        host, port = self.bound or (self.config.listen_host, self.config.listen_port)
        return f"{self.config.scheme}://{host}:{port}"

    @property
    def auth_url(self) -> str:
        return f"{self.url}/authenticate"

    async def start(self) -> None:
        """Bind the listen address. OSError if it is taken.

        Port 0 picks a free port the first time and takes the same one again after a
        stop: phones were told that address (the demo's responder is their auth URL).
        """
        if self._runner:
            return
        runner = web.AppRunner(self.app, access_log=None, handle_signals=False, shutdown_timeout=SHUTDOWN_TIMEOUT)
        await runner.setup()
        port = self.config.listen_port or self._port_before
        try:  # https with [service] tls_cert and tls_key (checked when the config was read)
            tls = server_context(self.config.tls_cert, self.config.tls_key) if self.config.tls_cert else None
            site_class = ReportingTlsSite if tls else web.TCPSite
            site = site_class(runner, self.config.listen_host, port, reuse_address=True, ssl_context=tls)
            await site.start()
        except OSError:  # ssl.SSLError is one
            await runner.cleanup()
            raise
        self._runner, self.tls_context = runner, tls
        server = site._server  # aiohttp exposes the bound socket only here
        sockets = getattr(server, "sockets", None) or []
        host, port = sockets[0].getsockname()[:2] if sockets else (self.config.listen_host, 0)
        self.bound = (host, port)
        self._port_before = port
        log.info("listening on %s:%s; phones use %s", host, port, self.auth_url)

    async def stop(self) -> None:
        """Stop accepting; requests in flight get STOP_GRACE seconds to be answered (CUCM's verdicts too)."""
        if self._runner:
            await self.in_flight.drain(self._runner)
            await self._runner.cleanup()
            self._runner = None
            self.bound = None
            log.info("stopped")
        if self._cucm is not None:
            await self._cucm.aclose()
            self._cucm = None

    async def __aenter__(self) -> Service:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- authentication -----------------------------------------------------------------

    def check(self, user: str, password: str, devicename: str) -> tuple[str, str]:
        """The verdict and the reason for one set of credentials from one device, by the config's own."""
        allowed = self.config.allowed_devices
        if allowed and devicename.upper() not in allowed:
            return AUTH_UNAUTHORIZED, "device not in allowlist"
        return self._credentials(user, password)

    async def verdict(self, user: str, password: str, devicename: str) -> tuple[str, str]:
        """As ``check``, but with ``verdict = "cucm"`` the password is CUCM's to judge (after the allowlist)."""
        if self.config.verdict != "cucm":
            return self.check(user, password, devicename)
        allowed = self.config.allowed_devices
        if allowed and devicename.upper() not in allowed:
            return AUTH_UNAUTHORIZED, "device not in allowlist"
        if self._cucm is None:
            if self.config.cucm is None:
                return AUTH_ERROR, "verdict = cucm, but no [cucm] to ask"
            from .cucm_verdict import CucmVerdicts  # httpx and the AXL client only when CUCM judges

            self._cucm = CucmVerdicts(self.config.cucm)
        return await self._cucm.verdict(user, password)

    def _credentials(self, user: str, password: str) -> tuple[str, str]:
        good_user = _same(user, self.config.username)
        good_password = _same(password, self.config.password)
        if good_user and good_password and self.config.username:
            return AUTH_AUTHORIZED, "credentials match"
        return AUTH_UNAUTHORIZED, "wrong user" if not good_user else "wrong password"

    async def _authenticate(self, request: web.Request) -> web.Response:
        verdict, reason, user, device = AUTH_ERROR, "", "", ""
        try:
            fields = {k.lower(): v for k, v in request.query.items()}
            if request.method == "POST":
                form = await request.post()
                fields.update({k.lower(): v for k, v in form.items() if isinstance(v, str)})
            user = fields.get("userid", "")
            device = fields.get("devicename", "")
            peer = request.remote or "-"
            if self._throttled(peer):
                verdict, reason = AUTH_UNAUTHORIZED, f"throttled: {THROTTLE_FAILURES}+ wrong credentials in a minute"
            elif "userid" not in fields or "password" not in fields:
                reason = "UserID or Password missing"
            else:
                verdict, reason = await self.verdict(user, fields["password"], device)
                if reason.startswith(("wrong user", "wrong password")):
                    self._failed(peer)
        except Exception as exc:  # any failure must still answer exactly ERROR
            verdict, reason = AUTH_ERROR, f"bad request: {type(exc).__name__}"
        self._record(AuthEvent(time.time(), request.remote or "-", request.method, device, user, verdict, reason))
        return _plain(verdict)

    def _recent_failures(self, peer: str) -> deque[float] | None:
        failures = self._failures.get(peer)
        if failures is not None:
            cutoff = time.monotonic() - THROTTLE_WINDOW
            while failures and failures[0] < cutoff:
                failures.popleft()
        return failures

    def _throttled(self, peer: str) -> bool:
        failures = self._recent_failures(peer)
        return failures is not None and len(failures) >= THROTTLE_FAILURES

    def _failed(self, peer: str) -> None:
        if len(self._failures) > 10_000:  # forget quiet addresses; the table stays small
            for quiet in [p for p in list(self._failures) if not self._recent_failures(p)]:
                del self._failures[quiet]
        failures = self._failures.setdefault(peer, deque(maxlen=THROTTLE_FAILURES * 2))
        failures.append(time.monotonic())
        if len(failures) == THROTTLE_FAILURES:
            log.warning(
                "%s throttled: %d wrong credentials within %g s; it is refused until they age out",
                peer,
                len(failures),
                THROTTLE_WINDOW,
            )

    def _record(self, event: AuthEvent) -> None:
        level = logging.WARNING if event.reason.startswith("throttled") else logging.INFO
        if log.isEnabledFor(level):  # the names are made printable only when they are written
            device, user = printable(repr(event.devicename), 80), printable(repr(event.user), 80)
            log.log(
                level,
                "auth %s %s device=%s user=%s: %s (%s)",
                event.peer,
                event.method,
                device,
                user,
                event.verdict,
                event.reason,
            )
        self.events.append(event)
        self.counters[event.verdict] += 1
        for listener in list(self.listeners):
            listener(event)

    def _tell(self, request: web.Request, status: int) -> None:
        """Tell request listeners of a request other than authentication (which has its events)."""
        if log.isEnabledFor(logging.INFO):
            log.info("%s %s %s %d", request.remote or "-", request.method, printable(request.path, 200), status)
        for listener in list(self.request_listeners):
            listener(request.remote or "-", request.method, request.path, status)

    async def _unknown(self, request: web.Request) -> web.Response:
        self._tell(request, 404)
        response = web.Response(status=404, text="not found", headers=SERVER_HEADER)
        response.force_close()
        return response

    # -- hosted objects -------------------------------------------------------------------

    async def host(self, data: bytes, charset: str) -> str:
        """Keep ``data`` for ``object_ttl`` seconds at an unguessable URL and return it."""
        now = time.monotonic()
        for token in [t for t, (_, _, expires) in self._objects.items() if expires < now]:
            del self._objects[token]
        token = secrets.token_urlsafe(24)
        self._objects[token] = (data, charset, now + self.config.object_ttl)
        return f"{self.url}/objects/{token}.xml"

    async def _object(self, request: web.Request) -> web.Response:
        token = request.match_info["token"].removesuffix(".xml")
        entry = self._objects.get(token)
        if entry is None or entry[2] < time.monotonic():
            self._objects.pop(token, None)
            self._tell(request, 404)
            raise web.HTTPNotFound(text="no such object, or it has expired")
        self._tell(request, 200)
        data, charset, _ = entry
        headers = {**SERVER_HEADER, "Content-Type": _CONTENT_TYPES.get(charset, "text/xml")}
        response = web.Response(body=data, headers=headers)
        response.force_close()
        return response

    async def _upload(self, request: web.Request) -> web.Response:
        """Host an object for another phonetui process (``phonetui push`` beside ``serve``)."""
        verdict, _ = self._credentials(*(parse_basic(request.headers.get("Authorization", "")) or ("", "")))
        if verdict != AUTH_AUTHORIZED:
            self._tell(request, 401)
            raise web.HTTPUnauthorized(text="credentials refused")
        charset = request.query.get("charset", "utf-8")
        if charset not in _CONTENT_TYPES:
            self._tell(request, 400)
            raise web.HTTPBadRequest(text="charset must be utf-8 or iso-8859-1")
        url = await self.host(await request.read(), charset)
        self._tell(request, 201)
        return web.Response(status=201, text=url, headers={"Location": url})
