"""Snapshots of the main screen, the preview and the screen after a push.

The fleet runs in a thread of its own (snap_compare runs the app in its own event
loop), on fixed loopback addresses and a free port (a fixed one collided with other
runs on the same machine). The port is drawn as SHOWN_PORT in the screenshot, as
latency and clock are drawn through the app's display seams with stable values;
everything else on screen is what a user sees.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from phonetui.demo import Demo, start_demo
from phonetui.tui.app import PhoneTUI

from .conftest import compose_text, push_and_wait

#: The port the snapshots show, whichever free port the fleet got (both five digits, so columns stay put).
SHOWN_PORT = "47631"


class ThreadedDemo:
    """The demo fleet running on an event loop in a background thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        future = asyncio.run_coroutine_threadsafe(start_demo(12, base="127.75.0.0"), self.loop)
        self.demo: Demo = future.result(timeout=30)
        self.port = str(self.demo.simulator.phones[0].port)
        for index, phone in enumerate(self.demo.simulator.phones):
            phone.latency = 0.1 * index  # answers in a fixed order, so the reply log is stable

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.demo.stop(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


@pytest.fixture
def fleet() -> Iterator[ThreadedDemo]:
    running = ThreadedDemo()
    try:
        if running.demo.simulator.fallback:
            pytest.skip(f"the snapshots draw the fleet's own addresses: {running.demo.simulator.fallback}")
        assert len(running.port) == len(SHOWN_PORT), f"port {running.port} would shift the columns drawn"
        yield running
    finally:
        running.stop()


def stable_latency(ms: int | None) -> str:
    """Latency varies from run to run; the snapshots show only whether there is one."""
    return "-" if ms is None else "~ ms"


def make_app(fleet: ThreadedDemo, tmp_path: Path) -> PhoneTUI:
    config = fleet.demo.config
    config.service = None  # the responder runs on the fleet's loop; these snapshots leave it out
    from phonetui.history import Journal

    app = PhoneTUI(config, journal=Journal(tmp_path / "h.jsonl"), latency=stable_latency, clock=lambda: "12:00:00")
    export = app.export_screenshot

    def export_with_shown_port(*, title: str | None = None, simplify: bool = False) -> str:
        return export(title=title, simplify=simplify).replace(f":{fleet.port}", f":{SHOWN_PORT}")

    app.export_screenshot = export_with_shown_port  # type: ignore[method-assign]  # the screenshot's one seam
    return app


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_main_screen(snap_compare, fleet: ThreadedDemo, tmp_path: Path, size: tuple[int, int]) -> None:
    async def select_some(pilot: Pilot[int]) -> None:
        await pilot.press("space", "down", "space")

    assert snap_compare(make_app(fleet, tmp_path), run_before=select_some, terminal_size=size)


def test_preview(snap_compare, fleet: ThreadedDemo, tmp_path: Path) -> None:
    async def preview(pilot: Pilot[int]) -> None:
        await pilot.press("a")
        await compose_text(pilot, "Fire drill", "Leave by the stairs & meet <outside>.\nDo not use the lifts.")
        await pilot.press("f2")
        await pilot.pause()

    assert snap_compare(make_app(fleet, tmp_path), run_before=preview, terminal_size=(100, 30))


async def push_to_all(pilot: Pilot[int]) -> None:
    await pilot.press("a")
    await compose_text(pilot, "Notice", "Hello")
    await push_and_wait(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


def test_after_push(snap_compare, fleet: ThreadedDemo, tmp_path: Path) -> None:
    assert snap_compare(make_app(fleet, tmp_path), run_before=push_to_all, terminal_size=(100, 30))


def test_after_push_no_color(
    snap_compare, fleet: ThreadedDemo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without colour every state still reads: a mark and a word, failures reversed."""
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(make_app(fleet, tmp_path), run_before=push_to_all, terminal_size=(100, 30))
