"""The screen view with textual-image's Sixel widget (the ``images`` extra) in place of half blocks.

No terminal here speaks Sixel (tmux 3.3 does not), so this checks our side: the view mounts
the widget, hands it each new picture, and what it draws is Sixel data, not text.
"""

from __future__ import annotations

import pytest
from textual.geometry import Region
from textual.widget import Widget

from phonetui.tui.app import PhoneTUI
from phonetui.tui.screens import shot_view
from phonetui.tui.screens.shot_view import ShotScreen
from phonetui.tui.widgets.picture import Picture

from .conftest import wait_until
from .shot_fakes import FakeShots, shot_of

widget = pytest.importorskip("textual_image.widget", reason="the images extra (textual-image) is not installed")


def sixel_data(pixels: Widget) -> str:
    """What the widget writes to the terminal for its whole area: the Sixel escape and its data."""
    inner = pixels.children[0]
    lines = inner.render_lines(Region(0, 0, inner.size.width, inner.size.height))
    text = "".join(segment.text for strip in lines for segment in strip)
    return text[text.find("\x1bP") :]


async def test_the_view_hands_its_pictures_to_the_sixel_widget(app: PhoneTUI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shot_view, "real_pixels", lambda: widget.SixelImage)
    hue = iter(range(0, 200, 40))
    FakeShots(app, lambda phone: shot_of(phone, hue=next(hue)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ShotScreen) and app.screen.shot is not None)
        screen = app.screen
        assert not screen.query(Picture), "no half blocks beside the real pixels"
        pixels = screen.query_one("#shot-pixels", widget.SixelImage)
        await wait_until(pilot, lambda: pixels.image is not None)
        first = pixels.image
        assert first.size == (800, 480)
        await pilot.pause(0.2)
        data = sixel_data(pixels)
        assert data.startswith("\x1bP") and 'q"1;1;' in data and "\x1b\\" in data, "a Sixel image with its raster size"
        assert "█" not in data and "▀" not in data
        await pilot.press("r")
        await wait_until(pilot, lambda: pixels.image is not first)
        assert pixels.image.getpixel((2, 2)) != first.getpixel((2, 2)), "the refreshed picture replaced the first"
