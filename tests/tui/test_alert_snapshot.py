"""A snapshot of an alert on a simulated phone, as the app's screen view draws the simulator's screenshot."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from textual.pilot import Pilot

from phonetui.cisco import CiscoIPPhoneText, Outcome
from phonetui.push import Pusher
from phonetui.screenshot import Shot, ShotOutcome, fetch_screenshot
from phonetui.tailor import AckKey, Tailor
from phonetui.tui.app import PhoneTUI
from phonetui.tui.screens.shot_view import ShotScreen

from .conftest import wait_until
from .shot_fakes import NOW, FakeShots, pin_drawing
from .test_snapshots import SHOWN_PORT, ThreadedDemo, make_app


@pytest.fixture
def fleet() -> Iterator[ThreadedDemo]:
    running = ThreadedDemo()
    try:
        if running.demo.simulator.fallback:
            pytest.skip(f"the snapshots draw the fleet's own addresses: {running.demo.simulator.fallback}")
        assert len(running.port) == len(SHOWN_PORT)
        yield running
    finally:
        running.stop()


async def alert_on_first_phone(fleet: ThreadedDemo) -> Shot:
    """Push sim-0001 an alert (its copy with an Ack key), then take the simulator's screenshot of it."""
    demo = fleet.demo
    phone = next(p for p in demo.config.phones if p.name == "sim-0001")
    drill = CiscoIPPhoneText("Fire drill", "Leave now", "A fire drill starts now.\nUse the stairs.")
    tailor = Tailor(ack=AckKey(demo.service.url, "a" * 16, {phone.name: "t" * 22}))
    async with Pusher(demo.config.defaults) as pusher:
        results = [r async for r in pusher.push(drill, [phone], tailor=tailor)]
    assert results[0].outcome is Outcome.OK, results[0].detail
    async with httpx.AsyncClient(trust_env=False) as client:
        shot = await fetch_screenshot(client, phone, None)
    assert shot.outcome is ShotOutcome.OK, shot.detail
    return dataclasses.replace(shot, at=NOW - 4, latency_ms=10)


def test_alert_in_the_screen_view(snap_compare, fleet: ThreadedDemo, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The title, the text, and the Ack and Exit keys, drawn by the simulator, in half blocks at 80x24."""
    pin_drawing(monkeypatch)
    shot = asyncio.run_coroutine_threadsafe(alert_on_first_phone(fleet), fleet.loop).result(timeout=30)
    assert fleet.demo.simulator.phone("sim-0001").screen.softkeys == ["Ack", "Exit"]

    async def open_view(pilot: Pilot[int]) -> None:
        app = pilot.app
        assert isinstance(app, PhoneTUI)
        FakeShots(app, lambda phone: shot)
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ShotScreen) and app.screen.shot is not None)
        await pilot.pause(0.2)

    assert snap_compare(make_app(fleet, tmp_path), run_before=open_view, terminal_size=(80, 24))
