"""Fetch phones' screenshots: ``GET /CGI/Screenshot`` (or the model's own path) with the push user.

A screenshot is a side duty, like a probe: whatever one phone does becomes that phone's
``Shot`` with a one-line reason, and the others carry on. One shared client, bounded
concurrency, one deadline per phone over every path it is asked on. Phones refuse to be
asked more often than every ``SHOT_MIN_INTERVAL`` seconds: a per-phone pacer in this
process makes every caller wait its turn, and a phone that still answers 503 with
``Retry-After`` (another process asked it) is asked once more after that wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import httpx

from .cisco import Outcome
from .cisco.screens import LCD_PATH, MPP_PATH, SHOT_MIN_INTERVAL, ShotSource, shot_source
from .config import Phone
from .fanout import each_phone
from .phone_auth import ASKS_DIGEST_HINT, PhoneAuth, asks_digest, auth_hint, send
from .phone_tls import tls_extensions
from .push import address_problem
from .push_result import CONNECT_TIMEOUT_HINT, READ_TIMEOUT_HINT, _connect_failure

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)

#: Screenshots in flight at once, and how long one phone has for all its paths.
DEFAULT_CONCURRENCY = 16
DEFAULT_TIMEOUT = 10.0
#: A phone's screenshot is at most 800x480x4 bytes (an uncompressed BMP): more is not a screenshot.
SHOT_MAX_BYTES = 4 * 1024 * 1024
#: Pixels an image may have before it is taken for a decompression bomb.
SHOT_MAX_PIXELS = 4096 * 4096
#: Seconds an HTTPS-first attempt has to connect before the phone's own scheme is tried.
OPTIONAL_CONNECT = 3.0
#: The longest ``Retry-After`` a fetch waits for before asking a busy phone again.
RETRY_AFTER_MAX = 2 * SHOT_MIN_INTERVAL

AUTH_HINT = (
    "the phone's Web Access may be disabled, the push user may not be associated with this device "
    "in CUCM, or the phone's authentication URL has changed (paging products often replace it)"
)
#: A phone answers 503 when it was asked for a screenshot too soon after the last (by another program).
#: An unknown model was asked on the usual paths only; some models keep theirs elsewhere.
UNKNOWN_MODEL_HINT = (
    "the phone's model is not known, so only the usual paths were tried: give its model in the config"
    f" (69xx and 39xx phones serve {LCD_PATH}, multiplatform phones {MPP_PATH})"
)
BUSY_HINT = (
    f"the phone is busy: another program asked it for a screenshot less than {SHOT_MIN_INTERVAL:g} s ago; try again"
)


class ShotOutcome(StrEnum):
    """How fetching one phone's screenshot ended."""

    OK = "ok"
    AUTH_FAILED = "auth-failed"  # HTTP 401 (or 403)
    UNSUPPORTED = "unsupported"  # HTTP 404 on every path
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"
    REFUSED = "refused"  # not asked: phonetui says why (an invalid address)
    NOT_AN_IMAGE = "not-an-image"
    HTTP_ERROR = "http-error"
    TLS_ERROR = "tls-error"  # the phone's certificate is not the trusted one: nothing was sent

    @property
    def succeeded(self) -> bool:
        return self is ShotOutcome.OK


@dataclass(frozen=True)
class Shot:
    """One phone's screenshot, or why there is none."""

    phone: str  #: the phone's name
    host: str
    outcome: ShotOutcome
    detail: str  #: one line, for people
    hint: str = ""
    data: bytes = b""  #: the image as the phone sent it
    content_type: str = ""
    path: str = ""  #: the path that answered
    at: float = 0.0  #: time.time() when it arrived
    latency_ms: int | None = None

    @property
    def extension(self) -> str:
        """The file extension of the image as sent: ``bmp``, ``png``, ... ('' when there is none)."""
        subtype = self.content_type.partition(";")[0].strip().lower().removeprefix("image/")
        return {"x-ms-bmp": "bmp", "x-bmp": "bmp", "jpeg": "jpg"}.get(subtype, subtype) if self.data else ""

    def image(self) -> Image.Image:
        """The image decoded, in RGB; ValueError when it cannot be decoded."""
        return decode_image(self.data).convert("RGB")

    def as_json(self) -> dict[str, Any]:
        """JSON-ready, without the image."""
        return {
            "phone": self.phone,
            "host": self.host,
            "outcome": str(self.outcome),
            "detail": self.detail,
            "hint": self.hint,
            "path": self.path,
            "content_type": self.content_type,
            "bytes": len(self.data),
            "latency_ms": self.latency_ms,
            "at": round(self.at, 3),
        }


