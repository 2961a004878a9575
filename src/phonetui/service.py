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
from .service_metrics import Metrics, MetricsSite, reason_kind
from .service_site import ReportingTlsSite
from .service_stop import SHUTDOWN_TIMEOUT, InFlight
from .service_tls import server_context
from .service_watch import BoundedLog, ServerComplaints, Throttle

if TYPE_CHECKING:
    import ssl

    from .cucm_verdict import CucmVerdicts

MAX_REQUEST_BYTES = 64 * 1024
#: Wrong credentials from one address this many times within THROTTLE_WINDOW seconds
#: and that address is refused outright (and logged) until the window has passed.
#: The Ack URL has a throttle of its own, alike.
THROTTLE_FAILURES = 10
THROTTLE_WINDOW = 60.0
#: How often the bounded log writes its summaries of what it only counted.
LOG_WINDOW = 60.0
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


class _Printable:
    """Text from outside, made printable (and quoted) only if a log line is written."""

    def __init__(self, text: str, limit: int = 0) -> None:
        self.text, self.limit = text, limit

    def __str__(self) -> str:
        return printable(self.text, self.limit) if self.limit else printable(repr(self.text), 80)


def without_token(path: str) -> str:
    """The path as logged: what follows an Ack URL's alert is a phone's key to acknowledge, never written
    (whatever the path's shape: ``//ack/…``, a trailing slash)."""
    start = path.find("/ack/")
    if start < 0:
        return path
    alert, slash, _ = path[start + 5 :].partition("/")
    return path[: start + 5] + alert + (slash and "/…")


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
        #: ``serve`` logs its own start and stop lines (at NOTICE): the service's would say them twice.
        self.says_itself = False
        #: The alerts phones acknowledge here; each listener hears every new acknowledgement.
        self.alerts = AlertBook()
        self.ack_listeners: list[Callable[[Acknowledgement], None]] = []
        self.events: deque[AuthEvent] = deque(maxlen=1000)
        self.counters: Counter[str] = Counter()
        self._objects: dict[str, tuple[bytes, str, float]] = {}
        self.auth_throttle = Throttle(THROTTLE_FAILURES, THROTTLE_WINDOW)
        self.ack_throttle = Throttle(THROTTLE_FAILURES, THROTTLE_WINDOW)
        #: The log a flood cannot fill: the first refusal of a kind per address and window, then counts.
        self.request_log = BoundedLog(log, config.log_successes_per_minute, LOG_WINDOW)
        self.metrics = Metrics(
            self.hosted_objects, {"authenticate": self.auth_throttle.addresses, "ack": self.ack_throttle.addresses}
        )
        self._metrics_site: MetricsSite | None = None
        #: aiohttp's own complaints (unparsable requests) go through the bounded log too, never as tracebacks.
        self._server_log = logging.Logger("phonetui.service.http")
        self._server_log.addHandler(
            ServerComplaints(self.request_log, lambda status: self.metrics.requests.labels(str(status)).inc())
        )
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
        if config.metrics_listen is None:  # else only there, and phones get the 404 below
            self.metrics.add_routes(self.app)
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
        if self.config.metrics_listen is not None and self._metrics_site is None:
            site = MetricsSite(self.metrics, *self.config.metrics_listen)
            await site.start()
            self._metrics_site = site
        try:
            await self._start_site()
        except OSError:
            await self._stop_metrics()
            raise
        self.request_log.start()

    async def _start_site(self) -> None:
        runner = web.AppRunner(
            self.app,
            access_log=None,
            handle_signals=False,
            shutdown_timeout=SHUTDOWN_TIMEOUT,
            logger=self._server_log,
        )
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
        if not self.says_itself:
            log.info("listening on %s:%s; phones use %s", host, port, self.auth_url)

    @property
    def metrics_bound(self) -> tuple[str, int] | None:
        """Where ``/healthz`` and ``/metrics`` are bound when they have an address of their own."""
        return self._metrics_site.bound if self._metrics_site else None

    async def _stop_metrics(self) -> None:
        if self._metrics_site is not None:
            await self._metrics_site.stop()
            self._metrics_site = None

    async def stop(self) -> None:
        """Stop accepting; requests in flight get STOP_GRACE seconds to be answered (CUCM's verdicts too)."""
        if self._runner:
            await self.in_flight.drain(self._runner)
            await self._runner.cleanup()
            self._runner = None
            self.bound = None
            await self._stop_metrics()
            await self.request_log.close()  # the last window's summaries
            if not self.says_itself:
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
            if self.auth_throttle.throttled(peer):
                verdict, reason = AUTH_UNAUTHORIZED, f"throttled: {THROTTLE_FAILURES}+ wrong credentials in a minute"
            elif "userid" not in fields or "password" not in fields:
                reason = "UserID or Password missing"
            else:
                verdict, reason = await self.verdict(user, fields["password"], device)
                if reason.startswith(("wrong user", "wrong password")) and self.auth_throttle.failed(peer):
                    self._throttling(peer, "authenticate")
        except Exception as exc:  # any failure must still answer exactly ERROR
            verdict, reason = AUTH_ERROR, f"bad request: {type(exc).__name__}"
        self._record(AuthEvent(time.time(), request.remote or "-", request.method, device, user, verdict, reason))
        return _plain(verdict)

    def _throttling(self, peer: str, endpoint: str) -> None:
        """An address has just been throttled at ``endpoint``: said once, and counted."""
        self.metrics.throttles.labels(endpoint).inc()
        what = "wrong credentials" if endpoint == "authenticate" else "wrong Ack keys"
        log.warning(
            "%s throttled: %d %s within %g s; it is refused at /%s until they age out",
            peer,
            THROTTLE_FAILURES,
            what,
            THROTTLE_WINDOW,
            endpoint,
        )

    def _record(self, event: AuthEvent) -> None:
        kind = reason_kind(event.verdict, event.reason)
        self.metrics.answered(event.verdict, kind)
        device, user = _Printable(event.devicename), _Printable(event.user)  # made printable only when written
        line = "auth %s %s device=%s user=%s: %s (%s)"
        args = (event.peer, event.method, device, user, event.verdict, event.reason)
        if event.verdict == AUTH_AUTHORIZED:
            self.request_log.success(event.peer, kind, line, *args)
        else:
            level = logging.WARNING if kind == "throttled" else logging.INFO
            self.request_log.refusal(event.peer, kind, level, line, *args)
        self.events.append(event)
        self.counters[event.verdict] += 1
        for listener in list(self.listeners):
            listener(event)

    def _tell(self, request: web.Request, status: int, refused: str = "") -> None:
        """Tell request listeners of a request other than authentication (which has its events); ``refused``
        names a refusal answered with 200 (a phone shows only what comes with 200: the Ack key's)."""
        peer = request.remote or "-"
        self.metrics.requests.labels(str(status)).inc()
        path = without_token(request.path)
        args = (peer, request.method, _Printable(path, 200), status)
        if refused:
            self.request_log.refusal(peer, refused, logging.INFO, "%s %s %s %d (" + refused + ")", *args)
        elif status < 400:
            self.request_log.success(peer, "answered", "%s %s %s %d", *args)
        else:
            self.request_log.refusal(peer, f"HTTP-{status}", logging.INFO, "%s %s %s %d", *args)
        for listener in list(self.request_listeners):
            listener(request.remote or "-", request.method, path, status)

    async def _unknown(self, request: web.Request) -> web.Response:
        self._tell(request, 404)
        response = web.Response(status=404, text="not found", headers=SERVER_HEADER)
        response.force_close()
        return response

    # -- hosted objects -------------------------------------------------------------------

    def hosted_objects(self) -> int:
        """How many objects are hosted and not yet expired."""
        now = time.monotonic()
        return sum(1 for _, _, expires in list(self._objects.values()) if expires >= now)

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
