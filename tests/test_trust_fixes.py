"""What a new admin found in ``trust``: a file it cannot write, a missing folder, a damaged line, the wording."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest
import tomli_w

from phonetui.cisco import Outcome
from phonetui.cli import main
from phonetui.known_phones import KnownPhones

from .conftest import PASSWORD, USER
from .https_phone import RecordingPhone


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _config(tmp_path: Path, phones: list[dict[str, object]]) -> str:
    config = tmp_path / "phones.toml"
    config.write_text(tomli_w.dumps({"defaults": {"username": USER, "password": PASSWORD}, "phones": phones}))
    config.chmod(0o600)
    return str(config)


async def test_trust_says_one_line_when_the_known_phones_file_cannot_be_written(
    https_phone: RecordingPhone, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "kp").mkdir()  # a folder where the file should be
    monkeypatch.setenv("PHONETUI_KNOWN_PHONES", str(tmp_path / "kp"))
    config = _config(tmp_path, [{"name": "desk", "host": "127.0.0.1", "port": https_phone.port, "scheme": "https"}])
    code = await asyncio.to_thread(main, ["trust", "--config", config, "--all", "--yes"])
    err = capsys.readouterr().err
    assert code == 1
    assert f"cannot record the certificate in {tmp_path / 'kp'}: is a directory; nothing was recorded" in err, err
    assert "Traceback" not in err


async def test_a_missing_folder_of_a_given_path_is_not_made(
    https_phone: RecordingPhone, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PHONETUI_KNOWN_PHONES", str(tmp_path / "nonexistent" / "dir" / "kp"))
    config = _config(tmp_path, [{"name": "desk", "host": "127.0.0.1", "port": https_phone.port, "scheme": "https"}])
    assert await asyncio.to_thread(main, ["trust", "--config", config, "--all", "--yes"]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "nonexistent").exists()


def test_a_damaged_line_is_warned_of_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "kp"
    path.write_text("127.0.0.1:443 AA:BB a\n127.0.0.2:443 nothex b\n")
    known = KnownPhones(path)
    assert known.fingerprint("127.0.0.1:443") == "AA:BB" and known.fingerprint("127.0.0.2:443") is None
    assert known.warnings == [f"{path}, line 2: not a phone's address and SHA-256 fingerprint; ignored"]


async def test_trust_names_the_phone_without_a_certificate_in_words(
    https_phone: RecordingPhone, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    phones: list[dict[str, object]] = [
        {"name": "desk", "host": "127.0.0.1", "port": https_phone.port, "scheme": "https"},
        {"name": "gone", "host": "127.0.0.1", "port": _free_port(), "scheme": "https"},
    ]
    config = _config(tmp_path, phones)
    assert await asyncio.to_thread(main, ["trust", "--config", config, "--all"]) == 2
    captured = capsys.readouterr()
    assert "1 certificate to accept: give --yes to record it without asking" in captured.err, captured.err
    assert "Errno" not in captured.out and "connection refused" in captured.out
    assert await asyncio.to_thread(main, ["trust", "--config", config, "--all", "--yes"]) == 1
    assert "not trusted: gone gave none: connection refused" in capsys.readouterr().err


def test_a_phone_pinned_at_a_new_address_is_warned_of(tmp_path: Path) -> None:
    known = KnownPhones(tmp_path / "kp")
    known.record("127.77.0.1:443", "AA:BB", "sim-0001")
    assert known.moved("127.77.0.1:443", "AA:CC", "sim-0001") is None  # same address: the trust key's business
    assert known.moved("127.77.4.1:443", "AA:BB", "sim-0001") is None  # same certificate: it just moved
    assert known.moved("127.77.4.1:443", "AA:CC", "sim-0001") == (
        "sim-0001 was pinned at 127.77.0.1 with another certificate; pinned 127.77.4.1 on first contact"
    )


async def test_the_tls_error_hint_names_the_config_and_the_app_names_the_key(
    https_phone: RecordingPhone, tmp_path: Path
) -> None:
    from phonetui.push import PushResult
    from phonetui.tui.screens.reply import reply_text

    from .test_cli import json_lines, phonetui

    config = _config(tmp_path, [{"name": "desk", "host": "127.0.0.1", "port": https_phone.port, "scheme": "https"}])
    push = ["push", "--config", config, "--all", "--text", "Hi", "--json"]
    assert (await asyncio.to_thread(phonetui, *push)).returncode == 0
    await https_phone.restart_with_new_certificate()
    refused = json_lines((await asyncio.to_thread(phonetui, *push)).stdout)[0]
    assert refused["hint"].endswith(f"phonetui trust --config {config} --phone desk"), refused["hint"]
    result = PushResult(https_phone.phone(), Outcome.TLS_ERROR, "direct", "changed", hint=refused["hint"])
    shown = str(reply_text(result))
    assert "press T (trust) on the phone table" in shown and "phonetui trust" not in shown


async def test_a_first_push_says_what_it_pinned_and_which_phone_moved(
    https_phone: RecordingPhone, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .test_cli import phonetui

    known = tmp_path / "kp"
    known.write_text("127.77.0.1:443 AA:BB desk\n")
    monkeypatch.setenv("PHONETUI_KNOWN_PHONES", str(known))
    config = _config(tmp_path, [{"name": "desk", "host": "127.0.0.1", "port": https_phone.port, "scheme": "https"}])
    first = await asyncio.to_thread(phonetui, "push", "--config", config, "--all", "--text", "Hi")
    assert first.returncode == 0, first.stderr
    moved = "desk was pinned at 127.77.0.1 with another certificate; pinned 127.0.0.1 on first contact"
    assert moved in first.stderr
    assert f"pinned 1 new certificate on first contact (known-phones: {known})" in first.stderr
    again = await asyncio.to_thread(phonetui, "push", "--config", config, "--all", "--text", "Hi")
    assert "pinned" not in again.stderr, again.stderr


def test_verify_true_with_the_simulators_ca_passes_for_every_phone(tmp_path: Path) -> None:
    """The README's example: simulate --https, then verify = true and ca_file = certs/phones-ca.pem."""
    import tomllib

    from .test_cli import Running, json_lines, phonetui

    config = tmp_path / "sim.toml"
    port = str(_free_port())
    simulate = ("simulate", "--count", "3", "--https", "--port", port, "--base", "127.84.0.0")
    running = Running(*simulate, "--write-config", str(config), ready="Ctrl-C")
    try:
        assert any("certs/phones-ca.pem" in line for line in running.lines), running.lines
        raw = tomllib.loads(config.read_text())
        raw["defaults"] |= {"verify": True, "ca_file": "certs/phones-ca.pem"}
        config.write_text(tomli_w.dumps(raw))
        pushed = phonetui("push", "--config", str(config), "--all", "--text", "Hi", "--json")
        rows = {r["phone"]: r for r in json_lines(pushed.stdout)}
        assert [rows[f"sim-000{n}"]["outcome"] for n in (1, 2, 3)] == ["ok"] * 3, pushed.stdout + pushed.stderr
    finally:
        assert running.stop() == 0


