"""The TUI's push process, for real: a child process pushing to slow simulated phones on loopback.

However it is stopped, the journal tells: closing its stdin (the UI gone), SIGTERM and
SIGHUP write an end record marked interrupted; ``cancel`` one marked cancelled; only
SIGKILL leaves none, and the history then reads "interrupted (no end record)".
"""

from __future__ import annotations

import asyncio
import os
import pickle
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import tomli_w

from phonetui.cisco import CiscoIPPhoneText, Outcome
from phonetui.config import Defaults, parse_config
from phonetui.history import Journal, PushRecord
from phonetui.push import PushResult
from phonetui.pushproc import FRAME, PushJob, PushWarning, frame
from phonetui.service import Service
from phonetui.simulator import Simulator
from phonetui.tui.background import BackgroundPush

from .conftest import PASSWORD, USER

SLOW = 30.0  # the phones never answer within a test: every push is stopped while outstanding


@pytest.fixture
async def slow_fleet(service: Service) -> AsyncIterator[Simulator]:
    sim = Simulator.fleet(4, service.auth_url, base="127.79.0.0")
    for phone in sim.phones:
        phone.latency = SLOW
    async with sim:
        yield sim


def job_for(sim: Simulator, journal: Path | None) -> PushJob:
    phones = parse_config(tomli_w.dumps(sim.config(USER, PASSWORD))).phones
    defaults = Defaults(username=USER, password=PASSWORD, timeout=SLOW * 2, connect_timeout=2.0)
    return PushJob(CiscoIPPhoneText(text="Hello"), phones, "auto", defaults, journal=str(journal) if journal else None)


async def wait_for_start(history: Path) -> None:
    for _ in range(600):
        if history.exists() and '"event":"start"' in history.read_text():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the push never started")


async def read_messages(stdout: asyncio.StreamReader) -> list[object]:
    messages: list[object] = []
    while True:
        try:
            (size,) = FRAME.unpack(await stdout.readexactly(FRAME.size))
        except asyncio.IncompleteReadError:
            return messages
        messages.append(pickle.loads(await stdout.readexactly(size)))


async def start_child(job: PushJob) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "phonetui.pushproc",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdin is not None
    proc.stdin.write(frame(pickle.dumps(job)))
    await proc.stdin.drain()
    return proc


@pytest.mark.parametrize("how", ["stdin-closed", "SIGTERM", "SIGHUP", "cancel", "SIGKILL"])
async def test_stopped_push_process_leaves_a_journal_that_says_how(
    slow_fleet: Simulator, tmp_path: Path, how: str
) -> None:
    history = tmp_path / "history.jsonl"
    proc = await start_child(job_for(slow_fleet, history))
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    reading = asyncio.create_task(read_messages(proc.stdout))
    await wait_for_start(history)
    if how == "stdin-closed":
        proc.stdin.close()
    elif how == "cancel":
        proc.stdin.write(b"cancel\n")
    else:
        proc.send_signal(getattr(signal, how))
    async with asyncio.timeout(20):
        messages = await reading
        code = await proc.wait()
        stderr = (await proc.stderr.read()).decode()
    [record] = Journal(history).pushes()
    if how == "SIGKILL":
        assert code == -signal.SIGKILL
        assert record.end is None and record.status == "interrupted (no end record)"
        assert record.interrupted and not record.ended
        return
    assert code == 0, stderr
    assert stderr == ""
    results = [m for m in messages if isinstance(m, PushResult)]
    assert sorted(r.phone.name for r in results) == [p.name for p in slow_fleet.phones]
    assert {r.outcome for r in results} == {Outcome.CANCELLED}
    assert record.ended and record.cancelled and len(record.results) == 4
    assert record.end is not None and record.end["cancelled"] is True
    if how == "cancel":
        assert record.end["interrupted"] is False and record.status == "cancelled"
    else:
        assert record.end["interrupted"] is True and record.status == "interrupted"


async def test_stop_lets_the_push_process_write_its_end_record(slow_fleet: Simulator, tmp_path: Path) -> None:
    history = tmp_path / "history.jsonl"
    job = job_for(slow_fleet, history)
    push = BackgroundPush(job.defaults, None, Journal(history))
    running = asyncio.create_task(push.run(job.obj, job.phones, job.mode))
    await wait_for_start(history)
    await push.stop()
    async with asyncio.timeout(10):
        await running
    [record] = Journal(history).pushes()
    assert record.status == "interrupted" and len(record.results) == 4
    assert push.error == "" and push.cancelled
    assert {r.outcome for r in push.drain()} == {Outcome.CANCELLED}


async def test_stop_kills_what_does_not_stop(slow_fleet: Simulator, tmp_path: Path) -> None:
    """A push process that ignores stdin closing (stopped by SIGSTOP here) is killed after the grace."""
    history = tmp_path / "history.jsonl"
    job = job_for(slow_fleet, history)
    push = BackgroundPush(job.defaults, None, Journal(history))
    running = asyncio.create_task(push.run(job.obj, job.phones, job.mode))
    await wait_for_start(history)
    assert push._proc is not None
    os.kill(push._proc.pid, signal.SIGSTOP)
    await push.stop(grace=0.5)
    async with asyncio.timeout(10):
        await running
    assert push._proc.returncode == -signal.SIGKILL
    assert push.error == "the push process was stopped by SIGKILL"
    [record] = Journal(history).pushes()
    assert record.status == "interrupted (no end record)"


async def test_a_journal_that_cannot_be_written_is_a_warning_not_a_failure(fleet: Simulator, tmp_path: Path) -> None:
    job = job_for(fleet, None)
    job.defaults.timeout = 5.0
    push = BackgroundPush(job.defaults, None, Journal(tmp_path))  # a directory where the journal should be
    await push.run(job.obj, job.phones, job.mode)
    assert push.error == ""
    assert {r.outcome for r in push.drain()} == {Outcome.OK}
    assert push.warnings == [f"history not written: {tmp_path}: Is a directory"]
    assert push.drain_warnings() == push.warnings and push.drain_warnings() == []


def test_a_push_record_without_end_reads_as_interrupted() -> None:
    record = PushRecord("x", {"event": "start"})
    assert (record.ended, record.cancelled, record.interrupted) == (False, True, True)
    record.end = {"event": "end", "cancelled": False, "interrupted": False}
    assert record.status == "done" and not record.cancelled


def test_pushwarning_is_a_plain_typed_frame() -> None:
    data = frame(pickle.dumps(PushWarning("history not written: /x: Is a directory")))
    (size,) = FRAME.unpack(data[: FRAME.size])
    assert pickle.loads(data[FRAME.size :][:size]) == PushWarning("history not written: /x: Is a directory")
