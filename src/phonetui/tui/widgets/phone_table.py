"""The table of phones, drawn line by line from the fleet.

A DataTable measures every cell it is given and re-renders every visible row when any
cell changes; with a thousand phones answering that is the difference between a
smooth screen and a stuck one. This table keeps no cells: each visible line is
rendered from the phone's state, cached per phone, and only a changed phone is
rendered again.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...printable import fit, printable
from .. import outcomes
from ..plain import plain_text
from ..state import Fleet, PhoneState

COLUMNS = (("sel", " ", 3), ("name", "Name", 12), ("address", "Address", 18), ("model", "Model", 8),
           ("state", "State", 11), ("dn", "DN", 6), ("tags", "Tags", 16), ("result", "Result", 13),
           ("latency", "Latency", 8))  # fmt: skip
#: What gives way, in turn, while the columns are wider than the table: (column, its narrower
#: width, 0 to leave it out). Tags and DN go first (both stay searchable with / and t), then
#: Latency narrows and goes (the reply screen has it); never narrower than a header.
GIVE_WAY = (("tags", 0), ("dn", 0), ("latency", 7), ("latency", 0), ("address", 15), ("name", 8))
#: Shown only once a probe has run.
PROBE_COLUMNS = ("state", "dn")
PADDING = 1

#: Names, models and tags are cut to this many characters before they are measured.
CELL_MAX = 64
#: The result column while an alert is current: ``● acknowledged 10:31:02``.
ALERT_RESULT_WIDTH = 23
#: While an alert is current, the state column gives way too, before the address and names narrow.
ALERT_GIVE_WAY = (*GIVE_WAY[:4], ("state", 0), *GIVE_WAY[4:])

#: The name column grows, when there is room, up to the longest name or this many cells.
NAME_MAX = 40


@functools.lru_cache(maxsize=64)
def _style(style: str | Style) -> Style:
    return style if isinstance(style, Style) else Style.parse(style)


def _name_width(name: str) -> int:
    if name.isascii() and name.isprintable():  # the usual name: one cell a character, nothing to replace
        return min(len(name), NAME_MAX)
    return cell_len(printable(name, NAME_MAX))


def latency_text(ms: int | None) -> str:
    if ms is None:
        return "-"
    return f"{ms} ms" if ms < 10_000 else f"{ms / 1000:.0f} s"


class PhoneTable(ScrollView, can_focus=True):
    """One line per phone shown; Up/Down/PageUp/PageDown/Home/End move, Enter chooses."""

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
        Binding("enter", "choose", "Reply", show=False),
    ]
    COMPONENT_CLASSES = {"phone-table--header", "phone-table--cursor", "phone-table--odd"}
    DEFAULT_CSS = """
    PhoneTable { background: $surface; }
    PhoneTable > .phone-table--header { text-style: bold; background: $panel; }
    PhoneTable > .phone-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    PhoneTable:blur > .phone-table--cursor { background: $block-cursor-blurred-background; }
    PhoneTable > .phone-table--odd { background: $surface-lighten-1; }
    """

    @dataclass
    class Chosen(Message):
        """Enter on a phone."""

        name: str

    @dataclass
    class MarkClicked(Message):
        """A click on a phone's [ ] mark: select or unselect it."""

        name: str

    @dataclass
    class HeaderClicked(Message):
        """A click on a column's header: sort by it."""

        column: str

    def __init__(
        self,
        fleet: Fleet,
        latency: Callable[[int | None], str] = latency_text,
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.fleet = fleet
        self.latency = latency
        self.columns_shown: tuple[str, ...] = ()
        self.widths: dict[str, int] = {}
        self.names: list[str] = []
        self._index_of: dict[str, int] | None = {}
        self._cache: dict[str, Strip] = {}
        self._longest: int | None = None
        # Ages are measured from one instant per tick, so cached and fresh lines agree.
        self.age_clock = time.time()
        self.cursor_row = 0  # not reactive: moving it repaints two lines, not the table

    # -- rows -----------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.names)

    @property
    def rows(self) -> dict[str, int]:
        """Shown phone names, with their row."""
        return self._index

    @property
    def _index(self) -> dict[str, int]:
        """Each shown name's row, made when first asked (not before the first frame of 20,000 rows)."""
        if self._index_of is None:
            self._index_of = {name: row for row, name in enumerate(self.names)}
        return self._index_of

    def get_row_index(self, name: str) -> int:
        return self._index[name]

    def name_at(self, row: int) -> str:
        return self.names[row]

    def current_name(self) -> str | None:
        return self.names[self.cursor_row] if self.names else None

    def on_mount(self) -> None:
        self.set_columns(self.app.size.width - 2)  # the table sits inside a border

    def on_resize(self) -> None:
        self.set_columns(self.size.width)

    def set_columns(self, width: int | None = None) -> None:
        """Lay out the columns for the width (the table's own when not given); redraw only when that changes."""
        width = self.size.width if width is None else width
        keys, widths = self.fitted(width)
        if keys != self.columns_shown or widths != self.widths:
            self.columns_shown, self.widths = keys, widths
            self.reload()

    def fitted(self, width: int) -> tuple[tuple[str, ...], dict[str, int]]:
        """The columns shown in ``width`` cells and their widths: what does not fit gives way (GIVE_WAY), so
        no column is cut and there is no sideways scrolling; the name column takes the spare room it needs."""
        probed = self.fleet.probed
        widths = {key: w for key, _, w in COLUMNS if probed or key not in PROBE_COLUMNS}
        give_way: tuple[tuple[str, int], ...] = GIVE_WAY
        if self.fleet.alerting:  # what the result says matters more now than the state or a full address
            widths["result"], give_way = ALERT_RESULT_WIDTH, ALERT_GIVE_WAY
        for key, narrower in give_way:
            if sum(w + 2 * PADDING for w in widths.values()) <= width:
                break
            if key in widths and narrower:
                widths[key] = min(widths[key], narrower)
            else:
                widths.pop(key, None)
        spare = width - sum(w + 2 * PADDING for w in widths.values())
        widths["name"] += max(0, min(spare, self._longest_name() - widths["name"]))
        return tuple(widths), widths

    def _longest_name(self) -> int:
        """The widest name in the fleet, in cells (names do not change: measured once)."""
        if self._longest is None:
            names = self.fleet.states.keys()  # keyed by name
            joined = "".join(names)
            if joined.isascii() and joined.isprintable():  # the usual fleet: one test for all, not 20,000
                self._longest = min(max(map(len, names), default=0), NAME_MAX)
            else:
                self._longest = max(map(_name_width, names), default=0)
        return self._longest

    def reload(self) -> None:
        """Take the fleet's filter and order again, keeping the cursor on its phone."""
        current = self.current_name()
        self.names = self.fleet.visible_names()
        self._index_of = None
        self._cache.clear()
        width = sum(w + 2 * PADDING for w in self.widths.values())
        self.virtual_size = Size(width, len(self.names) + 1)
        row = self._index.get(current, 0) if current is not None else 0
        self.move_cursor(row=min(row, max(len(self.names) - 1, 0)))
        self.refresh()

    def update_phones(self, names: Iterable[str]) -> None:
        """Redraw the phones' lines that are on screen; for the others only forget the cached line."""
        top = self.scroll_offset.y
        bottom = top + self.size.height
        for name in names:
            row = self._index.get(name)
            if row is None:
                continue
            self._cache.pop(name, None)
            if top <= row < bottom:  # off screen: no frame needed for it
                self.refresh_line(row + 1)

    # -- cells ----------------------------------------------------------------------------

    def cells(self, state: PhoneState) -> dict[str, Text]:
        """The cells of one phone, by column key."""
        p, r = state.phone, state.result
        return {
            "sel": Text("[x]" if state.selected else "[ ]"),
            "name": plain_text(p.name, CELL_MAX),
            "address": plain_text(p.address, CELL_MAX),
            "model": self.model_cell(state),
            "state": self.state_cell(state),
            "dn": plain_text(state.dn, CELL_MAX),
            "tags": plain_text(",".join(p.tags), CELL_MAX),
            "result": self.result_cell(state),
            "latency": Text(self.latency(r.latency_ms) if r else ""),
        }

    def get_cell(self, name: str, column: str) -> Text:
        return self.cells(self.fleet.states[name])[column]

    def model_cell(self, state: PhoneState) -> Text:
        """The model the phone reported (else the configured one); ``!`` when they disagree."""
        model = state.model.removeprefix("CP-")
        if state.probe is not None and state.probe.model_disagrees:
            return plain_text(f"!{model}", CELL_MAX)
        return plain_text(model, CELL_MAX)

    def state_cell(self, state: PhoneState) -> Text:
        probe = state.probe
        if probe is None:
            return Text("unknown", style=outcomes.state_style("unknown", self.app.no_color))
        text = f"{probe.state} {outcomes.age(self.age_clock - probe.at)}"
        return Text(text, style=outcomes.state_style(probe.state, self.app.no_color))

    def refresh_ages(self) -> None:
        """Move the ages' clock on and draw them again (they grow while nothing else changes)."""
        self.age_clock = time.time()
        if "state" in self.columns_shown:
            self._cache.clear()
            self.refresh()

    def result_cell(self, state: PhoneState) -> Text:
        if state.pending:
            return Text(f"{outcomes.PENDING_MARK} sending", style=outcomes.PENDING_STYLE)
        if state.alert:  # the current alert's word for the row: delivered, acknowledged 10:31:02
            return Text(outcomes.alert_label(state.alert), style=outcomes.alert_style(state.alert, self.app.no_color))
        if state.result is None:
            return Text("")
        outcome = state.result.outcome
        return Text(outcomes.label(outcome), style=outcomes.style(outcome, self.app.no_color))

    def _line(self, texts: dict[str, Text], base: Style) -> Strip:
        """One line of cells; each cell is one plain string in one style, so no Rich render."""
        segments: list[Segment] = []
        pad = " " * PADDING
        for key, width in self.widths.items():
            text = texts[key]
            style = base + _style(text.style) if text.style else base
            segments.append(Segment(f"{pad}{fit(text.plain, width)}{pad}", style))
        return Strip(segments, self.virtual_size.width)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x, scroll_y = self.scroll_offset
        if y == 0:
            header = {key: Text(label) for key, label, _ in COLUMNS}
            strip = self._line(header, self.get_component_rich_style("phone-table--header"))
        else:
            row = scroll_y + y - 1
            if row >= len(self.names):
                return Strip.blank(width, self.rich_style)
            name = self.names[row]
            if row == self.cursor_row:
                cursor = self.get_component_rich_style("phone-table--cursor")
                strip = self._line(self.cells(self.fleet.states[name]), cursor)
            else:
                cached = self._cache.get(name)
                if cached is None:
                    base = self.rich_style
                    if row % 2:
                        base += self.get_component_rich_style("phone-table--odd")
                    cached = self._cache[name] = self._line(self.cells(self.fleet.states[name]), base)
                strip = cached
        return strip.crop_extend(scroll_x, scroll_x + width, self.rich_style)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    # -- cursor ---------------------------------------------------------------------------

    def move_cursor(self, row: int) -> None:
        if not self.names:
            self.cursor_row = 0
            return
        row = max(0, min(row, len(self.names) - 1))
        previous = self.cursor_row
        self.cursor_row = row
        self._cache.pop(self.names[row], None)
        if previous < len(self.names):
            self._cache.pop(self.names[previous], None)
            self.refresh_line(previous + 1)
        self.refresh_line(row + 1)
        self._keep_cursor_visible()

    def _keep_cursor_visible(self) -> None:
        rows_visible = max(self.size.height - 1, 1)
        top = self.scroll_offset.y
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + rows_visible:
            self.scroll_to(y=self.cursor_row - rows_visible + 1, animate=False, immediate=True)

    def action_cursor(self, step: int) -> None:
        self.move_cursor(self.cursor_row + step)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self.cursor_row + direction * max(self.size.height - 2, 1))

    def action_jump(self, row: int) -> None:
        self.move_cursor(row if row >= 0 else len(self.names) - 1)

    def action_choose(self) -> None:
        name = self.current_name()
        if name is not None:
            self.post_message(self.Chosen(name))

    def column_at(self, x: int) -> str | None:
        """The key of the column drawn at ``x`` (in the widget), if any."""
        left = -self.scroll_offset.x
        for key, width in self.widths.items():
            right = left + width + 2 * PADDING
            if left <= x < right:
                return key
            left = right
        return None

    def on_click(self, event: events.Click) -> None:
        column = self.column_at(event.x)
        if event.y == 0:
            if column is not None and column != "sel":
                self.post_message(self.HeaderClicked(column))
            return
        row = self.scroll_offset.y + event.y - 1
        if row < len(self.names):
            if column == "sel":
                self.post_message(self.MarkClicked(self.names[row]))
            elif row == self.cursor_row and event.chain > 1:
                self.action_choose()
            self.move_cursor(row)
