"""The app's key bindings by id: the defaults, and the ids ``[keys]`` in a config may rebind.

Textual-free, so ``phonetui check`` can tell a mistyped id without loading the TUI.
Defaults avoid what terminals and multiplexers eat over SSH: no ctrl+s, ctrl+b,
ctrl+a, ctrl+h or ctrl+enter. Function keys and plain letters reach the app.
"""

from __future__ import annotations

DEFAULT_KEYS: dict[str, tuple[str, str, str]] = {
    # id: (key, action, description)
    "quit": ("q", "app.quit", "Quit"),
    "help": ("f1,question_mark", "app.help", "Help"),
    "compose": ("c", "compose", "Compose"),
    "preview": ("f2", "app.preview", "Preview"),
    "send": ("f5", "app.send", "Send"),
    "responder": ("r", "responder", "Responder"),
    "history": ("h", "history", "History"),
    "toggle": ("space", "toggle_phone", "Select"),
    "select-all": ("a", "select_all", "All"),
    "select-none": ("n", "select_none", "None"),
    "select-tag": ("t", "select_tag", "By tag"),
    "filter": ("slash", "filter", "Filter"),
    "sort": ("s", "sort", "Sort"),
    "retry": ("f", "retry", "Retry failed"),
    "cancel": ("escape", "cancel", "Cancel push"),
    "cancel-push": ("x", "cancel_push", "Cancel push"),
    "reply": ("enter", "reply", "Reply"),
    "load-template": ("f3", "load_template", "Load"),
    "save-template": ("f4", "save_template", "Save"),
    "copy-xml": ("y", "copy_xml", "Copy XML"),
    "switch-kind": ("f6", "switch_kind", "Text/Execute"),
    "back": ("escape", "back", "Back"),
    "toggle-service": ("s", "toggle_service", "Start/stop"),
    "history-load": ("enter", "load", "Load into form"),
    "history-again": ("p", "again", "Push again"),
    "history-retry": ("f", "retry", "Retry failed"),
}
