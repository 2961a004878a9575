"""Deliver one object to many phones and report each phone's answer as it comes.

One shared ``httpx.AsyncClient``, a semaphore for concurrency, a per-phone deadline.
Results are yielded in the order phones finish; a run can be cancelled, and then
every phone still outstanding is reported as ``cancelled``.

One phone's fault stays in its row: whatever goes wrong with one phone (a bad
address, a charset, a size, TLS, any exception its request raises) becomes that
phone's result with a one-line reason, and the other phones are pushed.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import uuid
from collections import Counter, deque
from collections.abc import AsyncGenerator
from typing import Any

import httpx

from .cisco import CiscoIPPhoneExecute, CiscoObject, ExecuteItem, Outcome, character_problems, encode
from .config import Defaults, Mode, Phone
from .history import Journal
from .object_host import ObjectHost, RemoteObjectHost
from .phone_auth import PhoneAuth
from .phone_post import post_to_phone
from .push_plan import Delivery, Route, address_problem, plan
from .push_record import end_line, end_record, result_line, result_record, start_line, start_record
from .push_result import AUTH_HINT, CANCELLED_DETAIL, PushResult, _refused
from .tailor import Tailor
from .wire import USER_AGENT, form_body, make_client

__all__ = [
    "AUTH_HINT",
    "CANCELLED_DETAIL",
    "USER_AGENT",
    "Delivery",
    "ObjectHost",
    "PushResult",
    "PushRun",
    "Pusher",
    "RemoteObjectHost",
    "Route",
    "address_problem",
    "form_body",
    "make_client",
    "plan",
]

#: Reply times the stall rule takes its median from.
LATENCY_WINDOW = 256
log = logging.getLogger(__name__)


class PushRun:
    """One object on its way to many phones; iterate it to get results as they come."""

    def __init__(
        self,
        pusher: Pusher,
        obj: CiscoObject,
        deliveries: list[Delivery],
        credentials: tuple[str, str] | None,
        journal: Journal | None,
        label: dict[str, Any] | None = None,
    ) -> None:
        self.id = uuid.uuid4().hex[:12]
        self.obj = obj
        #: Written into the journal's start record as it is (an alert's id and round, say).
        self.label = label or {}
        self.deliveries = deliveries
        self._pusher = pusher
        self._credentials = credentials
        self._journal = journal
        self._cancel = asyncio.Event()
        self._interrupted = False
        #: One hosted copy per charset and bytes: tailored copies differ per phone.
        self._hosted: dict[tuple[str, bytes], asyncio.Task[str]] = {}
        #: The latest reply times (a bounded window: a median over all of them grows with the fleet).
        self._latencies: deque[float] = deque(maxlen=LATENCY_WINDOW)
        self._replies = 0
        self._median: float | None = None
        self._outcomes: Counter[str] = Counter()

    def cancel(self, interrupted: bool = False) -> None:
        """Stop what is outstanding; those phones come out as ``cancelled``.

        ``interrupted``: the push is being stopped from outside (the UI went away, a
        signal), not cancelled by the user; the journal's end record says so.
        """
        self._interrupted = self._interrupted or interrupted
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def interrupted(self) -> bool:
        return self._interrupted

    def __aiter__(self) -> AsyncGenerator[PushResult, None]:
        """Results as phones finish; close it early (``aclosing``) and the push counts as interrupted."""
        return self._results()

    async def _results(self) -> AsyncGenerator[PushResult, None]:
        self._log_start()
        tasks: dict[asyncio.Task[PushResult], Delivery] = {}
        reported: set[int] = set()  # id() of each delivery whose result was handed out

        def report(delivery: Delivery, result: PushResult) -> PushResult:
            reported.add(id(delivery))
            return self._log(result)

        try:
            for delivery in self.deliveries:
                if delivery.route == "refused":
                    yield report(delivery, _refused(delivery))
                else:
                    tasks[asyncio.create_task(self._deliver(delivery))] = delivery
            # Each task says when it is done; waiting on all of them at each wake-up instead
            # (asyncio.wait) costs a callback per pending task per wake-up: quadratic in phones.
            finished: asyncio.Queue[asyncio.Task[PushResult]] = asyncio.Queue()
            for task in tasks:
                task.add_done_callback(finished.put_nowait)
            pending = set(tasks)
            stop = asyncio.create_task(self._cancel.wait())
            try:
                while pending and not stop.done():
                    getter = asyncio.ensure_future(finished.get())
                    await asyncio.wait({getter, stop}, return_when=asyncio.FIRST_COMPLETED)
                    if not getter.done():
                        getter.cancel()
                        break
                    ready = [getter.result()]
                    while not finished.empty():
                        ready.append(finished.get_nowait())
                    for task in ready:
                        if task in pending:
                            pending.discard(task)
                            yield report(tasks[task], task.result())
            finally:
                stop.cancel()
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            for task in pending:
                delivery = tasks[task]
                if task.cancelled():
                    result = PushResult(delivery.phone, Outcome.CANCELLED, delivery.route, CANCELLED_DETAIL)
                else:
                    result = task.result()
                yield report(delivery, result)
        finally:
            for task in tasks:
                task.cancel()
            missing = [d for d in self.deliveries if id(d) not in reported]
            if missing:  # whoever iterated left before the end: the push was interrupted
                self.cancel(interrupted=True)
                for delivery in missing:
                    if delivery.route == "refused":
                        self._log(_refused(delivery))
                    else:
                        detail = f"the push was interrupted: {CANCELLED_DETAIL}"
                        self._log(PushResult(delivery.phone, Outcome.CANCELLED, delivery.route, detail))
            self._log_end()

    async def _object_url(self, delivery: Delivery) -> str:
        key = (delivery.phone.charset, delivery.object_xml)
        if key not in self._hosted:
            host = self._pusher.host
            assert host is not None, "plan() only routes via-url when a host exists"
            self._hosted[key] = asyncio.ensure_future(host.host(delivery.object_xml, key[0]))
        return await asyncio.shield(self._hosted[key])

    async def _deliver(self, delivery: Delivery) -> PushResult:
        """Push to one phone; whatever goes wrong becomes this phone's result, never the run's."""
        try:
            return await self._deliver_in_slot(delivery)
        except Exception as exc:  # a bug or a surprise: this phone's row says what, the others go on
            log.warning("push %s: %r: unexpected error", self.id, delivery.phone.name, exc_info=True)
            detail = f"not sent: {type(exc).__name__}: {exc}"
            return PushResult(delivery.phone, Outcome.REFUSED, delivery.route, detail)

    async def _deliver_in_slot(self, delivery: Delivery) -> PushResult:
        """Push to one phone within a concurrency slot; a stalled phone gives its slot up.

        A phone that has not answered after ``stall_after()`` seconds (a black hole, a
        dead route) keeps waiting for its own timeout, but no longer holds up the phones
        queued behind it: the slot goes to the next phone.
        """
        slot = self._pusher.semaphore
        await slot.acquire()
        held = True
        try:
            xml = await self._payload(delivery)
            if isinstance(xml, PushResult):
                return xml
            post = asyncio.ensure_future(self._pusher.post(delivery, xml, self._credentials, self.obj.uses_play()))
            try:
                done, _ = await asyncio.wait({post}, timeout=self._stall_after())
                if not done:
                    slot.release()
                    held = False
                result = await post
            finally:
                if not post.done():
                    post.cancel()
            if result.latency is not None and result.outcome is not Outcome.TIMEOUT:
                self._latencies.append(result.latency)
                self._replies += 1
            return result
        finally:
            if held:
                slot.release()

    def _stall_after(self) -> float:
        """Twice the median of the latest reply times (at least 0.5 s); before 8 replies, 1 s."""
        timeout = self._pusher.defaults.timeout
        if self._replies < 8:
            return min(1.0, timeout)
        if self._replies % 8 == 0 or self._median is None:
            self._median = statistics.median(self._latencies)
        return min(max(0.5, 2 * self._median), timeout)

    async def _payload(self, delivery: Delivery) -> bytes | PushResult:
        """The bytes to POST: the object, or for via-url an Execute pointing at the hosted copy."""
        if delivery.route != "via-url":
            return delivery.object_xml
        try:
            url = await self._object_url(delivery)
            pointer = CiscoIPPhoneExecute([ExecuteItem(url, 0)])
            problems = character_problems(pointer, delivery.phone.charset)
            if problems:
                return PushResult(delivery.phone, Outcome.REFUSED, "via-url", str(problems[0]))
            return encode(pointer, delivery.phone.charset)
        except Exception as exc:  # the host is ours; any failure there refuses this phone
            reason = str(exc) or type(exc).__name__
            return PushResult(delivery.phone, Outcome.REFUSED, "via-url", f"cannot host object: {reason}")

    def _log_start(self) -> None:
        log.info("%s", start_line(self.id, self.obj, self.deliveries))
        if self._journal:
            self._journal.append({**start_record(self.id, self.obj, self.deliveries), **self.label})

    def _log(self, result: PushResult) -> PushResult:
        self._outcomes[str(result.outcome)] += 1
        level = logging.DEBUG if result.outcome.succeeded else logging.INFO
        if log.isEnabledFor(level):  # a line a phone only when it is written: 20,000 phones add up
            log.log(level, "%s", result_line(self.id, result))
        if self._journal:
            self._journal.append(result_record(self.id, result))
        return result

    def _log_end(self) -> None:
        log.info("%s", end_line(self.id, self._outcomes, self.cancelled, self.interrupted))
        if self._journal:
            self._journal.append(end_record(self.id, self.cancelled, self.interrupted), sync=True)


class Pusher:
    """Pushes objects over one shared HTTP client; use as an async context manager."""

    def __init__(
        self,
        defaults: Defaults | None = None,
        host: ObjectHost | None = None,
        journal: Journal | None = None,
    ) -> None:
        self.defaults = defaults or Defaults()
        self.host = host
        self.journal = journal
        self.semaphore = asyncio.Semaphore(self.defaults.concurrency)
        self._client: httpx.AsyncClient | None = None
        self._auth = PhoneAuth()  # Digest challenges are kept for the Pusher's life

    async def __aenter__(self) -> Pusher:
        self._client = make_client()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def plan(
        self, obj: CiscoObject, phones: list[Phone], mode: Mode = "auto", tailor: Tailor | None = None
    ) -> list[Delivery]:
        return plan(obj, phones, mode, can_host=self.host is not None, tailor=tailor)

    def push(
        self,
        obj: CiscoObject,
        phones: list[Phone],
        mode: Mode = "auto",
        credentials: tuple[str, str] | None = None,
        tailor: Tailor | None = None,
        label: dict[str, Any] | None = None,
    ) -> PushRun:
        """Start nothing yet: the returned run sends as it is iterated.

        ``tailor``: each phone's own copy (variables, an alert's Ack key); ``label``: fields
        the journal's start record carries (an alert's id and round).
        """
        deliveries = self.plan(obj, phones, mode, tailor)
        if tailor is not None and not tailor.same_for_all(obj):
            # one phone's copy would put its Ack token in the journal: the template stands for all
            template = encode(obj, "utf-8").decode("utf-8")
            label = {"template": template, "xml": template, **(label or {})}
        return PushRun(self, obj, deliveries, credentials, self.journal, label)

    async def post(
        self, delivery: Delivery, xml: bytes, credentials: tuple[str, str] | None, plays: bool = False
    ) -> PushResult:
        """POST ``xml`` to one phone, whatever happens classified (``phone_post``); never raises but CancelledError."""
        if self._client is None:
            detail = "not sent: the Pusher is not open (use 'async with Pusher(...)')"
            return PushResult(delivery.phone, Outcome.REFUSED, delivery.route, detail, latency=0.0)
        return await post_to_phone(self._client, self._auth, self.defaults, delivery, xml, credentials, plays)