def decode_image(data: bytes) -> Image.Image:
    """``data`` decoded by Pillow (fully loaded); ValueError when it is not an image Pillow reads."""
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > SHOT_MAX_PIXELS:
            raise ValueError(f"{image.width}x{image.height} pixels is no phone's screen")
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValueError(f"not an image Pillow can read: {exc}") from None
    return image


class ShotPacer:
    """No phone is asked more often than every ``interval`` seconds: each caller waits its turn.

    A turn is held for the whole fetch, and the next one starts ``interval`` after it *ended*:
    counted from when a request left, a request slow to arrive (a loaded machine, 40 phones
    at once) and a quick one after it could reach the phone less than ``interval`` apart, and
    the phone would answer 503.
    """

    def __init__(self, interval: float = SHOT_MIN_INTERVAL) -> None:
        self.interval = interval
        self._next: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    @contextlib.asynccontextmanager
    async def turn(self, key: str) -> AsyncIterator[None]:
        """``key``'s turn: once the last one's has ended and ``interval`` has passed since."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            delay = self._next.get(key, 0.0) - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                yield
            finally:
                self._next[key] = time.monotonic() + self.interval
                self._forget()

    async def wait(self, key: str) -> None:
        """Wait for ``key``'s turn and end it at once."""
        async with self.turn(key):
            pass

    def _forget(self) -> None:
        """Forget the phones whose turn has long come (at most a few thousand are kept)."""
        if len(self._next) > 4096:
            now = time.monotonic()
            self._next = {k: t for k, t in self._next.items() if t > now or self._locks[k].locked()}
            self._locks = {k: lock for k, lock in self._locks.items() if k in self._next}


#: This process's pacer: the CLI and the push process each have one, shared by every fetch.
PACER = ShotPacer()


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def attempts(phone: Phone, source: ShotSource) -> list[tuple[str, str, bool]]:
    """(base URL, path, optional) in the order asked; an optional one (HTTPS first) may fail to connect."""
    own = f"{phone.scheme}://{phone.address}"
    tries: list[tuple[str, str, bool]] = []
    if source.https_first and phone.scheme != "https":
        tries += [(f"https://{_address(phone.host, 443)}", path, True) for path in source.paths]
    return tries + [(own, path, False) for path in source.paths]


class _Fetch:
    """One phone's fetch: its paths in order, one deadline, a Shot at the end."""

    def __init__(
        self, client: httpx.AsyncClient, phone: Phone, credentials: tuple[str, str] | None, timeout: float
    ) -> None:
        self.client, self.phone, self.timeout = client, phone, timeout
        # Basic, or Digest for a multiplatform phone (its challenge kept for this fetch's paths)
        self.headers, self.digest = PhoneAuth().request(phone, credentials, form=False)
        self.started = time.perf_counter()

    def shot(self, outcome: ShotOutcome, detail: str, hint: str = "", **extra: Any) -> Shot:
        latency = round((time.perf_counter() - self.started) * 1000)
        return Shot(
            self.phone.name, self.phone.address, outcome, detail, hint, at=time.time(), latency_ms=latency, **extra
        )

    async def get(self, url: str, optional: bool = False) -> tuple[httpx.Response, bytes, bool]:
        """GET ``url``; an ``optional`` one (HTTPS first) has a third of the time to connect, at most 3 s."""
        connect = min(OPTIONAL_CONNECT, self.timeout / 3) if optional else self.timeout
        timeout = httpx.Timeout(self.timeout, connect=connect)
        self.started = time.perf_counter()  # the latency is the answering request's, not the waits before it
        tls = tls_extensions(self.phone.verify, self.phone.ca_file, self.phone.name)
        request = self.client.build_request("GET", url, headers=self.headers, timeout=timeout, extensions=tls)
        response = await send(self.client, request, self.digest)
        try:
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > SHOT_MAX_BYTES:
                    return response, b"", True
            return response, b"".join(chunks), False
        finally:
            await response.aclose()

    async def run(self) -> Shot:
        missing: list[str] = []
        for base, path, optional in attempts(self.phone, shot_source(self.phone.model)):
            try:
                response, body, too_big = await self.get(base + path, optional)
                if response.status_code == 503 and "retry-after" in response.headers:
                    wait = _seconds(response.headers["retry-after"])
                    if wait is not None and wait <= RETRY_AFTER_MAX:
                        await asyncio.sleep(wait)
                        response, body, too_big = await self.get(base + path, optional)
            except httpx.ConnectTimeout:
                if optional:
                    continue  # nothing answers on 443: the phone's own scheme next
                detail = f"could not connect within {self.timeout:g} s"
                return self.shot(ShotOutcome.TIMEOUT, detail, CONNECT_TIMEOUT_HINT, path=path)
            except (TimeoutError, httpx.TimeoutException):
                detail = f"no screenshot within {self.timeout:g} s"
                return self.shot(ShotOutcome.TIMEOUT, detail, READ_TIMEOUT_HINT, path=path)
            except httpx.InvalidURL as exc:
                return self.shot(ShotOutcome.REFUSED, f"invalid address: {exc}")
            except (httpx.HTTPError, OSError) as exc:
                if optional:
                    continue  # no HTTPS there: the phone's own scheme next
                outcome, detail, hint = _connect_failure(exc, self.phone)
                kinds = {Outcome.UNREACHABLE: ShotOutcome.UNREACHABLE, Outcome.TLS_ERROR: ShotOutcome.TLS_ERROR}
                kind = kinds.get(outcome, ShotOutcome.HTTP_ERROR)
                return self.shot(kind, detail, hint, path=path)
            status = response.status_code
            if status == 404:
                missing.append(path)
                continue
            if status in (401, 403):
                hint = (
                    auth_hint(self.phone) if self.digest else ASKS_DIGEST_HINT if asks_digest(response) else AUTH_HINT
                )
                return self.shot(ShotOutcome.AUTH_FAILED, f"HTTP {status} for {path}", hint, path=path)
            if status != 200:
                hint = BUSY_HINT if status == 503 else ""
                return self.shot(ShotOutcome.HTTP_ERROR, f"HTTP {status} for {path}", hint, path=path)
            return self.image(response, body, too_big, path)
        tried = ", ".join(dict.fromkeys(missing))
        hint = "" if shot_source(self.phone.model).known else UNKNOWN_MODEL_HINT
        return self.shot(ShotOutcome.UNSUPPORTED, f"no screenshot here: HTTP 404 for {tried}", hint)

    def image(self, response: httpx.Response, body: bytes, too_big: bool, path: str) -> Shot:
        content_type = response.headers.get("content-type", "")
        if not content_type.strip().lower().startswith("image/"):
            shown = content_type[:60] or "no Content-Type"
            return self.shot(ShotOutcome.NOT_AN_IMAGE, f"{shown} instead of an image from {path}", path=path)
        if too_big:
            detail = f"the image from {path} is larger than {SHOT_MAX_BYTES} bytes"
            return self.shot(ShotOutcome.NOT_AN_IMAGE, detail, path=path)
        try:
            image = decode_image(body)
        except ValueError as exc:
            return self.shot(ShotOutcome.NOT_AN_IMAGE, f"{path}: {exc}", path=path)
        detail = f"{image.width}x{image.height} {image.format or 'image'} from {path}"
        return self.shot(ShotOutcome.OK, detail, data=body, content_type=content_type, path=path)


