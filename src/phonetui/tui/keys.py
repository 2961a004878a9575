"""Textual Bindings built from the default keys (``phonetui.keymap``); ``[keys]`` rebinds them."""

from __future__ import annotations

import re

from textual.binding import Binding

from ..keymap import DEFAULT_KEYS

__all__ = ["DEFAULT_KEYS", "binding", "describe_key"]


def binding(binding_id: str, show: bool = True, priority: bool = False) -> Binding:
    """The Binding for ``binding_id`` with its default key; ``set_keymap`` may rebind it."""
    key, action, description = DEFAULT_KEYS[binding_id]
    return Binding(key, action, description, show=show, priority=priority, id=binding_id)


_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "space": "Space",
    "escape": "Esc",
    "enter": "Enter",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "home": "Home",
    "end": "End",
    "tab": "Tab",
    "delete": "Del",
    "backspace": "Backspace",
    "asterisk": "*",
    "number_sign": "#",
}


def _one_key(key: str) -> str:
    *modifiers, name = key.split("+")
    if re.fullmatch(r"f\d{1,2}", name):
        name = name.upper()  # F1 ... F24; a lone "f" stays a letter
    elif modifiers and len(name) == 1:
        name = name.upper()  # Ctrl+P
    else:
        name = _NAMES.get(name, name)
    return "+".join([*(m.capitalize() for m in modifiers), name])


def describe_key(key: str) -> str:
    """A key string as people write it: ``f1,question_mark`` → ``F1 / ?``, ``f`` → ``f``, ``ctrl+p`` → ``Ctrl+P``."""
    return " / ".join(_one_key(k.strip()) for k in key.split(","))
