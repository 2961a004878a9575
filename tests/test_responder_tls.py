"""The responder over https ([service] tls_cert, tls_key): byte for byte what it answers over http,
its hosted objects over https, located config errors for certificates it cannot use, and
``simulate --service-tls``. Real TLS on loopback."""

from __future__ import annotations

import asyncio
import logging
import re
import ssl
import sys
from pathlib import Path

import httpx
import pytest

from phonetui.cisco import CiscoIPPhoneExecute, CiscoIPPhoneText, ExecuteItem, Outcome
from phonetui.config import ConfigErrors, Defaults, ServiceConfig, load_config, parse_config
from phonetui.object_host import RemoteObjectHost
from phonetui.push import Pusher
from phonetui.service import Service
from phonetui.sim_cucm import make_certificate
from phonetui.simphone import fleet_phones
from phonetui.simulator import Simulator

from .conftest import PASSWORD, USER

DEVICE = "SEP001122334455"


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    return make_certificate(tmp_path)


@pytest.fixture
async def https_service(certificate: tuple[Path, Path]) -> Service:
    cert, key = certificate
    config = ServiceConfig("127.0.0.1", 0, username=USER, password=PASSWORD, tls_cert=str(cert), tls_key=str(key))
    async with Service(config) as service:
        yield service  # type: ignore[misc]


async def raw_ask(service: Service, password: str, tls: ssl.SSLContext | None) -> bytes:
    """What a phone sends and reads: one GET, HTTP/1.1, the connection read to its end."""
    assert service.bound is not None
    reader, writer = await asyncio.open_connection(*service.bound, ssl=tls)
    query = f"UserID={USER}&Password={password}&devicename={DEVICE}"
    writer.write(f"GET /authenticate?{query} HTTP/1.1\r\nHost: cucm\r\n\r\n".encode())
    await writer.drain()
    raw = await reader.read()
    writer.close()
    return raw


def expected(token: bytes, raw: bytes) -> bytes:
    """The reply as it must be, with the date the reply itself carries."""
    date = re.search(rb"\r\nDate: ([^\r]+)\r\n", raw)
    assert date, raw
    return (
        b"HTTP/1.1 200 OK\r\nServer: phonetui\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
        b"Date: %s\r\nConnection: close\r\n\r\n%s" % (len(token), date.group(1), token)
    )


async def test_over_https_the_reply_is_byte_for_byte_the_http_one(
    https_service: Service, service: Service, certificate: tuple[Path, Path]
) -> None:
    assert https_service.auth_url.startswith("https://127.0.0.1:")
    tls = ssl.create_default_context(cafile=str(certificate[0]))
    for password, token in ((PASSWORD, b"AUTHORIZED"), ("guess", b"UN-AUTHORIZED")):
        secure = await raw_ask(https_service, password, tls)
        plain = await raw_ask(service, password, None)
        assert secure == expected(token, secure)
        assert plain == expected(token, plain)
        headers = secure.lower()
        for extra in (b"set-cookie", b"strict-transport-security", b"x-frame-options", b"content-security-policy"):
            assert extra not in headers


async def test_plain_http_to_the_https_responder_gets_no_verdict(https_service: Service) -> None:
    try:
        raw = await raw_ask(https_service, PASSWORD, None)
    except (ConnectionError, asyncio.IncompleteReadError):
        raw = b""
    assert b"AUTHORIZED" not in raw


async def test_hosted_objects_over_https_and_a_phone_trusting_the_certificate(
    https_service: Service, certificate: tuple[Path, Path], defaults: Defaults
) -> None:
    phones = fleet_phones(2, https_service.auth_url)
    for phone in phones:
        phone.auth_ca = str(certificate[0])  # as a phone trusts its secure authentication URL (its ITL)
    async with Simulator(phones) as sim:
        url = await https_service.host(b"<CiscoIPPhoneText><Text>Over TLS</Text></CiscoIPPhoneText>", "utf-8")
        assert url.startswith("https://")
        async with httpx.AsyncClient(verify=ssl.create_default_context(cafile=str(certificate[0]))) as client:
            assert (await client.get(url)).text.endswith("</CiscoIPPhoneText>")
        from .test_push_loopback import phones_of

        async with Pusher(defaults, host=https_service) as pusher:
            results = [r async for r in pusher.push(CiscoIPPhoneText("TLS", "", "x" * 600), phones_of(sim))]
            direct = [r async for r in pusher.push(CiscoIPPhoneExecute([ExecuteItem("Key:Services")]), phones_of(sim))]
    assert {(r.phone.name, r.route, r.outcome) for r in results} == {
        ("sim-0001", "direct", Outcome.OK),  # an 8845 takes 40 KB directly
        ("sim-0002", "via-url", Outcome.OK),  # a 7975 fetched it from the https responder
    }, results
    assert {r.outcome for r in direct} == {Outcome.OK}  # the phones asked the https responder and were told yes
    assert https_service.counters["AUTHORIZED"] >= 4


