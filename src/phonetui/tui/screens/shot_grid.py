"""The screens of many phones at a glance: a thumbnail each, labelled with its name, the fetch's age and a failure.

Opened after a push (its phones) or on the selection; fetched in one job of the push
process, each thumbnail drawn as its screenshot arrives. Enter opens the focused phone's
view; ``r`` fetches them all again.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer, Vertical
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

    def compose(self) -> ComposeResult:
        yield Picture()
        yield Static()

    def on_mount(self) -> None:
        self.show(self.shot)

    def show(self, shot: Shot | None) -> None:
        self.shot = shot
        image = None
        if shot is not None and shot.outcome == ShotOutcome.OK:
            try:
                image = shot.image()
            except ValueError:
                image = None
        words = "…" if shot is None else "" if image is not None else printable(shot.detail, 200)
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
        Binding("right,down", "app.focus_next", "Next", show=False),
        Binding("left,up", "app.focus_previous", "Previous", show=False),
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

    def compose(self) -> ComposeResult:
        latest = self.tui.shots.latest
        with ScrollableContainer(id="thumbs"):
            for phone in self.phones:
                thumb = self.thumbs[phone.name] = Thumb(phone, latest.get(phone.name))
                yield thumb
        yield Footer()

    def on_mount(self) -> None:
        container = self.query_one("#thumbs")
        container.border_title = plain_content(f"Screens of {plural(len(self.phones), 'phone')} ({self.why})")
        self.on_resize()
        if self.phones:
            next(iter(self.thumbs.values())).focus()
        self.action_refresh()
        self.set_interval(1.0, self._ages)

    def on_resize(self) -> None:
        """Thumbnails as large as the room there is allows, at the screens' shape (see ``grid_shape``)."""
        size = self.size if self.size.width else self.app.size
        columns, width, height = grid_shape(len(self.phones), size.width - FRAME_COLUMNS, size.height - FRAME_ROWS)
        container = self.query_one("#thumbs")
        container.styles.grid_size_columns = columns
        container.set_styles(f"grid-columns: {width}; grid-rows: {height};")
        for thumb in self.thumbs.values():
            thumb.styles.width, thumb.styles.height = width, height

    def _ages(self) -> None:
        for thumb in self.thumbs.values():
            thumb.label()

    def action_refresh(self) -> None:
        self._fetch()

    @work(group="shots", exclusive=True, exit_on_error=False)
    async def _fetch(self) -> None:
        error = await self.tui.shots.fetch(self.phones, self.arrived)
        if error:
            self.notify(f"Screenshots stopped: {error}", severity="warning", markup=False)

    def arrived(self, shots: list[Shot]) -> None:
        for shot in shots:
            thumb = self.thumbs.get(shot.phone)
            if thumb is not None:
                thumb.show(shot)

    def action_open(self) -> None:
        focused = self.focused
        if isinstance(focused, Thumb):
            self.app.push_screen(ShotScreen(focused.phone))

    def action_back(self) -> None:
        self.dismiss()
