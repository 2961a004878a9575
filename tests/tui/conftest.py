"""Fixtures for the TUI: the real demo fleet on loopback and an app wired to it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from phonetui.demo import Demo, start_demo
from phonetui.history import Journal
from phonetui.tui.app import PhoneTUI
from phonetui.tui.screens.pickers import ConfirmModal
from phonetui.tui.widgets.phone_table import PhoneTable


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


@pytest.fixture
async def demo() -> AsyncIterator[Demo]:
    running = await start_demo(12)
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
def app(demo: Demo, tmp_path: Path) -> PhoneTUI:
    return PhoneTUI(demo.config, service=demo.service, journal=Journal(tmp_path / "history.jsonl"))


def cell(app: PhoneTUI, name: str, column: str) -> str:
    table = app.main.query_one(PhoneTable)
    value = table.get_cell(name, column)
    return getattr(value, "plain", str(value))


async def wait_until(pilot: Pilot[int], condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Let the app run until ``condition()`` holds; fail the test if it never does."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.05)


async def compose_text(pilot: Pilot[int], title: str, text: str) -> None:
    """From the phone table: open the form and fill in a Text."""
    await pilot.press("c")
    await pilot.pause()
    app = pilot.app
    app.screen.query_one("#title", Input).value = title
    app.screen.query_one("#text").text = text  # type: ignore[attr-defined]
    await pilot.pause()


async def push_and_wait(pilot: Pilot[int]) -> None:
    """F5, confirm, and wait for every phone to answer (the slow one takes 1.5 s)."""
    app = pilot.app
    assert isinstance(app, PhoneTUI)
    before = app.main.pushes_finished
    await pilot.press("f5")
    # Under load the question can come up after a key sent at once: that "y" would go nowhere.
    await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
    await pilot.press("y")
    await wait_until(pilot, lambda: app.main.pushes_finished > before, seconds=30.0)
