"""Every key of every screen, with the ids that ``[keys]`` in the config can rebind."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer

from ..frame_timer import PromptFrames
from ..keys import binding, describe_key
from ..plain import plain_content, plain_text

if TYPE_CHECKING:
    from ..app import PhoneTUI


class HelpScreen(PromptFrames, ModalScreen[None]):
    """A table of keys: where, which key, what it does, its id for ``[keys]``."""

    BINDINGS = [binding("back")]

    def __init__(self, first: str = "") -> None:
        super().__init__()
        #: The section listed first (the screen F1 was pressed on); the others follow in their order.
        self.first = first

    def compose(self) -> ComposeResult:
        table: DataTable[Text] = DataTable(cursor_type="row", id="keys")
        table.border_title = plain_content("Keys  (Esc closes; rebind in the config's [keys] table by id)")
        yield table
        yield Footer()

    def on_mount(self) -> None:
        """Keys grouped under a heading per screen, not a Where column: at 80 columns all of it shows."""
        tui = cast("PhoneTUI", self.app)
        table = self.query_one(DataTable)
        table.add_columns("Key", "Does", "Id")
        extra = {
            "Everywhere": [Binding("ctrl+p", "", "Command palette"), Binding("ctrl+q", "", "Quit")],
            "Phones": [Binding("end", "", "Replies: follow the newest again")],
        }
        sections = tui.key_map()
        everywhere = {b.id for where, bindings in sections if where == "Everywhere" for b in bindings
                      if isinstance(b, Binding) and b.id}  # fmt: skip
        sections.sort(key=lambda section: section[0] != self.first)  # stable: the rest keep their order
        for where, bindings in sections:
            table.add_row(Text(f"{where}:", style="bold underline"), Text(""), Text(""), key=f"section-{where}")
            for item in [*bindings, *extra.get(where, [])]:
                if not isinstance(item, Binding) or (where != "Everywhere" and item.id in everywhere):
                    continue
                key = tui.keymap.get(item.id or "", item.key)
                row = (describe_key(key), item.description or item.action, item.id or "")
                table.add_row(*(plain_text(cell) for cell in row))
        table.focus()

    def rows(self) -> list[tuple[str, str, str, str]]:
        """Key, does, id and where of every listed key, as the operator reads them (for tests and checks)."""
        table = self.query_one(DataTable)
        found: list[tuple[str, str, str, str]] = []
        where = ""
        for index in range(table.row_count):
            key, does, id_ = (str(cell) for cell in table.get_row_at(index))
            if not does and key.endswith(":"):
                where = key[:-1]
            else:
                found.append((key, does, id_, where))
        return found

    def action_back(self) -> None:
        self.dismiss()
