"""Past pushes from the journal: what was sent, to whom, how each phone answered; push one again.

The screen and its keys; what it shows (the journal read without trusting it, and drawn as
Rich ``Text``, never as markup) is built in ``history_view``.
"""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Static

from ...alert_journal import alert_of, alert_stories
from ...cisco import CiscoObject
from ...config import Phone
from ...history import gather_pushes
from ...wording import plural
from ..frame_timer import PromptFrames
from ..keys import binding
from ..sending import confirm_push
from .base import PhoneScreen
from .history_view import (
    STATE_STYLES,
    PushView,
    cell,
    clear_words,
    kind,
    object_text,
    result_columns,
    result_text,
    summary,
    visible,
    when,
)

#: The newest pushes shown; a journal of years would make a table too slow to build.
MAX_PUSHES = 1000
#: A push to more phones than this gets its rows once the cursor has rested on it for
#: REST_SECONDS: building a thousand rows takes about 0.2 s, too long for every key of Down.
QUICK_ROWS = 200
REST_SECONDS = 0.15
#: Below this many columns the tables leave out what matters least (host, route).
WIDE = 100


class ResultModal(PromptFrames, ModalScreen[None]):
    """One phone's answer in one past push, in full."""

    BINDINGS = [binding("back")]

    def __init__(self, text: Text) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="history-result-box") as box:
            box.border_title = "A phone's result  (Esc closes)"
            yield Static(self.text, id="result-text", markup=False)
        yield Footer()

    def action_back(self) -> None:
        self.dismiss()


def alert_summary(view: PushView, about: str, width: int) -> Text | None:
    """A round of an alert in the list: ``alert a1b2 round 2 · acked 3 of 10 · title``, on one line
    where it fits, else on two (at 80 columns the summary has 19 cells: the acks must not be cut off)."""
    if view.story is None:
        return None
    words = view.alert_words()
    if len(words) + 12 <= width:
        return cell(f"{words} · {about}", width)
    head, acked = view.alert_parts(short=4)
    return Text("\n").join([cell(head, width), cell(f"{acked} · {about}", width)])


# -- the screen ---------------------------------------------------------------------------------


