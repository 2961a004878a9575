"""A new admin's second look at pinning: every command that pins says so, and a damaged known-phones line."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import tomli_w

from .conftest import PASSWORD, USER
from .https_phone import RecordingPhone
from .test_cli import phonetui

#: Each command that asks phones, with what it needs beside the phones.
COMMANDS = {
    "push": ["--text", "Hi"],
    "probe": [],
    "screenshot": ["--out", "{tmp}/shots/"],
    "keys": ["--macro", "Key:Soft1"],
}


def _config(tmp_path: Path, port: int) -> str:
    config = tmp_path / "phones.toml"
    phone = {"name": "desk", "host": "127.0.0.1", "port": port, "scheme": "https"}
    config.write_text(tomli_w.dumps({"defaults": {"username": USER, "password": PASSWORD}, "phones": [phone]}))
    config.chmod(0o600)
    return str(config)


@pytest.mark.parametrize("command", sorted(COMMANDS))
async def test_every_command_that_pins_says_so_and_warns_of_a_phone_pinned_elsewhere_and_a_damaged_line(
    https_phone: RecordingPhone, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    known = tmp_path / "kp"
    known.write_text("# pins\n127.77.0.1:443 AA:BB desk\n\n127.79.0.3:8443 nothex sim-0003\n")
    monkeypatch.setenv("PHONETUI_KNOWN_PHONES", str(known))
    config = _config(tmp_path, https_phone.port)
    extra = [arg.replace("{tmp}", str(tmp_path)) for arg in COMMANDS[command]]
    first = await asyncio.to_thread(phonetui, command, "--config", config, "--all", *extra)
    assert "Traceback" not in first.stderr
    moved = "warning: desk was pinned at 127.77.0.1 with another certificate; pinned 127.0.0.1 on first contact"
    assert moved in first.stderr, first.stderr
    assert f"pinned 1 new certificate on first contact (known-phones: {known})" in first.stderr
    damaged = f"warning: {known}, line 4: not a phone's address and SHA-256 fingerprint; ignored"
    assert first.stderr.count(damaged) == 1, first.stderr
    again = await asyncio.to_thread(phonetui, command, "--config", config, "--all", *extra)
    assert "pinned" not in again.stderr, again.stderr
    assert again.stderr.count(damaged) == 1, again.stderr  # a pinned phone reads the file too


async def test_trust_prints_fingerprints_in_lines_of_16_octets_that_fit_80_columns(
    https_phone: RecordingPhone, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    known = tmp_path / "kp"
    monkeypatch.setenv("PHONETUI_KNOWN_PHONES", str(known))
    config = _config(tmp_path, https_phone.port)
    new = await asyncio.to_thread(phonetui, "trust", "--config", config, "--all", "--yes")
    lines = new.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), lines
    octets = https_phone.fingerprint.split(":")
    assert lines[1] == f"    SHA-256  {':'.join(octets[:16])}" and lines[2] == f"             {':'.join(octets[16:])}"
    assert lines[0].startswith("desk") and lines[0].endswith("  new")
    known.write_text(f"127.0.0.1:{https_phone.port} {'AB:' * 31}AB desk\n")
    changed = await asyncio.to_thread(phonetui, "trust", "--config", config, "--all", "--yes")
    lines = changed.stdout.splitlines()
    assert lines[0].endswith("  changed") and lines[3] == f"    trusted  {'AB:' * 15}AB", lines
    assert all(len(line) <= 80 for line in lines), lines


def test_the_reply_view_shows_a_tls_errors_fingerprints_in_lines_of_16_octets(https_phone: RecordingPhone) -> None:
    from phonetui.cisco import Outcome
    from phonetui.phone_tls import changed
    from phonetui.push import PushResult
    from phonetui.tui.screens.reply import reply_text

    now, before = https_phone.fingerprint, "AB:" * 31 + "AB"
    refusal = changed(now, before, "desk")
    result = PushResult(https_phone.phone(), Outcome.TLS_ERROR, "direct", refusal.detail, hint=refusal.hint)
    lines = str(reply_text(result)).splitlines()
    detail = next(line for line in lines if line.startswith("Detail:"))
    assert "it is now fingerprint 1 (below), trusted was fingerprint 2 (below)" in detail, detail
    octets = now.split(":")
    assert f"  1:      {':'.join(octets[:16])}" in lines and f"          {':'.join(octets[16:])}" in lines, lines
    assert f"  2:      {'AB:' * 15}AB" in lines
    assert all(len(line) <= 76 for line in lines if "AB:AB" in line or octets[0] + ":" in line[:14])


async def test_probes_tls_error_gives_the_trust_command_as_push_does(
    https_phone: RecordingPhone, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .test_cli import json_lines

    monkeypatch.setenv("PHONETUI_KNOWN_PHONES", str(tmp_path / "kp"))
    config = _config(tmp_path, https_phone.port)
    assert "pinned 1" in (await asyncio.to_thread(phonetui, "probe", "--config", config, "--all")).stderr
    await https_phone.restart_with_new_certificate()
    table = await asyncio.to_thread(phonetui, "probe", "--config", config, "--all")
    command = f"phonetui trust --config {config} --phone desk"
    assert (
        "tls-error" in table.stdout
        and f"(hint: if the phone's new certificate is expected, accept it: {command})" in (table.stdout)
    ), table.stdout
    row = json_lines((await asyncio.to_thread(phonetui, "probe", "--config", config, "--all", "--json")).stdout)[0]
    assert row["state"] == "tls-error" and row["hint"].endswith(command), row


def test_check_says_how_https_phones_are_checked_and_warns_of_a_damaged_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    known = tmp_path / "kp"
    known.write_text("127.0.0.1:8443 AA:BB a\n127.79.0.3:8443 nothex sim-0003\n")
    monkeypatch.setenv("PHONETUI_KNOWN_PHONES", str(known))
    (tmp_path / "ca.pem").write_text("")
    phones = [
        {"name": "a", "host": "127.0.0.1", "port": 8443, "scheme": "https"},
        {"name": "b", "host": "127.0.0.2", "port": 8443, "scheme": "https"},
        {"name": "c", "host": "127.0.0.3", "port": 8443, "scheme": "https", "verify": True, "ca_file": "ca.pem"},
        {"name": "d", "host": "127.0.0.4", "port": 8443, "scheme": "https", "verify": False},
        {"name": "e", "host": "127.0.0.5"},
    ]
    config = tmp_path / "phones.toml"
    config.write_text(tomli_w.dumps({"defaults": {"username": USER, "password": PASSWORD}, "phones": phones}))
    config.chmod(0o600)
    done = phonetui("check", "--config", str(config))
    assert done.returncode == 0, done.stderr
    line = f"4 https phones: 2 pinned (1 recorded in {known}), 1 verify true (CA file "
    assert line in done.stdout and "ca.pem), 1 verify false" in done.stdout, done.stdout
    assert f"warning: {known}, line 2: not a phone's address and SHA-256 fingerprint; ignored" in done.stdout


def test_simulate_help_says_which_port_https_phones_get() -> None:
    text = " ".join(phonetui("simulate", "--help").stdout.split())
    assert "(default: a free one; with --https, 8443, so pins survive a restart)" in text, text
    assert "(port 8443 unless --port or --per-port)" in text
