"""The built-in demo: a simulated fleet, the service as its auth URL, and a config for them."""

from __future__ import annotations

import datetime
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .config import Config, ServiceConfig, load_config, write_config, write_discovered
from .discovery.cucm import client_for, select_devices
from .discovery.merge import plan
from .paths import DEMO_PREFIX
from .service import Service
from .sim_cucm import FakeCucm, config_by_device, cucm_devices
from .simulator import Simulator

#: Written into the demo's config (a file phonetui made itself); F4 saves beside it, in templates.toml.
DEMO_TEMPLATES = [
    {
        "name": "fire-drill",
        "kind": "text",
        "title": "Fire drill",
        "prompt": "Leave by the stairs",
        "text": "A fire drill starts at 10:00.\nLeave by the nearest stairs; do not use the lifts.",
    },
    {"name": "open-services", "kind": "execute", "items": [{"url": "Key:Services", "priority": 0}]},
]


#: ``phonetui demo``: two phones in three press an alert's Ack key after 3 to 9 seconds, each with this chance.
DEMO_ACK_AFTER = 3.0
DEMO_ACK_PROBABILITY = 0.8


@dataclass
class Demo:
    """A running demo fleet; ``stop()`` frees every port and the temporary folder."""

    simulator: Simulator
    service: Service
    config: Config
    folder: Path
    cucm: FakeCucm | None = None

    @property
    def notices(self) -> list[str]:
        """What the app tells the user as it starts: where the phones went if their addresses could not be had."""
        return [f"Demo: {self.simulator.fallback}."] if self.simulator.fallback else []

    async def stop(self) -> None:
        if self.cucm is not None:
            await self.cucm.stop()
        await self.simulator.stop()
        await self.service.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


async def start_demo(count: int = 12, base: str = "127.76.0.0", port: int = 0, cucm: bool = False) -> Demo:
    """Start ``count`` phones (one with a wrong password, one switched off, one slow, a live 8961) and the service.

    With ``cucm``, as ``phonetui demo`` runs it: a fake CUCM knows the fleet, the config lists
    the phones by device name, their addresses are discovered from it before the app starts,
    and the app probes every phone as it starts.
    """
    password = secrets.token_urlsafe(12)
    service = Service(ServiceConfig("127.0.0.1", 0, username="demo", password=password))
    await service.start()
    simulator = Simulator.fleet(count, service.auth_url, base=base, port=port)
    if count >= 4:
        simulator.phones[3].wrong_password = True
    if count >= 8:
        simulator.phones[7].offline = True
    if count >= 11:
        simulator.phones[10].latency = 1.5
    if count >= 12:  # a live 8961 (sim-0008 is switched off): its missing menu keys can be tried
        simulator.phones[11].model, simulator.phones[11].family = "CP-8961", simulator.phones[7].family
    if cucm:  # as phonetui demo runs: some people acknowledge an alert, after a while, if they feel like it
        for index, phone in enumerate(simulator.phones):
            if index % 3 != 2:
                phone.ack_after, phone.ack_probability = DEMO_ACK_AFTER + index % 4 * 2, DEMO_ACK_PROBABILITY
    try:
        await simulator.start()
    except OSError:
        await service.stop()
        raise
    folder = Path(tempfile.mkdtemp(prefix=DEMO_PREFIX))
    host, bound_port = service.bound or ("127.0.0.1", 0)
    raw = simulator.config("demo", password, {"listen": f"{host}:{bound_port}", "url": service.url})
    raw["templates"] = DEMO_TEMPLATES
    if not cucm:
        write_config(folder / "demo.toml", raw)
        return Demo(simulator, service, load_config(folder / "demo.toml"), folder)
    fake = FakeCucm(cucm_devices(simulator.phones), "axl", secrets.token_urlsafe(12))
    await fake.start()
    models = {entry["name"]: entry.get("model") for entry in raw["phones"]}
    raw = config_by_device(raw, simulator.phones, fake, folder / "demo.toml")
    for entry in raw["phones"]:  # the demo keeps each model: its rows read as the simulated phones
        entry["model"] = models[entry["name"]]
    raw["probe"] = {"at_start": True}
    write_config(folder / "demo.toml", raw)
    config = load_config(folder / "demo.toml")
    assert config.cucm is not None
    async with client_for(config.cucm) as client:
        found = await select_devices(client, config.cucm)
    seen = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    write_discovered(config, plan(config, [], found.found(), {"cucm"}, set(), seen).entries)
    return Demo(simulator, service, load_config(folder / "demo.toml"), folder, fake)
