"""``serve`` outlives its stdout: a terminal closed or a pipe's reader gone must not cost one phone its answer.

A real ``serve`` on loopback whose stdout is a pipe the test closes; then the phones ask, the config is
reloaded (SIGHUP is also what a closed terminal sends) and it is stopped."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from .test_serve_reload import DEVICE, NEW, OLD, USER, write_config


def ask(url: str, password: str) -> str:
    response = httpx.get(url, params={"UserID": USER, "Password": password, "devicename": DEVICE}, timeout=10)
    assert response.status_code == 200, (response.status_code, response.text)
    return response.text


def test_serve_answers_every_phone_after_its_stdout_went_away(tmp_path: Path) -> None:
    config, log = tmp_path / "serve.toml", tmp_path / "serve.log"
    write_config(config, f'password = "{OLD}"')
    proc = subprocess.Popen(
        [sys.executable, "-m", "phonetui", "serve", "--config", str(config), "--log-file", str(log)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        assert "listening on" in first, first + proc.stderr.read()
        url = first.split("phones use ")[1].split()[0]
        proc.stdout.close()  # the reader is gone: every later write to serve's stdout fails (EPIPE)
        assert [ask(url, OLD) for _ in range(5)] == ["AUTHORIZED"] * 5
        write_config(config, f'password = "{NEW}"')
        proc.send_signal(signal.SIGHUP)  # what a closed terminal sends too
        deadline = time.monotonic() + 15
        while "reloaded" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ask(url, NEW) == "AUTHORIZED" and ask(url, OLD) == "UN-AUTHORIZED"
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=20)
        stderr = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    written = log.read_text()
    assert code == 0, stderr
    assert "Traceback" not in stderr and "Logging error" not in stderr, stderr
    assert "stdout is gone" in written and "reloaded" in written and "reload refused" not in written, written
    assert "stopped after" in written
    assert written.count("listening on") == 1 and "phonetui.service: stopped\n" not in written, written  # once
