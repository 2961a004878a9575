"""The authentication responder and the object host, over real HTTP."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from phonetui.config import ServiceConfig
from phonetui.service import AuthEvent, Service

from .conftest import PASSWORD, USER, needs_loopback_aliases

DEVICE = "SEP005056000001"


async def ask(service: Service, method: str, **fields: str) -> httpx.Response:
    async with httpx.AsyncClient(trust_env=False) as client:
        if method == "GET":
            return await client.get(service.auth_url, params=fields)
        return await client.post(service.auth_url, data=fields)


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(
    ("fields", "body"),
    [
        ({"UserID": USER, "Password": PASSWORD, "devicename": DEVICE}, b"AUTHORIZED"),
        ({"UserID": USER, "Password": "nope", "devicename": DEVICE}, b"UN-AUTHORIZED"),
        ({"UserID": "someone", "Password": PASSWORD, "devicename": DEVICE}, b"UN-AUTHORIZED"),
        ({"userid": USER, "password": PASSWORD, "devicename": DEVICE}, b"AUTHORIZED"),
        ({"devicename": DEVICE}, b"ERROR"),
    ],
)
async def test_exact_answers(service: Service, method: str, fields: dict[str, str], body: bytes) -> None:
    response = await ask(service, method, **fields)
    assert response.status_code == 200
    assert response.content == body
    assert response.headers["content-type"] == "text/plain"
    assert response.headers["content-length"] == str(len(body))
    assert "set-cookie" not in response.headers
    assert not {"x-frame-options", "strict-transport-security", "content-security-policy"} & set(response.headers)


async def test_raw_bytes_on_the_wire(service: Service) -> None:
    host, port = service.bound
    reader, writer = await asyncio.open_connection(host, port)
    query = f"UserID={USER}&Password={PASSWORD}&devicename={DEVICE}"
    writer.write(f"GET /authenticate?{query} HTTP/1.0\r\nHost: x\r\n\r\n".encode())
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    assert body == b"AUTHORIZED"
    assert head.startswith(b"HTTP/1.") and b" 200 " in head.split(b"\r\n")[0]


async def test_events_name_device_and_user_never_password(service: Service) -> None:
    seen: list[AuthEvent] = []
    service.listeners.append(seen.append)
    await ask(service, "GET", UserID=USER, Password=PASSWORD, devicename=DEVICE)
    await ask(service, "POST", UserID=USER, Password="guess-123", devicename=DEVICE)
    assert [(e.devicename, e.user, e.verdict, e.method) for e in seen] == [
        (DEVICE, USER, "AUTHORIZED", "GET"),
        (DEVICE, USER, "UN-AUTHORIZED", "POST"),
    ]
    assert seen[1].reason == "wrong password"
    text = " ".join(e.line() + repr(e) for e in seen)
    assert PASSWORD not in text and "guess-123" not in text
    assert service.counters == {"AUTHORIZED": 1, "UN-AUTHORIZED": 1}


async def test_device_allowlist(service_config: ServiceConfig) -> None:
    service_config.allowed_devices = (DEVICE,)
    async with Service(service_config) as service:
        good = await ask(service, "GET", UserID=USER, Password=PASSWORD, devicename=DEVICE.lower())
        other = await ask(service, "GET", UserID=USER, Password=PASSWORD, devicename="SEP00112233AABB")
    assert (good.content, other.content) == (b"AUTHORIZED", b"UN-AUTHORIZED")


async def test_hosted_objects_served_with_charset_and_expire(service_config: ServiceConfig) -> None:
    service_config.object_ttl = 0.3
    async with Service(service_config) as service, httpx.AsyncClient(trust_env=False) as client:
        url = await service.host("<CiscoIPPhoneText><Text>é</Text></CiscoIPPhoneText>".encode("latin-1"), "iso-8859-1")
        assert url.startswith(service.url + "/objects/") and len(url.rsplit("/", 1)[1]) > 30
        first = await client.get(url)
        assert first.headers["content-type"] == "text/xml; charset=ISO-8859-1"
        assert first.content.endswith(b"\xe9</Text></CiscoIPPhoneText>")
        guessed = await client.get(url[:-8] + "AAAA.xml")
        await asyncio.sleep(0.4)
        expired = await client.get(url)
    assert (guessed.status_code, expired.status_code) == (404, 404)


async def test_upload_needs_credentials(service: Service) -> None:
    async with httpx.AsyncClient(trust_env=False) as client:
        refused = await client.post(f"{service.url}/objects", content=b"<x/>", auth=(USER, "bad"))
        accepted = await client.post(f"{service.url}/objects", content=b"<x/>", auth=(USER, PASSWORD))
        fetched = await client.get(accepted.text)
    assert refused.status_code == 401
    assert accepted.status_code == 201 and fetched.content == b"<x/>"


async def test_stop_frees_the_port(service_config: ServiceConfig) -> None:
    service = Service(service_config)
    await service.start()
    host, port = service.bound
    await service.stop()
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))


async def test_port_in_use_raises(service: Service, service_config: ServiceConfig) -> None:
    service_config.listen_port = service.bound[1]
    with pytest.raises(OSError):
        await Service(service_config).start()


async def test_repeated_wrong_passwords_are_throttled_and_logged(service: Service) -> None:
    from phonetui.service import THROTTLE_FAILURES

    for _ in range(THROTTLE_FAILURES):
        assert (await ask(service, "GET", UserID=USER, Password="guess", devicename=DEVICE)).content == b"UN-AUTHORIZED"
    right = await ask(service, "GET", UserID=USER, Password=PASSWORD, devicename=DEVICE)
    assert right.content == b"UN-AUTHORIZED"  # even the right password, from this address, for a while
    assert service.events[-1].reason.startswith("throttled")


@needs_loopback_aliases
async def test_other_addresses_are_not_throttled(service: Service) -> None:
    from phonetui.service import THROTTLE_FAILURES

    for _ in range(THROTTLE_FAILURES):
        await ask(service, "GET", UserID=USER, Password="guess", devicename=DEVICE)
    transport = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
    async with httpx.AsyncClient(transport=transport, trust_env=False) as client:
        other = await client.get(service.auth_url, params={"UserID": USER, "Password": PASSWORD, "devicename": DEVICE})
    assert other.content == b"AUTHORIZED"
