"""The form and the preview at 80x24: the footer stays, refused copies say so, wrapped XML is marked,
a cancelled question leaves the focus where it was, a template's variables are in view."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Footer, Input, Static

from phonetui.config import Template
from phonetui.demo import Demo
from phonetui.tui.app import PhoneTUI
from phonetui.tui.screens.compose import ComposeScreen
from phonetui.tui.screens.pickers import ConfirmModal
from phonetui.tui.screens.preview import PreviewScreen
from phonetui.tui.widgets.alert_fields import TickBox
from phonetui.tui.widgets.xml_view import XmlView

from .conftest import compose_text, wait_until
from .test_history import screen_text

UGLY = "[/] 🔥 [bold]x {phone}"
LATIN = "sim-0003"  # a 7960G: ISO-8859-1, no 🔥


async def open_preview(app: PhoneTUI, pilot) -> PreviewScreen:  # type: ignore[no-untyped-def]
    await pilot.press("a")
    await compose_text(pilot, UGLY, "Hello {phone}, the building-wide evacuation drill starts now [bold]x")
    await pilot.press("f2")
    await wait_until(pilot, lambda: isinstance(app.screen, PreviewScreen))
    await pilot.pause()
    assert isinstance(app.screen, PreviewScreen)
    return app.screen


def footer_keys(app: PhoneTUI) -> str:
    return screen_text(app).rstrip("\n").split("\n")[-1]


async def test_n_and_p_keep_the_footer_and_a_refused_copy_says_so(app: PhoneTUI) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        preview = await open_preview(app, pilot)
        assert "Next phone's copy" in footer_keys(app)
        assert not preview.query("#refused")  # sim-0001 gets its copy
        await pilot.press("n", "n")  # sim-0003
        await wait_until(pilot, lambda: "sim-0003" in str(preview.query_one("#copy-of", Static).render()))
        await pilot.pause()
        assert app.screen is preview and preview.query_one(Footer).is_attached
        assert "Next phone's copy" in footer_keys(app), footer_keys(app)
        refused = str(preview.query_one("#refused", Static).render())
        assert refused.startswith(f"✗ REFUSED: nothing is sent to {LATIN}.") and "ISO-8859-1" in refused
        assert "REFUSED" in str(preview.query_one("#xml-pane").border_title)
        drawn = screen_text(app)
        assert "✗ REFUSED: nothing is sent to" in drawn.split("\n")[1]  # the pane's first line
        await pilot.press("p")
        await pilot.pause()
        assert not preview.query("#refused") and "Next phone's copy" in footer_keys(app)


async def test_wrapped_xml_marks_its_continuations(app: PhoneTUI) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        preview = await open_preview(app, pilot)
        xml = preview.query_one("#xml", XmlView)
        rows = xml.rows(xml.content_size.width).plain.split("\n")
        assert len(rows) > 2 and rows[0].startswith("  <?xml") and all(r.startswith("↪ ") for r in rows[1:])
        assert "".join(r[2:] for r in rows) == preview.xml  # nothing added to the XML, nothing lost
        assert "↪ " in screen_text(app)


async def test_a_cancelled_question_leaves_the_focus_where_it_was(app: PhoneTUI) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await compose_text(pilot, "Fire drill", "Leave by the stairs")
        assert isinstance(app.screen, ComposeScreen)
        box = app.screen.query_one("#ack-on", TickBox)
        box.focus()
        await pilot.pause()
        for cancel in ("n", "escape"):
            await pilot.press("f5")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
            await pilot.press(cancel)
            await wait_until(pilot, lambda: isinstance(app.screen, ComposeScreen))
            await pilot.pause()
            assert app.screen.focused is box, (cancel, app.screen.focused)
        await pilot.press("space")
        await pilot.pause()
        assert box.value and app.screen.query_one("#title", Input).value == "Fire drill"


async def test_a_templates_variables_are_in_view_at_80x24(demo: Demo, tmp_path: Path) -> None:
    from phonetui.history import Journal

    drill = Template.from_object(
        "drill",
        __import__("phonetui.cisco", fromlist=["CiscoIPPhoneText"]).CiscoIPPhoneText(
            "Fire drill at {site}", "", "{phone}, floor {floor}: leave by the east stairs at {time}.\n- {sender}"
        ),
    )
    drill.variables = {"site": "HQ [/] 🔥", "floor": "3", "wing": "east-" + "w" * 60}
    demo.config.templates.append(drill)
    app = PhoneTUI(demo.config, service=demo.service, journal=Journal(tmp_path / "history.jsonl"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a", "c")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ComposeScreen)
        screen.load_object(drill.to_object(), drill.variables)
        await pilot.pause()
        drawn = screen_text(app)
        for shown in ("{site}=HQ [/] 🔥", "{floor}=3", "{wing}=east-www"):
            assert shown in drawn, drawn.replace(" " * 8, "")


async def test_one_object_for_all_names_the_phones_it_refuses_first(app: PhoneTUI) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await compose_text(pilot, "[/] 🔥 [bold]x", "Same for all")
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, PreviewScreen))
        await pilot.pause()
        refused = str(app.screen.query_one("#refused", Static).render())
        assert refused.startswith("✗ REFUSED, not sent to 3 phones: sim-0003, sim-0006, sim-0011 (sim-0003: ")
        assert "ISO-8859-1" in refused and "✗ REFUSED, not sent to 3 phones:" in screen_text(app).split("\n")[1]
