"""What a third new admin found: the grid's arrows, the table at 100-112 columns, one macro box, small ones."""

from __future__ import annotations

import pytest
from textual.widgets import Footer

from phonetui.tui.app import PhoneTUI
from phonetui.tui.screens.pickers import ConfirmModal
from phonetui.tui.screens.shot_grid import ShotGridScreen, Thumb
from phonetui.tui.screens.shot_view import ShotScreen
from phonetui.tui.widgets.phone_table import COLUMNS, PhoneTable

from .conftest import compose_text, wait_until
from .shot_fakes import FakeShots, pin_drawing, shot_of


def highlighted(app: PhoneTUI) -> str:
    focused = app.screen.focused
    assert isinstance(focused, Thumb)
    return focused.phone.name


def in_view(app: PhoneTUI) -> bool:
    """The highlighted thumbnail is wholly inside the grid's visible part."""
    focused = app.screen.focused
    assert isinstance(focused, Thumb)
    seen = app.screen.query_one("#thumbs").scrollable_content_region
    box = focused.region
    return seen.y <= box.y and box.bottom <= seen.bottom and seen.x <= box.x and box.right <= seen.right


async def open_grid(app: PhoneTUI, pilot: object) -> None:
    await pilot.press("a", "g")  # type: ignore[attr-defined]
    await wait_until(pilot, lambda: isinstance(app.screen, ShotGridScreen))  # type: ignore[arg-type]
    await wait_until(pilot, lambda: all(t.shot is not None for t in app.screen.query(Thumb)))  # type: ignore[arg-type]
    await pilot.pause()  # type: ignore[attr-defined]


async def test_the_grid_s_arrows_move_by_rows_and_columns_at_120x40(
    app: PhoneTUI, monkeypatch: pytest.MonkeyPatch
) -> None:
    pin_drawing(monkeypatch)
    FakeShots(app, lambda phone: shot_of(phone))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_grid(app, pilot)
        assert app.screen.columns == 4  # type: ignore[attr-defined]
        await pilot.press("right", "right", "right", "down")
        assert highlighted(app) == "sim-0008"
        await pilot.press("down", "down")  # the last row, then no further
        assert highlighted(app) == "sim-0012"
        await pilot.press("left", "up")
        assert highlighted(app) == "sim-0007"
        await pilot.press("up", "up", "up")
        assert highlighted(app) == "sim-0003"
        await pilot.press("end")
        assert highlighted(app) == "sim-0012"
        await pilot.press("home")
        assert highlighted(app) == "sim-0001"
        await pilot.press("left")
        assert highlighted(app) == "sim-0001"
        await pilot.press("right", "right", "right", "down", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ShotScreen))
        assert app.screen.phone.name == "sim-0008"  # type: ignore[attr-defined]


async def test_the_grid_scrolls_to_keep_the_highlight_in_view_at_80x24(
    app: PhoneTUI, monkeypatch: pytest.MonkeyPatch
) -> None:
    pin_drawing(monkeypatch)
    FakeShots(app, lambda phone: shot_of(phone))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_grid(app, pilot)
        grid = app.screen
        assert isinstance(grid, ShotGridScreen)
        columns = grid.columns
        assert columns >= 2
        seen: list[str] = []
        for _ in range(12 // columns + 1):
            await pilot.press("down")
            await pilot.pause()
            seen.append(highlighted(app))
            assert in_view(app), highlighted(app)
        assert seen[0] == f"sim-{1 + columns:04d}"
        assert seen[-1] == f"sim-{12 - columns + 1:04d}"  # the first column of the last row
        await pilot.press("home")
        await pilot.pause()
        assert highlighted(app) == "sim-0001" and in_view(app)
        await pilot.press("pagedown")
        await pilot.pause()
        assert highlighted(app) != "sim-0001" and in_view(app)
        assert int(highlighted(app)[-4:]) % columns == 1  # the same column
        await pilot.press("end")
        await pilot.pause()
        assert highlighted(app) == "sim-0012" and in_view(app)
        await pilot.press("pageup")
        await pilot.pause()
        assert highlighted(app) != "sim-0012" and in_view(app)


@pytest.mark.parametrize("width", [80, 100, 105, 110, 120])
async def test_the_probed_table_fits_with_whole_headers_and_no_sideways_scrolling(app: PhoneTUI, width: int) -> None:
    async with app.run_test(size=(width, 30)) as pilot:
        await pilot.press("p")
        await wait_until(pilot, lambda: not app.prober.running and app.fleet.probed)
        await pilot.pause()
        table = app.main.query_one(PhoneTable)
        assert "state" in table.columns_shown
        assert table.virtual_size.width <= table.size.width
        assert not table.show_horizontal_scrollbar and table.scrollbar_size_horizontal == 0
        header = table.render_line(0).text.split()
        labels = {key: label for key, label, _ in COLUMNS}
        assert header == [labels[key] for key in table.columns_shown if key != "sel"]
        if width >= 110:
            assert "latency" in table.columns_shown


async def test_the_screen_view_s_footer_at_80_shows_whole_keys_only(
    app: PhoneTUI, monkeypatch: pytest.MonkeyPatch
) -> None:
    pin_drawing(monkeypatch)
    FakeShots(app, lambda phone: shot_of(phone))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ShotScreen))
        await pilot.pause(0.2)
        keys = [w for w in app.screen.query_one(Footer).query("*") if w.size.height]
        for one in keys:  # each whole: inside the screen, and none drawn over another
            assert one.region.right <= 80
            assert not any(one is not other and one.region.overlaps(other.region) for other in keys), one
        text = " ".join(w.render_line(0).text for w in keys)
        for words in ("Close", "Refresh", "Macro", "Help", "Preview", "Send", "palette"):
            assert words in text, text


