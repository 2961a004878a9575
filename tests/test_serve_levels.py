"""What an operator relies on in ``serve``'s log is written whatever ``--log-level`` says: the first
line, each reload (taken, refused, or keeping what needs a restart) and the last line, on stdout (the
journal) and in the log file. A real ``serve`` on loopback, signalled by ``os.kill``."""

from __future__ import annotations

import signal
import socket
from pathlib import Path

import pytest

from .test_serve_reload import NEW, OLD, Serving, write_config

OPERATOR_LINES = (
    "listening on ",
    "reloaded ",
    "reload refused",
    "reload: metrics_listen needs a restart",
    "stopped after ",
)


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


SERVICE = '[service]\nlisten = "127.0.0.1:0"\nusername = "u"\npassword = "p"\n'


async def test_a_syntax_error_at_the_end_of_the_file_names_its_last_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """tomllib says "at end of document" for an unclosed string or list: reload and check give the last line."""
    from phonetui.cli import main
    from phonetui.config import load_config
    from phonetui.service import Service
    from phonetui.service_reload import Reloader, service_settings

    config = tmp_path / "serve.toml"
    config.write_text(SERVICE)
    config.chmod(0o600)
    said: list[str] = []
    async with Service(service_settings(load_config(config))) as service:
        reloader = Reloader(service, config, said.append)
        config.write_text(SERVICE + 'allowed_devices = ["SEP001122334455",\n')
        assert not await reloader.reload()
    assert f"{config}:5: TOML syntax" in said[0] and "at the end of the file" in said[0], said
    assert main(["check", "--config", str(config)]) == 2
    assert f"{config}:5: TOML syntax" in capsys.readouterr().err


def test_an_address_it_cannot_listen_on_is_exit_1_not_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """systemd does not restart exit 2 (a config error); a taken address may come free, so it is 1."""
    from phonetui.cli import main

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        config = tmp_path / "serve.toml"
        config.write_text(SERVICE.replace("127.0.0.1:0", f"127.0.0.1:{port}"))
        config.chmod(0o600)
        assert main(["serve", "--config", str(config)]) == 1
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in capsys.readouterr().err


def test_the_log_file_is_named_by_its_whole_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "serve.toml"
    write_config(config, f'password = "{OLD}"')
    monkeypatch.chdir(tmp_path)
    with Serving(config, "--log-file", "responder.log") as server:
        line = server.wait_for("the log is in ")
        server.stop()
    assert line == f"the log is in {tmp_path / 'responder.log'}"
