"""Text from outside is data: hostile strings through every field, every screen and modal.

Phone names, tags, models and hosts; reply items (Data, URL), error text and raw bodies;
template names; journal records; device names and users at the responder. Each screen
is visited and read back from what the compositor would put on the terminal: the app is
still running, each string appears literally where it is shown, and no control
character reaches the terminal.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from phonetui.config import Config, Defaults, Phone, ServiceConfig, Template
from phonetui.history import Journal
from phonetui.service import Service
from phonetui.tui.app import PhoneTUI
from phonetui.tui.screens.compose import ComposeScreen
from phonetui.tui.screens.help import HelpScreen
from phonetui.tui.screens.history import HistoryScreen
from phonetui.tui.screens.main import MainScreen
from phonetui.tui.screens.pickers import ConfirmModal, PickerModal
from phonetui.tui.screens.preview import PreviewScreen
from phonetui.tui.screens.reply import ReplyScreen
from phonetui.tui.screens.responder import ResponderScreen
from phonetui.tui.widgets.phone_table import PhoneTable

from .. import hostile
from ..hostile_strings import CONTROL, HOSTILE, shown, xml_attribute, xml_safe
from .conftest import compose_text, wait_until

USER, PASSWORD = "pusher", "secret"


def screen_text(app: PhoneTUI) -> str:
    """What the terminal would show of the current screen (toasts included), line by line."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def reply_body(value: str) -> bytes:
    """What a phone answers: the string in a ResponseItem when XML can carry it, else raw garbage."""
    if xml_safe(value):
        attr = xml_attribute(value)
        xml = f'<CiscoIPPhoneResponse><ResponseItem Status="1" Data="{attr}" URL="{attr}"/></CiscoIPPhoneResponse>'
        return xml.encode("utf-8")
    return value.encode("utf-8", "surrogatepass")


def error_body(value: str) -> bytes:
    text = value.replace("&", "&amp;").replace("<", "&lt;")
    return f'<CiscoIPPhoneError Number="2">{text}</CiscoIPPhoneError>'.encode()


@dataclass
class HostileFleet:
    config: Config
    journal: Journal
    service: Service
    phones: dict[str, Phone]  # by key of HOSTILE


@pytest.fixture
async def fleet(tmp_path: Path) -> AsyncIterator[HostileFleet]:
    servers: list[hostile.HostilePhone] = []
    phones: dict[str, Phone] = {}
    for index, (key, value) in enumerate(HOSTILE.items()):
        body = error_body(value) if index % 3 == 2 and xml_safe(value) else reply_body(value)
        server = hostile.HostilePhone(hostile._fixed(body))
        port = await server.start()
        servers.append(server)
        name = f"{value}#{index}"
        phones[key] = Phone(name, "127.0.0.1", port, model=value, tags=(value, "all"), username=USER, password=PASSWORD)
    # A host that is not an address at all: that phone is refused, the others pushed.
    phones["host"] = Phone("bad-host", "[/]evil host", 80, username=USER, password=PASSWORD)
    service = Service(ServiceConfig("127.0.0.1", 0, username=USER, password=PASSWORD))
    await service.start()
    journal = Journal(tmp_path / "history.jsonl")
    for key, value in HOSTILE.items():
        push_id = f"p-{key}"
        journal.append({"event": "start", "push": push_id, "time": 1.0, "object": value, "xml": value,
                        "targets": [{"phone": value, "host": value, "mode": "direct"}]})  # fmt: skip
        journal.append({"event": "result", "push": push_id, "phone": value, "host": value, "outcome": value,
                        "detail": value, "latency_ms": 5})  # fmt: skip
    journal.append({"event": "start", "push": "types", "time": "soon", "targets": "x", "object": 3})
    with journal.path.open("a", encoding="utf-8") as handle:
        handle.write("not json [/]\n")
    templates = [Template(value, "text", "t", "", value) for value in HOSTILE.values()]
    config = Config(
        path=tmp_path / "evil[bold]config.toml",
        phones=list(phones.values()),
        defaults=Defaults(username=USER, password=PASSWORD, timeout=3.0, connect_timeout=1.0),
        service=service.config,
        templates=templates,
        keys={"[/]not-an-id": "k"},
    )
    try:
        yield HostileFleet(config, journal, service, phones)
    finally:
        await service.stop()
        for server in servers:
            await server.stop()


