"""The command palette's entries for the app's own actions: each by name, with its key."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.markup import escape

if TYPE_CHECKING:
    from .app import PhoneTUI

#: Textual's own commands that the app replaces: its Quit asks before ending a push, its Keys lists every key.
REPLACED = frozenset({"Quit", "Keys"})


def app_commands(app: PhoneTUI) -> Iterator[SystemCommand]:
    """Every action of the app, each with the key bound to it now."""
    main = app.main
    commands: list[tuple[str, str, str, Callable[[], object]]] = [
        ("Compose a message", "open the form (Text or Execute)", "compose", app.action_compose),
        ("Preview", "the exact XML, its size, the route per phone", "preview", app.action_preview),
        ("Send", "push the composed object to the selected phones", "send", app.action_send),
        ("Select all phones", "every phone the filter shows", "select-all", main.action_select_all),
        ("Select no phone", "clear the selection", "select-none", main.action_select_none),
        ("Select phones by tag", "pick a tag", "select-tag", main.action_select_tag),
        ("Filter phones", "type to narrow the table", "filter", main.action_filter),
        ("Sort phones", "next sort column", "sort", main.action_sort),
        ("Retry failed phones", "push the last object again to the phones that failed", "retry", main.action_retry),
        ("Cancel the push", "outstanding phones become 'cancelled'", "cancel-push", main.action_cancel_push),
        ("Select or unselect the highlighted phone", "and move down", "toggle", main.action_toggle_phone),
        ("Show the highlighted phone's reply", "decoded, and the raw body", "reply", main.action_reply),
        ("Load a template", "into the form", "load-template", app.load_template_from_form),
        ("Save the form as a template", "in the app's templates file", "save-template", app.save_template_from_form),
        ("Copy the XML", "of the composed object, to the clipboard (OSC 52)", "copy-xml", app.action_copy_xml),
        ("Responder", "authentication requests, start or stop", "responder", app.action_responder),
        ("Start or stop the responder", "frees its port when stopped", "toggle-service", app.toggle_service),
        ("History", "past pushes and their results", "history", app.action_history),
        ("Keys", "every key binding, with the ids [keys] rebinds", "help", app.action_help),
        ("Quit", "end phonetui (asks first while a push runs)", "quit", app.action_quit),
    ]
    for title, help_text, binding_id, callback in commands:
        if binding_id == "cancel-push" and not app.pump.running:
            continue
        yield SystemCommand(title, escape(f"{help_text} · key {app.key_for(binding_id)}"), callback)
