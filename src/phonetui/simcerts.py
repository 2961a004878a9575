"""The simulated fleet's https certificate: one CA, and one certificate it signs naming every phone's address.

With ``verify = true`` a phone's certificate must be signed by a CA the admin gives
(``ca_file``) and name the address phonetui asked; one self-signed certificate for
127.0.0.1 could do neither for a fleet at 127.77.0.x. The phones share one certificate
(one key, one handshake context) that lists their addresses, up to ``MOST_NAMES``: beyond
that the certificate would be larger than TLS clients accept in a handshake.

A kept folder (``simulate --cert-dir``) is used again only while its certificate still names
every address the fleet has and has not expired; else a new one is made, signed by the same CA
(its key is kept beside it), so ``verify = true`` keeps working and only pins change.
"""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Iterable
from pathlib import Path
from typing import Any

#: Addresses one certificate names at most (~8 bytes each: 4,096 keep it near 32 KB).
MOST_NAMES = 4096
LIFETIME = datetime.timedelta(days=30)


def _names(hosts: Iterable[str]) -> list[object]:
    from cryptography import x509

    names: list[object] = []
    seen: set[str] = set()
    for host in ["127.0.0.1", *hosts]:
        if host in seen or len(names) >= MOST_NAMES:
            continue
        seen.add(host)
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return names


def _paths(folder: Path, stem: str) -> tuple[Path, Path, Path, Path]:
    """The CA, the certificate, its key, and the CA's key."""
    ca, cert, key, ca_key = (folder / f"{stem}-{part}.pem" for part in ("ca", "cert", "key", "ca-key"))
    return ca, cert, key, ca_key


def _new_ca(now: datetime.datetime) -> tuple[Any, Any]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "phonetui simulated phones' CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    return ca, ca_key


def _kept_ca(folder: Path, stem: str, now: datetime.datetime) -> tuple[Any, Any] | None:
    """The folder's CA and its key, when both are there, readable and the CA has not expired."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    ca_path, _, _, ca_key_path = _paths(folder, stem)
    try:
        ca = x509.load_pem_x509_certificate(ca_path.read_bytes())
        ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        return None
    return (ca, ca_key) if ca.not_valid_after_utc > now + datetime.timedelta(hours=1) else None


def make_fleet_certificate(
    folder: Path, hosts: Iterable[str], stem: str = "phones", keep_ca: bool = False
) -> tuple[Path, Path, Path]:
    """``{stem}-ca.pem`` (give it as ``ca_file``), ``{stem}-cert.pem`` and ``{stem}-key.pem`` in ``folder``
    (and the CA's key, ``{stem}-ca-key.pem``). ``keep_ca``: sign with the folder's CA when it has one."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    kept = _kept_ca(folder, stem, now) if keep_ca else None
    ca, ca_key = kept or _new_ca(now)
    ca_name = ca.subject
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "phonetui simulated phone")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + LIFETIME)
        .add_extension(x509.SubjectAlternativeName(_names(hosts)), critical=False)  # type: ignore[arg-type]
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path, ca_key_path = _paths(folder, stem)
    pkcs8 = (serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    if kept is None:
        ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        ca_key_path.write_bytes(b"")
        ca_key_path.chmod(0o600)
        ca_key_path.write_bytes(ca_key.private_bytes(*pkcs8))
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(b"")
    key_path.chmod(0o600)  # before the key is in it
    key_path.write_bytes(key.private_bytes(*pkcs8))
    return ca_path, cert_path, key_path


def _carried(cert_path: Path) -> tuple[set[str], datetime.datetime] | None:
    """The addresses a certificate names and when it expires, or None when it cannot be read."""
    from cryptography import x509

    try:
        certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return None
    carried = {str(ip) for ip in names.get_values_for_type(x509.IPAddress)}
    return carried | set(names.get_values_for_type(x509.DNSName)), certificate.not_valid_after_utc


def fleet_certificate(folder: Path, hosts: list[str], stem: str = "phones") -> tuple[Path, Path, str]:
    """The certificate and key kept in ``folder`` while they still fit the fleet, else new ones made there;
    and a line saying what was remade and why ("" when the kept ones were used, or the folder had none)."""
    ca, cert, key, _ = _paths(folder, stem)
    if not (ca.is_file() and cert.is_file() and key.is_file()):
        return (*make_fleet_certificate(folder, hosts, stem)[1:], "")
    needed = {str(name.value) for name in _names(hosts)}  # type: ignore[attr-defined]
    carried = _carried(cert)
    now = datetime.datetime.now(datetime.UTC)
    if carried is not None and needed <= carried[0] and carried[1] > now + datetime.timedelta(hours=1):
        return cert, key, ""
    if carried is None:
        why = "could not be read"
    elif not needed <= carried[0]:
        missing = sorted(needed - carried[0], key=_address_order)
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        why = f"did not name {', '.join(missing[:3])}{more}"
    else:
        why = "had expired"
    same_ca = _kept_ca(folder, stem, now) is not None
    make_fleet_certificate(folder, hosts, stem, keep_ca=True)
    signer = f"signed by the same CA ({ca})" if same_ca else f"with a new CA ({ca}: the folder kept no usable CA key)"
    note = f"the phones' certificate in {folder} {why}: made a new one for the fleet's addresses, {signer}"
    return cert, key, f"{note}; pinned phones refuse it until accepted (phonetui trust)"


def _address_order(name: str) -> tuple[int, str]:
    try:
        return int(ipaddress.ip_address(name)), ""
    except ValueError:
        return 1 << 128, name
