"""The screens of many phones at a glance: a thumbnail each, labelled with its name, the fetch's age and a failure.

Opened after a push (its phones) or on the selection; fetched in one job of the push
process, each thumbnail drawn as its screenshot arrives. Enter opens the focused phone's
view. The grid refreshes by itself: one round (one job for every phone) at a time, the next
``shot_view.REFRESH_SECONDS`` after the last ended, so a slow phone or many phones never pile
up requests, and the push process's pacer asks no phone more often than every 2 s. The frame's
title counts down (``refresh in 4 s``) and then counts the round (``refreshing 3/12``); ``r``
starts a round now, or right after the one running. While the grid is under another screen (a
phone's view) it waits, so the view's own fetches are not kept waiting behind it. The arrows move
as on a grid (Up/Down a row, Left/Right a thumbnail), PageUp/PageDown a screenful, Home/End to
the ends, and the grid scrolls to keep the highlighted thumbnail in view.
"""

from __future__ import annotations

import math
import time

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer, Vertical
from textual.timer import Timer
from textual.widgets import Footer, Static

from ...config import Phone
from ...printable import ELLIPSIS, fit, printable
from ...screenshot import Shot, ShotOutcome
from ...wording import plural
from ..keys import binding
from ..plain import plain_content
from ..widgets.picture import Picture
from . import shot_view
from .base import PhoneScreen
from .shot_view import NAME_MAX, ShotScreen, age_text

__all__ = ["ShotGridScreen", "ShotScreen", "Thumb"]

#: The smallest thumbnail's cells (its picture and the label under it); more phones than fit scroll.
THUMB_WIDTH, THUMB_HEIGHT = 26, 9
#: The shape thumbnails are fitted to: most phones' screens (800x480, 298x168...) are about 5:3.
SCREEN_ASPECT = 5 / 3
#: The cells a thumbnail's label keeps for the phone's name, at least.
NAME_MIN = 12
#: Cells between thumbnails, across and down; the container's border and the footer.
GUTTER, FRAME_COLUMNS, FRAME_ROWS = 1, 2, 3
#: How often the labels' ages and the title's countdown are drawn again.
TITLE_SECONDS = 0.5


def clock() -> float:
    """``time.monotonic()``, for the countdown (snapshots pin it)."""
    return time.monotonic()


