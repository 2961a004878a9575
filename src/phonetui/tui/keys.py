"""Default keys, by binding id; ``[keys]`` in the config overrides them.

Defaults avoid what terminals and multiplexers eat over SSH: no ctrl+s, ctrl+b,
ctrl+a, ctrl+h or ctrl+enter. Function keys and plain letters reach the app.
"""

from __future__ import annotations

from textual.binding import Binding

DEFAULT_KEYS: dict[str, tuple[str, str, str]] = {
    # id: (key, action, description)
    "quit": ("q", "app.quit", "Quit"),
    "help": ("f1,question_mark", "help", "Help"),
    "compose": ("c", "compose", "Compose"),
    "preview": ("f2", "preview", "Preview"),
    "send": ("f5", "send", "Send"),
    "responder": ("r", "responder", "Responder"),
    "history": ("h", "history", "History"),
    "toggle": ("space", "toggle", "Select"),
    "select-all": ("a", "select_all", "All"),
    "select-none": ("n", "select_none", "None"),
    "select-tag": ("t", "select_tag", "By tag"),
    "filter": ("slash", "filter", "Filter"),
    "sort": ("s", "sort", "Sort"),
    "retry": ("f", "retry", "Retry failed"),
    "cancel": ("escape", "cancel", "Cancel push"),
    "reply": ("enter", "reply", "Reply"),
    "load-template": ("f3", "load_template", "Load template"),
    "save-template": ("f4", "save_template", "Save template"),
    "copy-xml": ("y", "copy_xml", "Copy XML"),
    "back": ("escape", "back", "Back"),
    "toggle-service": ("s", "toggle_service", "Start/stop"),
}


def binding(binding_id: str, show: bool = True, priority: bool = False) -> Binding:
    """The Binding for ``binding_id`` with its default key; ``set_keymap`` may rebind it."""
    key, action, description = DEFAULT_KEYS[binding_id]
    return Binding(key, action, description, show=show, priority=priority, id=binding_id)


def describe_key(key: str) -> str:
    """A key string as people write it: ``f1,question_mark`` → ``F1 / ?``."""
    names = {"question_mark": "?", "slash": "/", "space": "Space", "escape": "Esc", "enter": "Enter"}
    return " / ".join(names.get(k, k.upper() if len(k) <= 3 and k.startswith("f") else k) for k in key.split(","))