def assert_clean(app: PhoneTUI, where: str) -> str:
    assert app.is_running, f"the app ended on {where}"
    text = screen_text(app)
    leaked = CONTROL.search(text)
    assert leaked is None, f"{where}: control character {leaked.group()!r} reached the terminal"
    return text


async def test_hostile_strings_are_drawn_literally_on_every_screen(fleet: HostileFleet) -> None:
    async with httpx.AsyncClient() as client:
        for value in HOSTILE.values():  # the responder hears them as device names and users
            await client.get(
                fleet.service.auth_url, params={"UserID": value[:200], "Password": "x", "devicename": value[:200]}
            )
    app = PhoneTUI(fleet.config, service=fleet.service, journal=fleet.journal)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        # The table: names, models, tags; the pane's title is the config's file name.
        text = assert_clean(app, "table")
        assert "evil[bold]config.toml" in text
        for value in HOSTILE.values():
            assert shown(value, 6) in text, f"name {value[:20]!r} not drawn literally in the table"

        # Select every phone, compose, confirm: the confirmation names them.
        await pilot.press("a")
        await compose_text(pilot, "Hostile", "hello")
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        text = assert_clean(app, "confirm")
        assert shown(HOSTILE["markup-close"], 10) in text
        await pilot.press("y")
        await wait_until(pilot, lambda: app.main.pushes_finished == 1, 20)
        await pilot.pause(0.3)
        text = assert_clean(app, "table after push")

        # Each phone's reply, in full.
        table = app.main.query_one(PhoneTable)
        for key, phone in fleet.phones.items():
            assert isinstance(app.screen, MainScreen)
            table.move_cursor(row=table.get_row_index(phone.name))
            table.focus()
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ReplyScreen), key
            text = assert_clean(app, f"reply of {key}")
            assert shown(phone.name, 30) in text, f"{key}: name not in the reply screen"
            if key in HOSTILE and xml_safe(HOSTILE[key]):
                assert shown(HOSTILE[key], 20) in text, f"{key}: the phone's text not shown literally"
            await pilot.press("escape")
            await pilot.pause()
        assert app.fleet.states["bad-host"].result is not None
        assert str(app.fleet.states["bad-host"].result.outcome) == "refused"

        # The responder: device names and users from the network.
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ResponderScreen)
        text = assert_clean(app, "responder")
        assert shown(HOSTILE["markup-close"], 12) in text
        await pilot.press("escape")
        await pilot.pause()

        # Help (its title names the [keys] table), the palette, the preview.
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "[keys]" in assert_clean(app, "help")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"template")
        await pilot.pause(0.3)
        text = assert_clean(app, "palette")
        assert "Load template: " + shown(HOSTILE["markup-close"], 10) in text  # a template's name, literally
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, PreviewScreen)
        text = assert_clean(app, "preview")
        await pilot.press("escape")
        await pilot.pause()

        # Compose: the template picker lists hostile names; loading one fills the form.
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ComposeScreen)
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, PickerModal)
        text = assert_clean(app, "template picker")
        assert shown(HOSTILE["markup-link"], 20) in text
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, ComposeScreen)
        text = assert_clean(app, "compose with a template")
        assert shown(HOSTILE["markup-close"], 10) in text  # the toast names the template
        await pilot.press("escape")
        await pilot.pause()

        # History: the journal's hostile records.
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        for _ in range(len(HOSTILE) + 3):
            assert_clean(app, "history")
            await pilot.press("down")
        text = assert_clean(app, "history")
        assert shown(HOSTILE["markup-close"], 10) in text
