"""The trust key on the phone table: the highlighted phone's fingerprint shown in a confirmation, recorded on yes."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomli_w

from phonetui.config import parse_config
from phonetui.history import Journal
from phonetui.known_phones import KnownPhones
from phonetui.tui.app import PhoneTUI
from phonetui.tui.screens.pickers import ConfirmModal

from ..https_phone import RecordingPhone
from .conftest import wait_until


async def test_the_trust_key_shows_the_fingerprint_and_records_it_on_yes(
    https_phone: RecordingPhone, tmp_path: Path
) -> None:
    raw = {"phones": [{"name": "desk", "host": "127.0.0.1", "port": https_phone.port, "scheme": "https"}]}
    app = PhoneTUI(parse_config(tomli_w.dumps(raw)), journal=Journal(tmp_path / "history.jsonl"))
    address = f"127.0.0.1:{https_phone.port}"
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("T")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        asked = str(app.screen.query_one("#question").render()) + str(app.screen.query_one("#detail").render())
        joined = asked.replace("\n  ", ":").replace("::", ":")
        assert "Trust 1 certificate" in asked and https_phone.fingerprint in joined and "desk" in asked
        assert KnownPhones().fingerprint(address) is None  # nothing recorded before the answer
        await pilot.press("y")
        await wait_until(pilot, lambda: KnownPhones().fingerprint(address) == https_phone.fingerprint)
    assert https_phone.requests == []  # reading a certificate sends no request


async def test_the_app_warns_on_start_of_phones_whose_certificates_are_not_checked(tmp_path: Path) -> None:
    raw = {"phones": [{"name": "open", "host": "192.0.2.1", "scheme": "https", "verify": False}]}
    app = PhoneTUI(parse_config(tomli_w.dumps(raw)), journal=Journal(tmp_path / "history.jsonl"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        toasts = [n.message for n in app._notifications]
    assert any("verify = false" in t and "open" in t and "password" in t for t in toasts), toasts


async def test_the_trust_confirmation_fits_80x24_and_the_toast_names_who_gave_none(tmp_path: Path) -> None:
    with __import__("socket").socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    servers = [RecordingPhone(tmp_path / str(n)) for n in range(5)]
    for server in servers:
        (tmp_path / str(servers.index(server))).mkdir(exist_ok=True)
        await server.start()
    phones = [
        {"name": f"sim-000{n}", "host": "127.0.0.1", "port": s.port, "scheme": "https"}
        for n, s in enumerate(servers, 1)
    ]
    phones.append({"name": "sim-0006", "host": "127.0.0.1", "port": closed, "scheme": "https"})
    app = PhoneTUI(parse_config(tomli_w.dumps({"phones": phones})), journal=Journal(tmp_path / "history.jsonl"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")  # all phones
        await pilot.press("T")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.pause()
        assert app.screen.query_one("#yes").region.bottom <= 23  # above the footer
        detail = str(app.screen.query_one("#detail").render())
        assert app.screen.query_one("#detail").region.height == len(detail.splitlines())  # none cut off
        assert "and 1 more phone" in detail and "sim-0006 gave none: connection refused" in detail
        assert sum(f"sim-000{n}  " in detail for n in range(1, 6)) == 4  # the room is used: 4 of 5
        halves = [line.strip() for line in detail.splitlines() if line.startswith("  ")]
        assert all(len(part) == 2 for half in halves for part in half.split(":")), halves
        await pilot.press("y")
        await wait_until(pilot, lambda: any("Trusted" in n.message for n in app._notifications))
        toasts = [n.message for n in app._notifications]
    for server in servers:
        await server.stop()
    assert any("Trusted 5 certificates; sim-0006 gave none: connection refused" in t for t in toasts), toasts


async def test_the_push_confirmation_warns_of_phones_whose_certificates_are_not_checked(tmp_path: Path) -> None:
    from .conftest import compose_text

    raw = {
        "defaults": {"username": "u", "password": "p"},
        "phones": [{"name": "open", "host": "192.0.2.1", "scheme": "https", "verify": False}],
    }
    app = PhoneTUI(parse_config(tomli_w.dumps(raw)), journal=Journal(tmp_path / "history.jsonl"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await compose_text(pilot, "T", "Hi")
        await pilot.press("f5")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        detail = str(app.screen.query_one("#detail").render())
    assert "verify = false" in detail and "open" in detail, detail


async def test_a_known_phones_file_that_cannot_be_written_is_a_toast(
    https_phone: RecordingPhone, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "kp").mkdir()  # a folder where the file should be
    monkeypatch.setenv("PHONETUI_KNOWN_PHONES", str(tmp_path / "kp"))
    raw = {"phones": [{"name": "desk", "host": "127.0.0.1", "port": https_phone.port, "scheme": "https"}]}
    app = PhoneTUI(parse_config(tomli_w.dumps(raw)), journal=Journal(tmp_path / "history.jsonl"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("T")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")
        await wait_until(pilot, lambda: any("Cannot record" in n.message for n in app._notifications))
        toasts = [n.message for n in app._notifications]
    assert any(f"in {tmp_path / 'kp'}: is a directory; nothing was recorded" in t for t in toasts), toasts