async def test_an_address_the_certificate_does_not_name_is_said_to_be_the_address(https_phone: RecordingPhone) -> None:
    from phonetui.cisco import CiscoIPPhoneText
    from phonetui.config import Defaults
    from phonetui.push import Pusher

    phone = https_phone.phone(host="localhost", verify=True, ca_file=str(https_phone.cert))  # it names 127.0.0.1
    async with Pusher(Defaults(username=USER, password=PASSWORD, timeout=2.0)) as pusher:
        (result,) = [r async for r in pusher.push(CiscoIPPhoneText("T", "", "Hi"), [phone])]
    assert result.outcome is Outcome.TLS_ERROR and ".;" not in result.detail, result.detail
    assert "address localhost" in result.hint and "give the CA" not in result.hint, result.hint


async def test_keys_prints_a_refusal_whole_with_both_fingerprints(https_phone: RecordingPhone, tmp_path: Path) -> None:
    from .test_cli import phonetui

    config = _config(tmp_path, [{"name": "desk", "host": "127.0.0.1", "port": https_phone.port, "scheme": "https"}])
    assert (await asyncio.to_thread(phonetui, "trust", "--config", config, "--all", "--yes")).returncode == 0
    old = https_phone.fingerprint
    await https_phone.restart_with_new_certificate()
    pressed = await asyncio.to_thread(phonetui, "keys", "--config", config, "--all", "--macro", "Key:Services")
    assert old in pressed.stdout and https_phone.fingerprint in pressed.stdout, pressed.stdout + pressed.stderr
