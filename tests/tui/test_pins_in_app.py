"""The app's own pushes (run in its push process) warn of a phone pinned elsewhere, as ``phonetui push`` does."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomli_w

from phonetui.config import parse_config
from phonetui.history import Journal
from phonetui.tui.app import PhoneTUI

from ..conftest import PASSWORD, USER
from ..https_phone import RecordingPhone
from .conftest import cell, compose_text, push_and_wait


async def test_a_phone_pinned_elsewhere_is_a_warning_toast(
    https_phone: RecordingPhone, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    known = tmp_path / "kp"
    known.write_text("127.77.0.1:443 AA:BB desk\n")  # desk was pinned at another address, another certificate
    monkeypatch.setenv("PHONETUI_KNOWN_PHONES", str(known))  # the push process inherits it
    phone = {"name": "desk", "host": "127.0.0.1", "port": https_phone.port, "scheme": "https"}
    config = parse_config(tomli_w.dumps({"defaults": {"username": USER, "password": PASSWORD}, "phones": [phone]}))
    app = PhoneTUI(config, journal=Journal(tmp_path / "history.jsonl"))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        app.fleet.toggle("desk")
        await compose_text(pilot, "t", "x")
        await push_and_wait(pilot)
        assert cell(app, "desk", "result") == "✓ ok"
        messages = [n.message for n in app._notifications]
        moved = "desk was pinned at 127.77.0.1 with another certificate; pinned 127.0.0.1 on first contact"
        assert any(m.startswith(moved) for m in messages), messages
    assert f"127.0.0.1:{https_phone.port} " in known.read_text()


async def _notices_after(app: PhoneTUI, pilot: object, asking: str) -> list[str]:
    """Probe or screenshot the one phone from the app; the notices shown by the end."""
    phone = next(iter(app.fleet.states.values())).phone
    if asking == "probe":
        app.prober.cancel()
        while app.prober.running:  # the app's own probe at start
            await pilot.pause(0.05)  # type: ignore[attr-defined]
        assert app.prober.start([phone])
        while app.prober.running:
            await pilot.pause(0.05)  # type: ignore[attr-defined]
    else:
        await app.shots.fetch([phone], lambda shots: None)
    await pilot.pause(0.1)  # type: ignore[attr-defined]
    return [str(n.message) for n in app._notifications]


@pytest.mark.parametrize("asking", ["probe", "screenshot"])
async def test_a_probe_or_screenshot_that_pins_a_phone_pinned_elsewhere_says_so(
    https_phone: RecordingPhone, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, asking: str
) -> None:
    known = tmp_path / "kp"
    known.write_text("127.77.0.1:443 AA:BB desk\n127.79.0.3:8443 nothex sim-0003\n")
    monkeypatch.setenv("PHONETUI_KNOWN_PHONES", str(known))
    phone = {"name": "desk", "host": "127.0.0.1", "port": https_phone.port, "scheme": "https"}
    config = parse_config(tomli_w.dumps({"defaults": {"username": USER, "password": PASSWORD}, "phones": [phone]}))
    app = PhoneTUI(config, journal=Journal(tmp_path / "history.jsonl"))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        messages = await _notices_after(app, pilot, asking)
        moved = "desk was pinned at 127.77.0.1 with another certificate; pinned 127.0.0.1 on first contact"
        assert moved in messages, messages
        damaged = f"{known}, line 2: not a phone's address and SHA-256 fingerprint; ignored"
        assert messages.count(damaged) == 1, messages
        app.fleet.toggle("desk")
        await compose_text(pilot, "t", "x")
        await push_and_wait(pilot)  # the file is read again: the damaged line is not said twice
        assert [str(n.message) for n in app._notifications].count(damaged) == 1


async def test_a_probe_that_finds_a_changed_certificate_says_to_press_t(
    https_phone: RecordingPhone, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    known = tmp_path / "kp"
    known.write_text(f"127.0.0.1:{https_phone.port} {'AB:' * 31}AB desk\n")  # pinned, another certificate
    monkeypatch.setenv("PHONETUI_KNOWN_PHONES", str(known))
    phone = {"name": "desk", "host": "127.0.0.1", "port": https_phone.port, "scheme": "https"}
    config = parse_config(tomli_w.dumps({"defaults": {"username": USER, "password": PASSWORD}, "phones": [phone]}))
    app = PhoneTUI(config, journal=Journal(tmp_path / "history.jsonl"))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        messages = await _notices_after(app, pilot, "probe")
        said = "Certificate not trusted (tls-error) for the phone desk: if the phone's new certificate is expected"
        assert any(m.startswith(said) and "press T (trust) on the phone table" in m for m in messages), messages
