"""Https phones: pinned on first use, verified by a CA file, or not checked; a changed certificate sends nothing.

The phone here is a real aiohttp server on 127.0.0.1 with certificates the tests make; it
records every request it gets, so "no Authorization header was sent" is its word, not a guess.
"""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import httpx
import pytest
import tomli_w

from phonetui.cisco import CiscoIPPhoneText, Outcome
from phonetui.cli import main
from phonetui.config import Defaults, Phone, load_config, parse_config
from phonetui.known_phones import KnownPhones, default_known_phones_path
from phonetui.phone_tls import PinMismatch, PinnedContext, _cause
from phonetui.probe import probe_phone
from phonetui.push import Pusher, PushResult
from phonetui.screenshot import ShotOutcome, fetch_screenshot
from phonetui.wire import make_client

from .conftest import PASSWORD, USER
from .https_phone import RecordingPhone


@pytest.fixture
def quick() -> Defaults:
    return Defaults(username=USER, password=PASSWORD, timeout=2.0, connect_timeout=2.0)


async def push(phone: Phone, defaults: Defaults) -> PushResult:
    async with Pusher(defaults) as pusher:
        results = [r async for r in pusher.push(CiscoIPPhoneText("T", "", "Hello"), [phone])]
    return results[0]


async def test_first_contact_pins_the_same_certificate_passes(https_phone: RecordingPhone, quick: Defaults) -> None:
    phone = https_phone.phone()
    assert phone.verify == "pin"  # the default for https
    first = await push(phone, quick)
    assert first.outcome is Outcome.OK, first.detail
    assert KnownPhones().fingerprint(phone.address) == https_phone.fingerprint
    assert stat.S_IMODE(default_known_phones_path().stat().st_mode) == 0o600
    again = await push(phone, quick)
    assert again.outcome is Outcome.OK, again.detail
    assert len(https_phone.requests) == 2


async def test_a_new_certificate_is_refused_and_nothing_sent_until_trusted(
    https_phone: RecordingPhone, quick: Defaults, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    phone = https_phone.phone()
    assert (await push(phone, quick)).outcome is Outcome.OK
    old = https_phone.fingerprint
    await https_phone.restart_with_new_certificate()
    https_phone.requests.clear()
    refused = await push(phone, quick)
    assert refused.outcome is Outcome.TLS_ERROR
    assert old in refused.detail and https_phone.fingerprint in refused.detail
    assert "phonetui trust --phone desk" in refused.hint
    assert https_phone.requests == []  # not a request, so not a credential
    assert refused.as_json()["outcome"] == "tls-error"

    # the probe and the screenshot refuse it too, before asking anything
    async with make_client() as client:
        probed = await probe_phone(client, phone)
        shot = await fetch_screenshot(client, phone, None)
    assert probed.state == "tls-error" and shot.outcome is ShotOutcome.TLS_ERROR
    assert https_phone.requests == []

    config = tmp_path / "phones.toml"
    raw = {"defaults": {"username": USER, "password": PASSWORD}}
    raw["phones"] = [{"name": "desk", "host": "127.0.0.1", "port": https_phone.port, "scheme": "https"}]
    config.write_text(tomli_w.dumps(raw))
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["trust", "--config", str(config), "--phone", "desk", "--yes"]) == 0
    out = capsys.readouterr().out
    octets = https_phone.fingerprint.split(":")  # printed 16 octets a line
    assert ":".join(octets[:16]) in out and ":".join(octets[16:]) in out and "changed" in out
    assert KnownPhones().fingerprint(phone.address) == https_phone.fingerprint
    accepted = await push(phone, quick)
    assert accepted.outcome is Outcome.OK, accepted.detail
    assert https_phone.requests[0]["Authorization"].startswith("Basic ")


async def test_trust_without_yes_and_no_terminal_records_nothing(https_phone: RecordingPhone, tmp_path: Path) -> None:
    config = tmp_path / "phones.toml"
    raw = {"phones": [{"name": "desk", "host": "127.0.0.1", "port": https_phone.port, "scheme": "https"}]}
    config.write_text(tomli_w.dumps(raw))
    assert await asyncio.to_thread(main, ["trust", "--config", str(config), "--all"]) == 2
    assert KnownPhones().fingerprint(f"127.0.0.1:{https_phone.port}") is None


async def test_verify_true_passes_with_the_ca_file_and_fails_without(
    https_phone: RecordingPhone, quick: Defaults
) -> None:
    verified = await push(https_phone.phone(verify=True, ca_file=str(https_phone.cert)), quick)
    assert verified.outcome is Outcome.OK, verified.detail
    assert len(https_phone.requests) == 1
    https_phone.requests.clear()
    unverified = await push(https_phone.phone(verify=True), quick)
    assert unverified.outcome is Outcome.TLS_ERROR, unverified.detail
    assert "certificate not trusted" in unverified.detail
    assert https_phone.requests == []
    assert KnownPhones().fingerprint(f"127.0.0.1:{https_phone.port}") is None  # verified phones pin nothing


async def test_verify_false_sends_without_checking_and_is_warned_of(
    https_phone: RecordingPhone, quick: Defaults, tmp_path: Path
) -> None:
    result = await push(https_phone.phone(verify=False), quick)
    assert result.outcome is Outcome.OK
    await https_phone.restart_with_new_certificate()
    assert (await push(https_phone.phone(verify=False), quick)).outcome is Outcome.OK
    config = tmp_path / "c.toml"
    config.write_text('[defaults]\nverify = false\n[[phones]]\nname = "a"\nhost = "192.0.2.1"\nscheme = "https"\n')
    warnings = load_config(config).warnings
    assert any("verify = false" in w and "password" in w for w in warnings), warnings


