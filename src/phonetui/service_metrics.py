"""``/healthz`` and ``/metrics``: what a monitor asks the responder, never throttled or logged per request.

The counters are in the Prometheus text format, made by ``prometheus_client`` with a registry
of each ``Service``'s own (two services in one process, as in the tests, do not mix). With
``[service] metrics_listen`` both are served only on that address, and phones get a 404 for them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from .cisco.limits import AUTH_AUTHORIZED, AUTH_ERROR, AUTH_UNAUTHORIZED

log = logging.getLogger(__name__)
#: The classic text format ``generate_latest`` writes, which every Prometheus reads.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
#: Why an answer was what it was, in a few fixed words (a label: its values must stay few).
REASONS = (
    "authorized",
    "wrong-user",
    "wrong-password",
    "throttled",
    "malformed",
    "oversized",
    "device-not-allowed",
    "refused",
    "error",
)


def reason_kind(verdict: str, reason: str) -> str:
    """The fixed word for an answer's reason: a metrics label and the bounded log's kind."""
    if verdict == AUTH_AUTHORIZED:
        return "authorized"
    for prefix, kind in (
        ("throttled", "throttled"),
        ("wrong user", "wrong-user"),
        ("wrong password", "wrong-password"),
        ("device not in allowlist", "device-not-allowed"),
        ("UserID or Password missing", "malformed"),
        ("bad request: HTTPRequestEntityTooLarge", "oversized"),
        ("bad request", "malformed"),
    ):
        if reason.startswith(prefix):
            return kind
    return "error" if verdict == AUTH_ERROR else "refused"


class WithoutCreated(Collector):
    """A registry as ``/metrics`` shows it: no ``*_created`` series, which would double the page.

    ``prometheus_client.disable_created_metrics()`` would do it for the whole process (any other
    registry in it included); this leaves out only what this registry's page shows.
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterable[Metric]:
        for family in self.registry.collect():
            kept = Metric(family.name, family.documentation, family.type, family.unit)
            kept.samples = [sample for sample in family.samples if not sample.name.endswith("_created")]
            yield kept


class Metrics:
    """One service's counters; ``hosted`` says how many objects it hosts when asked."""

    def __init__(self, hosted: Callable[[], int], throttled: dict[str, Callable[[], int]]) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self._page = WithoutCreated(registry)
        self.verdicts = Counter("phonetui_auth_verdicts", "Answers of /authenticate", ["verdict"], registry=registry)
        self.reasons = Counter("phonetui_auth_reasons", "Why /authenticate answered so", ["reason"], registry=registry)
        # each label's child kept: labels() costs more than the increment, in a flood
        self._verdicts = {v: self.verdicts.labels(v) for v in (AUTH_AUTHORIZED, AUTH_UNAUTHORIZED, AUTH_ERROR)}
        self._reasons = {reason: self.reasons.labels(reason) for reason in REASONS}
        self.throttles = Counter(
            "phonetui_throttles", "Times an address was throttled", ["endpoint"], registry=registry
        )
        gauge = Gauge("phonetui_throttled_addresses", "Addresses refused outright now", ["endpoint"], registry=registry)
        for endpoint, count in throttled.items():
            self.throttles.labels(endpoint)
            gauge.labels(endpoint).set_function(count)
        Gauge("phonetui_hosted_objects", "Objects hosted now", registry=registry).set_function(hosted)
        self.acks = Counter("phonetui_acknowledgements", "Fetches of Ack URLs", ["result"], registry=registry)
        for result in ("new", "again", "unknown", "expired", "throttled"):
            self.acks.labels(result)
        self.requests = Counter("phonetui_requests", "Other requests, by HTTP status", ["status"], registry=registry)

    def answered(self, verdict: str, reason: str) -> None:
        """Count one answer of ``/authenticate`` (``reason`` one of ``REASONS``)."""
        child = self._verdicts.get(verdict) or self._verdicts.setdefault(verdict, self.verdicts.labels(verdict))
        child.inc()
        (self._reasons.get(reason) or self._reasons.setdefault(reason, self.reasons.labels(reason))).inc()

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/metrics", self.metrics)

    async def healthz(self, request: web.Request) -> web.Response:
        return web.Response(text="OK phonetui responder\n", headers={"Server": "phonetui"})

    async def metrics(self, request: web.Request) -> web.Response:
        body = generate_latest(self._page)
        return web.Response(body=body, headers={"Server": "phonetui", "Content-Type": CONTENT_TYPE})


class MetricsListenError(OSError):
    """``metrics_listen`` could not be bound (told apart from the phones' address)."""


class MetricsSite:
    """``/healthz`` and ``/metrics`` on an address of their own (``[service] metrics_listen``)."""

    def __init__(self, metrics: Metrics, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.app = web.Application(client_max_size=4096)
        metrics.add_routes(self.app)
        self._runner: web.AppRunner | None = None
        self.bound: tuple[str, int] | None = None

    async def start(self) -> None:
        """Bind; MetricsListenError if the address is taken (nothing is left running then)."""
        runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, reuse_address=True)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise MetricsListenError(exc.errno, exc.strerror) from exc
        self._runner = runner
        sockets = getattr(site._server, "sockets", None) or []
        self.bound = sockets[0].getsockname()[:2] if sockets else (self.host, self.port)
        log.info("health and metrics on http://%s:%s/metrics", *self.bound)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            self.bound = None
