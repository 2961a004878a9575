"""Alerts on a simulated fleet: phones press their Ack key as people do, the tally follows, repeats aim right."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from pathlib import Path

import httpx

from phonetui.alerts import Acknowledgement, Alert, AlertTally, PhoneState
from phonetui.cisco import CiscoIPPhoneText
from phonetui.config import Defaults, Phone
from phonetui.history import Journal
from phonetui.push import Pusher
from phonetui.service import Service
from phonetui.simulator import Simulator
from phonetui.tailor import AckKey, Tailor

from .test_push_loopback import phones_of, screen

ALERT = CiscoIPPhoneText("Fire drill", "", "Leave by the stairs")


async def press(phone: Phone, **query: str) -> httpx.Response:
    async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
        return await client.post(f"http://{phone.host}:{phone.port}/sim/press", params=query)


async def test_hundred_phones_sixty_ack_ten_twice_five_offline(
    service: Service, defaults: Defaults, tmp_path: Path
) -> None:
    rng = random.Random(13)
    sim = Simulator.fleet(100, service.auth_url)
    for phone in sim.phones[-5:]:
        phone.offline = True
    fetches: Counter[str] = Counter()
    service.request_listeners.append(lambda peer, _m, path, _s: fetches.update([peer] if "/ack/" in path else []))
    async with sim:
        phones = phones_of(sim)
        alert = Alert.new([p.name for p in phones], 60)
        service.alerts.register(alert)
        tally = AlertTally(p.name for p in phones)
        steps: list[tuple[int, ...]] = []

        def heard(ack: Acknowledgement) -> None:
            tally.acknowledged(ack.phone, ack.time)
            counts = tuple(tally.count(s) for s in (PhoneState.ACKNOWLEDGED, PhoneState.DELIVERED, PhoneState.FAILED))
            steps.append(counts)

        service.ack_listeners.append(heard)
        tailor = Tailor(ack=AckKey(service.url, alert.id, alert.tokens))
        journal = Journal(tmp_path / "history.jsonl")
        async with Pusher(defaults, host=service, journal=journal) as pusher:
            async for result in pusher.push(ALERT, phones, tailor=tailor, label={"alert": alert.id, "round": 0}):
                tally.delivered(result.phone.name, result.outcome.succeeded)
            assert tally.summary() == "0 of 100 acknowledged, 95 delivered, 5 failed"

            online = phones[:95]
            pressers = rng.sample(online, 60)
            twice = {p.name for p in rng.sample(pressers, 10)}

            async def person(phone: Phone) -> None:
                await asyncio.sleep(rng.uniform(0, 0.6))
                times = 2 if phone.name in twice else 1  # a double press: both before the reply shows
                answers = await asyncio.gather(*(press(phone, key="Ack") for _ in range(times)))
                assert all(a.status_code == 200 for a in answers), answers[0].text

            await asyncio.gather(*(person(p) for p in pressers))
            assert tally.summary() == "60 of 100 acknowledged, 35 delivered, 5 failed"
            assert len(steps) == 60, "a phone that fetched twice counted once"
            assert all(a + d + f == 100 and f == 5 for a, d, f in steps), "every step adds up"
            assert [a for a, _, _ in steps] == list(range(1, 61))
            assert sum(fetches[p.host] for p in pressers) == 70, "the ten double presses did fetch twice"
            assert set(fetches) == {p.host for p in pressers}, "each fetch came from the phone's own address"
            shown = await screen(pressers[0])
            assert (shown["title"], shown["text"]) == ("Acknowledged", "Thank you")

            targets = tally.repeat_targets()
            assert set(targets) == {p.name for p in online} - {p.name for p in pressers}
            run = pusher.push(
                ALERT, [p for p in phones if p.name in targets], tailor=tailor, label={"alert": alert.id, "round": 1}
            )
            assert sorted(d.phone.name for d in run.deliveries) == sorted(targets) and len(targets) == 35
            async for result in run:
                tally.delivered(result.phone.name, result.outcome.succeeded)
            assert tally.summary() == "60 of 100 acknowledged, 35 delivered, 5 failed"
            with_failed = tally.repeat_targets(include_failed=True)
            assert set(with_failed) == set(targets) | {p.name for p in phones[95:]}
        journal.close()
    rounds = [r for r in journal.records() if r.get("event") == "start"]
    assert [(r["alert"], r["round"], len(r["targets"])) for r in rounds] == [(alert.id, 0, 100), (alert.id, 1, 35)]


async def test_press_by_position_and_the_ack_knob(service: Service, defaults: Defaults) -> None:
    sim = Simulator.fleet(3, service.auth_url)
    sim.phones[1].ack_after = 0.05
    sim.phones[2].ack_after, sim.phones[2].ack_probability = 0.05, 0.0
    async with sim:
        phones = phones_of(sim)
        alert = Alert.new([p.name for p in phones], 60, "Seen")
        service.alerts.register(alert)
        tailor = Tailor(ack=AckKey(service.url, alert.id, alert.tokens))
        async with Pusher(defaults, host=service) as pusher:
            results = [r async for r in pusher.push(ALERT, phones, tailor=tailor)]
        assert all(r.outcome.succeeded for r in results)
        assert (await screen(phones[0]))["softkeys"] == ["Ack", "Exit"]  # an 8845: Exit after Ack
        missing = await press(phones[0], key="Dismiss")
        assert missing.status_code == 404 and "Ack, Exit" in missing.json()["error"]
        assert (await press(phones[0])).status_code == 400
        pressed = await press(phones[0], position="1")
        assert pressed.json()["screen"]["text"] == "Seen" and pressed.json()["status"] == 0
        for _ in range(50):
            if len(service.alerts.acknowledgements(alert.id) or []) >= 2:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)  # the phone whose person never presses has had its chance
    acked = {a.phone: a.peer for a in service.alerts.acknowledgements(alert.id) or []}
    assert acked == {phones[0].name: phones[0].host, phones[1].name: phones[1].host}
