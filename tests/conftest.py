"""Shared fixtures: a real service and a real simulated fleet, both on loopback."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from phonetui.config import Defaults, ServiceConfig
from phonetui.service import Service
from phonetui.simulator import Simulator

from .https_phone import RecordingPhone
from .terminal import Terminal

USER, PASSWORD = "pushuser", "s3cret-pw"


def _loopback_aliases() -> bool:
    """Whether 127.x.y.z beyond 127.0.0.1 can be bound here (Linux: yes; macOS: only 127.0.0.1)."""
    try:
        with socket.socket() as sock:
            sock.bind(("127.0.0.2", 0))
    except OSError:
        return False
    return True


#: For tests that need a second loopback address itself (the simulator and the demo fall back
#: to ports of 127.0.0.1 where there is none; these tests check the addresses).
needs_loopback_aliases = pytest.mark.skipif(
    not _loopback_aliases(), reason="this host has only 127.0.0.1 on loopback (macOS): the test needs 127.0.0.2 and up"
)


@pytest.fixture(autouse=True)
def isolated_files(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's own config and history out of every test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.delenv("PHONETUI_CONFIG", raising=False)
    monkeypatch.setattr("phonetui.paths.config_for_hints", "")  # a command run in-process sets it
    monkeypatch.delenv("PHONETUI_HISTORY", raising=False)


@pytest.fixture
def service_config() -> ServiceConfig:
    return ServiceConfig(listen_host="127.0.0.1", listen_port=0, username=USER, password=PASSWORD, object_ttl=60)


@pytest.fixture
async def service(service_config: ServiceConfig) -> AsyncIterator[Service]:
    async with Service(service_config) as svc:
        yield svc


@pytest.fixture
def defaults() -> Defaults:
    return Defaults(username=USER, password=PASSWORD, timeout=1.0, connect_timeout=1.0, concurrency=8)


@pytest.fixture
async def fleet(service: Service) -> AsyncIterator[Simulator]:
    """Eight healthy phones of mixed families whose auth URL is the service."""
    sim = Simulator.fleet(8, service.auth_url)
    async with sim:
        yield sim


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Callable[[str], Terminal]]:
    """Open tmux terminals running a command (the end-to-end tests); all are closed afterwards."""
    opened: list[Terminal] = []

    def open_terminal(command: str) -> Terminal:
        opened.append(Terminal(command, tmp_path))
        return opened[-1]

    yield open_terminal
    for term in opened:
        term.close()


@pytest.fixture
async def https_phone(tmp_path: Path) -> AsyncIterator[RecordingPhone]:
    """An https phone on 127.0.0.1 that records every request's headers (``https_phone.py``)."""
    phone = RecordingPhone(tmp_path)
    await phone.start()
    yield phone
    await phone.stop()
