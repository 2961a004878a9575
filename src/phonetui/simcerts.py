"""The simulated fleet's https certificate: one CA, and one certificate it signs naming every phone's address.

With ``verify = true`` a phone's certificate must be signed by a CA the admin gives
(``ca_file``) and name the address phonetui asked; one self-signed certificate for
127.0.0.1 could do neither for a fleet at 127.77.0.x. The phones share one certificate
(one key, one handshake context) that lists their addresses, up to ``MOST_NAMES``: beyond
that the certificate would be larger than TLS clients accept in a handshake.
"""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Iterable
from pathlib import Path

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


def make_fleet_certificate(folder: Path, hosts: Iterable[str], stem: str = "phones") -> tuple[Path, Path, Path]:
    """``{stem}-ca.pem`` (give it as ``ca_file``), ``{stem}-cert.pem`` and ``{stem}-key.pem`` in ``folder``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
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
    ca_path, cert_path, key_path = (folder / f"{stem}-{part}.pem" for part in ("ca", "cert", "key"))
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    return ca_path, cert_path, key_path
