"""The TUI's push process, for real: a long-lived child pushing to simulated phones on loopback.

However it is stopped, the journal tells: closing its stdin (the UI gone), ``Shutdown``,
SIGTERM and SIGHUP write an end record marked interrupted; ``CancelJob`` one marked
cancelled (and the process stays); only SIGKILL leaves none, and the history then reads
"interrupted (no end record)". ``PushProcess`` keeps one child for many jobs and starts a
new one when it died.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import tomli_w

from phonetui.cisco import CiscoIPPhoneText, Outcome
from phonetui.config import Defaults, Phone, parse_config
from phonetui.history import Journal, PushRecord
from phonetui.jobs import (
    FRAME,
    CancelJob,
    JobDone,
    JobResult,
    JobWarning,
    PushJob,
    Shutdown,
    ToProcess,
    frame,
    read_frame,
)
from phonetui.service import Service
from phonetui.simulator import Simulator
from phonetui.tui.background import JobRun, PushProcess

from .conftest import PASSWORD, USER

SLOW = 30.0  # the slow phones never answer within a test: such a push is stopped while outstanding
CHILD = (sys.executable, "-c")


@pytest.fixture
async def slow_fleet(service: Service) -> AsyncIterator[Simulator]:
    sim = Simulator.fleet(4, service.auth_url, base="127.79.0.0")
    for phone in sim.phones:
        phone.latency = SLOW
    async with sim:
        yield sim


@pytest.fixture
async def process() -> AsyncIterator[PushProcess]:
    push_process = PushProcess()
    yield push_process
    await push_process.stop()


def phones_of(sim: Simulator) -> list[Phone]:
    return parse_config(tomli_w.dumps(sim.config(USER, PASSWORD))).phones


def defaults(timeout: float = SLOW * 2) -> Defaults:
    return Defaults(username=USER, password=PASSWORD, timeout=timeout, connect_timeout=2.0)


def job_for(sim: Simulator, journal: Path | None, job: int = 1) -> PushJob:
    journal_path = str(journal) if journal else None
    return PushJob(job, CiscoIPPhoneText(text="Hello"), phones_of(sim), "auto", defaults(), journal=journal_path)


def run_for(process: PushProcess, sim: Simulator, journal: Path | None, timeout: float = SLOW * 2) -> JobRun:
    return process.prepare(
        CiscoIPPhoneText(text="Hello"),
        phones_of(sim),
        "auto",
        defaults(timeout),
        journal=Journal(journal) if journal else None,
    )


async def push(process: PushProcess, run: JobRun, seconds: float = 20) -> None:
    async with asyncio.timeout(seconds):
        await process.send(run)
        await run.wait()


async def start_slow_push(
    process: PushProcess, slow_fleet: Simulator, history: Path
) -> tuple[JobRun, asyncio.Task[None], int]:
    """A push to phones that never answer in time, under way: its run, the task awaiting it, the process id."""
    run = run_for(process, slow_fleet, history)
    sending = asyncio.create_task(push(process, run))
    await wait_for_start(history)
    assert process.pid is not None
    return run, sending, process.pid


async def wait_for_start(history: Path, pushes: int = 1) -> None:
    for _ in range(600):
        if history.exists() and history.read_text().count('"event":"start"') >= pushes:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the push never started")


async def read_messages(stdout: asyncio.StreamReader) -> list[object]:
    messages: list[object] = []
    while (message := await read_frame(stdout)) is not None:
        messages.append(message)
    return messages


async def start_child(*messages: ToProcess) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "phonetui.pushproc",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdin is not None
    for message in messages:
        proc.stdin.write(frame(message))
    await proc.stdin.drain()
    return proc


@pytest.mark.parametrize("how", ["stdin-closed", "Shutdown", "SIGTERM", "SIGHUP", "cancel", "SIGKILL"])
async def test_stopped_push_process_leaves_a_journal_that_says_how(
    slow_fleet: Simulator, tmp_path: Path, how: str
) -> None:
    history = tmp_path / "history.jsonl"
    proc = await start_child(job_for(slow_fleet, history, job=7))
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    reading = asyncio.create_task(read_messages(proc.stdout))
    await wait_for_start(history)
    if how == "stdin-closed":
        proc.stdin.close()
    elif how == "Shutdown":
        proc.stdin.write(frame(Shutdown()))
    elif how == "cancel":
        proc.stdin.write(frame(CancelJob(7)))
        await wait_for_end(history)
        assert proc.returncode is None  # a cancelled job leaves the process running
        proc.stdin.close()
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
    results = [m.result for m in messages if isinstance(m, JobResult) and m.job == 7]
    assert sorted(r.phone.name for r in results) == [p.name for p in slow_fleet.phones]
    assert {r.outcome for r in results} == {Outcome.CANCELLED}
    assert messages[-1] == JobDone(7, cancelled=True, interrupted=how != "cancel")
    assert record.ended and record.cancelled and len(record.results) == 4
    assert record.end is not None and record.end["cancelled"] is True
    if how == "cancel":
        assert record.end["interrupted"] is False and record.status == "cancelled"
    else:
        assert record.end["interrupted"] is True and record.status == "interrupted"


async def wait_for_end(history: Path) -> None:
    for _ in range(400):
        if '"event":"end"' in history.read_text():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the push never ended")


async def test_one_process_serves_push_after_push(process: PushProcess, fleet: Simulator, tmp_path: Path) -> None:
    first = run_for(process, fleet, tmp_path / "h.jsonl", timeout=5.0)
    await push(process, first)
    pid = process.pid
    second = run_for(process, fleet, tmp_path / "h.jsonl", timeout=5.0)
    await push(process, second)
    assert pid is not None and process.pid == pid and process.starts == 1
    assert first.id != second.id
    for run in (first, second):
        assert run.error == "" and not run.cancelled
        assert sorted(r.phone.name for r in run.drain()) == sorted(p.name for p in fleet.phones)
    assert [p.status for p in Journal(tmp_path / "h.jsonl").pushes()] == ["done", "done"]


async def test_cancelling_a_job_keeps_the_process(
    process: PushProcess, slow_fleet: Simulator, fleet: Simulator, tmp_path: Path
) -> None:
    history = tmp_path / "h.jsonl"
    slow, sending, pid = await start_slow_push(process, slow_fleet, history)
    slow.cancel()
    await sending
    assert slow.cancelled and not slow.interrupted and slow.error == ""
    assert {r.outcome for r in slow.drain()} == {Outcome.CANCELLED}
    fast = run_for(process, fleet, history, timeout=5.0)
    await push(process, fast)
    assert process.pid == pid and process.starts == 1
    assert {r.outcome for r in fast.drain()} == {Outcome.OK}
    assert [p.status for p in Journal(history).pushes()] == ["cancelled", "done"]


async def test_a_job_cancelled_before_the_process_took_it(process: PushProcess, slow_fleet: Simulator) -> None:
    run = run_for(process, slow_fleet, None)
    run.cancel()
    await push(process, run)
    assert {r.outcome for r in run.drain()} == {Outcome.CANCELLED} and not run.interrupted


async def test_a_killed_process_ends_its_jobs_and_the_next_push_gets_a_new_one(
    process: PushProcess, slow_fleet: Simulator, fleet: Simulator, tmp_path: Path
) -> None:
    history = tmp_path / "h.jsonl"
    run, sending, old = await start_slow_push(process, slow_fleet, history)
    os.kill(old, signal.SIGKILL)
    await sending
    assert run.interrupted and run.error == "the push process was stopped by SIGKILL"
    results = run.drain()
    assert sorted(r.phone.name for r in results) == [p.name for p in slow_fleet.phones]
    assert {r.outcome for r in results} == {Outcome.CANCELLED}
    why = "the push was interrupted: the push process was stopped by SIGKILL"
    assert all(r.detail.startswith(why) for r in results)
    assert Journal(history).pushes()[0].status == "interrupted (no end record)"
    again = run_for(process, fleet, history, timeout=5.0)
    await push(process, again)
    assert {r.outcome for r in again.drain()} == {Outcome.OK}
    assert process.pid not in (None, old) and process.starts == 2


async def test_stop_lets_the_push_process_write_its_end_record(
    process: PushProcess, slow_fleet: Simulator, tmp_path: Path
) -> None:
    history = tmp_path / "history.jsonl"
    run, sending, pid = await start_slow_push(process, slow_fleet, history)
    await process.stop()
    await sending
    [record] = Journal(history).pushes()
    assert record.status == "interrupted" and len(record.results) == 4
    assert run.error == "" and run.interrupted
    assert {r.outcome for r in run.drain()} == {Outcome.CANCELLED}
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # gone, and reaped


async def test_stop_kills_what_does_not_stop(process: PushProcess, slow_fleet: Simulator, tmp_path: Path) -> None:
    """A push process that ignores its stdin closing (stopped by SIGSTOP here) is killed after the grace."""
    history = tmp_path / "history.jsonl"
    run, sending, pid = await start_slow_push(process, slow_fleet, history)
    os.kill(pid, signal.SIGSTOP)
    await process.stop(grace=0.5)
    await sending
    assert run.error == "the push process was stopped by SIGKILL"
    [record] = Journal(history).pushes()
    assert record.status == "interrupted (no end record)"


async def test_a_journal_that_cannot_be_written_is_a_warning_not_a_failure(
    process: PushProcess, fleet: Simulator, tmp_path: Path
) -> None:
    journal = Journal(tmp_path)  # a directory where the journal should be
    run = process.prepare(CiscoIPPhoneText(text="x"), phones_of(fleet), "auto", defaults(5.0), journal=journal)
    await push(process, run)
    assert run.error == ""
    assert {r.outcome for r in run.drain()} == {Outcome.OK}
    assert run.warnings == [f"history not written: {tmp_path}: Is a directory"]
    assert run.drain_warnings() == run.warnings and run.drain_warnings() == []


#: Push processes odd in one way each; every one must still push.
CHATTY = """
import sys
from phonetui import pushproc

