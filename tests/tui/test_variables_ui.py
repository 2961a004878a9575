"""Variables in the app: the preview shows each phone's own copy; an unknown name stops F5."""

from __future__ import annotations

import httpx
from textual.widgets import Label, Static

from phonetui.config import Template
from phonetui.demo import Demo
from phonetui.tui.app import PhoneTUI
from phonetui.tui.screens.compose import ComposeScreen
from phonetui.tui.screens.preview import PreviewScreen

from .conftest import compose_text, push_and_wait

TEMPLATE = Template("drill", title="To {phone}", text="At {site}: {phone} {{x}}", variables={"site": "[HQ] {{"})


async def test_preview_shows_the_highlighted_phones_copy_and_cycles(app: PhoneTUI) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        for name in ("sim-0001", "sim-0002", "sim-0003"):  # modern 40 KB, classic and legacy 512 bytes
            app.fleet.toggle(name)
        await pilot.press("down")  # the cursor on sim-0002
        await app.load_template(TEMPLATE)
        await pilot.pause()
        await pilot.press("f2")
        preview = app.screen
        assert isinstance(preview, PreviewScreen) and preview.phone is not None
        assert preview.phone.name == "sim-0002"
        assert "<Title>To sim-0002</Title><Text>At [HQ] {{: sim-0002 {x}</Text>" in preview.xml
        assert "this is sim-0002's (2 of 3; n next, p previous)" in str(preview.query_one("#copy-of").render())
        plan = str(preview.query_one("#plan", Static).render())
        assert "largest copy: sim-0003's" in plan, "the ISO-8859-1 declaration is the longest"
        await pilot.press("n")
        await pilot.pause()
        assert preview.phone.name == "sim-0003" and "To sim-0003" in preview.xml
        assert 'encoding="ISO-8859-1"' in preview.xml
        assert "To sim-0003" in str(preview.query_one("#drawing", Static).render())
        await pilot.press("p", "p")
        await pilot.pause()
        assert preview.phone.name == "sim-0001"


async def test_the_app_sends_each_phone_its_copy(app: PhoneTUI, demo: Demo) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        for name in ("sim-0001", "sim-0002"):
            app.fleet.toggle(name)
        await app.load_template(TEMPLATE)
        await pilot.pause()
        await push_and_wait(pilot)
    async with httpx.AsyncClient(trust_env=False) as client:
        for phone in demo.config.phones[:2]:
            shown = (await client.get(f"http://{phone.address}/sim/screen")).json()
            assert shown["title"] == f"To {phone.name}" and shown["text"] == f"At [HQ] {{{{: {phone.name} {{x}}"
    assert app.pump.last_variables == {"site": "[HQ] {{"}, "a retry fills the template alike"


async def test_an_unknown_variable_is_shown_beside_its_field_and_stops_f5(app: PhoneTUI) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await compose_text(pilot, "At {sitee}", "x")
        compose = app.screen
        assert isinstance(compose, ComposeScreen)
        label = str(compose.query_one("#title-error", Label).render())
        assert "unknown variable {sitee}" in label and "{sender}" in label
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, ComposeScreen) and not app.pump.running
        compose.load_object(TEMPLATE.to_object(), {"site": "HQ"})
        compose.query_one("#title").value = "At {sitee}"  # type: ignore[attr-defined]
        await pilot.pause()
        assert "did you mean {site}?" in str(compose.query_one("#title-error", Label).render())


async def test_the_form_checks_limits_with_the_values_filled_in(app: PhoneTUI) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        compose = await app.to_compose()
        compose.load_object(Template("t", title="{site}" * 6, text="x").to_object(), {"site": "A"})
        await pilot.pause()
        assert str(compose.query_one("#title-error", Label).render()) == "", "36 characters as written, 6 filled"
        compose.load_object(Template("t", title="At {site}", text="x").to_object(), {"site": "A" * 30})
        await pilot.pause()
        assert "is 33 characters; the limit is 32" in str(compose.query_one("#title-error", Label).render())
