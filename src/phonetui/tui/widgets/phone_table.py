"""The table of phones: selection mark, identity, last result, latency."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rich.text import Text
from textual.widgets import DataTable

from ...cisco import Outcome
from ..state import Fleet, PhoneState

COLUMNS = (("sel", " ", 3), ("name", "Name", 12), ("address", "Address", 18), ("model", "Model", 8),
           ("tags", "Tags", 16), ("result", "Result", 11), ("latency", "Latency", 8))  # fmt: skip
#: Below this width the tags column is left out (tags stay searchable with / and t).
WIDE = 100

OUTCOME_STYLES = {Outcome.OK: "bold green", Outcome.CANCELLED: "yellow", Outcome.REFUSED: "magenta"}


def latency_text(ms: int | None) -> str:
    if ms is None:
        return "-"
    return f"{ms} ms" if ms < 10_000 else f"{ms / 1000:.0f} s"


class PhoneTable(DataTable[Text | str]):
    """Rows keyed by phone name; updates touch single cells and never resize columns."""

    def __init__(self, fleet: Fleet, latency: Callable[[int | None], str] = latency_text, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self.fleet = fleet
        self.latency = latency
        self.columns_shown: tuple[str, ...] = ()

    def on_mount(self) -> None:
        self.set_columns(self.app.size.width >= WIDE)

    def on_resize(self) -> None:
        self.set_columns(self.size.width >= WIDE - 2)

    def set_columns(self, wide: bool) -> None:
        """Lay out the columns for the width; rebuild only when that changes."""
        keys = tuple(key for key, _, _ in COLUMNS if wide or key != "tags")
        if keys == self.columns_shown:
            return
        self.columns_shown = keys
        self.clear(columns=True)
        for key, label, width in COLUMNS:
            if key in keys:
                self.add_column(label, key=key, width=width)
        self.reload()

    def reload(self) -> None:
        """Rebuild the rows from the fleet's filter and order, keeping the cursor's phone."""
        current = self.current_name()
        self.clear()
        self.add_rows_keyed(self.fleet.visible())
        if current is not None and current in self.rows:
            self.move_cursor(row=self.get_row_index(current))

    def add_rows_keyed(self, states: Iterable[PhoneState]) -> None:
        for state in states:
            self.add_row(*self.cells(state), key=state.phone.name)

    def cells(self, state: PhoneState) -> list[Text | str]:
        """The cells of the columns shown, in order."""
        p = state.phone
        values: dict[str, Text | str] = {  # Text, not str: a str cell would be read as markup
            "sel": Text("[x]" if state.selected else "[ ]"),
            "name": Text(p.name),
            "address": Text(p.address),
            "model": Text(p.model.removeprefix("CP-")),
            "tags": Text(",".join(p.tags)),
            "result": self.result_cell(state),
            "latency": Text(self.latency(state.result.latency_ms) if state.result else ""),
        }
        return [values[key] for key in self.columns_shown]

    def result_cell(self, state: PhoneState) -> Text | str:
        if state.pending:
            return Text("sending…", style="yellow")
        if state.result is None:
            return ""
        outcome = state.result.outcome
        return Text(str(outcome), style=OUTCOME_STYLES.get(outcome, "bold red"))

    def update_phone(self, name: str) -> None:
        """Redraw one phone's cells, if its row is shown."""
        if name not in self.rows:
            return
        state = self.fleet.states[name]
        for key, value in zip(self.columns_shown, self.cells(state), strict=True):
            self.update_cell(name, key, value)

    def current_name(self) -> str | None:
        if not self.row_count:
            return None
        try:
            key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        except Exception:  # cursor outside the rows while the table rebuilds
            return None
        return str(key.value) if key.value is not None else None