async def test_another_process_hosts_objects_on_it_trusting_its_certificate(
    https_service: Service, certificate: tuple[Path, Path]
) -> None:
    remote = RemoteObjectHost(https_service.url, USER, PASSWORD, str(certificate[0]))
    assert (await remote.host(b"<x/>", "utf-8")).startswith(https_service.url + "/objects/")
    with pytest.raises(httpx.ConnectError):  # without it, a self-signed certificate is not trusted
        await RemoteObjectHost(https_service.url, USER, PASSWORD).host(b"<x/>", "utf-8")


def test_certificates_the_responder_cannot_use_are_located_errors(tmp_path: Path) -> None:
    cert, key = make_certificate(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    _, other_key = make_certificate(other)
    config = tmp_path / "c.toml"
    tls = f'tls_cert = "{cert.name}"\ntls_key = "{key.name}"\n'
    good = parse_config(f'[service]\nusername = "u"\npassword = "p"\n{tls}', config)
    assert good.service and good.service.tls_cert == str(cert) and good.service.public_url.startswith("https://")
    cases = {
        f'tls_cert = "{cert.name}"\ntls_key = "other/{other_key.name}"': "service.tls_key: tls_key",
        f'tls_cert = "missing.pem"\ntls_key = "{key.name}"': "cannot read",
        f'tls_cert = "{key.name}"\ntls_key = "{key.name}"': "not a PEM certificate",
        f'tls_cert = "{cert.name}"': "c.toml:4: service.tls_cert: has no tls_key: give tls_cert and tls_key together",
        f'tls_key = "{key.name}"': "c.toml:4: service.tls_key: has no tls_cert: give tls_cert and tls_key together",
    }
    for body, message in cases.items():
        with pytest.raises(ConfigErrors) as caught:
            parse_config(f'[service]\nusername = "u"\npassword = "p"\n{body}\n', config)
        text = str(caught.value)
        assert message in text and "c.toml:" in text, text


async def test_check_names_the_certificate_error(tmp_path: Path) -> None:
    _, key = make_certificate(tmp_path)
    config = tmp_path / "c.toml"
    config.write_text(f'[service]\nusername = "u"\npassword = "p"\ntls_cert = "{key.name}"\ntls_key = "{key.name}"\n')
    config.chmod(0o600)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "phonetui", "check", "--config", str(config),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 2
    assert "c.toml:4: service.tls_cert:" in err.decode() + out.decode()


async def test_simulate_service_tls_writes_an_https_auth_url(tmp_path: Path) -> None:
    written = tmp_path / "sim.toml"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "phonetui", "simulate", "--count", "3", "--mpp", "1", "--service-tls",
        "--write-config", str(written), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        lines = []
        while not written.exists() or "config written" not in "".join(lines):
            line = await asyncio.wait_for(proc.stdout.readline(), 30)
            assert line, (await proc.stderr.read()).decode() if proc.stderr else ""
            lines.append(line.decode())
        assert any(line.startswith("authentication URL: https://") for line in lines), lines
        config = load_config(written)
        assert config.service and config.service.tls_cert and config.service.public_url.startswith("https://")
        assert config.phones[-1].model.endswith("3PCC")
        from cryptography import x509

        subject = x509.load_pem_x509_certificate(Path(config.service.tls_cert).read_bytes()).subject.rfc4514_string()
        assert "responder" in subject and "CUCM" not in subject, subject
        async with Pusher(config.defaults) as pusher:
            results = [r async for r in pusher.push(CiscoIPPhoneText("Hi", "", "over tls"), config.phones)]
        assert {r.outcome for r in results} == {Outcome.OK}, results
    finally:
        proc.terminate()
        await proc.wait()


async def test_serve_answers_over_https(tmp_path: Path) -> None:
    cert, key = make_certificate(tmp_path)
    config = tmp_path / "c.toml"
    config.write_text(
        f'[service]\nlisten = "127.0.0.1:0"\nusername = "{USER}"\npassword = "{PASSWORD}"\n'
        f'tls_cert = "{cert.name}"\ntls_key = "{key.name}"\n'
    )
    config.chmod(0o600)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "phonetui", "serve", "--config", str(config),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
        match = re.search(r"phones use (https://127\.0\.0\.1:(\d+)/authenticate)", line)
        assert match, line
        verify = ssl.create_default_context(cafile=str(cert))
        async with httpx.AsyncClient(verify=verify, trust_env=False) as client:
            fields = {"UserID": USER, "Password": PASSWORD, "devicename": DEVICE}
            answer = await client.get(match.group(1), params=fields)
        assert (answer.status_code, answer.content) == (200, b"AUTHORIZED")
        port = int(match.group(2))
        with pytest.raises(ssl.SSLCertVerificationError):  # a phone that does not trust it
            await asyncio.open_connection("127.0.0.1", port, ssl=ssl.create_default_context())
        said = ""
        while "TLS handshake" not in said:
            said = (await asyncio.wait_for(proc.stdout.readline(), 10)).decode()
        assert "TLS handshake from 127.0.0.1 failed:" in said and "not trust" in said, said
    finally:
        proc.terminate()
        await proc.wait()


async def test_an_encrypted_or_junk_key_is_named_in_words_and_never_prompts(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization

    cert, key = make_certificate(tmp_path)
    loaded = serialization.load_pem_private_key(key.read_bytes(), None)
    encrypted = tmp_path / "enc.pem"
    encryption = serialization.BestAvailableEncryption(b"secret")
    pkcs8 = serialization.PrivateFormat.PKCS8
    encrypted.write_bytes(loaded.private_bytes(serialization.Encoding.PEM, pkcs8, encryption))
    (tmp_path / "junk.pem").write_text("not a key\n")
    config = tmp_path / "c.toml"
    for name, said in {
        "enc.pem": "the key in",
        "junk.pem": f"{tmp_path / 'junk.pem'} is not a PEM private key",
    }.items():
        config.write_text(f'[service]\nusername = "u"\npassword = "p"\ntls_cert = "{cert.name}"\ntls_key = "{name}"\n')
        config.chmod(0o600)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "phonetui", "check", "--config", str(config),
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            start_new_session=True,  # no terminal to prompt on: a prompt would fail, not wait
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), 30)
        text = err.decode() + out.decode()
        assert proc.returncode == 2 and f"c.toml:5: service.tls_key: {said}" in text, text
        assert "Enter PEM pass phrase" not in text
    with pytest.raises(ConfigErrors, match=r"encrypted: give an unencrypted key \(e\.g\. openssl pkey -in"):
        parse_config(
            f'[service]\nusername = "u"\npassword = "p"\ntls_cert = "{cert.name}"\ntls_key = "enc.pem"\n', config
        )


