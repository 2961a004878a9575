"""Screenshots through the app's push process: a ``ShotJob`` in, each phone's ``Shot`` out, never on the UI's loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from phonetui.config import Phone
from phonetui.screenshot import ShotOutcome
from phonetui.simscreen import render_screen
from phonetui.simulator import Simulator
from phonetui.tui.background import PushProcess, ShotRun

from .conftest import PASSWORD, USER


@pytest.fixture
async def process() -> AsyncIterator[PushProcess]:
    push_process = PushProcess()
    yield push_process
    await push_process.stop()


def phones_of(fleet: Simulator) -> list[Phone]:
    return [Phone(p.name, p.host, p.port, model=p.model, username=USER, password=PASSWORD) for p in fleet.phones]


async def test_a_shot_job_brings_every_phones_screen(process: PushProcess, fleet: Simulator) -> None:
    phones = phones_of(fleet)
    run = process.prepare_shots(phones, (USER, PASSWORD), 5.0)
    assert isinstance(run, ShotRun) and run.job.deadline == 5.0
    await process.send(run)
    await run.wait()
    shots = {shot.phone: shot for shot in run.drain()}
    assert run.error == "" and run.last_arrival is not None
    assert set(shots) == {p.name for p in phones}
    for sim_phone in fleet.phones:
        shot = shots[sim_phone.name]
        assert shot.outcome is ShotOutcome.OK, shot
        assert shot.image().tobytes() == render_screen(sim_phone).convert("RGB").tobytes()
    assert run.drain() == []


async def test_wrong_credentials_and_cancel(process: PushProcess, fleet: Simulator) -> None:
    run = process.prepare_shots(phones_of(fleet)[:2], (USER, "wrong"), 5.0)
    await process.send(run)
    await run.wait()
    assert {shot.outcome for shot in run.drain()} == {ShotOutcome.AUTH_FAILED}
    # a job cancelled before the process took it ends at once, the process stays for the next
    cancelled = process.prepare_shots(phones_of(fleet), None, 5.0)
    cancelled.cancel()
    await process.send(cancelled)
    await cancelled.wait()
    assert process.starts == 1


async def test_a_probe_cancelled_before_it_began_still_ends(process: PushProcess, fleet: Simulator) -> None:
    """The probe shares the screenshots' side-duty runner: a job cancelled at once still sends JobDone."""
    run = process.prepare_probe(phones_of(fleet), 4, 3.0)
    run.cancel()
    await process.send(run)
    await asyncio.wait_for(run.wait(), 10)
    again = process.prepare_probe(phones_of(fleet), 4, 3.0)  # and the process goes on
    await process.send(again)
    await asyncio.wait_for(again.wait(), 10)
    assert {result.state for result in again.drain()} == {"online"} and process.starts == 1
