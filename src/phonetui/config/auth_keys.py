"""The keys of trust: how phonetui proves itself to a phone (``auth``), and how the responder serves
(``tls_cert``, ``tls_key``) and judges (``verdict``). Kept apart from the rest of the schema."""

from __future__ import annotations

from .model import AUTH_SCHEMES, PhoneAuthScheme, Verdict
from .reader import _Reader


def phone_auth(reader: _Reader, default: PhoneAuthScheme | None) -> PhoneAuthScheme | None:
    """``auth = "basic" | "digest"``; not given: ``default`` (None: the model decides)."""
    given = reader.get("auth", str, None)
    if given is None:
        return default
    scheme = next((s for s in AUTH_SCHEMES if s == given), None)
    if scheme is None:
        reader.fail("auth", 'must be "basic" (CUCM firmware) or "digest" (multiplatform phones)')
        return default
    return scheme


def service_tls(reader: _Reader) -> tuple[str, str]:
    """``tls_cert`` and ``tls_key`` (relative to the config), both or neither, loadable together."""
    cert, key = reader.get("tls_cert", str, ""), reader.get("tls_key", str, "")
    if not cert and not key:
        return "", ""
    if not cert or not key:
        given, missing = ("tls_cert", "tls_key") if cert else ("tls_key", "tls_cert")  # the line that is there
        reader.fail(given, f"has no {missing}: give tls_cert and tls_key together (PEM files)")
        return "", ""
    from ..service_tls import tls_problem

    cert_path, key_path = (reader.path.parent / cert).expanduser(), (reader.path.parent / key).expanduser()
    if problem := tls_problem(cert_path, key_path):
        which = "tls_key" if problem.startswith("tls_key") else "tls_cert"
        reader.fail(which, problem.removeprefix(f"{which}: "))
        return "", ""
    return str(cert_path), str(key_path)


def service_verdict(reader: _Reader) -> Verdict:
    """``verdict``: "config" (the table's own user and password) or "cucm" (CUCM's AXL judges)."""
    given = reader.get("verdict", str, "config")
    if given == "cucm":
        return "cucm"
    if given != "config":
        reader.fail("verdict", 'must be "config" (its own user and password) or "cucm" (ask CUCM by AXL)')
    return "config"
