"""What an operator relies on in ``serve``'s log is written whatever ``--log-level`` says: the first
line, each reload (taken, refused, or keeping what needs a restart) and the last line, on stdout (the
journal) and in the log file. A real ``serve`` on loopback, signalled by ``os.kill``."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from .test_serve_reload import NEW, OLD, Serving, write_config

OPERATOR_LINES = ("listening on ", "reloaded ", "reload refused", "reload: metrics_listen needs a restart", "stopped after ")


@pytest.mark.parametrize("level", ["WARNING", "ERROR"])
@pytest.mark.parametrize("to_file", [False, True], ids=["stdout", "log-file"])
def test_the_operators_lines_are_written_whatever_the_level(tmp_path: Path, level: str, to_file: bool) -> None:
    config, log = tmp_path / "serve.toml", tmp_path / "serve.log"
    write_config(config, f'password = "{OLD}"')
    extra = ["--log-file", str(log)] if to_file else []
    with Serving(config, "--log-level", level, *extra) as server:
        write_config(config, f'password = "{NEW}"')
        server.signal(signal.SIGHUP)
        server.wait_for("reloaded ")
        write_config(config, 'password = "x"\nallowed_devices = ["nonsense"]')
        server.signal(signal.SIGHUP)
        server.wait_for("reload refused")
        write_config(config, f'password = "{NEW}"\nmetrics_listen = "127.0.0.1:0"')
        server.signal(signal.SIGHUP)
        server.wait_for("needs a restart")
        code, stderr = server.stop()
    assert code == 0 and "Traceback" not in stderr, stderr
    for wanted in OPERATOR_LINES[1:]:  # the first line Serving read itself, or failed
        assert any(wanted in line for line in server.lines), (wanted, server.lines)
    assert "3 reloads, 1 refused" in server.lines[-1]
    if to_file:
        written = log.read_text()
        for wanted in OPERATOR_LINES:
            assert wanted in written, (wanted, written)
        assert " INFO " not in written  # the level still filters the rest
