"""The responder over HTTPS: its certificate and key, checked when the config is read and loaded to serve.

Phones configured with a secure authentication URL ask over TLS; the reply itself stays
what it is over HTTP. Only ``ssl`` here: ``check`` uses it without loading aiohttp.
"""

from __future__ import annotations

import logging
import ssl
import time
from pathlib import Path

log = logging.getLogger("phonetui.service")
#: A peer's failed handshakes are logged once in this many seconds.
HANDSHAKE_LOG_EVERY = 60.0
_last_logged: dict[str, float] = {}
#: The alerts a client sends when it does not trust the server's certificate.
_DISTRUST = ("UNKNOWN_CA", "BAD_CERTIFICATE", "CERTIFICATE_UNKNOWN")


class EncryptedKey(ssl.SSLError):
    """The key asks for a pass phrase: never asked for (a service has nobody to type it); an OSError as SSLError is."""


def _no_pass_phrase() -> str:
    """The password callback: without it OpenSSL would wait at ``Enter PEM pass phrase:`` on the terminal."""
    raise EncryptedKey


def handshake_failed(peer: str, exc: BaseException | type[BaseException]) -> None:
    """One INFO line a peer a minute: a phone that does not trust the certificate fails here, and nowhere else."""
    now = time.monotonic()
    if now - _last_logged.get(peer, -HANDSHAKE_LOG_EVERY) < HANDSHAKE_LOG_EVERY:
        return
    _last_logged[peer] = now
    if isinstance(exc, type) or not str(exc):  # asyncio gives the class alone for a connection closed mid-way
        reason = "the peer closed the connection during the handshake (it may not trust this certificate)"
    else:
        reason = str(getattr(exc, "reason", None) or exc)
    if reason.upper() in ("HTTP_REQUEST", "HTTPS_PROXY_REQUEST"):  # OpenSSL's words for a request in clear text
        reason = "plain HTTP sent to the https port (a URL that says http:// where it should say https://)"
    distrust = any(alert in reason.upper() for alert in _DISTRUST)
    why = " (it does not trust this certificate: give it the CA that signed tls_cert)" if distrust else ""
    line = f"TLS handshake from {peer} failed: {reason}{why}"
    log.info("%s", line)


def server_context(cert: str | Path, key: str | Path) -> ssl.SSLContext:
    """A server context holding ``cert`` (PEM, its chain after it) and its ``key``.

    OSError or SSLError if they cannot be loaded; ``EncryptedKey`` if the key wants a pass phrase.
    """
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key), password=_no_pass_phrase)
    return context


def client_verify(base_url: str, ca_file: str) -> ssl.SSLContext | bool:
    """How phonetui checks its own service in another process: its certificate trusted as it is, or the CAs.

    A self-signed ``tls_cert`` (the simulator's, a lab's) is trusted as itself; one a CA issued
    verifies against the system's CAs as well.
    """
    if not base_url.startswith("https://") or not ca_file:
        return True
    context = ssl.create_default_context()
    context.load_verify_locations(cafile=ca_file)
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    return context


def tls_problem(cert: Path, key: Path) -> str | None:
    """Why the responder cannot serve https with ``cert`` and ``key``, in a few words; None if it can."""
    for path, what in ((cert, "tls_cert"), (key, "tls_key")):
        try:
            path.read_bytes()
        except OSError as exc:
            return f"{what}: cannot read {path}: {exc.strerror or exc}"
    try:
        ssl.create_default_context().load_verify_locations(cafile=str(cert))
    except (ssl.SSLError, ValueError):
        return f"tls_cert: {cert} is not a PEM certificate"
    try:
        server_context(cert, key)
    except EncryptedKey:
        plain = key.with_name(f"{key.stem}-plain{key.suffix}")
        return (
            f"tls_key: the key in {key} is encrypted: give an unencrypted key"
            f" (e.g. openssl pkey -in {key} -out {plain})"
        )
    except ssl.SSLError as exc:
        if "KEY_VALUES_MISMATCH" in str(exc) or "key values mismatch" in str(exc):
            return f"tls_key {key} is not the key of the certificate {cert}"
        return f"tls_key: {key} is not a PEM private key"
    except OSError as exc:
        return f"cannot load {cert} and {key}: {exc.strerror or exc}"
    return None
