"""Every key of every screen, with the ids that ``[keys]`` in the config can rebind."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer

from ..frame_timer import PromptFrames
from ..keys import binding, describe_key
from ..plain import plain_content

if TYPE_CHECKING:
    from ..app import PhoneTUI


class HelpScreen(PromptFrames, ModalScreen[None]):
    """A table of keys: where, which key, what it does, its id for ``[keys]``."""

    BINDINGS = [binding("back")]

    def compose(self) -> ComposeResult:
        table: DataTable[str] = DataTable(cursor_type="row", id="keys")
        table.border_title = plain_content("Keys  (Esc closes; rebind in the config's [keys] table by id)")
        yield table
        yield Footer()

    def on_mount(self) -> None:
        tui = cast("PhoneTUI", self.app)
        table = self.query_one(DataTable)
        table.add_columns("Where", "Key", "Does", "Id")
        for where, bindings in tui.key_map():
            for item in bindings:
                if not isinstance(item, Binding):
                    continue
                key = tui.keymap.get(item.id or "", item.key)
                table.add_row(where, describe_key(key), item.description or item.action, item.id or "")
        table.add_row("Everywhere", "Ctrl+P", "Command palette: every action by name", "")
        table.add_row("Everywhere", "Ctrl+C / Ctrl+Q", "Quit", "")
        table.focus()

    def action_back(self) -> None:
        self.dismiss()