def _seconds(value: str) -> float | None:
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


async def fetch_screenshot(
    client: httpx.AsyncClient,
    phone: Phone,
    credentials: tuple[str, str] | None,
    timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 (the interface's name: a deadline per phone)
    pacer: ShotPacer | None = None,
) -> Shot:
    """One phone's screenshot, or why not; never raises (but CancelledError).

    ``credentials`` None: the phone's own (the config's, ``[defaults]`` applied). The wait
    for the phone's turn (``pacer``, this process's by default) is not part of ``timeout``;
    the next turn starts 2 s after this fetch ended.
    """
    problem = address_problem(phone)
    if problem:
        return Shot(phone.name, phone.address, ShotOutcome.REFUSED, problem, at=time.time())
    async with (pacer or PACER).turn(phone.address):
        fetch = _Fetch(client, phone, credentials, timeout)
        try:
            async with asyncio.timeout(timeout):
                return await fetch.run()
        except TimeoutError:
            return fetch.shot(ShotOutcome.TIMEOUT, f"no screenshot within {timeout:g} s")
        except Exception as exc:  # a surprise stays in this phone's row
            log.warning("screenshot %r: unexpected error", phone.name, exc_info=True)
            return fetch.shot(ShotOutcome.HTTP_ERROR, f"{type(exc).__name__}: {exc}")


async def fetch_screenshots(
    phones: Iterable[Phone],
    credentials: tuple[str, str] | None,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 (each phone's deadline, not this generator's)
    client: httpx.AsyncClient | None = None,
    pacer: ShotPacer | None = None,
) -> AsyncIterator[Shot]:
    """Each phone's Shot as it comes; at most ``concurrency`` in flight."""
    todo = list(phones)

    async def ask(client: httpx.AsyncClient, phone: Phone) -> Shot:
        return await fetch_screenshot(client, phone, credentials, timeout, pacer)

    log.info("screenshots of %d phones, %d at once, %g s each", len(todo), concurrency, timeout)
    async for shot in each_phone(todo, ask, concurrency, client):
        log.debug("screenshot %r %s: %s %s", shot.phone, shot.host, shot.outcome, shot.detail)
        yield shot
