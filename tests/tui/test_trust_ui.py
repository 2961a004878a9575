"""The trust key on the phone table: the highlighted phone's fingerprint shown in a confirmation, recorded on yes."""

from __future__ import annotations

from pathlib import Path

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
        assert "Trust 1 certificate" in asked and https_phone.fingerprint in asked and "desk" in asked
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
