"""A fake CUCM for the simulated fleet: RisPort70 and AXL ``listPhone`` over HTTPS on loopback.

It plays what makes real discovery hard: two nodes that both report one device (the
older record must lose), a third node that answers ``NodeNotResponding``, answers split
into pages joined by ``StateInfo``, a rate limit answered with ``Server.RateControl``,
and unregistered phones. Its certificate is self-signed, made at start; clients trust
it through ``ca_file``.
"""

from __future__ import annotations

import asyncio
import datetime
import hmac
import ipaddress
import shutil
import ssl
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from .basic_auth import parse_basic
from .cisco.encode import escape
from .cisco.families import model_number
from .cisco.risport import DEFAULT_RATE_PER_MINUTE, MAX_DEVICES, RISPORT_PATH
from .cisco.screens import is_mpp
from .simphone import SimPhone

AXL_PATH = "/axl/"
NODES = ("cm-pub", "cm-sub1")
SILENT_NODE = "cm-sub2"
#: The stale address the older duplicate record carries: nothing listens there.
STALE_ADDRESS = "127.255.255.254"
_SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
_AST = "http://schemas.cisco.com/ast/soap"


@dataclass
class CucmDevice:
    """One phone as the fake CUCM knows it."""

    name: str
    ip: str
    model: str  #: "Cisco 8845", as AXL names it
    dn: str = ""
    description: str = ""
    device_pool: str = "Default"
    registered: bool = True
    httpd: bool = True


