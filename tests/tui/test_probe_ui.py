"""Probing from the app: p probes, the state column appears, t selects by state, the push skips the silent."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from phonetui.demo import Demo, start_demo
from phonetui.history import Journal
from phonetui.tui.app import PhoneTUI
from phonetui.tui.screens.pickers import ConfirmModal
from phonetui.tui.widgets.line_log import LineLog
from phonetui.tui.widgets.phone_table import PhoneTable

from .conftest import cell, compose_text, wait_until


async def test_probe_then_select_online_then_push_skipping_the_silent(app: PhoneTUI, demo: Demo) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.main.query_one(PhoneTable)
        assert "state" not in table.columns_shown  # no probe yet: no state column
        await pilot.press("p")
        await wait_until(pilot, lambda: not app.prober.running and app.fleet.probed)
        await pilot.pause()
        assert "state" in table.columns_shown and "dn" in table.columns_shown
        # The demo's sim-0008 is offline: nothing listens on its address.
        assert cell(app, "sim-0008", "state").startswith("refused")
        assert cell(app, "sim-0001", "state").startswith("online ")
        assert cell(app, "sim-0001", "model") == "8845" and cell(app, "sim-0001", "dn") == "1000"
        assert app.prober.counts["online"] == 11
        await pilot.press("t")
        await pilot.pause()
        field = app.screen.query_one("#name", Input)
        field.value = "online modern"
        await pilot.press("enter")
        await pilot.pause()
        chosen = sorted(p.name for p in app.fleet.selected())
        assert chosen and all(app.fleet.states[name].state == "online" for name in chosen)
        assert all(app.fleet.states[name].phone.family.name == "modern" for name in chosen)
        app.fleet.toggle("sim-0008")  # and the offline one too
        await compose_text(pilot, "", "hello")
        await pilot.press("f5")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, ConfirmModal) and modal.skip == "Skip 1 not online"
        assert "not online at the last probe: the phone sim-0008" in modal.detail
        await pilot.press("s")
        await wait_until(pilot, lambda: not app.pump.running and app.pump.pushes_finished == 1)
        assert cell(app, "sim-0008", "result") == ""  # skipped: never pushed
        log = [line.plain for line in app.main.query_one("#replies", LineLog).lines]
        assert any(line.endswith("○ skipped, not online at the last probe: the phone sim-0008") for line in log)
        assert all(cell(app, name, "result") for name in chosen)  # every other one was pushed
        assert cell(app, "sim-0001", "result") == "✓ ok"


async def test_the_state_column_fits_80_columns_by_leaving_latency_out(app: PhoneTUI) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p")
        await wait_until(pilot, lambda: not app.prober.running and app.fleet.probed)
        await pilot.pause()
        table = app.main.query_one(PhoneTable)
        assert "state" in table.columns_shown and "latency" not in table.columns_shown
        assert table.virtual_size.width <= table.size.width


async def test_phones_named_by_device_follow_cucm(tmp_path: Path) -> None:
    demo = await start_demo(12, base="127.74.0.0", cucm=True)
    try:
        assert demo.cucm is not None and demo.config.cucm is not None
        assert all(phone.device and phone.discovered.startswith("cucm") for phone in demo.config.phones)
        app = PhoneTUI(demo.config, service=demo.service, journal=Journal(tmp_path / "h.jsonl"))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, lambda: app.fleet.probed and not app.prober.running)  # [probe] at_start
            assert not app.addresses.running and app.addresses.moved == []  # at start: nothing moved
            moved = next(d for d in demo.cucm.devices if d.name == demo.simulator.phones[1].devicename)
            moved.ip = "127.74.9.9"  # DHCP gave sim-0002 another address
            app.addresses.start()
            await wait_until(pilot, lambda: not app.addresses.running)
            await pilot.pause()
            assert app.addresses.moved == ["sim-0002"]
            assert app.fleet.states["sim-0002"].phone.host == "127.74.9.9"
            assert cell(app, "sim-0002", "address").startswith("127.74.9.9:")
    finally:
        await demo.stop()


async def test_ages_read_alike_on_every_row_and_move_on(app: PhoneTUI, monkeypatch: pytest.MonkeyPatch) -> None:
    """A line drawn later (a row redrawn for another reason) must not show a newer age than its neighbours."""
    import phonetui.tui.widgets.phone_table as phone_table

    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        await wait_until(pilot, lambda: not app.prober.running and app.fleet.probed)
        await pilot.pause()
        table = app.main.query_one(PhoneTable)

        def ages() -> set[str]:
            lines = [table.render_line(row + 1).text for row in range(len(table.names))]
            return {line.split("online ")[1].split()[0] for line in lines if "online " in line}

        before = ages()
        assert before <= {"0s", "1s", "2s"}, before  # the phones answered within a moment
        later = phone_table.time.time() + 75
        monkeypatch.setattr(phone_table.time, "time", lambda: later)
        table.update_phones(["sim-0003"])  # one row drawn again, 75 s on
        await pilot.pause()
        assert ages() == before  # the same instant for every row until the ages' tick
        table.refresh_ages()
        await pilot.pause()
        assert ages() == {"1m"}
        assert "probing" not in str(app.main.query_one("#status").render())  # the probe is over
