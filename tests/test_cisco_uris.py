"""Internal URI recognition and syntax checks."""

import pytest

from phonetui.cisco import check_uri, errors

GOOD = [
    "Key:Services",
    "Key:KeyPad1",
    "Init:Services",
    "Init:AppStatus",
    "Dial:1234",
    "Dial:1234,,56#",
    "Dial:100:1:Vendor/App",
    "Dial:100:1:Vendor/App:0",
    "EditDial:555",
    "SendDigits:123#:1::Vendor/App",
    "Play:chime.raw",
    "Play:Stop",
    "Display:On",
    "Display:Off:60",
    "Display:Default",
    "Vibrate:500:500:3",
    "RTPRx:10.0.0.10:20500",
    "RTPRx:10.0.0.10:20500::1",
    "RTPRx:10.0.0.10:20500:50:2",
    "RTPRx:Stop",
    "RTPTx:10.0.0.10:20502",
    "RTPMRx:239.1.1.1:20480:80",
    "RTPMTx:239.1.1.1:20480",
    "App:RequestFocus:0:60:Vendor/App",
    "App:Close:2::Vendor/App",
    "Device:Unlock",
    "http://192.0.2.1/page.xml",
    "https://host/x?a=1",
]

BAD = [
    "Key:",
    "Init:Everything",
    "Dial:12x",
    "Display:Dim",
    "Display:On:2000",
    "RTPRx:10.0.0.10:20501",
    "RTPRx:10.0.0.10:80",
    "RTPRx:999.0.0.1:20500",
    "RTPMRx:10.0.0.1:20500",
    "RTPRx:10.0.0.10:20500:101",
    "App:Jump:0:60:X/Y",
    "App:Close:5:60:X/Y",
    "Device:Reboot",
    "SoftKey:Exit",  # valid syntax, but not in an Execute
    "Notify:http:host:80:/x",  # not in an Execute
    "http://",
]


@pytest.mark.parametrize("uri", GOOD)
def test_good_uris_pass(uri: str) -> None:
    check = check_uri(uri)
    assert check.problems == [], check.problems
    assert check.kind in ("http", "internal")


@pytest.mark.parametrize("uri", BAD)
def test_bad_uris_are_flagged(uri: str) -> None:
    problems = errors(check_uri(uri, "ExecuteItem[1].URL").problems)
    assert problems and all(p.field == "ExecuteItem[1].URL" for p in problems)


def test_unknown_scheme_is_a_warning_not_an_error() -> None:
    check = check_uri("Reboot:Now")
    assert check.kind == "unknown"
    assert [p.severity for p in check.problems] == ["warning"]


def test_close_case_suggestion() -> None:
    [problem] = check_uri("key:Services").problems
    assert "Key:" in problem.message


def test_softkey_down_refuses_http() -> None:
    assert errors(check_uri("http://a/b", "URLDown", "softkey-down").problems)
    assert check_uri("SoftKey:Exit", "URL", "softkey").problems == []


@pytest.mark.parametrize(
    ("uri", "said"),
    [
        ("http://[bold]x/p", "URL: not a valid URL"),
        ("http://host:99999/", "URL: not a valid URL: Port out of range"),
        ("http://a_b!c/", "URL: URL host 'a_b!c' is not a host name or an IP address"),
        ("http://x/caf\u00e9", "warning: URL: URL has characters outside ASCII"),
    ],
)
def test_http_urls_a_phone_cannot_fetch_are_said(uri: str, said: str) -> None:
    assert any(str(problem).startswith(said) for problem in check_uri(uri).problems), check_uri(uri).problems


@pytest.mark.parametrize("uri", ["http://10.0.0.1:8080/x", "https://srv.example.com/a?b=c", "http://[::1]:80/x"])
def test_good_http_urls_pass(uri: str) -> None:
    assert check_uri(uri).problems == []


def test_a_key_phones_do_not_have_is_a_warning_with_the_right_spelling() -> None:
    (bogus,) = check_uri("Key:Bogus").problems
    assert bogus.severity == "warning" and "no key 'Bogus' that phonetui knows" in bogus.message
    (case,) = check_uri("Key:services").problems
    assert "did you mean Key:Services?" in case.message
    assert check_uri("Key:KeyPad5").problems == [] and check_uri("Key:Soft3").problems == []