send = pushproc.Output.send

def chatty(self, message):
    sys.stderr.write("x" * 100_000 + "\\n")  # more than a pipe holds, at every message
    sys.stderr.flush()
    send(self, message)

pushproc.Output.send = chatty
raise SystemExit(pushproc.main())
"""
STRAY_PRINT = """
from phonetui import pushproc

start = pushproc.Server.start

def noisy(self, job):
    print("a library says hello", flush=True)
    start(self, job)

pushproc.Server.start = noisy
raise SystemExit(pushproc.main())
"""
NO_NICE = """
import os
del os.nice  # as on Windows
from phonetui import pushproc
raise SystemExit(pushproc.main())
"""


@pytest.mark.parametrize("child", [CHATTY, STRAY_PRINT, NO_NICE], ids=["chatty-stderr", "stray-print", "no-nice"])
async def test_an_odd_push_process_still_pushes(fleet: Simulator, child: str) -> None:
    """Its stderr is read all the time (100 KB per message would fill the pipe at the first one
    otherwise); a print() does not land among its frames; a platform without os.nice is no error."""
    process = PushProcess(command=(*CHILD, child))
    try:
        run = run_for(process, fleet, None, timeout=5.0)
        await push(process, run)
        assert run.error == "" and {r.outcome for r in run.drain()} == {Outcome.OK}
    finally:
        await process.stop()


async def test_the_push_process_logs_where_the_app_does(fleet: Simulator, tmp_path: Path) -> None:
    log = tmp_path / "phonetui.log"
    process = PushProcess(log_file=str(log), log_level="info")
    try:
        run = run_for(process, fleet, None, timeout=5.0)
        await push(process, run)
        pid = process.pid
    finally:
        await process.stop()
    text = log.read_text()
    assert f"INFO phonetui.pushproc: push process {pid} ready" in text
    assert f"job {run.id}: CiscoIPPhoneText to 8 phones, mode auto" in text
    assert f"push process {pid} ended" in text
    assert PASSWORD not in text


async def test_a_push_process_that_cannot_start_ends_the_run_saying_why(fleet: Simulator, tmp_path: Path) -> None:
    process = PushProcess(command=(str(tmp_path / "no-such-python"),))
    run = run_for(process, fleet, None)
    await push(process, run)
    assert run.error.startswith("the push process could not start: ") and run.drain() == []


async def test_a_push_process_that_fails_says_its_last_words(fleet: Simulator) -> None:
    process = PushProcess(command=(*CHILD, "import sys; sys.stdin.buffer.read(4); sys.exit('phonetui: out of cheese')"))
    run = run_for(process, fleet, None)
    await push(process, run)
    assert run.error == "phonetui: out of cheese"
    assert {r.outcome for r in run.drain()} == {Outcome.CANCELLED}


def test_a_push_record_without_end_reads_as_interrupted() -> None:
    record = PushRecord("x", {"event": "start"})
    assert (record.ended, record.cancelled, record.interrupted) == (False, True, True)
    record.end = {"event": "end", "cancelled": False, "interrupted": False}
    assert record.status == "done" and not record.cancelled


async def test_messages_are_typed_frames() -> None:
    stream = asyncio.StreamReader()
    sent = [CancelJob(3), JobWarning(3, "history not written: /x: Is a directory"), JobDone(3, True, False), Shutdown()]
    for message in sent:
        stream.feed_data(frame(message))
    stream.feed_eof()
    assert await read_messages(stream) == sent
    assert FRAME.unpack(frame(Shutdown())[: FRAME.size])[0] == len(frame(Shutdown())) - FRAME.size
