"""The responder over HTTPS: its certificate and key, checked when the config is read and loaded to serve.

Phones configured with a secure authentication URL ask over TLS; the reply itself stays
what it is over HTTP. Only ``ssl`` here: ``check`` uses it without loading aiohttp.
"""

from __future__ import annotations

import ssl
from pathlib import Path


def server_context(cert: str | Path, key: str | Path) -> ssl.SSLContext:
    """A server context holding ``cert`` (PEM, its chain after it) and its ``key``; OSError or SSLError if not."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
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
        server_context(cert, key)
    except ssl.SSLError as exc:
        if "KEY_VALUES_MISMATCH" in str(exc) or "key values mismatch" in str(exc):
            return f"tls_key {key} is not the key of the certificate {cert}"
        return f"{cert} and {key} are not a PEM certificate and its key ({exc.reason or exc})"
    except OSError as exc:
        return f"cannot load {cert} and {key}: {exc.strerror or exc}"
    return None