def grid_shape(count: int, width: int, height: int) -> tuple[int, int, int]:
    """(columns, thumbnail width, thumbnail height) for ``count`` thumbnails in ``width`` x ``height`` cells.

    The columns are those that give each picture the most room at the screens' shape (two
    pixels a cell), the picture above a one-row label; never smaller than THUMB_WIDTH x
    THUMB_HEIGHT (then the grid scrolls).
    """
    count = max(1, count)
    best = (0.0, 1, THUMB_WIDTH, THUMB_HEIGHT)
    for columns in range(1, count + 1):
        rows = -(-count // columns)
        cell_w = (width - (columns - 1) * GUTTER) // columns
        cell_h = (height - (rows - 1) * GUTTER) // rows
        if cell_w < THUMB_WIDTH or cell_h < THUMB_HEIGHT:
            continue
        picture = min(cell_w, 2 * (cell_h - 1) * SCREEN_ASPECT)  # its width in pixels, at the screens' shape
        if picture > best[0]:
            best = (picture, columns, cell_w, cell_h)
    if best[0] == 0.0:  # too many to fit: the smallest, as many columns as there is room for
        columns = max(1, (width + GUTTER) // (THUMB_WIDTH + GUTTER))
        return columns, THUMB_WIDTH, THUMB_HEIGHT
    _, columns, cell_w, cell_h = best
    picture_w = min(cell_w, round(2 * (cell_h - 1) * SCREEN_ASPECT))  # no wider than the picture needs
    picture_h = min(cell_h - 1, -(-round(picture_w / SCREEN_ASPECT) // 2))
    return columns, max(THUMB_WIDTH, picture_w), max(THUMB_HEIGHT, picture_h + 1)


def thumb_label(phone: Phone, shot: Shot | None, now: float, width: int = 0) -> Text:
    """``sim-0001 · 4 s``: the name and the fetch's age, and a failed fetch's outcome reversed (no colour needed).

    In ``width`` cells: the name keeps at least NAME_MIN of them (cut with "…"), then what follows
    ends with "…" where it has no room.
    """
    name = printable(phone.name, NAME_MAX)
    tail = Text()
    if shot is None:
        tail.append(" · fetching…", style="dim")
    else:
        tail.append(f" · {age_text(max(0.0, now - shot.at)).removesuffix(' ago')}")
        if shot.outcome != ShotOutcome.OK:
            tail.append(" · ")
            tail.append(str(shot.outcome), style="reverse")
    if width:
        room = max(width - tail.cell_len, min(len(name), NAME_MIN))
        name = fit(name, room).rstrip() if len(name) > room else name
    label = Text(name) + tail
    if width and label.cell_len > width:
        label.truncate(width - 1)
        label.append(ELLIPSIS)
    return label


class Thumb(Vertical, can_focus=True):
    """One phone: its picture and its label."""

    DEFAULT_CSS = f"""
    Thumb {{ width: {THUMB_WIDTH}; height: {THUMB_HEIGHT}; }}
    Thumb > Picture {{ height: 1fr; }}
    Thumb > Static {{ height: 1; text-wrap: nowrap; text-overflow: ellipsis; }}
    Thumb:focus > Static {{ text-style: reverse; }}
    """

    def __init__(self, phone: Phone, shot: Shot | None) -> None:
        super().__init__()
        self.phone = phone
        self.shot = shot
        self._drawn: bytes | None = None  #: the image now drawn: the same again is not decoded again

    def compose(self) -> ComposeResult:
        yield Picture()
        yield Static()

    def on_mount(self) -> None:
        self.show(self.shot)

    def show(self, shot: Shot | None) -> None:
        self.shot = shot
        if shot is not None and shot.outcome == ShotOutcome.OK and shot.data == self._drawn:
            self.label()  # the screen has not changed: only its age has
            return
        image = None
        if shot is not None and shot.outcome == ShotOutcome.OK:
            try:
                image = shot.image()
            except ValueError:
                image = None
        words = "…" if shot is None else "" if image is not None else printable(shot.detail, 200)
        self._drawn = shot.data if shot is not None and image is not None else None
        self.query_one(Picture).show(image, words)
        self.label()

    def label(self) -> None:
        """The label again (its age moves on; its width may have changed)."""
        width = self.size.width or int(self.styles.width.value if self.styles.width else THUMB_WIDTH)
        self.query_one(Static).update(thumb_label(self.phone, self.shot, shot_view.now(), width))

    def on_resize(self) -> None:
        self.label()


class ShotGridScreen(PhoneScreen):
    """Thumbnails of ``phones``' screens."""

    BINDINGS = [
        binding("back"),
        binding("grid-open"),
        binding("grid-refresh"),
        # Priority: the scrolling container would take the arrows (and scroll the highlight away).
        Binding("left", "move(0, -1)", "Previous", show=False, priority=True),
        Binding("right", "move(0, 1)", "Next", show=False, priority=True),
        Binding("up", "move(-1, 0)", "Row up", show=False, priority=True),
        Binding("down", "move(1, 0)", "Row down", show=False, priority=True),
        Binding("pageup", "page(-1)", "Page up", show=False, priority=True),
        Binding("pagedown", "page(1)", "Page down", show=False, priority=True),
        Binding("home", "jump(0)", "First", show=False, priority=True),
        Binding("end", "jump(-1)", "Last", show=False, priority=True),
    ]
    DEFAULT_CSS = f"""
    ShotGridScreen #thumbs {{
        layout: grid; grid-size: 3; grid-gutter: {GUTTER} {GUTTER}; height: 1fr;
        grid-columns: {THUMB_WIDTH}; grid-rows: {THUMB_HEIGHT};
        border: round $primary; border-title-align: left;
    }}
    """

    def __init__(self, phones: list[Phone], why: str) -> None:
        super().__init__()
        self.phones = phones
        self.why = why
        self.thumbs: dict[str, Thumb] = {}
        #: While a round runs: how many phones answered in it, of how many; None between rounds.
        self.round: tuple[int, int] | None = None
        self.rounds = 0  #: rounds started
        self._again = False  #: r during a round: another right after it
        self._due = 0.0  #: clock() when the next round starts
        self._timer: Timer | None = None
        self._waiting = False  #: under another screen: no rounds until it is back
        self.columns = 1  #: thumbnails a row, as laid out now
        self.tile_height = THUMB_HEIGHT  #: a thumbnail's rows, as laid out now

    def compose(self) -> ComposeResult:
        latest = self.tui.shots.latest
        with ScrollableContainer(id="thumbs"):
            for phone in self.phones:
                thumb = self.thumbs[phone.name] = Thumb(phone, latest.get(phone.name))
                yield thumb
        yield Footer()

    def on_mount(self) -> None:
        self.on_resize()
        if self.phones:
            next(iter(self.thumbs.values())).focus()
        self.action_refresh()
        self.set_interval(TITLE_SECONDS, self._ages)

    def on_resize(self) -> None:
        """Thumbnails as large as the room there is allows, at the screens' shape (see ``grid_shape``)."""
        size = self.size if self.size.width else self.app.size
        columns, width, height = grid_shape(len(self.phones), size.width - FRAME_COLUMNS, size.height - FRAME_ROWS)
        self.columns, self.tile_height = min(columns, max(1, len(self.phones))), height
        container = self.query_one("#thumbs")
        container.styles.grid_size_columns = columns
        container.set_styles(f"grid-columns: {width}; grid-rows: {height};")
        for thumb in self.thumbs.values():
            thumb.styles.width, thumb.styles.height = width, height

    def _ages(self) -> None:
        for thumb in self.thumbs.values():
            thumb.label()
        self._draw_title()

    def status(self) -> str:
        """``refreshing 3/12`` during a round (``, then again`` after an ``r``), else ``refresh in 4 s``."""
        if self.round is not None:
            arrived, of = self.round
            return f"refreshing {arrived}/{of}" + (", then again" if self._again else "")
        if self._waiting:
            return "refresh when back"
        return f"refresh in {max(0, math.ceil(self._due - clock()))} s"

    def _draw_title(self) -> None:
        title = f"Screens of {plural(len(self.phones), 'phone')} ({self.why}) · {self.status()}"
        self.query_one("#thumbs").border_title = plain_content(title)

    def action_refresh(self) -> None:
        """A round now; or, while one runs, another right after it (one round at a time)."""
        if self.round is not None:
            self._again = True
        else:
            self._start()
        self._draw_title()

    def _start(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.round is not None or not self.is_attached:
            return
        self.round = (0, len(self.phones))
        self.rounds += 1
        self._draw_title()
        self._fetch()

    def _schedule(self, delay: float) -> None:
        """The next round in ``delay`` seconds (unless the grid waits under another screen)."""
        if self._timer is not None:
            self._timer.stop()
        self._due = clock() + delay
        self._timer = None if self._waiting else self.set_timer(max(0.01, delay), self._start)
        self._draw_title()

    @work(group="shots", exit_on_error=False)
    async def _fetch(self) -> None:
        try:
            error = await self.tui.shots.fetch(self.phones, self.arrived)
            if error:
                self.notify(f"Screenshots stopped: {error}", severity="warning", markup=False)
        finally:
            self.round = None
            again, self._again = self._again, False
            if self.is_attached:
                self._schedule(0.0 if again else shot_view.REFRESH_SECONDS)

    def arrived(self, shots: list[Shot]) -> None:
        for shot in shots:
            thumb = self.thumbs.get(shot.phone)
            if thumb is not None:
                thumb.show(shot)
        if self.round is not None:
            self.round = (min(self.round[1], self.round[0] + len(shots)), self.round[1])
        self._draw_title()

    def on_screen_suspend(self, event: events.ScreenSuspend) -> None:
        """Under a phone's view: no rounds (the view fetches its phone; the grid's would make it wait its turn)."""
        self._waiting = True
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        if not self._waiting:
            return
        self._waiting = False
        if self.round is None:
            self._schedule(max(0.0, self._due - clock()))

    # -- moving ---------------------------------------------------------------------------

    def _index(self) -> int:
        """The highlighted thumbnail's place in the grid (0 when none is)."""
        focused = self.focused
        return self.phones.index(focused.phone) if isinstance(focused, Thumb) else 0

    def _go(self, index: int) -> None:
        """Highlight the ``index``-th thumbnail and scroll the grid to show it whole."""
        if not self.phones:
            return
        thumb = self.thumbs[self.phones[max(0, min(index, len(self.phones) - 1))].name]
        thumb.focus(scroll_visible=False)
        self.query_one("#thumbs", ScrollableContainer).scroll_to_widget(thumb, animate=False, immediate=True)

    def action_move(self, rows: int, steps: int) -> None:
        """Left/Right: one thumbnail; Up/Down: one row, the same column (at the ends: the last one, or stay)."""
        index, last = self._index(), len(self.phones) - 1
        if steps:
            self._go(index + steps)
            return
        target = index + rows * self.columns
        row, last_row = target // self.columns, last // self.columns
        if 0 <= row <= last_row:  # a shorter last row: its last thumbnail
            self._go(min(target, last))

    def action_page(self, direction: int) -> None:
        """PageUp/PageDown: the rows that fit on the screen, the same column."""
        seen = self.query_one("#thumbs").scrollable_content_region.height
        rows = max(1, (seen + GUTTER) // (self.tile_height + GUTTER))
        index = self._index() + direction * rows * self.columns
        column = self._index() % self.columns
        if index < 0:
            index = column
        elif index > len(self.phones) - 1:
            last = len(self.phones) - 1
            index = min(last, (last // self.columns) * self.columns + column)
        self._go(index)

    def action_jump(self, index: int) -> None:
        """Home/End: the first / last thumbnail."""
        self._go(index if index >= 0 else len(self.phones) - 1)

    def action_open(self) -> None:
        focused = self.focused
        if isinstance(focused, Thumb):
            self.app.push_screen(ShotScreen(focused.phone))

    def action_back(self) -> None:
        self.dismiss()
