"""Textual Bindings built from the default keys (``phonetui.keymap``); ``[keys]`` rebinds them."""

from __future__ import annotations

from textual.binding import Binding

from ..keymap import DEFAULT_KEYS

__all__ = ["DEFAULT_KEYS", "binding", "describe_key"]


def binding(binding_id: str, show: bool = True, priority: bool = False) -> Binding:
    """The Binding for ``binding_id`` with its default key; ``set_keymap`` may rebind it."""
    key, action, description = DEFAULT_KEYS[binding_id]
    return Binding(key, action, description, show=show, priority=priority, id=binding_id)


def describe_key(key: str) -> str:
    """A key string as people write it: ``f1,question_mark`` → ``F1 / ?``."""
    names = {"question_mark": "?", "slash": "/", "space": "Space", "escape": "Esc", "enter": "Enter"}
    return " / ".join(names.get(k, k.upper() if len(k) <= 3 and k.startswith("f") else k) for k in key.split(","))
