"""Whom an https phone is: its certificate verified (``verify = true``), pinned (``"pin"``) or not checked.

Pinning is trust on first use, as SSH does it: the first contact records the certificate's
SHA-256 fingerprint in the known-phones file; later, a different certificate is refused
before any request (and so any credential) leaves. A request goes over a connection whose
context compares the certificate with the pin inside its handshake (``PinnedContext``), so
nothing is written to a connection that fails it. Only the first contact costs a handshake
of its own (``peer_certificate``), to read the certificate to pin.

``PhoneTransport`` does this for every request of the shared client: the push, the
screenshot fetch, the probe and the keys all ask phones through it, each request carrying
its phone's policy (``tls_extensions``).
"""

from __future__ import annotations

import asyncio
import hashlib
import shlex
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from . import paths
from .config.model import Phone, Verify
from .known_phones import KnownPhones
from .wording import names_phrase

E = TypeVar("E", bound=BaseException)
#: What ``verify = false`` leaves open.
INSECURE_RISK = "anyone in the middle gets the push user's password"
#: The request extension a phone's policy travels in.
EXTENSION = "phonetui_tls"


#: Told of each certificate pinned on first contact: its address, and a warning when the phone's
#: name was pinned at another address with another certificate (else None). The CLI sets it, to say so.
first_contact_listener: Callable[[str, str | None], None] | None = None
#: Told of each damaged line of the known-phones file (file and line), once, when a request reads the file.
damaged_listener: Callable[[str], None] | None = None


def fingerprint(der: bytes) -> str:
    """SHA-256 of a DER certificate, as colon hex (``AB:CD:…``), the way browsers and phones show it."""
    return ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())


def insecure_warning(phones: Iterable[Phone], shown: int = 3) -> str | None:
    """``certificates not checked … for 2 phones: a, b`` when https phones have ``verify = false``; else None."""
    names = [phone.name for phone in phones if phone.insecure]
    if not names:
        return None
    return f"certificates not checked (verify = false) for {names_phrase(names, shown)}: {INSECURE_RISK}"


#: What the app says in place of the trust command: the same thing, one key away.
TRUST_IN_APP = "press T (trust) on the phone table"


def trust_command(name: str) -> str:
    """The command to paste, with the ``--config`` the running command was given (quoted for a shell)."""
    config = f" --config {shlex.quote(paths.config_for_hints)}" if paths.config_for_hints else ""
    return f"phonetui trust{config} --phone {shlex.quote(name)}"


def for_the_app(hint: str) -> str:
    """A hint as the app says it: the trust key rather than a command (the push ran in another process)."""
    head, found, _ = hint.partition("phonetui trust ")
    return f"{head}{TRUST_IN_APP}" if found else hint


@dataclass(frozen=True)
class TlsPolicy:
    """How one phone's certificate is checked, and the phone's name for messages."""

    verify: Verify = "pin"
    ca_file: str = ""
    name: str = ""


def tls_extensions(verify: Verify, ca_file: str, name: str) -> dict[str, Any]:
    """The request extensions that tell ``PhoneTransport`` how to check this phone."""
    return {EXTENSION: TlsPolicy(verify, ca_file, name)}


class TlsRefused(httpx.TransportError):
    """The phone's certificate is not the one trusted: nothing was sent. ``detail`` says why, ``hint`` what to do."""

    def __init__(self, detail: str, hint: str = "") -> None:
        super().__init__(detail)
        self.detail, self.hint = detail, hint


class PinMismatch(ssl.SSLCertVerificationError):
    """Raised inside a handshake whose certificate is not the pinned one: before any byte of the request."""

    def __init__(self, seen: str, expected: str) -> None:
        super().__init__(f"certificate {seen}, pinned {expected}")
        self.seen, self.expected = seen, expected


class _PinnedObject(ssl.SSLObject):
    """An SSLObject that, once its handshake is done, refuses a certificate other than its context's pin."""

    def do_handshake(self) -> None:
        super().do_handshake()
        context = self.context
        expected = getattr(context, "pin", None)
        der = self.getpeercert(binary_form=True)
        seen = fingerprint(der) if der else "no certificate"
        if expected is not None and seen != expected:
            raise PinMismatch(seen, expected)


