"""Addresses from CUCM while the app runs: phones given by device name follow DHCP.

When the config has ``[cucm]``, the app asks RisPort70 for every phone it knows by device
name as it starts, and again on each ``[probe] interval``; a phone whose address moved
gets the new one in its row (and pushes go there). A failure is said once and changes
nothing: the addresses the app had stay.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ..discovery.cucm import CucmError, client_for, select_devices
from ..wording import names_phrase, plural

if TYPE_CHECKING:
    from .app import PhoneTUI


class AddressRefresh:
    """Asks CUCM where the app's device-named phones are now; one question at a time."""

    def __init__(self, app: PhoneTUI) -> None:
        self.app = app
        self.running = False
        self.moved: list[str] = []
        self.problem = ""

    def devices(self) -> dict[str, str]:
        """Device name (upper case) -> the phone's name, for every phone the config names by device."""
        states = self.app.fleet.states.values()
        return {state.phone.device.upper(): state.phone.name for state in states if state.phone.device}

    def start(self) -> None:
        if self.app.config.cucm is not None and self.devices() and not self.running:
            self.running = True
            self.app.main.run_worker(self.refresh(), group="cucm", exclusive=True, exit_on_error=False)

    async def refresh(self) -> None:
        cucm = self.app.config.cucm
        assert cucm is not None
        devices = self.devices()
        try:
            async with client_for(cucm) as client:
                result = await select_devices(client, cucm, sorted(devices))
        except CucmError as exc:
            if str(exc) != self.problem:
                self.app.notify(f"CUCM: {exc}", severity="warning", markup=False)
            self.problem = str(exc)
            return
        finally:
            self.running = False
        self.problem = ""
        fleet = self.app.fleet
        moved: list[str] = []
        placed: list[str] = []  # had no address before
        for key, device in result.devices.items():
            name = devices.get(key)
            state = fleet.states.get(name) if name else None
            if state is None or not device.ip or device.ip == state.phone.host:
                continue
            (moved if state.phone.host else placed).append(state.phone.name)
            state.phone = replace(state.phone, host=device.ip, discovered=f"cucm {device.node}")
        self.moved = moved
        if moved or placed:
            self.app.main.table.update_phones(moved + placed)
            said = [f"{plural(len(placed), 'phone')} found: {names_phrase(placed)}"] if placed else []
            said += [f"{plural(len(moved), 'phone')} at a new address: {names_phrase(moved)}"] if moved else []
            self.app.notify(f"CUCM: {'; '.join(said)}", markup=False)
