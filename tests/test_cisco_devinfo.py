"""Information pages as real phones write them: declared charsets, padding, firmware's names."""

import pytest

from phonetui.cisco.devinfo import NotAPhone, normalise_mac, parse_device_information, tidy

# A 79xx page: ISO-8859-1 declared in the body, padded and localised values.
PAGE_7940 = (
    b'<?xml version="1.0" encoding="iso-8859-1"?>\n<DeviceInformation>\n'
    b"<MACAddress>000DED001122</MACAddress>\n<HostName>SEP000DED001122  </HostName>\n"
    b"<phoneDN>  4001</phoneDN>\n<appLoadID>P00308010200</appLoadID>\n<bootLoadID>PC030301</bootLoadID>\n"
    b"<versionID>P00308010200</versionID>\n<serialNumber>INM0815\x00\x00</serialNumber>\n"
    b"<modelNumber>CP-7940</modelNumber>\n<MessageWaiting> OUI</MessageWaiting>\n"
    b"<Location>Z\xfcrich</Location>\n</DeviceInformation>"
)


def test_reads_a_79xx_page_by_its_declared_charset() -> None:
    info = parse_device_information(PAGE_7940)
    assert (info.device, info.mac, info.model, info.dn, info.firmware, info.serial) == (
        "SEP000DED001122",
        "000DED001122",
        "CP-7940",
        "4001",
        "P00308010200",
        "INM0815",
    )
    assert ("Location", "Zürich") in info.fields
    assert ("MessageWaiting", "OUI") in info.fields


def test_other_firmware_names_and_a_namespace() -> None:
    page = (
        '<?xml version="1.0" encoding="UTF-8"?><x:DeviceInformation xmlns:x="urn:x">'
        "<x:DeviceName>SEPAABBCCDDEEFF</x:DeviceName><x:ModelNumber>CP-8845</x:ModelNumber>"
        "<x:PhoneDirectoryNumber>2001</x:PhoneDirectoryNumber><x:SoftwareVersion>sip88xx.14-2</x:SoftwareVersion>"
        "<x:SerialNumber>FCH1</x:SerialNumber><x:Owner>Zoë</x:Owner></x:DeviceInformation>"
    ).encode()
    info = parse_device_information(page)
    assert (info.device, info.mac, info.model, info.dn, info.firmware, info.serial) == (
        "SEPAABBCCDDEEFF",
        "AABBCCDDEEFF",  # taken from the device name when the page gives no MAC
        "CP-8845",
        "2001",
        "sip88xx.14-2",
        "FCH1",
    )


def test_first_candidate_wins_over_later_ones() -> None:
    page = (
        b"<DeviceInformation><appLoadID>app</appLoadID><versionID>ver</versionID>"
        b"<HostName>SEP1</HostName></DeviceInformation>"
    )
    assert parse_device_information(page).firmware == "ver"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<!DOCTYPE html><html><body>Login</body></html>", "HTML page"),
        (b"<html><body>x</body></html>", "HTML page"),
        (b"hello", "not a phone's information page"),
        (b"", "not a phone's information page"),
        (b"<CiscoIPPhoneError Number='4'/>", "names no device"),
        (b"<DeviceInformation><Codec>x</Codec></DeviceInformation>", "names no device"),
        (b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "DTD"),
    ],
)
def test_what_is_not_a_phone_says_why(body: bytes, reason: str) -> None:
    with pytest.raises(NotAPhone, match=reason):
        parse_device_information(body)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("00:11:22:aa:bb:cc", "001122AABBCC"),
        ("0011.22AA.BBCC", "001122AABBCC"),
        ("00-11-22-aa-bb-cc", "001122AABBCC"),
        ("not a mac", "not a mac"),
    ],
)
def test_normalise_mac(value: str, expected: str) -> None:
    assert normalise_mac(value) == expected


def test_tidy() -> None:
    assert tidy("  a \x00\x00 b\n") == "a b"
    assert tidy(None) == ""
