"""CUCM's RisPort70 ``selectCmDeviceExt``: the request built by hand, the answer read by local name.

No SOAP framework: one envelope and a namespace-agnostic reading are all phonetui needs,
and namespace prefixes differ between CUCM versions. Pure: the HTTP side is elsewhere.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .encode import escape
from .xmlsafe import XmlRefused, parse_xml

RISPORT_PATH = "/realtimeservice2/services/RISService70"
SOAP_ACTION = "selectCmDeviceExt"
#: CUCM answers at most this many devices per request.
MAX_DEVICES = 1000
#: CUCM's default Enterprise Parameter; the server refuses more with a Server.RateControl fault.
DEFAULT_RATE_PER_MINUTE = 15
#: RisPort answers can be large (1000 devices, several nodes): more than a phone's reply cap.
RESPONSE_MAX_BYTES = 32 * 1024 * 1024

_SOAPENV = "http://schemas.xmlsoap.org/soap/envelope/"
_AST = "http://schemas.cisco.com/ast/soap"


class RisError(Exception):
    """The answer was a SOAP fault or not RisPort's; ``rate_limited`` says whether to wait and retry."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code

    @property
    def rate_limited(self) -> bool:
        return self.code.rsplit(":", 1)[-1] == "Server.RateControl" or "exceeded allowed rate" in str(self).lower()


@dataclass(frozen=True)
class RisDevice:
    """One device as one CUCM node reports it."""

    name: str
    ip: str = ""
    dn: str = ""
    description: str = ""
    model: str = ""  #: RisPort's numeric model code, as text
    status: str = ""
    status_reason: str = ""
    httpd: str = ""  #: Yes, No or Unknown: No means the phone's web server is off
    protocol: str = ""
    active_load: str = ""
    timestamp: int = 0
    node: str = ""

    @property
    def web_server_off(self) -> bool:
        return self.httpd.lower() == "no"


@dataclass(frozen=True)
class RisPage:
    """One answer: its devices, the cursor for the next page, and the nodes that did not answer."""

    total: int
    devices: tuple[RisDevice, ...]
    state_info: str
    silent_nodes: tuple[str, ...]


def select_request(
    names: Sequence[str] = ("*",),
    state_info: str = "",
    status: str = "Any",
    max_devices: int = MAX_DEVICES,
) -> bytes:
    """A ``selectCmDeviceExt`` envelope asking for phones by name (``*`` for every phone)."""
    if len(names) > MAX_DEVICES:
        raise ValueError(f"at most {MAX_DEVICES} names per request, not {len(names)}")
    items = "".join(f"<soap:item><soap:Item>{escape(name)}</soap:Item></soap:item>" for name in names)
    envelope = (
        f'<soapenv:Envelope xmlns:soapenv="{_SOAPENV}" xmlns:soap="{_AST}">'
        "<soapenv:Header/><soapenv:Body><soap:selectCmDeviceExt>"
        f"<soap:StateInfo>{escape(state_info)}</soap:StateInfo>"
        "<soap:CmSelectionCriteria>"
        f"<soap:MaxReturnedDevices>{max_devices}</soap:MaxReturnedDevices>"
        "<soap:DeviceClass>Phone</soap:DeviceClass><soap:Model>255</soap:Model>"
        f"<soap:Status>{escape(status)}</soap:Status><soap:NodeName></soap:NodeName>"
        f"<soap:SelectBy>Name</soap:SelectBy><soap:SelectItems>{items}</soap:SelectItems>"
        "<soap:Protocol>Any</soap:Protocol><soap:DownloadStatus>Any</soap:DownloadStatus>"
        "</soap:CmSelectionCriteria></soap:selectCmDeviceExt></soapenv:Body></soapenv:Envelope>"
    )
    return b'<?xml version="1.0" encoding="UTF-8"?>' + envelope.encode("utf-8")


def _local(node: ET.Element) -> str:
    return node.tag.rsplit("}", 1)[-1]


def _child(node: ET.Element | None, name: str) -> ET.Element | None:
    if node is None:
        return None
    return next((child for child in node if _local(child) == name), None)


def _text(node: ET.Element | None, name: str) -> str:
    found = _child(node, name)
    return (found.text or "").strip() if found is not None else ""


def _items(node: ET.Element | None) -> list[ET.Element]:
    """The ``item`` children of a SOAP array (or every child, when a version names them otherwise)."""
    return [] if node is None else list(node)


def _find(root: ET.Element, name: str) -> ET.Element | None:
    return next((node for node in root.iter() if _local(node) == name), None)


def _device(node: ET.Element, node_name: str) -> RisDevice:
    addresses = _items(_child(node, "IPAddress"))
    ip = _text(addresses[0], "IP") if addresses else ""
    try:
        timestamp = int(_text(node, "TimeStamp") or 0)
    except ValueError:
        timestamp = 0
    return RisDevice(
        name=_text(node, "Name"),
        ip=ip,
        dn=_text(node, "DirNumber").split("-", 1)[0],
        description=_text(node, "Description"),
        model=_text(node, "Model"),
        status=_text(node, "Status"),
        status_reason=_text(node, "StatusReason"),
        httpd=_text(node, "Httpd"),
        protocol=_text(node, "Protocol"),
        active_load=_text(node, "ActiveLoadID"),
        timestamp=timestamp,
        node=node_name,
    )


def parse_select_response(body: bytes) -> RisPage:
    """The devices and paging cursor of an answer; RisError for a fault or a foreign body."""
    try:
        root = parse_xml(body, lenient=True, max_bytes=RESPONSE_MAX_BYTES)
    except XmlRefused as exc:
        raise RisError(f"not a RisPort answer: {exc}") from None
    fault = _find(root, "Fault")
    if fault is not None:
        raise RisError(_text(fault, "faultstring") or "SOAP fault without a reason", _text(fault, "faultcode"))
    result = _find(root, "SelectCmDeviceResult")
    if result is None:
        raise RisError(f"not a RisPort answer: no SelectCmDeviceResult in <{_local(root)}>")
    devices: list[RisDevice] = []
    silent: list[str] = []
    for node in _items(_child(result, "CmNodes")):
        name = _text(node, "Name")
        if _text(node, "ReturnCode") == "NodeNotResponding":
            silent.append(name)
            continue
        devices.extend(_device(device, name) for device in _items(_child(node, "CmDevices")))
    try:
        total = int(_text(result, "TotalDevicesFound") or 0)
    except ValueError:
        total = len(devices)
    state = _find(root, "StateInfo")
    return RisPage(total, tuple(devices), (state.text or "").strip() if state is not None else "", tuple(silent))


def newest(devices: Iterable[RisDevice]) -> dict[str, RisDevice]:
    """One record per device name: the one with the newest ``TimeStamp`` (several nodes may report it)."""
    chosen: dict[str, RisDevice] = {}
    for device in devices:
        key = device.name.upper()
        if key not in chosen or device.timestamp > chosen[key].timestamp:
            chosen[key] = device
    return chosen


def batches(names: Sequence[str], size: int = MAX_DEVICES) -> list[list[str]]:
    """Device names in requests of at most ``size`` names each."""
    return [list(names[start : start + size]) for start in range(0, len(names), size)]
