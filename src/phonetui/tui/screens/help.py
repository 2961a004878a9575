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

    def compose(self) -> ComposeResult:
        table: DataTable[Text] = DataTable(cursor_type="row", id="keys")
        table.border_title = plain_content("Keys  (Esc closes; rebind in the config's [keys] table by id)")
        yield table
        yield Footer()

    def on_mount(self) -> None:
        """Key first and Id before Where: at 80 columns the columns that matter are on screen."""
        tui = cast("PhoneTUI", self.app)
        table = self.query_one(DataTable)
        table.add_columns("Key", "Does", "Id", "Where")
        everywhere: set[str] = set()
        for where, bindings in tui.key_map():
            for item in bindings:
                if not isinstance(item, Binding) or (where != "Everywhere" and item.id in everywhere):
                    continue
                if where == "Everywhere" and item.id:
                    everywhere.add(item.id)
                key = tui.keymap.get(item.id or "", item.key)
                row = (describe_key(key), item.description or item.action, item.id or "", where)
                table.add_row(*(plain_text(cell) for cell in row))
        extra = (("End", "Replies: follow the newest again"), ("Ctrl+P", "Command palette"), ("Ctrl+Q", "Quit"))
        for key, does in extra:
            table.add_row(*(plain_text(cell) for cell in (key, does, "", "Everywhere")))
        table.focus()

    def action_back(self) -> None:
        self.dismiss()
