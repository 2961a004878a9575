"""``phonetui serve`` stopping on SIGTERM: a request in flight still gets its answer, nothing new is
taken, one line says what was answered, exit 0; a request that never ends holds the stop a few seconds only."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from phonetui.service_stop import STOP_GRACE, Tally, duration

from .test_serve_reload import OLD, Serving, read_all, refused, slow_post, write_config


def said(line: str) -> str:
    """A line of serve's output without the log's time and level (its log is its output, unless a file)."""
    return line.partition(" NOTICE phonetui.service: ")[2] or line


def test_sigterm_answers_the_request_in_flight_then_exits_0_saying_what_it_answered(tmp_path: Path) -> None:
    config, log = tmp_path / "serve.toml", tmp_path / "serve.log"
    write_config(config, f'password = "{OLD}"')
    with Serving(config, "--log-file", str(log)) as server:
        sock, rest = slow_post(server.url, OLD)
        with sock:
            time.sleep(0.5)  # the handler is waiting for the rest of the form
            server.signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            while not refused(server.url) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert refused(server.url)  # no new connection is taken
            sock.sendall(rest)
            reply = read_all(sock)
        assert reply.startswith(b"HTTP/1.1 200") and reply.endswith(b"\r\n\r\nAUTHORIZED"), reply
        code, stderr = server.stop()
        assert code == 0, stderr
        assert not stderr
        summary = said(server.lines[-1])
        assert summary.startswith("stopped after ") and "1 authentication (1 AUTHORIZED, 0 UN-AUTHORIZED" in summary
        assert log.read_text().splitlines()[-1].endswith(f"NOTICE phonetui.service: {summary}")


def test_a_request_that_never_ends_holds_the_stop_a_few_seconds_only(tmp_path: Path) -> None:
    config = tmp_path / "serve.toml"
    write_config(config, f'password = "{OLD}"')
    with Serving(config) as server:
        sock, _ = slow_post(server.url, OLD)
        with sock:
            time.sleep(0.5)
            started = time.monotonic()
            server.signal(signal.SIGTERM)
            code = server.proc.wait(timeout=STOP_GRACE * 2 + 10)
            took = time.monotonic() - started
        assert code == 0
        assert took < STOP_GRACE * 2 + 3
        _, stderr = server.stop()
        assert "Traceback" not in stderr
        assert said(server.lines[-1]).startswith("stopped after ")


def test_the_summary_counts_verdicts_and_other_requests() -> None:
    class Heard:
        listeners: list[object] = []
        request_listeners: list[object] = []

    heard = Heard()
    tally = Tally(heard)  # type: ignore[arg-type]
    assert len(heard.listeners) == len(heard.request_listeners) == 1
    tally.verdicts.update({"AUTHORIZED": 3, "ERROR": 1})
    tally.others.update({404: 2, 201: 1})
    line = tally.summary(reloads=1)
    assert (
        "4 authentications (3 AUTHORIZED, 0 UN-AUTHORIZED, 1 ERROR), 3 other requests (201: 1, 404: 2), 1 reload"
        in line
    )
    assert [duration(s) for s in (5, 125, 7260, 90000)] == ["5s", "2m 5s", "2h 1m", "1d 1h"]


def test_the_summary_counts_refused_reloads_too() -> None:
    class Heard:
        listeners: list[object] = []
        request_listeners: list[object] = []

    line = Tally(Heard()).summary(reloads=6, refused=3)  # type: ignore[arg-type]
    assert line.endswith(", 6 reloads, 3 refused")