def make_certificate(
    folder: Path, host: str = "127.0.0.1", name: str = "phonetui simulated CUCM", stem: str = "cucm"
) -> tuple[Path, Path]:
    """A self-signed certificate for ``host`` and its key: ``{stem}-cert.pem`` and ``{stem}-key.pem`` in ``folder``.

    The simulated CUCM, the simulated phones over https and the tests all make theirs here.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / f"{stem}-cert.pem", folder / f"{stem}-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    return cert_path, key_path


def _local(node: ET.Element) -> str:
    return node.tag.rsplit("}", 1)[-1]


def _texts(root: ET.Element, name: str) -> list[str]:
    return [(node.text or "").strip() for node in root.iter() if _local(node) == name]


class FakeCucm:
    """RisPort70 and AXL for a list of devices; every behaviour is a knob."""

    def __init__(
        self,
        devices: list[CucmDevice],
        username: str,
        password: str,
        *,
        host: str = "127.0.0.1",
        page_size: int = MAX_DEVICES,
        rate_per_minute: int = DEFAULT_RATE_PER_MINUTE,
        clock: Callable[[], float] = time.monotonic,
        users: dict[str, str] | None = None,
    ) -> None:
        self.devices = devices
        #: End users and their passwords, for AXL ``doAuthenticateUser``.
        self.users = dict(users or {})
        #: Knobs for AXL: answer with this HTTP status (0: normally), after this many seconds.
        self.axl_status = 0
        self.axl_delay = 0.0
        #: doAuthenticateUser questions answered (the tests count them).
        self.authentications = 0
        self.credentials = (username, password)
        self.host = host
        self.port = 0
        self.page_size = page_size
        self.rate_per_minute = rate_per_minute
        self.clock = clock
        self.requests: list[float] = []
        self.rate_faults = 0
        self.folder = Path(tempfile.mkdtemp(prefix="phonetui-cucm-"))
        self.ca_file = self.folder / "cucm-cert.pem"
        self._runner: web.AppRunner | None = None
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post(RISPORT_PATH, self._risport)
        app.router.add_post(AXL_PATH, self._axl)
        self.app = app

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}"

    async def start(self, port: int = 0) -> None:
        cert, key = make_certificate(self.folder, self.host)
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(cert, key)
        runner = web.AppRunner(self.app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, self.host, port, ssl_context=tls, reuse_address=True)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1]
        self._runner = runner

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()
            self._runner = None
        shutil.rmtree(self.folder, ignore_errors=True)

    async def __aenter__(self) -> FakeCucm:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- RisPort70 ---------------------------------------------------------------------------

    def _refused(self, request: web.Request) -> web.Response | None:
        user, password = parse_basic(request.headers.get("Authorization", "")) or ("", "")
        if (user, password) != self.credentials:
            return web.Response(status=401, headers={"WWW-Authenticate": 'Basic realm="Cisco"'})
        return None

    def _over_rate(self) -> bool:
        now = self.clock()
        self.requests = [at for at in self.requests if now - at < 60.0]
        if len(self.requests) >= self.rate_per_minute:
            self.rate_faults += 1
            return True
        self.requests.append(now)
        return False

    async def _risport(self, request: web.Request) -> web.Response:
        refused = self._refused(request)
        if refused:
            return refused
        if self._over_rate():
            return _soap_fault(
                "ns1:Server.RateControl",
                "AxisFault: Exceeded allowed rate for Reatime information. Current allowed rate for realtime "
                f"information is {self.rate_per_minute} requests per minute.",
            )
        try:
            root = ET.fromstring(await request.read())
        except ET.ParseError:
            return _soap_fault("soapenv:Client", "the request is not XML")
        wanted = {name.upper() for name in _texts(root, "Item")}
        state = (_texts(root, "StateInfo") or [""])[0]
        size = min(self.page_size, int((_texts(root, "MaxReturnedDevices") or [str(MAX_DEVICES)])[0] or 0))
        matching = [(i, d) for i, d in enumerate(self.devices) if "*" in wanted or d.name.upper() in wanted]
        offset = int(state) if state.isdigit() else 0
        page = matching[offset : offset + size]
        following = str(offset + size) if offset + size < len(matching) else ""
        return _xml(self._select_answer(page, len(matching), following))

    def _records(self, page: list[tuple[int, CucmDevice]]) -> dict[str, list[str]]:
        """Each node's device records; the first device of the fleet is also reported, older, by the other node."""
        records: dict[str, list[str]] = {node: [] for node in NODES}
        for index, device in page:
            node = NODES[index % len(NODES)]
            records[node].append(_device_xml(device, device.ip, 1_700_000_000 + index))
            if index == 0:
                records[NODES[1]].append(_device_xml(device, STALE_ADDRESS, 1_600_000_000))
        return records

    def _select_answer(self, page: list[tuple[int, CucmDevice]], total: int, state: str) -> str:
        nodes = "".join(
            f"<ns1:item><ns1:ReturnCode>{'Ok' if devices else 'NotFound'}</ns1:ReturnCode><ns1:Name>{node}</ns1:Name>"
            f"<ns1:NoChange>false</ns1:NoChange><ns1:CmDevices>{''.join(devices)}</ns1:CmDevices></ns1:item>"
            for node, devices in self._records(page).items()
        )
        nodes += (
            f"<ns1:item><ns1:ReturnCode>NodeNotResponding</ns1:ReturnCode><ns1:Name>{SILENT_NODE}</ns1:Name>"
            "<ns1:NoChange>false</ns1:NoChange><ns1:CmDevices/></ns1:item>"
        )
        return (
            f'<ns1:selectCmDeviceResponse xmlns:ns1="{_AST}"><ns1:selectCmDeviceReturn>'
            f"<ns1:SelectCmDeviceResult><ns1:TotalDevicesFound>{total}</ns1:TotalDevicesFound>"
            f"<ns1:CmNodes>{nodes}</ns1:CmNodes></ns1:SelectCmDeviceResult>"
            f"<ns1:StateInfo>{escape(state)}</ns1:StateInfo></ns1:selectCmDeviceReturn></ns1:selectCmDeviceResponse>"
        )

    # -- AXL -----------------------------------------------------------------------------------

    async def _axl(self, request: web.Request) -> web.Response:
        refused = self._refused(request)
        if refused:
            return refused
        if self.axl_delay:
            await asyncio.sleep(self.axl_delay)
        if self.axl_status:
            return web.Response(status=self.axl_status, text="AXL is not available")
        try:
            root = ET.fromstring(await request.read())
        except ET.ParseError:
            return _soap_fault("soapenv:Client", "the request is not XML")
        if any(_local(node) == "doAuthenticateUser" for node in root.iter()):
            return self._authenticate_user(root)
        pattern = ((_texts(root, "name") or ["%"])[0] or "%").upper()
        prefix = pattern.split("%", 1)[0]
        phones = "".join(
            f"<phone><name>{escape(d.name)}</name><description>{escape(d.description)}</description>"
            f"<model>{escape(d.model)}</model><devicePoolName>{escape(d.device_pool)}</devicePoolName></phone>"
            for d in self.devices
            if d.name.upper().startswith(prefix) and ("%" in pattern or d.name.upper() == pattern)
        )
        return _xml(f'<ns:listPhoneResponse xmlns:ns="http://www.cisco.com/AXL/API/15.0"><return>{phones}</return>'
                    "</ns:listPhoneResponse>")  # fmt: skip

    def _authenticate_user(self, root: ET.Element) -> web.Response:
        """``doAuthenticateUser``: whether the end user's password is right (an unknown user: false)."""
        self.authentications += 1
        userid, password = (_texts(root, "userid") or [""])[0], (_texts(root, "password") or [""])[0]
        expected = self.users.get(userid)
        right = expected is not None and hmac.compare_digest(expected.encode(), password.encode())
        flag, code = ("true", 0) if right else ("false", 1)
        answer = f"<userAuthenticated>{flag}</userAuthenticated><code>{code}</code>"
        return _xml(
            '<ns:doAuthenticateUserResponse xmlns:ns="http://www.cisco.com/AXL/API/15.0"><return>'
            f"{answer}<daysToExpiry>0</daysToExpiry><isWorkingPeriod>true</isWorkingPeriod></return>"
            "</ns:doAuthenticateUserResponse>"
        )