async def test_a_phone_that_does_not_trust_the_certificate_is_logged_once_a_minute(
    https_service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    from phonetui import service_tls

    service_tls._last_logged.clear()
    assert https_service.bound is not None
    distrusting = ssl.create_default_context()  # the system's CAs: not this self-signed certificate
    caplog.set_level(logging.INFO, logger="phonetui.service")
    for _ in range(3):
        with pytest.raises(ssl.SSLCertVerificationError):
            await asyncio.open_connection(*https_service.bound, ssl=distrusting)
    await asyncio.sleep(0.2)
    lines = [r.getMessage() for r in caplog.records if "TLS handshake" in r.getMessage()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("TLS handshake from 127.0.0.1 failed:") and "not trust" in lines[0], lines


def test_simulate_auth_ca_needs_an_https_auth_url_and_a_readable_file(tmp_path: Path) -> None:
    from .test_cli import phonetui

    no_url = phonetui("simulate", "--count", "1", "--auth-ca", str(tmp_path / "ca.pem"))
    assert no_url.returncode == 2 and "--auth-ca needs an https --auth-url" in no_url.stderr, no_url.stderr
    missing = phonetui(
        "simulate", "--count", "1", "--auth-url", "https://127.0.0.1:1/authenticate", "--auth-ca", str(tmp_path / "x")
    )
    assert missing.returncode == 2 and "not a readable PEM certificate file" in missing.stderr, missing.stderr


async def test_plain_http_sent_to_the_https_responder_is_said_in_words(
    https_service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    from phonetui import service_tls

    service_tls._last_logged.clear()
    caplog.set_level(logging.INFO, logger="phonetui.service")
    assert b"HTTP/1.1 200" not in await raw_ask(https_service, PASSWORD, None)  # no TLS at all
    await asyncio.sleep(0.2)
    lines = [r.getMessage() for r in caplog.records if "TLS handshake" in r.getMessage()]
    assert lines == ["TLS handshake from 127.0.0.1 failed: plain HTTP sent to the https port (a URL that says "
                     "http:// where it should say https://)"], lines  # fmt: skip
