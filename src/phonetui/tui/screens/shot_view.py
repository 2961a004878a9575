"""One phone's screen, drawn in the terminal, and its keys pressed from here.

The picture is the phone's newest screenshot, in half blocks (``halfblock.py``), or in real
pixels where the terminal speaks Kitty graphics or Sixel and ``textual-image`` is installed
(``pip install 'phonetui[images]'``). It is fetched again on ``r``, every
``REFRESH_SECONDS`` by itself and ``AFTER_KEY_SECONDS`` after a key was sent, never sooner
than ``SHOT_MIN_INTERVAL`` after the last (phones refuse quicker ones). Keys go to the phone
as ``Key:`` URIs through the push process; one the model lacks is warned of on the line
under the picture, and sent anyway (what is known of models may be wrong).
"""

from __future__ import annotations

import asyncio
import time
from typing import cast

from PIL import Image
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Static

from ...cisco import Outcome
from ...cisco.macro import Step
from ...cisco.screens import SHOT_MIN_INTERVAL, key_problem
from ...config import Phone
from ...printable import printable, wrapped
from ...screenshot import Shot, ShotOutcome
from ..keys import binding
from ..plain import plain_text
from ..widgets.picture import Picture
from .base import PhoneScreen

REFRESH_SECONDS = 6.0
AFTER_KEY_SECONDS = 0.75
#: How often the title line is drawn again (the age, and the countdown to a refresh asked for).
TITLE_SECONDS = 0.2
NAME_MAX, DETAIL_MAX = 40, 300
_IDS = (
    "shot-back", "shot-refresh", "shot-macro", "shot-keypad", "shot-line", "shot-services", "shot-settings",
    "shot-directories", "shot-applications", "shot-up", "shot-down", "shot-left", "shot-right", "shot-select",
    "shot-star", "shot-pound", *(f"shot-{d}" for d in "1234567890"),
)  # fmt: skip
#: The keys the footer shows: what fits whole at 80 columns beside F1 (which lists them all, this
#: screen's first), F2, F5 and the palette; ``k`` is named on the title line, with its mode.
_SHOWN = {"shot-back", "shot-refresh", "shot-macro"}


def now() -> float:
    """The wall clock for ages (tests pin it)."""
    return time.time()


def age_text(seconds: float) -> str:
    """``4 s ago``, ``3 min ago``."""
    return f"{int(seconds)} s ago" if seconds < 120 else f"{int(seconds // 60)} min ago"


def shot_line(phone: Phone, shot: Shot | None, now: float, next_in: float | None = None, short: int = 0) -> Text:
    """``sim-0001 · 8845 · ok · 4 s ago``: the phone's name and model drawn as they are.

    ``next_in``: seconds until a refresh the user asked for (phones refuse quicker ones), or None.
    ``short``: 1 leaves the model out, 2 the age too while a refresh is counted down (a narrow title).
    """
    line = Text(printable(phone.name, NAME_MAX), style="bold")
    line.append(f" · {printable(phone.model or 'model unknown', 30)} · " if short < 1 else " · ")
    if shot is None:
        line.append("fetching…")
        return line
    line.append(str(shot.outcome), style="" if shot.outcome == ShotOutcome.OK else "reverse")
    if short < 2 or next_in is None:
        line.append(f" · {age_text(max(0.0, now - shot.at))}")
    if next_in is not None:
        line.append(f" · refresh in {next_in:.1f} s…" if next_in >= 0.05 else " · refreshing…", style="bold")
    return line


def real_pixels() -> type[Widget] | None:
    """textual-image's widget when it is installed and the terminal speaks Kitty graphics or Sixel, else None.

    textual-image picks the best way the terminal offers when it is first imported; its
    half-cell and Unicode fallbacks are left to our own renderer (deterministic, colour modes).
    """
    try:
        from textual_image import renderable, widget  # type: ignore[import-not-found, unused-ignore]
    except Exception:  # absent, or it could not ask the terminal: half blocks then
        return None
    chosen = str(getattr(renderable.Image, "__module__", ""))
    graphics = chosen.endswith((".tgp", ".kitty", ".sixel"))
    return cast("type[Widget]", widget.Image) if graphics else None