class HistoryScreen(PhoneScreen):
    """Pushes, newest first; the highlighted push decoded, with each phone's result, below."""

    BINDINGS = [
        binding("back"),
        # Priority, so the footer names what Enter does: a DataTable's own Enter would hide it.
        binding("history-load", priority=True),
        binding("history-again"),
        binding("history-retry"),
        binding("history-export"),
        Binding("enter", "show_result", "Phone's result", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__(id="history")
        self.views: list[PushView] = []
        self._width = 0
        self._covered = False
        self._fill_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="history-title", markup=False)
        yield DataTable(cursor_type="row", id="pushes")
        with VerticalScroll(id="push-object-box"):
            yield Static(id="push-object", markup=False)
        yield DataTable(cursor_type="row", id="push-results")
        yield Footer()

    @property
    def wide(self) -> bool:
        return self.size.width >= WIDE

    @property
    def current(self) -> PushView | None:
        row = self.query_one("#pushes", DataTable).cursor_row
        return self.views[row] if 0 <= row < len(self.views) else None

    def on_screen_suspend(self) -> None:
        self._covered = self in self.app.screen_stack  # under a modal or the form, not left

    def on_screen_resume(self) -> None:
        if self._covered:  # back from a phone's result or a confirmation: keep the place
            self._covered = False
            return
        journal = self.tui.journal
        everything = list(journal.records()) if journal else []  # read once: the pushes and the acks
        records = gather_pushes(everything)
        shown = list(reversed(records))[:MAX_PUSHES]
        running = self.tui.main.pushing
        stories = alert_stories(records, everything)
        self.views = [
            PushView(record, running and i == 0, stories.get(alert_of(record) or "")) for i, record in enumerate(shown)
        ]
        where = visible(journal.path) if journal else "no journal"
        pushes = plural(len(records), "push", "pushes")
        count = f"the newest {len(shown)} of {pushes}" if len(records) > len(shown) else pushes
        self.query_one("#history-title", Static).update(Text(f"{count} in {where}"))
        self.fill_pushes()
        self.query_one("#pushes", DataTable).focus()

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._width and self.views:
            self.fill_pushes(self.query_one("#pushes", DataTable).cursor_row)

    def fill_pushes(self, row: int = 0) -> None:
        """Build the table of pushes with columns fitted to the screen's width."""
        self._width = width = self.size.width
        wide = self.wide
        fixed = [("When", 19 if wide else 11), ("Object", 7), ("Phones", 6), ("OK", 4), ("Failed", 6), ("State", 11)]
        summary_width = max(10, width - sum(w + 2 for _, w in fixed) - 2 - 2)  # its padding, the scrollbar
        table = self.query_one("#pushes", DataTable)
        table.clear(columns=True)
        for label, column_width in (*fixed[:2], ("Summary", summary_width), *fixed[2:]):
            table.add_column(label, width=column_width)
        for i, view in enumerate(self.views):
            start = view.record.start
            about = summary(view.obj, view.problem, start.get("xml"))
            about = f"{clear_words(start)} · {about}" if clear_words(start) else about
            lines = alert_summary(view, about, summary_width)
            table.add_row(
                cell(when(start, wide)),
                cell(kind(view.obj, start), 7),
                lines or cell(about, summary_width),
                cell(view.phones),
                cell(view.ok),
                cell(view.failed),
                cell(view.state, style=STATE_STYLES.get(view.state, "")),
                key=str(i),
                height=len(lines.plain.split("\n")) if lines else 1,
            )
        if self.views:
            table.move_cursor(row=min(row, len(self.views) - 1))
        self.show(self.current)

    @on(DataTable.RowHighlighted, "#pushes")
    def highlighted(self) -> None:
        self.show(self.current)

    def show(self, view: PushView | None) -> None:
        """The push in detail: its object, decoded, and each phone's result."""
        width = self.size.width
        detail = self.query_one("#push-object", Static)
        empty = Text("No push yet: the journal is empty.")
        detail.update(object_text(view, width - 4) if view else empty)  # the box's padding and scrollbar
        if self._fill_timer is not None:
            self._fill_timer.stop()
            self._fill_timer = None
        if view is not None and len(view.lines) > QUICK_ROWS:  # wait until the cursor rests on it
            self.query_one("#push-results", DataTable).clear()
            self._fill_timer = self.set_timer(REST_SECONDS, lambda: self.fill_results(view))
        else:
            self.fill_results(view)

    def fill_results(self, view: PushView | None) -> None:
        """One row per phone of ``view``, with the columns that fit the screen."""
        self._fill_timer = None
        table = self.query_one("#push-results", DataTable)
        table.clear(columns=True)
        columns = result_columns(self.size.width, self.tui.latency_text, view)
        for label, column_width, _ in columns:
            table.add_column(label, width=column_width)
        for line in view.lines if view else []:
            table.add_row(*(cell(value(line), column_width) for _, column_width, value in columns))

    # -- keys ---------------------------------------------------------------------------------

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()  # Enter loads a push, or shows a phone's result

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        on_results = self.focused is self.query_one("#push-results", DataTable)
        if action == "show_result":
            return on_results
        if action == "load":
            return not on_results
        return True

    @on(DataTable.RowSelected, "#pushes")
    async def push_chosen(self) -> None:
        await self.action_load()  # a click on the highlighted push (Enter is the binding's)

    @on(DataTable.RowSelected, "#push-results")
    def result_chosen(self) -> None:
        self.action_show_result()

    def action_show_result(self) -> None:
        view = self.current
        table = self.query_one("#push-results", DataTable)
        row = table.cursor_row
        if view is not None and 0 <= row < min(table.row_count, len(view.lines)):
            self.app.push_screen(ResultModal(result_text(view.lines[row], self.tui.latency_text, view)))

    def pushable(self) -> tuple[PushView, CiscoObject] | None:
        """The highlighted push and its object, or None after saying why there is none."""
        view = self.current
        if view is None:
            self.notify("No push in the history yet.")
            return None
        if view.obj is None:
            self.notify(f"This push's object cannot be used again: {view.problem}", severity="warning", markup=False)
            return None
        return view, view.obj

    async def action_load(self) -> None:
        """Put the push's object in the form, to edit it and push it again (F5)."""
        chosen = self.pushable()
        if chosen is None:
            return
        tui = self.tui
        compose = tui.compose_screen
        if compose in tui.screen_stack:  # History opened from the form (the palette): go back to it
            while tui.screen is not compose:
                await tui.pop_screen()
        else:
            # The form opens over the phone table, as with c: History never sits twice in the stack
            # (the palette's History from the form would push it again). Awaited, not action_compose:
            # the form must be mounted before it can be filled.
            await tui.pop_screen()
            await tui.push_screen("compose")
        alert = chosen[0].story is not None
        compose.load_object(chosen[1], chosen[0].variables, alert=alert)
        if alert:
            self.notify("The alert's Text is in the form, to be acknowledged again: F5 sends it as a new alert.")
        else:
            self.notify("The push's object is in the form: F2 previews, F5 sends.")

    def not_an_alert(self, view: PushView) -> bool:
        """False after saying so for a round of an alert: pushed again as it is, it would have no Ack key."""
        if view.story is None:
            return True
        self.notify(
            f"This push was a round of {view.alert_parts()[0]}: Enter puts its Text in the form,"
            " to send as a new alert with its Ack key.",
            severity="warning",
            markup=False,
        )
        return False

    def action_again(self) -> None:
        """Push the object again to every phone the push went to."""
        chosen = self.pushable()
        if chosen is not None and self.not_an_alert(chosen[0]):
            view, obj = chosen
            self.confirm(obj, [line.name for line in view.lines], retry=False, variables=view.variables)

    def action_retry(self) -> None:
        """Push the object again to the phones that did not answer ok (or never answered)."""
        chosen = self.pushable()
        if chosen is None or not self.not_an_alert(chosen[0]):
            return
        view, obj = chosen
        failed = [line.name for line in view.lines if line.failed]
        if not failed:
            self.notify("Every phone of this push answered ok: nothing to retry.")
            return
        self.confirm(obj, failed, retry=True, variables=view.variables)

    def confirm(self, obj: CiscoObject, names: list[object], retry: bool, variables: dict[str, str]) -> None:
        """Match the names to the config's phones and ask the app's usual confirmation."""
        phones: dict[str, Phone] = {phone.name: phone for phone in self.tui.config.phones}
        found = list({name: phones[name] for name in names if isinstance(name, str) and name in phones}.values())
        gone = sum(1 for name in names if not (isinstance(name, str) and name in phones))
        if gone:
            self.notify(
                f"{gone} phone{'s' if gone != 1 else ''} of that push {'are' if gone != 1 else 'is'} "
                "no longer in the config: skipped.",
                severity="warning",
                markup=False,
            )
        if not found:
            self.notify("None of those phones is in the config any more.", severity="warning")
            return
        confirm_push(self.tui, obj, found, self.tui.config.defaults.mode, retry, variables)

    def action_export(self) -> None:
        """The highlighted push (a round: its whole alert) as CSV, to a path asked for (``history_export``)."""
        from ..history_export import ask_and_export

        view = self.current
        if view is None:
            self.notify("No push in the history yet.")
        else:
            ask_and_export(self.tui, view.record)

    def action_back(self) -> None:
        self.app.pop_screen()
