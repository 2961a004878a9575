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
    "select-tag": ("t", "select_tag", "Select by"),
    "probe": ("p", "probe", "Probe"),
    "filter": ("slash", "filter", "Filter"),
    "sort": ("s", "sort", "Sort"),
    "retry": ("f", "retry", "Retry failed"),
    "cancel": ("escape", "cancel", "Cancel push"),
    "cancel-push": ("x", "cancel_push", "Cancel push"),
    "reply": ("enter", "reply", "Reply"),
    "load-template": ("f3", "load_template", "Load"),
    "save-template": ("f4", "save_template", "Save"),
    "copy-xml": ("y", "copy_xml", "Copy XML"),
    "preview-next": ("n", "next_phone", "Next phone's copy"),
    "preview-previous": ("p", "previous_phone", "Previous phone's copy"),
    "switch-kind": ("f6", "switch_kind", "Text/Execute"),
    "back": ("escape", "back", "Back"),
    "toggle-service": ("s", "toggle_service", "Start/stop"),
    "history-load": ("enter", "load", "Load into form"),
    "history-again": ("p", "again", "Push again"),
    "history-retry": ("f", "retry", "Retry failed"),
    "screen": ("v", "screen", "Screen"),
    "screens": ("g", "screens", "Screens"),
    "macro": ("m", "macro", "Keys/macro"),
    "shot-back": ("escape,q", "back", "Close"),
    "shot-refresh": ("r", "refresh", "Refresh"),
    "shot-macro": ("m", "macro", "Macro"),
    "shot-keypad": ("k", "keypad", "Softkeys/keypad"),
    "shot-line": ("l", "line", "Line key: l then 1-9"),
    "shot-services": ("e", "press('Key:Services')", "Services"),
    "shot-settings": ("s", "press('Key:Settings')", "Settings"),
    "shot-directories": ("d", "press('Key:Directories')", "Directories"),
    "shot-applications": ("a", "press('Key:Applications')", "Applications"),
    "shot-up": ("up", "press('Key:NavUp')", "Nav up"),
    "shot-down": ("down", "press('Key:NavDwn')", "Nav down"),
    "shot-left": ("left", "press('Key:NavLeft')", "Nav left"),
    "shot-right": ("right", "press('Key:NavRight')", "Nav right"),
    "shot-select": ("enter", "press('Key:NavSelect')", "Nav select"),
    "shot-star": ("asterisk", "press('Key:KeyPadStar')", "Keypad *"),
    "shot-pound": ("number_sign", "press('Key:KeyPadPound')", "Keypad #"),
    **{
        f"shot-{d}": (d, f"digit('{d}')", f"Softkey {d} (keypad {d})" if d in "12345" else f"Keypad {d}")
        for d in "1234567890"
    },
    "clear-alert": ("C", "clear_alert", "Clear alert"),
    "trust": ("T", "trust", "Trust certificates"),
    "select-unacked": ("u", "select_unacked", "Select unacknowledged"),
    "repeat-alert": ("R", "repeat_alert", "Repeat alert"),
    "history-export": ("e", "export", "Export CSV"),
    "grid-open": ("enter", "open", "Open"),
    "grid-refresh": ("r", "refresh", "Refresh"),
}

#: Bound on every screen.
EVERYWHERE = ("help", "preview", "send")
#: The ids each screen binds besides EVERYWHERE's: one key may not serve two of them
#: (``history = "q"`` would leave the phone table without a quit key). A test keeps this
#: list equal to the screens' bindings.
SCREENS: dict[str, tuple[str, ...]] = {
    "phones": (
        "quit", "cancel-push", "compose", "toggle", "select-all", "filter", "retry", "history",
        "responder", "select-none", "select-tag", "sort", "cancel", "reply", "probe", "screen", "screens", "macro",
        "clear-alert", "trust", "select-unacked", "repeat-alert",
    ),
    "compose": ("back", "switch-kind", "load-template", "save-template"),
    "preview": ("back", "copy-xml", "preview-next", "preview-previous"),
    "responder": ("back", "toggle-service"),
    "history": ("back", "history-load", "history-again", "history-retry", "history-export"),
    "screen": (
        "shot-back", "shot-refresh", "shot-macro", "shot-keypad", "shot-line", "shot-services", "shot-settings",
        "shot-directories", "shot-applications", "shot-up", "shot-down", "shot-left", "shot-right",
        "shot-select", "shot-star", "shot-pound", *(f"shot-{d}" for d in "1234567890"),
    ),
    "screens": ("back", "grid-open", "grid-refresh"),
}  # fmt: skip

_MODIFIERS = {"ctrl", "shift", "alt", "meta", "super", "hyper"}
_NAMED = {
    "escape", "enter", "space", "tab", "backspace", "delete", "insert", "home", "end", "pageup",
    "pagedown", "up", "down", "left", "right", "question_mark", "slash", "backslash", "comma",
    "full_stop", "minus", "plus", "equals_sign", "exclamation_mark", "quotation_mark", "number_sign",
    "dollar_sign", "percent_sign", "ampersand", "apostrophe", "left_parenthesis", "right_parenthesis",
    "asterisk", "colon", "semicolon", "less_than_sign", "greater_than_sign", "at", "left_square_bracket",
    "right_square_bracket", "circumflex_accent", "underscore", "grave_accent", "left_curly_bracket",
    "vertical_line", "right_curly_bracket", "tilde",
}  # fmt: skip


def key_problem(keys: str) -> str | None:
    """Why ``keys`` (``"k"``, ``"f6"``, ``"ctrl+t"``, several with commas) names no key, or None."""
    for key in keys.split(","):
        *modifiers, name = key.strip().lower().split("+")
        unknown = [m for m in modifiers if m not in _MODIFIERS]
        if unknown:
            return f"{key.strip()!r}: {unknown[0]!r} is not a modifier (ctrl, shift, alt, meta)"
        is_function = name.startswith("f") and name[1:].isdigit() and 1 <= int(name[1:]) <= 24
        if not ((len(name) == 1 and name.isprintable()) or is_function or name in _NAMED):
            return f'{key.strip()!r} is not a key name, e.g. "k", "f6", "ctrl+t", "question_mark"'
    return None


def _normal(key: str) -> str:
    """A key as Textual tells it: names and modifiers in lower case, but a letter keeps its case (C is not c)."""
    *modifiers, name = key.strip().split("+")
    return "+".join([*(m.lower() for m in modifiers), name if len(name) == 1 else name.lower()])


def clashes(chosen: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """Where one key would serve two ids on a screen: (id, key, other id, screen), ``chosen`` over the defaults."""
    effective = {key_id: chosen.get(key_id, default[0]) for key_id, default in DEFAULT_KEYS.items()}
    found: list[tuple[str, str, str, str]] = []
    for screen, ids in SCREENS.items():
        owner: dict[str, str] = {}
        for key_id in dict.fromkeys((*EVERYWHERE, *ids)):
            for key in effective[key_id].split(","):
                key = _normal(key)
                if key in owner and owner[key] != key_id:
                    first, second = (key_id, owner[key]) if key_id in chosen else (owner[key], key_id)
                    found.append((first, key, second, screen))
                owner.setdefault(key, key_id)
    return found
