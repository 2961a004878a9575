"""F3 reads the templates file again: one edited while the app runs is offered at once."""

from __future__ import annotations

from phonetui.demo import Demo
from phonetui.tui.app import PhoneTUI
from phonetui.tui.screens.compose import ComposeScreen
from phonetui.tui.screens.pickers import PickerModal

from .conftest import wait_until


async def test_f3_offers_a_template_written_to_the_file_while_the_app_runs(app: PhoneTUI, demo: Demo) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ComposeScreen))
        app.config.templates_file.write_text('[[templates]]\nname = "edited-meanwhile"\ntext = "Hello"\n')
        await pilot.press("f3")
        await wait_until(pilot, lambda: isinstance(app.screen, PickerModal))
        options = app.screen.query_one("OptionList")
        offered = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]  # type: ignore[attr-defined]
        assert any("edited-meanwhile" in o for o in offered) and any("fire-drill" in o for o in offered), offered
        await pilot.press("escape")
        await pilot.pause()
        app.config.templates_file.write_text("[[templates]\nbroken")  # a slip while editing: said, the old kept
        await pilot.press("f3")
        await wait_until(pilot, lambda: isinstance(app.screen, PickerModal))
        assert any("Templates file not read again" in n.message for n in app._notifications)
