"""Snapshots of the screenshot view (a known image, in half blocks) and of the grid after a push."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from phonetui.cisco import Outcome
from phonetui.config import Phone
from phonetui.screenshot import Shot, ShotOutcome
from phonetui.tui.app import PhoneTUI
from phonetui.tui.screens import shot_grid, shot_view
from phonetui.tui.screens.shot_grid import ShotGridScreen, Thumb
from phonetui.tui.screens.shot_view import ShotScreen

from .conftest import wait_until
from .shot_fakes import FakeShots, pin_drawing, shot_of
from .test_snapshots import SHOWN_PORT, ThreadedDemo, make_app, push_to_all

_SHOT_OF_RESULT = {Outcome.AUTH_FAILED: ShotOutcome.AUTH_FAILED, Outcome.UNREACHABLE: ShotOutcome.UNREACHABLE}


@pytest.fixture
def fleet() -> Iterator[ThreadedDemo]:
    """The demo fleet on its own addresses (as ``test_snapshots``' fixture of that name)."""
    running = ThreadedDemo()
    try:
        if running.demo.simulator.fallback:
            pytest.skip(f"the snapshots draw the fleet's own addresses: {running.demo.simulator.fallback}")
        assert len(running.port) == len(SHOWN_PORT)
        yield running
    finally:
        running.stop()


async def open_view(pilot: Pilot[int]) -> None:
    app = pilot.app
    assert isinstance(app, PhoneTUI)
    FakeShots(app, lambda phone: shot_of(phone))
    await pilot.press("down", "v")
    await wait_until(pilot, lambda: isinstance(app.screen, ShotScreen) and app.screen.shot is not None)
    await pilot.press("s")  # a key sent: the line under the picture says so
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_screen_view(
    snap_compare, fleet: ThreadedDemo, tmp_path: Path, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    pin_drawing(monkeypatch)
    assert snap_compare(make_app(fleet, tmp_path), run_before=open_view, terminal_size=size)


def test_grid_after_push(snap_compare, fleet: ThreadedDemo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Which phones show the message: thumbnails labelled with the name and the fetch's outcome."""
    pin_drawing(monkeypatch)
    monkeypatch.setattr(shot_view, "REFRESH_SECONDS", 1000.0)  # the title's countdown: "refresh in 1000 s",
    monkeypatch.setattr(shot_grid, "clock", lambda: 5000.0)  # however long the machine takes to draw it

    async def grid(pilot: Pilot[int]) -> None:
        app = pilot.app
        assert isinstance(app, PhoneTUI)
        await push_to_all(pilot)

        def answer(phone: Phone) -> Shot:
            result = app.fleet.states[phone.name].result
            outcome = _SHOT_OF_RESULT.get(result.outcome if result else Outcome.OK, ShotOutcome.OK)
            return shot_of(phone, outcome, hue=int(phone.name[-2:]) * 9)

        FakeShots(app, answer)
        await pilot.press("g")
        await wait_until(pilot, lambda: isinstance(app.screen, ShotGridScreen))
        await wait_until(pilot, lambda: all(t.shot is not None for t in app.screen.query(Thumb)))
        await pilot.pause(0.2)

    assert snap_compare(make_app(fleet, tmp_path), run_before=grid, terminal_size=(120, 40))
