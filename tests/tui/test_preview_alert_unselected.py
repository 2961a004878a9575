"""F2 on an alert with no phone selected still shows the Ack key every copy gets."""

from __future__ import annotations

from phonetui.tui.app import PhoneTUI
from phonetui.tui.screens.compose import ComposeScreen
from phonetui.tui.screens.preview import PreviewScreen
from phonetui.tui.widgets.alert_fields import TickBox

from .conftest import compose_text, wait_until


async def test_f2_with_no_phone_selected_shows_the_ack_key(app: PhoneTUI) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await compose_text(pilot, "Fire drill", "Leave by the stairs")
        assert isinstance(app.screen, ComposeScreen) and not app.fleet.selected()
        app.screen.query_one("#ack-on", TickBox).value = True
        await pilot.pause()
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, PreviewScreen))
        assert isinstance(app.screen, PreviewScreen)
        assert "<Name>Ack</Name>" in app.screen.xml and "/ack/" in app.screen.xml, app.screen.xml
        assert "SoftKey:Exit" in app.screen.xml
