"""The responder over HTTPS: its certificate and key, checked when the config is read and loaded to serve.

Phones configured with a secure authentication URL ask over TLS; the reply itself stays
what it is over HTTP. Only ``ssl`` here: ``check`` uses it without loading aiohttp.
"""

from __future__ import annotations

import ssl
from pathlib import Path


class EncryptedKey(ssl.SSLError):
    """The key asks for a pass phrase: never asked for (a service has nobody to type it); an OSError as SSLError is."""


def _no_pass_phrase() -> str:
    """The password callback: without it OpenSSL would wait at ``Enter PEM pass phrase:`` on the terminal."""
    raise EncryptedKey


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
