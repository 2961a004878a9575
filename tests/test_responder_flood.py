"""A flood of bad requests against ``phonetui serve``: the right answer still, a small log, true counters.

The responder runs as ``phonetui serve`` in its own process (the real command, its real log
file); the flood comes from this one over plain sockets, from several loopback addresses.
"""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from .conftest import PASSWORD, USER, needs_loopback_aliases

FLOODERS = [f"127.0.0.{n}" for n in range(2, 7)]
PER_FLOODER = 10_000
THREADS = 4  # connections at once from each address
FRESH = "127.0.0.7"


def start_serve(tmp_path: Path) -> tuple[subprocess.Popen[str], str, str, Path]:
    """``phonetui serve`` logging to a file, metrics on an address of their own: its two base URLs and the log."""
    log = tmp_path / "responder.log"
    config = tmp_path / "serve.toml"
    config.write_text(
        f'[service]\nlisten = "127.0.0.1:0"\nusername = "{USER}"\npassword = "{PASSWORD}"\n'
        f'log_file = "{log.name}"\nmetrics_listen = "127.0.0.1:0"\n'
    )
    config.chmod(0o600)
    command = [sys.executable, "-m", "phonetui", "serve", "--config", str(config)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    phones = monitors = ""
    deadline = time.monotonic() + 30
    while not (phones and monitors) and time.monotonic() < deadline:
        line = proc.stdout.readline()
        assert line, f"serve exited: {proc.stderr.read() if proc.stderr else ''}"
        if found := re.search(r"listening on (\S+);", line):
            phones = f"http://{found.group(1)}"
        if found := re.search(r"health and metrics at (http://\S+)/metrics", line):
            monitors = found.group(1)
    return proc, phones, monitors, log


def flood(host: str, port: int, source: str, count: int, answers: Counter[bytes]) -> None:
    """``count`` requests with a wrong password from ``source``, one after another; their answers counted.

    Plain blocking sockets, a thread each: the flood must cost this process less than it costs
    the responder (which closes the connection after each answer, so each is a connection).
    """
    request = (
        f"GET /authenticate?UserID={USER}&Password=guess-wrong&devicename=SEP001122334455 HTTP/1.1\r\n"
        f"Host: {host}\r\n\r\n"
    ).encode()
    for _ in range(count):
        with socket.socket() as sock:
            sock.bind((source, 0))
            sock.connect((host, port))
            sock.sendall(request)
            answer = b""
            while chunk := sock.recv(4096):
                answer += chunk
        answers[answer.rpartition(b"\r\n\r\n")[2]] += 1


def logged_counts(text: str, address: str) -> int:
    """How many requests from ``address`` the log accounts for: lines of their own, and summaries."""
    own = len(re.findall(rf"auth {re.escape(address)} GET ", text))
    summed = sum(int(n) for n in re.findall(rf" {re.escape(address)}: (\d+) more \S+ requests in the last", text))
    return own + summed


def verdicts(metrics: str) -> dict[str, float]:
    for family in text_string_to_metric_families(metrics):
        if family.name == "phonetui_auth_verdicts":
            return {s.labels["verdict"]: s.value for s in family.samples if s.name.endswith("_total")}
    raise AssertionError("no phonetui_auth_verdicts in /metrics")


@needs_loopback_aliases
def test_a_flood_of_bad_requests_leaves_a_small_log_and_true_counters(tmp_path: Path) -> None:
    proc, phones, monitors, log = start_serve(tmp_path)
    each = [(source, Counter[bytes]()) for source in FLOODERS for _ in range(THREADS)]  # a counter a thread
    try:
        host, port = phones.removeprefix("http://").rsplit(":", 1)
        threads = [
            threading.Thread(target=flood, args=(host, int(port), source, PER_FLOODER // THREADS, answers))
            for source, answers in each
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with httpx.Client(transport=httpx.HTTPTransport(local_address=FRESH), trust_env=False, timeout=10) as client:
            good = client.get(
                f"{phones}/authenticate", params={"UserID": USER, "Password": PASSWORD, "devicename": "SEP0011223344AA"}
            )
            hidden = [client.get(f"{phones}{path}").status_code for path in ("/metrics", "/healthz")]
        with httpx.Client(trust_env=False, timeout=10) as client:
            health = client.get(f"{monitors}/healthz")
            metrics = client.get(f"{monitors}/metrics").text
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        proc.stderr.close()
    floods = {
        source: sum((answers for from_, answers in each if from_ == source), Counter[bytes]()) for source in FLOODERS
    }
    assert all(answers == {b"UN-AUTHORIZED": PER_FLOODER} for answers in floods.values())
    assert good.content == b"AUTHORIZED"
    assert hidden == [404, 404], "phones' address does not serve the monitors' endpoints"
    assert health.status_code == 200 and health.text.count("\n") == 1
    assert verdicts(metrics) == {"AUTHORIZED": 1, "UN-AUTHORIZED": len(FLOODERS) * PER_FLOODER, "ERROR": 0}
    size = log.stat().st_size
    text = log.read_text(encoding="utf-8")
    assert size < 100_000, f"{size} bytes of log for {len(FLOODERS) * PER_FLOODER} requests"
    for address in FLOODERS:
        assert logged_counts(text, address) == PER_FLOODER, address
        assert re.search(rf" {re.escape(address)}: \d+ more throttled requests in the last \d+ s", text)
    assert f"auth {FRESH} GET device='SEP0011223344AA' user='{USER}': AUTHORIZED" in text
    assert PASSWORD not in text and "guess-wrong" not in text
