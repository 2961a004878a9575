"""The last loose ends of the screen view and the grid: q closes the view, the grid refreshes by itself."""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from aiohttp import web

from phonetui.cisco.screens import SHOT_MIN_INTERVAL
from phonetui.config import Phone
from phonetui.demo import start_demo
from phonetui.history import Journal
from phonetui.screenshot import Shot
from phonetui.simscreen import ScreenServer
from phonetui.tui.app import PhoneTUI
from phonetui.tui.screens import shot_view
from phonetui.tui.screens.help import HelpScreen
from phonetui.tui.screens.main import MainScreen
from phonetui.tui.screens.shot_grid import ShotGridScreen, Thumb
from phonetui.tui.screens.shot_view import ShotScreen

from .conftest import wait_until
from .shot_fakes import FakeShots, pin_drawing, shot_of


async def test_q_closes_the_view_and_the_title_says_how_to_leave(
    app: PhoneTUI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In tmux two quick Esc may read as one key and the view stays open: q closes it too, and sends nothing."""
    pin_drawing(monkeypatch)
    fake = FakeShots(app, lambda phone: shot_of(phone))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ShotScreen) and app.screen.shot is not None)
        title = app.screen.query_one("#shot-title").render_line(0).text
        assert "Esc / q: close" in title, title
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen))
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ShotScreen))
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen))
        await pilot.pause(0.2)
        assert fake.pressed == []  # nothing went to the phone
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert isinstance(app.screen, HelpScreen)
        assert ("Esc / q", "Close", "shot-back", "Screen") in app.screen.rows()


class SlowShots(FakeShots):
    """Screenshots that take a while, one phone after the other; how many fetches run at once is kept."""

    def __init__(self, app: PhoneTUI, each: float) -> None:
        made = {phone.name: shot_of(phone) for phone in app.config.phones}  # drawn once, not on the loop each time
        super().__init__(app, lambda phone: made[phone.name])
        self.each = each
        self.running = 0
        self.most = 0

    async def fetch(self, phones: list[Phone], arrived: Callable[[list[Shot]], None]) -> str:
        self.fetches += 1
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            for phone in phones:
                await asyncio.sleep(self.each)
                shot = self.answer(phone)
                self.shots.latest[shot.phone] = shot
                arrived([shot])
        finally:
            self.running -= 1
        return ""


def grid_title(app: PhoneTUI) -> str:
    return str(app.screen.query_one("#thumbs").border_title)


async def test_the_grid_refreshes_by_itself_and_counts_down(app: PhoneTUI, monkeypatch: pytest.MonkeyPatch) -> None:
    pin_drawing(monkeypatch)
    monkeypatch.setattr(shot_view, "REFRESH_SECONDS", 0.6)
    fake = FakeShots(app, lambda phone: shot_of(phone))
    async with app.run_test(size=(120, 40)) as pilot:
        phones = [app.fleet.states[name].phone for name in ("sim-0001", "sim-0002", "sim-0003")]
        await app.push_screen(ShotGridScreen(phones, "test"))
        await wait_until(pilot, lambda: "refresh in" in grid_title(app))
        assert grid_title(app).startswith("Screens of 3 phones (test) · refresh in ")
        await wait_until(pilot, lambda: fake.fetches >= 3, seconds=5)  # by itself, again and again
        monkeypatch.setattr(shot_view, "REFRESH_SECONDS", 60.0)
        await wait_until(pilot, lambda: "refresh in 60 s" in grid_title(app) or "refresh in 59 s" in grid_title(app))
        before = fake.fetches
        await pilot.press("r")  # r still refreshes now
        await wait_until(pilot, lambda: fake.fetches == before + 1, seconds=2)


async def test_one_round_at_a_time_and_keys_stay_quick(app: PhoneTUI, monkeypatch: pytest.MonkeyPatch) -> None:
    pin_drawing(monkeypatch)
    monkeypatch.setattr(shot_view, "REFRESH_SECONDS", 0.2)
    fake = SlowShots(app, 1.0)
    async with app.run_test(size=(120, 40)) as pilot:
        phones = [app.fleet.states[name].phone for name in ("sim-0001", "sim-0002", "sim-0003")]
        grid = ShotGridScreen(phones, "test")
        await app.push_screen(grid)
        await wait_until(pilot, lambda: "refreshing 1/3" in grid_title(app))
        await pilot.press("r", "r", "r")  # during a round: one more after it, not three beside it
        assert re.search(r"refreshing [123]/3, then again$", grid_title(app)), grid_title(app)
        await pilot.press("right")  # keys are handled while the round runs, not after it
        await wait_until(pilot, lambda: isinstance(app.focused, Thumb) and app.focused.phone.name == "sim-0002")
        assert grid.rounds == 1 and grid.round is not None
        await wait_until(pilot, lambda: fake.fetches >= 2, seconds=8)  # the one r asked for, after the first
        fake.each = 0.1
        await wait_until(pilot, lambda: fake.fetches >= 4, seconds=8)
        assert fake.most == 1
        await pilot.press("enter")  # under the phone's view the grid waits
        await wait_until(pilot, lambda: isinstance(app.screen, ShotScreen))
        await wait_until(pilot, lambda: grid.round is None)
        rounds = grid.rounds
        await pilot.pause(1.0)
        assert grid.rounds == rounds
        await pilot.press("q")
        await wait_until(pilot, lambda: app.screen is grid)
        await wait_until(pilot, lambda: grid.rounds > rounds, seconds=3)


async def test_forty_simulated_phones_never_pile_up(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Against 40 simulated phones through the push process: one round at a time, no phone asked within 2 s."""
    monkeypatch.setattr(shot_view, "REFRESH_SECONDS", 0.5)
    asked: dict[str, list[float]] = {}
    serve = ScreenServer.screenshot

    async def counted(self: ScreenServer, request: web.Request) -> web.StreamResponse:
        asked.setdefault(request.host, []).append(time.monotonic())
        return await serve(self, request)

    monkeypatch.setattr(ScreenServer, "screenshot", counted)
    demo = await start_demo(40, base="127.75.0.0")
    try:
        app = PhoneTUI(demo.config, service=demo.service, journal=Journal(tmp_path / "history.jsonl"))
        running, most = 0, 0
        fetch = app.shots.fetch

        async def one_at_a_time(phones: list[Phone], arrived: Callable[[list[Shot]], None]) -> str:
            nonlocal running, most
            running += 1
            most = max(most, running)
            try:
                return await fetch(phones, arrived)
            finally:
                running -= 1

        app.shots.fetch = one_at_a_time  # type: ignore[method-assign]
        async with app.run_test(size=(120, 40)) as pilot:
            grid = ShotGridScreen([state.phone for state in app.fleet.states.values()], "test")
            await app.push_screen(grid)
            await wait_until(pilot, lambda: grid.rounds >= 3, seconds=30)
            for _ in range(5):
                await pilot.press("r")
            await pilot.press("right", "right")
            await wait_until(pilot, lambda: isinstance(app.focused, Thumb) and app.focused.phone.name == "sim-0003")
    finally:
        await demo.stop()
    assert most == 1
    assert len(asked) >= 38  # every phone that listens (one is switched off)
    gaps = [later - earlier for times in asked.values() for earlier, later in itertools.pairwise(times)]
    assert gaps and min(gaps) >= SHOT_MIN_INTERVAL - 0.05