class PinnedContext(ssl.SSLContext):
    """A client context that accepts one certificate, by fingerprint, whatever signed it."""

    pin: str

    @classmethod
    def for_fingerprint(cls, pin: str) -> PinnedContext:
        context = cls(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.pin = pin
        context.sslobject_class = _PinnedObject
        return context


def insecure_context() -> ssl.SSLContext:
    """No check at all (``verify = false``): only the handshake."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


async def peer_certificate(host: str, port: int, timeout: float) -> bytes:  # noqa: ASYNC109 (a connect timeout)
    """The certificate ``host:port`` presents (DER), from a handshake of its own that sends nothing else."""
    async with asyncio.timeout(timeout):
        _, writer = await asyncio.open_connection(host, port, ssl=insecure_context(), server_hostname=None)
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
    finally:
        writer.close()
        try:
            async with asyncio.timeout(1):
                await writer.wait_closed()
        except (OSError, TimeoutError, ssl.SSLError):
            pass
    if not der:
        raise ssl.SSLError(f"{host}:{port} presented no certificate")
    return bytes(der)


def _cause(exc: BaseException, kind: type[E]) -> E | None:
    """The first exception of ``kind`` behind ``exc`` (its causes and contexts)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def changed(seen: str, trusted: str, name: str) -> TlsRefused:
    """The refusal of a certificate that is not the pinned one: both fingerprints, and how to accept the new."""
    detail = f"the certificate changed: it is now {seen}, trusted was {trusted}; nothing was sent"
    return TlsRefused(detail, f"if the phone's new certificate is expected, accept it: {trust_command(name)}")


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class PhoneTransport(httpx.AsyncBaseTransport):
    """Plain http as it is; each https request over a connection checked by its phone's policy."""

    def __init__(self, known: KnownPhones | None = None, **options: Any) -> None:
        self.known = known or KnownPhones()
        self._options = options
        self._plain = httpx.AsyncHTTPTransport(**options)
        self._insecure: httpx.AsyncHTTPTransport | None = None
        self._verified: dict[str, httpx.AsyncHTTPTransport] = {}
        self._pinned: dict[str, httpx.AsyncHTTPTransport] = {}
        #: First contacts: the handshake that reads a phone's certificate to pin, shared by its requests.
        self._checked: dict[str, asyncio.Task[str]] = {}
        #: How many of the file's damaged-line warnings were told already.
        self._damage_told = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme != "https":
            return await self._plain.handle_async_request(request)
        policy = request.extensions.get(EXTENSION)
        if not isinstance(policy, TlsPolicy):
            policy = TlsPolicy(name=request.url.host)
        inner = await self._inner(request, policy)
        try:
            return await inner.handle_async_request(request)
        except httpx.ConnectError as exc:
            mismatch = _cause(exc, PinMismatch)
            if mismatch is None:
                raise
            raise changed(mismatch.seen, mismatch.expected, policy.name) from exc

    async def _inner(self, request: httpx.Request, policy: TlsPolicy) -> httpx.AsyncHTTPTransport:
        if policy.verify == "off":
            if self._insecure is None:
                self._insecure = httpx.AsyncHTTPTransport(verify=insecure_context(), **self._options)
            return self._insecure
        if policy.verify == "ca":
            if policy.ca_file not in self._verified:
                try:
                    context = ssl.create_default_context(cafile=policy.ca_file or None)
                except (OSError, ssl.SSLError) as exc:
                    raise TlsRefused(f"cannot read the CA file {policy.ca_file!r}: {exc}") from exc
                self._verified[policy.ca_file] = httpx.AsyncHTTPTransport(verify=context, **self._options)
            return self._verified[policy.ca_file]
        pin = await self._check_pin(request, policy)
        if pin not in self._pinned:
            self._pinned[pin] = httpx.AsyncHTTPTransport(verify=PinnedContext.for_fingerprint(pin), **self._options)
        return self._pinned[pin]

    async def _check_pin(self, request: httpx.Request, policy: TlsPolicy) -> str:
        """The fingerprint this phone is trusted with, read and recorded now on first contact.

        A known phone costs no handshake here: the request's own handshake compares its
        certificate with the pin and refuses another before the request is written.
        """
        host, port = request.url.host, request.url.port or 443
        address = _address(host, port)
        known = self.known.fingerprint(address)
        self._tell_damage()
        if known is not None:
            return known
        task = self._checked.get(address)
        if task is None or (task.done() and (task.cancelled() or task.exception() is not None)):
            timeouts = request.extensions.get("timeout", {})
            connect = timeouts.get("connect") or 10.0
            task = asyncio.ensure_future(self._handshake(host, port, connect))
            self._checked[address] = task
        seen = await asyncio.shield(task)
        known = self.known.fingerprint(address)  # another request (or process) may have pinned it meanwhile
        if known is None:
            moved = self.known.moved(address, seen, policy.name)
            try:
                self.known.record(address, seen, policy.name)
            except OSError as exc:  # a pin that cannot be kept would trust whatever comes next time
                detail = f"cannot record the certificate in {self.known.path}: {exc}; nothing was sent"
                raise TlsRefused(detail) from exc
            if first_contact_listener is not None:
                first_contact_listener(address, moved)
            return seen
        if known != seen:
            raise changed(seen, known, policy.name)
        return seen

    def _tell_damage(self) -> None:
        """Each damaged line the file was found to hold, told once: a pin it held is ignored, and a person must know."""
        new = self.known.warnings[self._damage_told :]
        self._damage_told = len(self.known.warnings)
        if damaged_listener is not None:
            for warning in new:
                damaged_listener(warning)

    async def _handshake(self, host: str, port: int, timeout: float) -> str:  # noqa: ASYNC109
        try:
            return fingerprint(await peer_certificate(host, port, timeout))
        except TimeoutError:
            raise httpx.ConnectTimeout(f"no TLS handshake with {_address(host, port)} within {timeout:g} s") from None
        except (OSError, ssl.SSLError) as exc:
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc

    async def aclose(self) -> None:
        for task in self._checked.values():
            task.cancel()
        transports = [self._plain, self._insecure, *self._verified.values(), *self._pinned.values()]
        for transport in transports:
            if transport is not None:
                await transport.aclose()
