"""A known phone screen, and screenshots handed to the app without a network (for views and snapshots)."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from PIL import Image, ImageDraw

from phonetui.config import Phone
from phonetui.push import PushResult
from phonetui.screenshot import Shot, ShotOutcome
from phonetui.tui.app import PhoneTUI
from phonetui.tui.screens import shot_view
from phonetui.tui.widgets import picture

#: What the screens' ages are measured from.
NOW = 1_000_000.0


def known_image(width: int = 800, height: int = 480, hue: int = 0) -> Image.Image:
    """A phone's screen drawn with shapes only (no font: the same pixels everywhere)."""
    image = Image.new("RGB", (width, height), (235, 240, 248))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, height // 8), fill=(20 + hue, 60, 140))  # the title bar
    for row in range(4):  # lines of text
        top = height // 5 + row * height // 9
        draw.rectangle(
            (width // 12, top, width // 12 + (width * (7 - row)) // 10, top + height // 20), fill=(30, 30, 30)
        )
    for key in range(4):  # softkeys
        left = key * width // 4
        draw.rectangle((left + 6, height - height // 8, left + width // 4 - 6, height - 4), fill=(90, 90, 100))
    draw.ellipse((width - width // 6, height // 5, width - width // 16, height // 5 + width // 10), fill=(200, 40, 40))
    return image


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def shot_of(phone: Phone, outcome: ShotOutcome = ShotOutcome.OK, detail: str = "", hue: int = 0) -> Shot:
    data = png(known_image(hue=hue)) if outcome == ShotOutcome.OK else b""
    return Shot(phone.name, phone.host, outcome, detail or str(outcome), data=data,
                content_type="image/png" if data else "", path="/CGI/Screenshot", at=NOW - 4)  # fmt: skip


class FakeShots:
    """In place of the push process: screenshots from ``answer``, presses recorded and answered ok."""

    def __init__(self, app: PhoneTUI, answer: Callable[[Phone], Shot]) -> None:
        self.answer = answer
        self.pressed: list[tuple[str, str]] = []
        self.fetches = 0
        app.shots.fetch = self.fetch  # type: ignore[method-assign]
        app.shots.press = self.press  # type: ignore[method-assign]
        self.shots = app.shots

    async def fetch(self, phones: list[Phone], arrived: Callable[[list[Shot]], None]) -> str:
        self.fetches += 1
        shots = [self.answer(phone) for phone in phones]
        for shot in shots:
            self.shots.latest[shot.phone] = shot
        arrived(shots)
        return ""

    async def press(self, phone: Phone, uri: str) -> PushResult:
        from phonetui.cisco import Outcome

        self.pressed.append((phone.name, uri))
        return PushResult(phone, Outcome.OK, "direct", "")


def pin_drawing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Half blocks in true colour and ages from NOW, whatever the terminal and the clock."""
    monkeypatch.setattr(picture, "terminal_mode", lambda widget: "truecolor")
    monkeypatch.setattr(shot_view, "now", lambda: NOW)
    monkeypatch.setattr(shot_view, "real_pixels", lambda: None)
