"""F2 and F5 take what the form's fields hold at the key press, not what the fields had seen before it.

A terminal delivers keys typed quickly in one burst: the app reads F2 (a priority binding) while
the text field has yet to handle the letters before it. The keys are posted here the same way,
all at once, as a terminal's burst arrives.
"""

from __future__ import annotations

from textual import events
from textual.widgets import TextArea

from phonetui.tui.app import PhoneTUI
from phonetui.tui.screens.pickers import ConfirmModal
from phonetui.tui.screens.preview import PreviewScreen

from .conftest import wait_until


def _burst(app: PhoneTUI, keys: list[str]) -> None:
    """Keys as a terminal sends them typed quickly: queued together, none waited for."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


async def test_f2_right_after_typing_previews_the_text_typed(app: PhoneTUI) -> None:
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("a", "c", "tab", "tab")
        said = len(app._notifications)
        _burst(app, [*"Hello", "f2"])
        await wait_until(pilot, lambda: isinstance(app.screen, PreviewScreen) or len(app._notifications) > said)
        messages = [str(n.message) for n in app._notifications]
        assert not any("Fix the form first" in m for m in messages), messages
        assert isinstance(app.screen, PreviewScreen), app.screen
        assert app.compose_screen.query_one("#text", TextArea).text == "Hello"


async def test_f5_and_n_right_after_typing_ask_about_the_text_typed(app: PhoneTUI) -> None:
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("a", "c", "tab", "tab")
        _burst(app, [*"Hi", "f5", "n"])  # "n" typed on: it must not land in the text
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        messages = [str(n.message) for n in app._notifications]
        assert not any("Fix the form first" in m for m in messages), messages
        assert app.compose_screen.query_one("#text", TextArea).text == "Hi"
