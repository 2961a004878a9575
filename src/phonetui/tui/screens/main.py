"""The main screen: the phone table, the live reply log, the status line."""

from __future__ import annotations

import asyncio
import contextlib
import time
from functools import cached_property

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Input, ProgressBar

from ...cisco import CiscoObject, Outcome
from ...config import Mode, Phone
from ...printable import printable
from ...push import PushResult
from .. import outcomes
from ..background import BackgroundPush
from ..keys import binding
from ..plain import plain_content
from ..widgets.line_log import LineLog
from ..widgets.phone_table import PhoneTable
from ..widgets.status_bar import StatusBar
from .base import PhoneScreen
from .pickers import PickerModal
from .reply import ReplyScreen
from .responder import event_line

LOG_NAME_MAX, LOG_DETAIL_MAX = 40, 300
#: The reply log keeps this many rows (with its border) however many phones there are.
LOG_MIN_ROWS = 7
PANE_MIN_ROWS = 6
#: Authentication requests shown beside an auth-failed reply.
RESPONDER_LINES = 5
#: The status line (with the progress bar at its end) and the footer.
CHROME_ROWS = 2
FLUSH_SECONDS = 0.2
#: While keys are being pressed, results are drawn just after the frame that shows a key,
#: not on the timer, so a key does not wait behind a batch of rows being drawn; once no
#: key has come for KEY_QUIET_SECONDS, or rows have waited FLUSH_MAX_WAIT, the timer
#: flushes again.
KEY_QUIET_SECONDS = 0.5
FLUSH_MAX_WAIT = 1.0


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
        binding("select-none", show=False),
        binding("select-tag", show=False),
        binding("sort", show=False),
        binding("cancel", show=False),
        binding("reply", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="main")
        self.push_run: BackgroundPush | None = None
        self.last_object: CiscoObject | None = None
        self.last_mode: Mode = "auto"
        self._progress = (0, 0)
        self.pushes_finished = 0
        self.last_push: str | None = None
        self._last_key = 0.0
        self._last_flush = 0.0
        self._push_over = asyncio.Event()
        self._push_over.set()

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
        self.set_interval(FLUSH_SECONDS, self.flush_when_quiet)
        self.refresh_status()

    @cached_property
    def table(self) -> PhoneTable:
        return self.query_one(PhoneTable)

    def refresh_status(self) -> None:
        pushing = self._progress if self.pushing else None
        self.query_one(StatusBar).show(self.tui.fleet, pushing, None if self.pushing else self.last_push)

    @property
    def pushing(self) -> bool:
        return self.push_run is not None

    # -- selection ------------------------------------------------------------------------

    def _redraw(self, names: list[str]) -> None:
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
            self._redraw([name])
            if self.table.cursor_row < self.table.row_count - 1:
                self.table.move_cursor(row=self.table.cursor_row + 1)

    def action_select_all(self) -> None:
        self._redraw(self.tui.fleet.select_visible(True))

    def action_select_none(self) -> None:
        self._redraw(self.tui.fleet.select_none())

    def action_select_tag(self) -> None:
        tags = self.tui.fleet.tags()
        if not tags:
            self.notify("No phone has a tag.", severity="warning")
            return

        def chosen(tag: str | None) -> None:
            if tag:
                self._redraw(self.tui.fleet.select_tag(tag))

        self.app.push_screen(PickerModal("Select phones by tag", [(t, t) for t in tags]), chosen)

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
        if self.push_run is not None:
            self.push_run.cancel()
            self.notify(
                "Cancelling: phones still outstanding will show 'cancelled' "
                "(no answer was awaited; the object may still have reached them)."
            )

    def say_busy(self) -> None:
        """One push at a time: say which key cancels the running one."""
        message = f"A push is already running; {self.tui.key_for('cancel-push')} cancels it."
        self.notify(message, severity="warning", markup=False)

    @property
    def push_size(self) -> int:
        """How many phones the running (or last) push went to."""
        return self._progress[1]

    async def cancel_and_wait(self, seconds: float) -> None:
        """Cancel the running push and give it ``seconds`` to report its phones and close its record."""
        if self.push_run is not None:
            self.push_run.cancel()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._push_over.wait(), seconds)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The cancel key is offered (in the footer) only while a push runs."""
        if action == "cancel_push":
            return self.push_run is not None
        return True

    @on(PhoneTable.HeaderClicked)
    def header_clicked(self, event: PhoneTable.HeaderClicked) -> None:
        self.tui.fleet.sort_by(event.column)
        self.table.reload()
        self.refresh_status()

    @on(PhoneTable.MarkClicked)
    def mark_clicked(self, event: PhoneTable.MarkClicked) -> None:
        self.tui.fleet.toggle(event.name)
        self._redraw([event.name])

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

    def action_retry(self) -> None:
        failed = self.tui.fleet.failed()
        if self.last_object is None or not failed:
            self.notify("Nothing to retry: no push has failed.")
            return
        self.tui.confirm_push(self.last_object, failed, self.last_mode, retry=True)

    # -- pushing --------------------------------------------------------------------------

    def start_push(self, obj: CiscoObject, phones: list[Phone], mode: Mode) -> None:
        """Push in a worker thread; rows change as phones answer, in batches of FLUSH_SECONDS."""
        if self.push_run is not None:
            self.say_busy()
            return
        self.last_object, self.last_mode = obj, mode
        for phone in phones:
            state = self.tui.fleet.states[phone.name]
            state.pending, state.result = True, None
        self.table.update_phones(phone.name for phone in phones)
        progress = self.query_one(ProgressBar)
        progress.update(total=len(phones), progress=0)
        progress.add_class("shown")
        self._progress = (0, len(phones))
        tui = self.tui
        self.push_run = BackgroundPush(tui.config.defaults, tui.object_host(), tui.journal)
        self._push_over.clear()
        self.refresh_bindings()
        self.refresh_status()
        self.push_worker(self.push_run, obj, phones, mode)

    @work(group="push", exclusive=True, exit_on_error=False)
    async def push_worker(self, job: BackgroundPush, obj: CiscoObject, phones: list[Phone], mode: Mode) -> None:
        started = time.monotonic()
        try:
            await job.run(obj, phones, mode)
        finally:
            self._finished(job, phones, started)

    def _finished(self, job: BackgroundPush, phones: list[Phone], started: float) -> None:
        self.flush()
        self.push_run = None
        self._push_over.set()
        self.refresh_bindings()
        fleet = self.tui.fleet
        stuck = [phone.name for phone in phones if fleet.states[phone.name].pending]
        for name in stuck:  # a failed worker leaves no row stuck in "sending"
            fleet.states[name].pending = False
        self.table.update_phones(stuck)
        self.query_one(ProgressBar).remove_class("shown")
        self.refresh_status()
        self.pushes_finished += 1
        answered = [r for p in phones if (r := fleet.states[p.name].result) is not None]
        if job.error and not answered:
            self.notify(f"The push did not start: {job.error}", severity="error", markup=False)
            return
        ok = sum(1 for r in answered if r.outcome is Outcome.OK)
        how = " cancelled" if job.cancelled else ""
        seconds = time.monotonic() - started
        # In the status line, not a toast: a toast would cover rows or the newest replies.
        took = self.tui.latency_text(round(seconds * 1000))  # the display seam the snapshots hold still
        self.last_push = f"last push{how}: {ok} of {len(phones)} ok in {took}"
        self.refresh_status()
        if job.error:
            self.notify(f"The push process failed: {job.error}", severity="error", markup=False)

    def on_key(self) -> None:
        self._last_key = now = time.monotonic()
        if self.push_run is not None and now - self._last_flush >= FLUSH_SECONDS:
            self._last_flush = now
            self.after_frame(self.flush)

    def flush_when_quiet(self) -> None:
        """Flush, unless keys are being pressed (`on_key` flushes then) and rows have not waited too long."""
        now = time.monotonic()
        if now - self._last_key < KEY_QUIET_SECONDS and now - self._last_flush < FLUSH_MAX_WAIT:
            return
        self.flush()

    def flush(self) -> None:
        """Apply every result that arrived since the last flush: rows, log, progress, status."""
        self._last_flush = time.monotonic()
        arrived = self.push_run.drain() if self.push_run is not None else []
        if self.push_run is not None:
            for warning in self.push_run.drain_warnings():  # a side duty failed; the push goes on
                self.notify(f"{warning}. The push goes on.", severity="warning", timeout=10, markup=False)
        if not arrived:
            return
        states = self.tui.fleet.states
        for result in arrived:
            state = states[result.phone.name]
            state.result, state.pending = result, False
        self.table.update_phones(result.phone.name for result in arrived)
        stamp = self.tui.clock()
        self.query_one("#replies", LineLog).write_lines(self.log_line(r, stamp) for r in arrived)
        done, total = self._progress
        self._progress = (done + len(arrived), total)
        self.query_one(ProgressBar).update(progress=self._progress[0])
        self.refresh_status()

    def log_line(self, result: PushResult, stamp: str) -> Text:
        """``12:00:01 sim-0004 ✗ auth-failed 12 ms detail``; the name and detail drawn as they are."""
        line = Text(f"{stamp} {printable(result.phone.name, LOG_NAME_MAX)} ")
        line.append(outcomes.label(result.outcome), style=outcomes.style(result.outcome, self.app.no_color))
        latency = "" if result.latency_ms is None else f" {self.tui.latency_text(result.latency_ms)}"
        line.append(f"{latency} {printable(result.detail, LOG_DETAIL_MAX)}")
        if result.hint:
            line.append(f" · {printable(result.hint, LOG_DETAIL_MAX)}")
        return line
