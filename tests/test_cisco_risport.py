"""RisPort70 envelopes out, answers in: paging cursor, silent nodes, faults, the newest record."""

import xml.etree.ElementTree as ET

import pytest

from phonetui.cisco.risport import (
    MAX_DEVICES,
    RisDevice,
    RisError,
    batches,
    newest,
    parse_select_response,
    select_request,
)


def _answer(nodes: str, state: str = "", total: int = 0) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
        '<ns1:selectCmDeviceExtResponse xmlns:ns1="http://schemas.cisco.com/ast/soap"><ns1:selectCmDeviceReturn>'
        f"<ns1:SelectCmDeviceResult><ns1:TotalDevicesFound>{total}</ns1:TotalDevicesFound>"
        f"<ns1:CmNodes>{nodes}</ns1:CmNodes></ns1:SelectCmDeviceResult>"
        f"<ns1:StateInfo>{state}</ns1:StateInfo>"
        "</ns1:selectCmDeviceReturn></ns1:selectCmDeviceExtResponse></soapenv:Body></soapenv:Envelope>"
    ).encode()


def _device(name: str, ip: str, stamp: int, httpd: str = "Yes") -> str:
    return (
        f"<ns1:item><ns1:Name>{name}</ns1:Name><ns1:DirNumber>4001-Registered</ns1:DirNumber>"
        f"<ns1:Model>36213</ns1:Model><ns1:Httpd>{httpd}</ns1:Httpd><ns1:Status>Registered</ns1:Status>"
        f"<ns1:Description>Lobby &amp; hall</ns1:Description><ns1:TimeStamp>{stamp}</ns1:TimeStamp>"
        f"<ns1:IPAddress><ns1:item><ns1:IP>{ip}</ns1:IP><ns1:IPAddrType>ipv4</ns1:IPAddrType></ns1:item>"
        "</ns1:IPAddress></ns1:item>"
    )


def _node(name: str, devices: str, code: str = "Ok") -> str:
    return (
        f"<ns1:item><ns1:ReturnCode>{code}</ns1:ReturnCode><ns1:Name>{name}</ns1:Name>"
        f"<ns1:CmDevices>{devices}</ns1:CmDevices></ns1:item>"
    )


def test_request_names_every_device_and_escapes() -> None:
    body = select_request(["SEP001122334455", "a<b"], state_info="cursor&1")
    root = ET.fromstring(body)
    items = [node.text for node in root.iter("{http://schemas.cisco.com/ast/soap}Item")]
    assert items == ["SEP001122334455", "a<b"]
    assert root.find(".//{http://schemas.cisco.com/ast/soap}StateInfo").text == "cursor&1"  # type: ignore[union-attr]  # found above


def test_request_refuses_more_than_a_batch() -> None:
    with pytest.raises(ValueError, match="at most 1000"):
        select_request(["SEP"] * (MAX_DEVICES + 1))
    assert [len(batch) for batch in batches([str(n) for n in range(2500)])] == [1000, 1000, 500]


def test_answer_devices_cursor_and_silent_nodes() -> None:
    page = parse_select_response(
        _answer(
            _node("cm1", _device("SEP1", "10.0.0.1", 100) + _device("SEP2", "10.0.0.2", 100, httpd="No"))
            + _node("cm2", "", code="NodeNotResponding"),
            state="next-page",
            total=3,
        )
    )
    assert page.total == 3
    assert page.state_info == "next-page"
    assert page.silent_nodes == ("cm2",)
    first, second = page.devices
    assert (first.name, first.ip, first.dn, first.model, first.node) == ("SEP1", "10.0.0.1", "4001", "36213", "cm1")
    assert first.description == "Lobby & hall"
    assert second.web_server_off and not first.web_server_off


def test_newest_record_wins() -> None:
    old = RisDevice("SEP1", ip="10.0.0.1", timestamp=100, node="cm1")
    new = RisDevice("sep1", ip="10.0.0.9", timestamp=200, node="cm2")
    assert newest([new, old])["SEP1"].ip == "10.0.0.9"
    assert newest([old, new])["SEP1"].ip == "10.0.0.9"


def test_rate_fault_is_recognised() -> None:
    fault = (
        b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
        b"<soapenv:Fault><faultcode>ns1:Server.RateControl</faultcode>"
        b"<faultstring>AxisFault: Exceeded allowed rate for Reatime information.</faultstring>"
        b"</soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    )
    with pytest.raises(RisError) as caught:
        parse_select_response(fault)
    assert caught.value.rate_limited
    other = fault.replace(b"Server.RateControl", b"Client").replace(b"Exceeded allowed rate", b"Bad")
    with pytest.raises(RisError) as caught:
        parse_select_response(other)
    assert not caught.value.rate_limited


@pytest.mark.parametrize("body", [b"<html>login</html>", b"", b"<Envelope><Body/></Envelope>"])
def test_foreign_answers_are_errors(body: bytes) -> None:
    with pytest.raises(RisError, match="not a RisPort answer"):
        parse_select_response(body)
