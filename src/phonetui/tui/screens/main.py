"""The main screen: the phone table, the live reply log, the status line."""

from __future__ import annotations

from functools import cached_property

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Input, ProgressBar

from ...cisco import Outcome
from ...config import Phone
from ...printable import printable
from ...push import PushResult
from ...wording import plural
from .. import outcomes
from ..keys import binding
from ..messages import AcksArrived
from ..plain import plain_content
from ..widgets.line_log import LineLog
from ..widgets.phone_table import PhoneTable
from ..widgets.status_bar import StatusBar
from .base import PhoneScreen
from .pickers import NameModal
from .reply import ReplyScreen
from .responder import event_line
from .shot_grid import ShotGridScreen, ShotScreen

LOG_NAME_MAX, LOG_DETAIL_MAX = 40, 300
#: The reply log keeps this many rows (with its border) however many phones there are.
LOG_MIN_ROWS = 7
PANE_MIN_ROWS = 6
#: Authentication requests shown beside an auth-failed reply.
RESPONDER_LINES = 5
#: The status line (with the progress bar at its end) and the footer.
CHROME_ROWS = 2


class MainScreen(PhoneScreen):
    """Select phones, watch pushes land; everything else is one key away."""

    #: In the footer's order: what an operator needs first comes first (80 columns show ~8).
    BINDINGS = [
        binding("help"),
        binding("quit"),
        binding("cancel-push"),
        binding("compose"),
        binding("toggle"),
        binding("select-all"),
        binding("filter"),
        binding("retry"),
        binding("history"),
        binding("responder"),
        binding("probe"),
        binding("select-none", show=False),
        binding("select-tag", show=False),
        binding("sort", show=False),
        binding("cancel", show=False),
        binding("reply", show=False),
        binding("screen"),
        binding("screens", show=False),
        binding("macro", show=False),
        binding("clear-alert", show=False),
        binding("trust", show=False),
        binding("select-unacked", show=False),
        binding("repeat-alert", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="main")

    def compose(self) -> ComposeResult:
        with Vertical(id="phones-pane"):
            yield PhoneTable(self.tui.fleet, latency=self.tui.latency_text, id="phones")
            yield Input(placeholder="filter by name, address, model or tag; Enter to keep, Esc to clear", id="filter")
        yield LineLog(max_lines=2000, id="replies")
        with Horizontal(id="status-row"):
            yield StatusBar(id="status")
            yield ProgressBar(total=1, show_eta=False, show_percentage=False, id="progress")
        yield Footer()

    def fit_panes(self) -> None:
        """Give the table the rows it needs and the reply log the rest (at least LOG_MIN_ROWS)."""
        pane = self.query_one("#phones-pane")
        filter_rows = 3 if self.query_one("#filter").has_class("shown") else 0
        wanted = self.table.row_count + 1 + 2 + filter_rows  # header, border
        room = self.size.height - CHROME_ROWS - LOG_MIN_ROWS
        height = max(min(wanted, room), PANE_MIN_ROWS)
        if pane.styles.height is None or pane.styles.height.value != height:
            pane.styles.height = height

    def on_resize(self) -> None:
        self.fit_panes()

    def on_mount(self) -> None:
        self.query_one("#replies", LineLog).border_title = "Replies"
        self.query_one("#phones-pane").border_title = plain_content(self.tui.config_label)
        self.refresh_status()

    @cached_property
    def table(self) -> PhoneTable:
        return self.query_one(PhoneTable)

    def refresh_status(self) -> None:
        pump = self.tui.pump
        progress = pump.progress if pump.running else None
        alert = self.tui.alerting.status()
        only = pump.last_phones if "clear" in pump.last_label else None  # a clear's own counts
        bar = self.query_one(StatusBar)
        bar.show(self.tui.fleet, progress, pump.last_push, self.tui.prober.progress, alert, only=only)

    @property
    def pushing(self) -> bool:
        return self.tui.pump.running

    @property
    def pushes_finished(self) -> int:
        return self.tui.pump.pushes_finished

    # -- selection ------------------------------------------------------------------------

    def redraw(self, names: list[str]) -> None:
        self.table.update_phones(names)
        self.refresh_status()

    def action_compose(self) -> None:
        self.tui.action_compose()

    def action_responder(self) -> None:
        self.tui.action_responder()

    def action_history(self) -> None:
        self.tui.action_history()

    def action_toggle_phone(self) -> None:
        """Select or unselect the highlighted phone (not ``toggle``: Textual's own action of that name)."""
        name = self.table.current_name()
        if name is not None:
            self.tui.fleet.toggle(name)
            self.redraw([name])
            if self.table.cursor_row < self.table.row_count - 1:
                self.table.move_cursor(row=self.table.cursor_row + 1)

    def action_select_all(self) -> None:
        self.redraw(self.tui.fleet.select_visible(True))

    def action_select_none(self) -> None:
        self.redraw(self.tui.fleet.select_none())

    def action_select_tag(self) -> None:
        """Select by tag, or by what the last probe found: ``online 88xx``, ``offline``, ``dn:40*``, ``legacy``."""
        title = "Select phones by tag, state, model, family or DN (e.g. online 88xx)"

        def chosen(query: str | None) -> None:
            if not query:
                return
            changed = self.tui.fleet.select_matching(query)
            self.redraw(changed)
            if changed:
                self.notify(f"Selected {plural(len(changed), 'more phone')}: {printable(query, 60)}", markup=False)
            else:
                hint = "" if self.tui.fleet.probed else " (no probe yet, so every state is unknown: p probes)"
                message = f"No phone to add matches {printable(query, 60)!r}{hint}"
                self.notify(message, severity="warning", markup=False)

        empty = "Give a tag, a state (online, down, offline, refused, unknown), a model (88xx), a family or dn:4001."
        self.app.push_screen(NameModal(title, placeholder="online 88xx", empty=empty), chosen)

    def action_probe(self) -> None:
        """Probe the selected phones, or every phone shown when none is selected."""
        phones = self.tui.fleet.selected() or [state.phone for state in self.tui.fleet.visible()]
        if not self.tui.prober.start(phones):
            self.notify("A probe is already running." if self.tui.prober.running else "No phone to probe.")

    def action_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.add_class("shown")
        field.focus()
        self.fit_panes()

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.tui.fleet.filter = event.value.strip()
        self.table.reload()
        self.fit_panes()
        self.refresh_status()

    @on(Input.Submitted, "#filter")
    def filter_kept(self) -> None:
        field = self.query_one("#filter", Input)
        if not field.value:
            field.remove_class("shown")
            self.fit_panes()
        self.table.focus()

    def action_sort(self) -> None:
        self.tui.fleet.cycle_sort()
        self.table.reload()
        self.refresh_status()

    def action_cancel(self) -> None:
        field = self.query_one("#filter", Input)
        if field.has_focus:
            field.value = ""
            field.remove_class("shown")
            self.fit_panes()
            self.table.focus()
        else:
            self.action_cancel_push()

    def action_cancel_push(self) -> None:
        """Cancel the running push, and an alert's automatic repeats to come."""
        repeats = self.tui.alerting.stop_repeating()
        if self.tui.pump.cancel():
            self.notify(
                "Cancelling: phones still outstanding will show 'cancelled' "
                "(no answer was awaited; the object may still have reached them)."
                + (" No more repeats of the alert." if repeats else "")
            )
        elif repeats:
            self.notify(f"No more repeats of the alert ({self.tui.key_for('repeat-alert')} repeats it by hand).")

    def say_busy(self) -> None:
        """One push at a time: say which key cancels the running one."""
        message = f"A push is already running; {self.tui.key_for('cancel-push')} cancels it."
        self.notify(message, severity="warning", markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The cancel key is offered (in the footer) only while a push runs."""
        if action == "cancel_push":
            return self.pushing or self.tui.alerting.repeating
        return True

    @on(PhoneTable.HeaderClicked)
    def header_clicked(self, event: PhoneTable.HeaderClicked) -> None:
        self.tui.fleet.sort_by(event.column)
        self.table.reload()
        self.refresh_status()

    @on(PhoneTable.MarkClicked)
    def mark_clicked(self, event: PhoneTable.MarkClicked) -> None:
        self.tui.fleet.toggle(event.name)
        self.redraw([event.name])

    @on(PhoneTable.Chosen)
    def row_chosen(self) -> None:
        self.action_reply()

    def action_reply(self) -> None:
        name = self.table.current_name()
        if name is None:
            return
        state = self.tui.fleet.states[name]
        if state.result is None:
            self.notify(f"{name} has no reply yet.", markup=False)
            return
        responder = None
        service = self.tui.service
        if state.result.outcome is Outcome.AUTH_FAILED and service is not None:
            host = state.phone.host
            names = {host: state.phone.name}
            responder = [event_line(e, names).plain for e in service.events if e.peer == host][-RESPONDER_LINES:]
            if not service.running:
                responder.append("the built-in responder is stopped now: phones that ask it get no answer (r, s)")
        self.app.push_screen(ReplyScreen(state.result, responder))

    # -- screens and keys: the phones' own ----------------------------------------------------

    def action_screen(self) -> None:
        """The highlighted phone's screen, its keys pressed from there."""
        name = self.table.current_name()
        if name is not None:
            self.app.push_screen(ShotScreen(self.tui.fleet.states[name].phone))

    def action_screens(self) -> None:
        """Thumbnails: the selected phones, else those the last push reached, else the highlighted one."""
        fleet = self.tui.fleet
        phones, why = fleet.selected(), "selected"
        if not phones:
            phones, why = [s.phone for s in fleet.visible() if s.result is not None], "pushed"
        name = self.table.current_name()
        if not phones and name is not None:
            phones, why = [fleet.states[name].phone], "highlighted"
        if phones:
            self.app.push_screen(ShotGridScreen(phones, why))

    def action_macro(self) -> None:
        """Run a macro (or save one) on the selected phones, else the highlighted one."""
        from ..macros import ask_and_run

        name = self.table.current_name()
        phones = self.tui.fleet.selected() or ([self.tui.fleet.states[name].phone] if name is not None else [])
        if phones:
            ask_and_run(self.tui, phones)

    def action_clear_alert(self) -> None:
        """Take the last alert off the phones that got it (``tui/clearing.py``)."""
        from ..clearing import ask_and_clear

        ask_and_clear(self.tui)

    def action_trust(self) -> None:
        """Show the selected phones' certificates (else the highlighted one's) and accept them, after asking."""
        from ..trusting import ask_and_trust

        name = self.table.current_name()
        phones = self.tui.fleet.selected() or ([self.tui.fleet.states[name].phone] if name is not None else [])
        if phones:
            ask_and_trust(self.tui, phones)

    def on_acks_arrived(self, message: AcksArrived) -> None:
        self.tui.alerting.schedule()

    def action_select_unacked(self) -> None:
        self.tui.alerting.select_unacked()

    def action_repeat_alert(self) -> None:
        self.tui.alerting.repeat_now()

    def action_retry(self) -> None:
        """Push the last push again to its failed phones, each copy made as then (an alert's: its next round)."""
        failed, pump = self.tui.fleet.failed(), self.tui.pump
        if pump.last_object is None or not failed:
            self.notify("Nothing to retry: no push has failed.")
            return
        if self.tui.alerting.retry(failed):
            return
        from ..sending import confirm_push  # sending imports this screen

        tailor, label = pump.last_tailor, pump.last_label
        confirm_push(self.tui, pump.last_object, failed, pump.last_mode, True, pump.last_variables, tailor, label)

    # -- pushing: the result pump (``pump.py``) decides when; this screen draws -----------------

    def on_key(self) -> None:
        self.tui.pump.key_pressed()

    def show_push_started(self, phones: list[Phone]) -> None:
        self.table.update_phones(phone.name for phone in phones)
        progress = self.query_one(ProgressBar)
        progress.update(total=len(phones), progress=0)
        progress.add_class("shown")
        self.refresh_bindings()
        self.refresh_status()

    def show_results(self, results: list[PushResult]) -> None:
        """Rows, reply log, progress and status for a batch of results (the fleet already holds them)."""
        self.table.update_phones(result.phone.name for result in results)
        stamp = self.tui.clock()
        self.query_one("#replies", LineLog).write_lines(self.log_line(r, stamp) for r in results)
        self.query_one(ProgressBar).update(progress=self.tui.pump.progress[0])
        self.refresh_status()

    def show_push_ended(self, stuck: list[str]) -> None:
        """The push is over: ``stuck`` are rows that never got a result."""
        self.refresh_bindings()
        self.table.update_phones(stuck)
        self.query_one(ProgressBar).remove_class("shown")
        self.refresh_status()

    def log_note(self, text: str) -> None:
        """A line of the app's own in the reply log (what a push left out, and why), stamped like replies."""
        self.query_one("#replies", LineLog).write_lines([Text(f"{self.tui.clock()} {printable(text, 300)}")])

    def log_line(self, result: PushResult, stamp: str) -> Text:
        """``12:00:01 sim-0004 ✗ auth-failed 12 ms detail``; the name and detail drawn as they are."""
        line = Text(f"{stamp} {printable(result.phone.name, LOG_NAME_MAX)} ")
        line.append(outcomes.label(result.outcome), style=outcomes.style(result.outcome, self.app.no_color))
        latency = "" if result.latency_ms is None else f" {self.tui.latency_text(result.latency_ms)}"
        line.append(f"{latency} {printable(result.detail, LOG_DETAIL_MAX)}")
        if result.hint:
            line.append(f" · {printable(result.hint, LOG_DETAIL_MAX)}")
        return line