class ShotScreen(PhoneScreen):
    """The highlighted phone's screen; its keys are this screen's keys."""

    DEFAULT_CSS = """
    ShotScreen #shot-title { height: 1; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    ShotScreen #shot-problem { height: auto; max-height: 3; padding: 0 1; }
    ShotScreen #shot-picture { height: 1fr; }
    ShotScreen #shot-note { height: auto; max-height: 3; padding: 0 1; }
    """

    BINDINGS = [binding(key_id, show=key_id in _SHOWN) for key_id in _IDS]

    def __init__(self, phone: Phone) -> None:
        super().__init__()
        self.phone = phone
        self.shot: Shot | None = None
        #: The newest shot with a picture: a failed refresh leaves it on screen.
        self.good: Shot | None = None
        self.keypad = False
        self.line_next = False
        self._fetched_at = 0.0
        self._timer: Timer | None = None
        self._fetching = False
        #: Keys go out one after the other, in the order pressed (the lock is first come, first served).
        self._sending = asyncio.Lock()
        self._due = 0.0  #: time.monotonic() when the next fetch is due
        self._asked = False  #: the user asked for it (r): the title line says when it comes
        self._note = ("", False)  #: the note's words and whether it warns (drawn again on a resize)

    def compose(self) -> ComposeResult:
        yield Static(id="shot-title")
        yield Static(id="shot-problem")
        pixels = real_pixels()
        yield pixels(id="shot-pixels") if pixels is not None else Picture(id="shot-picture")
        yield Static(id="shot-note")
        yield Footer()

    def on_mount(self) -> None:
        self.shot = self.tui.shots.latest.get(self.phone.name)
        self._draw()
        self.schedule(0.0)
        self.set_interval(TITLE_SECONDS, self._draw_title)

    # -- fetching -------------------------------------------------------------------------

    def schedule(self, delay: float) -> None:
        """Fetch in ``delay`` seconds, but never sooner than SHOT_MIN_INTERVAL after the last fetch."""
        if self._timer is not None:
            self._timer.stop()
        wait = max(delay, self._fetched_at + SHOT_MIN_INTERVAL - time.monotonic(), 0.01)  # 0 divides by zero
        self._timer = self.set_timer(wait, self.fetch)
        self._due = time.monotonic() + wait

    def fetch(self) -> None:
        if not self._fetching:
            self._fetching = True
            self._fetched_at = time.monotonic()
            self._fetch()

    @work(group="shot", exclusive=True, exit_on_error=False)
    async def _fetch(self) -> None:
        try:
            error = await self.tui.shots.fetch([self.phone], self.arrived)
            if error:
                self.note(f"screenshot: {error}", warn=True)
        finally:
            self._fetching = False
            self._asked = False
            self.schedule(REFRESH_SECONDS)
            self._draw_title()

    def arrived(self, shots: list[Shot]) -> None:
        self.shot = shots[-1]
        self._draw()

    def show_shot(self, shot: Shot) -> None:
        """Draw ``shot`` (tests and the grid hand one over)."""
        self.shot = shot
        self._draw()

    def _image(self) -> Image.Image | None:
        """The newest picture: this shot's, or after a failed refresh the last good one's (kept in ``good``)."""
        for shot in (self.shot, self.good):
            if shot is not None and shot.outcome == ShotOutcome.OK:
                try:
                    image = shot.image()
                except ValueError:
                    continue
                self.good = shot
                return image
        return None

    def _draw(self) -> None:
        self._draw_title()
        image, shot = self._image(), self.shot
        problem = ""
        if shot is None:
            words = "fetching the screen…"
        elif shot.outcome != ShotOutcome.OK or image is None:
            hint = f" (hint: {shot.hint})" if shot.hint else ""
            older = self.good if image is not None and self.good is not shot else None
            kept = (
                f"; the picture is the last good one, {age_text(max(0.0, time.time() - older.at))} old" if older else ""
            )
            problem = f"{shot.outcome}: {shot.detail}{hint}{kept}"
            words = f"no picture: {shot.outcome}"
        else:
            words = ""
        self._wrap("#shot-problem", problem, "reverse")
        for picture in self.query(Picture):
            picture.show(image, words)
        for other in self.query("#shot-pixels"):
            other.image = image  # type: ignore[attr-defined]

    def _draw_title(self) -> None:
        next_in = max(0.0, self._due - time.monotonic()) if self._asked else None
        keypad = printable(self.tui.key_for("shot-keypad"), 30)
        keys = Text(f" · keys: {'keypad' if self.keypad else 'softkeys'} ({keypad})")  # kept: the note line changes
        keys.append(f" · {printable(self.tui.key_for('shot-back'), 30)}: close", style="dim")  # Esc alone may be lost
        room = (self.size.width or self.app.size.width) - 2 - keys.cell_len  # the keys first: the rest is cut
        for short in range(3):  # the model goes first, then the age while a refresh is counted down
            line = shot_line(self.phone, self.shot, now(), next_in, short)
            if line.cell_len <= room:
                break
        if line.cell_len > room:
            line.truncate(max(1, room - 1))
            line.append("…")
        self.query_one("#shot-title", Static).update(line + keys)

    def note(self, words: str, warn: bool = False) -> None:
        """The line under the picture: what was sent, what went wrong (drawn as it is, up to 3 rows)."""
        self._note = (printable(words, DETAIL_MAX), warn)
        self._wrap("#shot-note", self._note[0], "reverse" if warn else "")

    def _wrap(self, where: str, words: str, style: str) -> None:
        """``words`` in the Static at ``where``, wrapped at spaces into at most 3 rows (then "…"); hidden when ""."""
        static = self.query_one(where, Static)
        static.display = bool(words)
        width = (self.size.width or self.app.size.width) - 2
        static.update(plain_text("\n".join(wrapped(words, width, 3)), style=style, one_line=False))

    def on_resize(self) -> None:
        self._draw()
        self.note(*self._note)

    # -- keys -----------------------------------------------------------------------------

    def action_refresh(self) -> None:
        """Fetch now, or as soon as the phone allows: the title line counts down to it."""
        self._asked = True
        if not self._fetching:
            self.schedule(0.0)
        self._draw_title()

    def action_back(self) -> None:
        self.dismiss()

    def action_keypad(self) -> None:
        self.keypad = not self.keypad
        self._draw_title()
        self.note("digits: keypad 0-9 (k: softkeys)" if self.keypad else "digits: softkeys 1-5 (k: keypad)")

    def action_line(self) -> None:
        self.line_next = True
        self.note("line key: press its number (1-9)")

    def action_digit(self, digit: str) -> None:
        if self.line_next and digit != "0":
            self.line_next = False
            self.action_press(f"Key:Line{digit}")
        elif self.keypad or digit not in "12345":
            self.action_press(f"Key:KeyPad{digit}")
        else:
            self.action_press(f"Key:Soft{digit}")

    def action_press(self, uri: str) -> None:
        self.line_next = False
        problem = key_problem(self.phone.model, uri)
        self.note(f"{uri}: {problem}; sent anyway" if problem else f"{uri} sent…", bool(problem))
        self._press(uri, problem)

    @work(group="keys", exit_on_error=False)
    async def _press(self, uri: str, problem: str | None) -> None:
        async with self._sending:
            result = await self.tui.shots.press(self.phone, uri)
        if result.outcome is not Outcome.OK and problem:  # the phone said so: what is known says why
            self.note(f"{result.outcome}: {uri}: {problem}", warn=True)
        elif result.outcome is not Outcome.OK:
            self.note(f"{uri}: {result.outcome} {result.detail}", warn=True)
        elif not problem:
            self.note(f"{uri}: ok")
        self.schedule(AFTER_KEY_SECONDS)

    def action_macro(self) -> None:
        """Ask for a macro (or a saved one's name) and run it on this phone; ``save NAME: steps`` saves, as m does."""
        from ..macros import ask_macro

        title = f"Macro for {printable(self.phone.name, NAME_MAX)}: steps, a saved name, or 'save NAME: steps'"
        ask_macro(self.tui, title, self._macro)

    @work(group="keys", exit_on_error=False)
    async def _macro(self, steps: list[Step]) -> None:
        self.note("macro running…")
        async with self._sending:
            failed = await self.tui.shots.run_macro(self.phone, steps)
        self.note("macro done" if failed is None else f"{failed.outcome}: {failed.detail}", failed is not None)
        self.schedule(AFTER_KEY_SECONDS)
