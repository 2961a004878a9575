"""The screens of many phones at a glance: a thumbnail each, labelled with its name and how the fetch went.

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
from ...printable import printable
from ...screenshot import Shot, ShotOutcome
from ...wording import plural
from ..keys import binding
from ..plain import plain_content
from ..widgets.picture import Picture
from .base import PhoneScreen
from .shot_view import ShotScreen

__all__ = ["ShotGridScreen", "ShotScreen", "Thumb"]

#: A thumbnail's cells: its picture and the label under it.
THUMB_WIDTH, THUMB_HEIGHT = 26, 9
LABEL_MAX = 22


def thumb_label(phone: Phone, shot: Shot | None) -> Text:
    """``sim-0001 ok``; a failure reversed (it reads without colour)."""
    label = Text(printable(phone.name, LABEL_MAX))
    if shot is None:
        label.append(" …", style="dim")
    else:
        label.append(f" {shot.outcome}", style="" if shot.outcome == ShotOutcome.OK else "reverse")
    return label


class Thumb(Vertical, can_focus=True):
    """One phone: its picture and its label."""

    DEFAULT_CSS = f"""
    Thumb {{ width: {THUMB_WIDTH}; height: {THUMB_HEIGHT}; }}
    Thumb > Picture {{ height: 1fr; }}
    Thumb > Static {{ height: 1; }}
    Thumb:focus > Static {{ text-style: reverse; }}
    """

    def __init__(self, phone: Phone, shot: Shot | None) -> None:
        super().__init__()
        self.phone = phone
        self.shot = shot

    def compose(self) -> ComposeResult:
        yield Picture()
        yield Static(thumb_label(self.phone, self.shot))

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
        words = "…" if shot is None else "" if image is not None else printable(shot.detail, 60)
        self.query_one(Picture).show(image, words)
        self.query_one(Static).update(thumb_label(self.phone, shot))


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
        layout: grid; grid-size: 3; grid-gutter: 1 1; height: 1fr;
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

    def on_resize(self) -> None:
        columns = max(1, (self.size.width - 3) // (THUMB_WIDTH + 1))
        self.query_one("#thumbs").styles.grid_size_columns = columns

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
