"""Issue 14's leftovers: pins said by ``push --ack`` and the app's pushes, the simulator's certificate kept current."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest
import tomli_w

from .conftest import PASSWORD, USER
from .https_phone import RecordingPhone
from .test_cli import phonetui


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_push_ack_says_what_it_pinned_and_which_phone_moved(
    https_phone: RecordingPhone, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    known = tmp_path / "kp"
    known.write_text("127.77.0.1:443 AA:BB desk\n")
    monkeypatch.setenv("PHONETUI_KNOWN_PHONES", str(known))
    config = tmp_path / "phones.toml"
    config.write_text(
        tomli_w.dumps(
            {
                "defaults": {"username": USER, "password": PASSWORD},
                "service": {"listen": f"127.0.0.1:{_free_port()}", "username": "svc", "password": "svc-pw-1"},
                "phones": [{"name": "desk", "host": "127.0.0.1", "port": https_phone.port, "scheme": "https"}],
            }
        )
    )
    config.chmod(0o600)
    push = ("push", "--config", str(config), "--all", "--text", "Drill", "--ack", "--ack-wait", "1", "--no-history")
    first = await asyncio.to_thread(phonetui, *push)
    assert first.returncode == 1 and "0 of 1 acknowledged, 1 delivered" in first.stderr, first.stderr
    moved = "desk was pinned at 127.77.0.1 with another certificate; pinned 127.0.0.1 on first contact"
    assert moved in first.stderr
    pinned = f"pinned 1 new certificate on first contact (known-phones: {known})"
    assert pinned in first.stderr
    assert first.stderr.index(pinned) < first.stderr.index("0 of 1 acknowledged"), "said before the tally"
    again = await asyncio.to_thread(phonetui, *push)
    assert "pinned" not in again.stderr, again.stderr