def _device_xml(device: CucmDevice, ip: str, stamp: int) -> str:
    status = "Registered" if device.registered else "UnRegistered"
    return (
        f"<ns1:item><ns1:Name>{escape(device.name)}</ns1:Name><ns1:DirNumber>{escape(device.dn)}-{status}"
        f"</ns1:DirNumber><ns1:DeviceClass>Phone</ns1:DeviceClass><ns1:Model>0</ns1:Model>"
        f"<ns1:Httpd>{'Yes' if device.httpd else 'No'}</ns1:Httpd><ns1:Status>{status}</ns1:Status>"
        f"<ns1:Description>{escape(device.description)}</ns1:Description><ns1:TimeStamp>{stamp}</ns1:TimeStamp>"
        "<ns1:Protocol>SIP</ns1:Protocol>"
        f"<ns1:IPAddress><ns1:item><ns1:IP>{ip}</ns1:IP><ns1:IPAddrType>ipv4</ns1:IPAddrType>"
        "<ns1:Attribute>Unknown</ns1:Attribute></ns1:item></ns1:IPAddress></ns1:item>"
    )


def _envelope(body: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="{_SOAP}">'
        f"<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    ).encode()


def _xml(body: str) -> web.Response:
    return web.Response(body=_envelope(body), content_type="text/xml", charset="utf-8")


def _soap_fault(code: str, message: str) -> web.Response:
    fault = f"<soapenv:Fault><faultcode>{code}</faultcode><faultstring>{escape(message)}</faultstring></soapenv:Fault>"
    return web.Response(status=500, body=_envelope(fault), content_type="text/xml", charset="utf-8")


def cucm_devices(phones: list[SimPhone]) -> list[CucmDevice]:
    """What a CUCM would know of a simulated fleet; phones that do not answer are unregistered in it."""
    return [
        CucmDevice(
            name=phone.devicename,
            ip=phone.host,
            model="Cisco " + (model_number(phone.model) or phone.model) + (" 3PCC" if is_mpp(phone.model) else ""),
            dn=str(1000 + index),
            description=f"{phone.name} ({phone.model})",
            device_pool=f"DP-group-{index % 4 + 1}",
            registered=not phone.offline,
            httpd=not phone.web_off,
        )
        for index, phone in enumerate(phones)
    ]


def config_by_device(raw: dict[str, Any], phones: list[SimPhone], cucm: FakeCucm, config_path: Path) -> dict[str, Any]:
    """A simulator's config with each phone named by its device alone, and CUCM to find their addresses.

    Each keeps its port: CUCM knows addresses, not ports, and simulated phones cannot have
    port 80 (a real phone's) without root. The certificate is copied beside the config, so
    the config still checks once the simulator (and its temporary folder) is gone.
    """
    ca_copy = config_path.with_name(f"{config_path.stem}-cucm-ca.pem")
    ca_copy.write_bytes(cucm.ca_file.read_bytes())
    by_name = {phone.name: phone for phone in phones}
    for entry in raw["phones"]:
        entry.pop("host")
        entry.pop("model", None)
        entry["device"] = by_name[entry["name"]].devicename
    user, password = cucm.credentials
    raw["cucm"] = {"url": cucm.url, "username": user, "password": password, "ca_file": ca_copy.name, "axl": True}
    raw["cucm"]["rate_per_minute"] = cucm.rate_per_minute  # discover paces to it, never meeting the limit
    return raw