async def test_after_k_the_title_line_keeps_saying_the_digits_mode(
    app: PhoneTUI, monkeypatch: pytest.MonkeyPatch
) -> None:
    pin_drawing(monkeypatch)
    FakeShots(app, lambda phone: shot_of(phone))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ShotScreen) and app.screen.shot is not None)

        def title() -> str:
            return app.screen.query_one("#shot-title").render_line(0).text

        assert "keys: softkeys (k)" in title() and "Esc / q: close" in title()
        await pilot.press("k")
        await pilot.pause()
        assert "keys: keypad (k)" in title()
        await pilot.press("5")  # the next result replaces the note line; the title keeps the mode
        await pilot.pause(0.3)
        assert "KeyPad5" in str(app.screen.query_one("#shot-note").render())
        assert "keys: keypad (k)" in title()
        await pilot.press("k")
        await pilot.pause()
        assert "keys: softkeys (k)" in title()


async def test_f5_in_the_screen_view_says_it_sends_to_the_selected_phones(
    app: PhoneTUI, monkeypatch: pytest.MonkeyPatch
) -> None:
    pin_drawing(monkeypatch)
    FakeShots(app, lambda phone: shot_of(phone))
    async with app.run_test(size=(120, 40)) as pilot:
        await compose_text(pilot, "", "hello")
        await pilot.press("escape")
        await pilot.pause()
        for name in ("sim-0002", "sim-0003"):
            app.fleet.toggle(name)
        await pilot.press("v")  # the highlighted sim-0001, not selected
        await wait_until(pilot, lambda: isinstance(app.screen, ShotScreen))
        await pilot.press("f5")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        modal = app.screen
        assert isinstance(modal, ConfirmModal)
        assert modal.question == "Push CiscoIPPhoneText to the 2 selected phones, not this one?"
        assert modal.detail.startswith("F5 sends to the selected phones: sim-0001, whose screen is open, is not one")
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ShotScreen)


async def test_the_title_keeps_esc_q_close_for_a_long_model_at_80_columns(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tomli_w

    from phonetui.config import parse_config
    from phonetui.history import Journal

    pin_drawing(monkeypatch)
    raw = {"phones": [{"name": "reception-desk-2", "host": "127.0.0.1", "model": "CP-8851-3PCC"}]}
    app = PhoneTUI(parse_config(tomli_w.dumps(raw)), journal=Journal(__import__("pathlib").Path(str(tmp_path)) / "h"))
    FakeShots(app, lambda phone: shot_of(phone))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ShotScreen) and app.screen.shot is not None)
        await pilot.press("r")  # the countdown makes the line longest
        await pilot.pause()
        title = app.screen.query_one("#shot-title").render_line(0).text
        assert title.rstrip().endswith("keys: softkeys (k) · Esc / q: close"), title
        assert title.startswith("reception-desk-2 · ok · refresh in"), title  # the model and age gave way
