"""Past pushes from the journal, and each phone's result in one of them."""

from __future__ import annotations

from collections import Counter

from textual import on
from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Static

from ...history import PushRecord
from ..keys import binding
from .base import PhoneScreen


class HistoryScreen(PhoneScreen):
    """Pushes, newest first; the highlighted push's per-phone results below."""

    BINDINGS = [binding("back")]

    def __init__(self) -> None:
        super().__init__(id="history")
        self.pushes: list[PushRecord] = []

    def compose(self) -> ComposeResult:
        yield Static(id="history-title", markup=False)
        yield DataTable(cursor_type="row", id="pushes")
        yield DataTable(cursor_type="row", id="push-results")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#pushes", DataTable).add_columns("When", "Object", "Phones", "OK", "Failed", "Text")
        self.query_one("#push-results", DataTable).add_columns("Phone", "Host", "Outcome", "Latency", "Detail")

    def on_screen_resume(self) -> None:
        journal = self.tui.journal
        self.pushes = list(reversed(journal.pushes())) if journal else []
        where = journal.path if journal else "no journal"
        self.query_one("#history-title", Static).update(f"{len(self.pushes)} pushes in {where}")
        table = self.query_one("#pushes", DataTable)
        table.clear()
        for record in self.pushes:
            counts = Counter(r.get("outcome") == "ok" for r in record.results)
            preview = str(record.start.get("xml", ""))
            text = preview.split("<Text>", 1)[1].split("<", 1)[0] if "<Text>" in preview else preview[-40:]
            table.add_row(
                record.when,
                str(record.start.get("object", "")),
                str(len(record.start.get("targets", []))),
                str(counts[True]),
                str(counts[False]),
                text[:40],
                key=record.push_id,
            )
        if self.pushes:
            self.show_results(self.pushes[0])
        table.focus()

    @on(DataTable.RowHighlighted, "#pushes")
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        record = next((p for p in self.pushes if p.push_id == event.row_key.value), None)
        if record:
            self.show_results(record)

    def show_results(self, record: PushRecord) -> None:
        table = self.query_one("#push-results", DataTable)
        table.clear()
        for result in record.results:
            latency = result.get("latency_ms")
            table.add_row(
                str(result.get("phone", "")),
                str(result.get("host", "")),
                str(result.get("outcome", "")),
                "-" if latency is None else f"{latency} ms",
                str(result.get("detail", ""))[:80],
            )

    def action_back(self) -> None:
        self.app.pop_screen()