def test_verify_values_in_the_config(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("")
    raw = (
        f'[defaults]\nverify = true\nca_file = "{tmp_path / "ca.pem"}"\n'
        '[[phones]]\nname = "a"\nhost = "192.0.2.1"\nscheme = "https"\n'
        '[[phones]]\nname = "b"\nhost = "192.0.2.2"\nscheme = "https"\nverify = "pin"\n'
    )
    a, b = parse_config(raw).phones
    assert (a.verify, a.ca_file) == ("ca", str(tmp_path / "ca.pem")) and b.verify == "pin"
    with pytest.raises(Exception, match="verify"):
        parse_config('[[phones]]\nname = "a"\nhost = "192.0.2.1"\nverify = "maybe"\n')
    with pytest.raises(Exception, match="ca_file"):
        parse_config('[[phones]]\nname = "a"\nhost = "192.0.2.1"\nca_file = "/nonexistent/ca.pem"\n')


async def test_a_certificate_swapped_after_the_check_is_refused_in_the_handshake(https_phone: RecordingPhone) -> None:
    """The request's own connection checks the pin again: a certificate changed between the two is refused."""
    pinned = PinnedContext.for_fingerprint("00:" * 31 + "00")
    transport = httpx.AsyncHTTPTransport(verify=pinned)
    async with httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(httpx.ConnectError) as caught:
            await client.post(f"https://127.0.0.1:{https_phone.port}/CGI/Execute", headers={"Authorization": "x"})
    assert _cause(caught.value, PinMismatch) is not None, repr(caught.value)
    assert https_phone.requests == []


async def test_refused_connection_to_a_pinned_phone_is_unreachable(quick: Defaults) -> None:
    with __import__("socket").socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    raw = {"phones": [{"name": "gone", "host": "127.0.0.1", "port": port, "scheme": "https"}]}
    phone = parse_config(tomli_w.dumps(raw)).phones[0]
    result = await push(phone, quick)
    assert result.outcome is Outcome.UNREACHABLE and "refused" in result.detail


def test_known_phones_appends_from_two_writers_and_replaces(tmp_path: Path) -> None:
    path = tmp_path / "known-phones"
    one, two = KnownPhones(path), KnownPhones(path)
    one.record("192.0.2.1:443", "AA", "a")
    two.record("192.0.2.2:443", "BB", "b\nnasty name")
    assert one.fingerprint("192.0.2.2:443") == "BB" and two.fingerprint("192.0.2.1:443") == "AA"
    one.replace("192.0.2.1:443", "CC", "a")
    assert two.fingerprint("192.0.2.1:443") == "CC"
    assert len(path.read_text().splitlines()) == 2
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_readme_flow_6_pinned_then_6_refused_after_a_restart_with_new_certificates(tmp_path: Path) -> None:
    """simulate --https, push (6 ok, pinned on first use), restart, push again (6 tls-error), trust, push (6 ok)."""
    from .test_cli import Running, json_lines, phonetui

    with __import__("socket").socket() as sock:  # a free port for the fleet (8443 may be another test's)
        sock.bind(("127.0.0.1", 0))
        port = str(sock.getsockname()[1])
    config = str(tmp_path / "sim.toml")
    simulate = ("simulate", "--count", "6", "--https", "--port", port, "--base", "127.83.0.0", "--write-config", config)
    push = ("push", "--config", config, "--all", "--text", "Hi", "--json")
    running = Running(*simulate, ready="Ctrl-C")
    try:
        first = phonetui(*push)
        assert [r["outcome"] for r in json_lines(first.stdout)] == ["ok"] * 6, first.stderr
    finally:
        assert running.stop() == 0
    running = Running(*simulate, ready="Ctrl-C")
    try:
        again = phonetui(*push)
        refused = json_lines(again.stdout)
        assert [r["outcome"] for r in refused] == ["tls-error"] * 6 and again.returncode == 1
        assert f"phonetui trust --config {config} --phone sim-000" in refused[0]["hint"]
        assert phonetui("trust", "--config", config, "--all", "--yes").returncode == 0
        trusted = phonetui(*push)
        assert [r["outcome"] for r in json_lines(trusted.stdout)] == ["ok"] * 6, trusted.stderr
    finally:
        assert running.stop() == 0


def test_the_dry_run_warns_of_phones_whose_certificates_are_not_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "c.toml"
    raw = {"defaults": {"username": USER, "password": PASSWORD}}
    raw["phones"] = [{"name": "open", "host": "192.0.2.1", "scheme": "https", "verify": False}]
    config.write_text(tomli_w.dumps(raw))
    config.chmod(0o600)
    main(["push", "--config", str(config), "--all", "--text", "x", "--dry-run"])
    captured = capsys.readouterr()
    assert "# warning: certificates not checked (verify = false) for the phone open" in captured.out
    assert "verify = false" in captured.err  # and the config's own warning, as every command reads it


async def test_a_pin_that_cannot_be_recorded_sends_nothing(
    https_phone: RecordingPhone, quick: Defaults, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("PHONETUI_KNOWN_PHONES", str(tmp_path / "a-file" / "known-phones"))
    result = await push(https_phone.phone(), quick)
    assert result.outcome is Outcome.TLS_ERROR and "cannot record the certificate" in result.detail
    assert https_phone.requests == []
