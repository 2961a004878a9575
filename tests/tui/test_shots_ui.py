"""The screenshot view and grid from the keyboard: v opens it, keys reach the phone, g shows many."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from phonetui.demo import Demo
from phonetui.history import Journal
from phonetui.screenshot import ShotOutcome
from phonetui.tui.app import PhoneTUI
from phonetui.tui.screens.help import HelpScreen
from phonetui.tui.screens.shot_grid import ShotGridScreen, Thumb
from phonetui.tui.screens.shot_view import ShotScreen
from phonetui.tui.widgets.picture import Picture

from .conftest import wait_until
from .shot_fakes import FakeShots, pin_drawing, shot_of


async def test_v_shows_the_screen_and_keys_go_to_the_phone(app: PhoneTUI, monkeypatch: pytest.MonkeyPatch) -> None:
    pin_drawing(monkeypatch)
    fake = FakeShots(app, lambda phone: shot_of(phone))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ShotScreen) and app.screen.shot is not None)
        screen = app.screen
        assert isinstance(screen, ShotScreen)
        assert screen.query_one(Picture).image is not None
        await pilot.press("1", "k", "1", "asterisk", "number_sign", "up", "enter", "s", "e", "l", "2")
        await wait_until(pilot, lambda: len(fake.pressed) >= 9)
        await pilot.pause(0.1)
        name = screen.phone.name
        assert fake.pressed == [
            (name, "Key:Soft1"), (name, "Key:KeyPad1"), (name, "Key:KeyPadStar"), (name, "Key:KeyPadPound"),
            (name, "Key:NavUp"), (name, "Key:NavSelect"), (name, "Key:Settings"), (name, "Key:Services"),
            (name, "Key:Line2"),
        ]  # fmt: skip
        await pilot.press("escape")
        assert not isinstance(app.screen, ShotScreen)


async def test_a_key_the_model_lacks_is_warned_of_on_the_screen(app: PhoneTUI, monkeypatch: pytest.MonkeyPatch) -> None:
    pin_drawing(monkeypatch)
    FakeShots(app, lambda phone: shot_of(phone))
    async with app.run_test(size=(100, 30)) as pilot:
        phone = app.fleet.states["sim-0001"].phone
        phone.model = "9971"
        await app.push_screen(ShotScreen(phone))
        await pilot.press("s")
        await pilot.pause()
        note = str(app.screen.query_one("#shot-note").render())
        assert note == "Key:Settings: not on the 9971: use Key:Applications; sent anyway"
        assert note.count("not on the") == 1


async def test_a_failed_fetch_shows_its_outcome_as_text(app: PhoneTUI, monkeypatch: pytest.MonkeyPatch) -> None:
    pin_drawing(monkeypatch)
    FakeShots(app, lambda phone: shot_of(phone, ShotOutcome.AUTH_FAILED, "HTTP 401 [b]markup[/b] from the phone"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ShotScreen) and app.screen.shot is not None)
        await pilot.pause()
        picture = app.screen.query_one(Picture)
        assert picture.image is None
        text = "".join(picture.render_line(y).text for y in range(picture.size.height))
        assert "no picture: auth-failed" in text
        problem = str(app.screen.query_one("#shot-problem").render())
        assert "auth-failed: HTTP 401 [b]markup[/b] from the phone" in problem


async def test_g_shows_the_selected_phones_and_enter_opens_one(app: PhoneTUI, monkeypatch: pytest.MonkeyPatch) -> None:
    pin_drawing(monkeypatch)
    FakeShots(app, lambda phone: shot_of(phone))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("space", "space", "space", "g")
        await wait_until(pilot, lambda: isinstance(app.screen, ShotGridScreen))
        grid = app.screen
        assert isinstance(grid, ShotGridScreen)
        await wait_until(pilot, lambda: all(t.shot is not None for t in grid.query(Thumb)))
        assert [t.phone.name for t in grid.query(Thumb)] == ["sim-0001", "sim-0002", "sim-0003"]
        await pilot.press("right", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ShotScreen))
        assert app.screen.phone.name == "sim-0002"  # type: ignore[attr-defined]


async def test_help_lists_the_screen_keys(app: PhoneTUI) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        rows = [list(row) for row in app.screen.rows()]
        assert ["v", "Screen", "screen", "Phones"] in rows
        assert ["g", "Screens", "screens", "Phones"] in rows
        assert ["m", "Keys/macro", "macro", "Phones"] in rows
        assert ["1", "Softkey 1 (keypad 1)", "shot-1", "Screen"] in rows
        assert ["#", "Keypad #", "shot-pound", "Screen"] in rows
        assert ["Enter", "Open", "grid-open", "Screens"] in rows


async def test_keys_reach_the_simulator_and_its_screen_comes_back(app: PhoneTUI, demo: Demo) -> None:
    """Through the push process for real: the view fetches, Key:Services changes the phone's screen,
    the view shows the new screen, and a macro from the phone table runs on the selection."""
    sim = next(phone for phone in demo.simulator.phones if phone.name == "sim-0001")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ShotScreen) and app.screen.shot is not None, 30)
        screen = app.screen
        assert isinstance(screen, ShotScreen) and screen.shot is not None
        assert screen.shot.outcome == ShotOutcome.OK
        first = screen.shot
        await pilot.press("e")
        await wait_until(pilot, lambda: sim.screen.title == "Services", 30)
        # 0.75 s after the key (and no sooner than 2 s after the last fetch) the view fetches again.
        await wait_until(pilot, lambda: screen.shot is not first and screen.shot.at > first.at, 30)  # type: ignore[union-attr]
        assert screen.shot is not None and screen.shot.image().tobytes() != first.image().tobytes()
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        app.screen.query_one("#name", Input).value = "Init:Services"
        await pilot.press("enter")
        await wait_until(pilot, lambda: sim.screen.title == "", 30)


async def test_without_colour_the_screen_is_drawn_in_glyphs(
    demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NO_COLOR: Textual's filter reads every segment's style; the picture is glyphs, the failure words."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = PhoneTUI(demo.config, journal=Journal(tmp_path / "history.jsonl"))
    FakeShots(app, lambda phone: shot_of(phone))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ShotScreen) and app.screen.shot is not None)
        await pilot.pause(0.2)
        picture = app.screen.query_one(Picture)
        drawn = "".join(picture.render_line(y).text for y in range(picture.size.height))
        assert {"▀", "▄", "█"} & set(drawn)
        assert all((seg.style is not None and seg.style.color is None) or seg.style.color == picture.rich_style.color
                   for y in range(picture.size.height) for seg in picture.render_line(y))  # fmt: skip


async def test_the_demo_has_a_live_8961(demo: Demo) -> None:
    """The "key not on this model" warning can be seen in the demo: an 8961 that answers."""
    live = [p for p in demo.simulator.phones if p.model == "CP-8961" and not p.offline]
    assert [p.name for p in live] == ["sim-0012"]
    assert next(p for p in demo.config.phones if p.name == "sim-0012").model == "CP-8961"


async def test_a_failed_refresh_keeps_the_last_picture(app: PhoneTUI, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another program asked the phone (503): the picture stays, the failure is said above it."""
    pin_drawing(monkeypatch)
    FakeShots(app, lambda phone: shot_of(phone))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ShotScreen) and app.screen.shot is not None)
        screen = app.screen
        assert isinstance(screen, ShotScreen)
        good = screen.query_one(Picture).image
        assert good is not None
        screen.show_shot(shot_of(screen.phone, ShotOutcome.HTTP_ERROR, "HTTP 503 for /CGI/Screenshot"))
        await pilot.pause()
        kept = screen.query_one(Picture).image
        assert kept is not None and kept.tobytes() == good.tobytes()
        problem = str(screen.query_one("#shot-problem").render())
        assert "http-error: HTTP 503 for /CGI/Screenshot" in problem and "the picture is the last good one" in problem
