"""Issue 14's leftovers: pins said by ``push --ack`` and the app's pushes, the simulator's certificate kept current."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest
import tomli_w

from .conftest import PASSWORD, USER
from .https_phone import RecordingPhone
from .test_cli import phonetui


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_push_ack_says_what_it_pinned_and_which_phone_moved(
    https_phone: RecordingPhone, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    known = tmp_path / "kp"
    known.write_text("127.77.0.1:443 AA:BB desk\n")
    monkeypatch.setenv("PHONETUI_KNOWN_PHONES", str(known))
    config = tmp_path / "phones.toml"
    config.write_text(
        tomli_w.dumps(
            {
                "defaults": {"username": USER, "password": PASSWORD},
                "service": {"listen": f"127.0.0.1:{_free_port()}", "username": "svc", "password": "svc-pw-1"},
                "phones": [{"name": "desk", "host": "127.0.0.1", "port": https_phone.port, "scheme": "https"}],
            }
        )
    )
    config.chmod(0o600)
    push = ("push", "--config", str(config), "--all", "--text", "Drill", "--ack", "--ack-wait", "1", "--no-history")
    first = await asyncio.to_thread(phonetui, *push)
    assert first.returncode == 1 and "0 of 1 acknowledged, 1 delivered" in first.stderr, first.stderr
    moved = "desk was pinned at 127.77.0.1 with another certificate; pinned 127.0.0.1 on first contact"
    assert moved in first.stderr
    pinned = f"pinned 1 new certificate on first contact (known-phones: {known})"
    assert pinned in first.stderr
    assert first.stderr.index(pinned) < first.stderr.index("0 of 1 acknowledged"), "said before the tally"
    again = await asyncio.to_thread(phonetui, *push)
    assert "pinned" not in again.stderr, again.stderr


def _simulate(tmp_path: Path, count: int, cert_dir: Path, port: str) -> tuple[Path, str]:
    """``simulate --https --cert-dir`` with ``count`` phones, pushed to by its CA, then stopped: config, stderr."""
    import signal
    import tomllib

    from .test_cli import Running, json_lines

    config = tmp_path / f"sim{count}.toml"
    simulate = ("simulate", "--count", str(count), "--https", "--port", port, "--base", "127.86.0.0")
    running = Running(*simulate, "--cert-dir", str(cert_dir), "--write-config", str(config), ready="Ctrl-C")
    try:
        raw = tomllib.loads(config.read_text())
        raw["defaults"] |= {"verify": True, "ca_file": "certs/phones-ca.pem"}
        config.write_text(tomli_w.dumps(raw))
        pushed = phonetui("push", "--config", str(config), "--all", "--text", "Hi", "--json")
        outcomes = [r["outcome"] for r in json_lines(pushed.stdout)]
        assert outcomes == ["ok"] * count, pushed.stdout + pushed.stderr
    finally:
        running.proc.send_signal(signal.SIGTERM)
        _, err = running.proc.communicate(timeout=15)
    assert running.proc.returncode == 0, err
    return config, err


def test_simulate_cert_dir_remakes_the_certificate_when_the_fleet_has_new_addresses(tmp_path: Path) -> None:
    """A kept certificate naming 2 phones would fail the third: it is made again, by the same CA, and said."""
    cert_dir, port = tmp_path / "certs", str(_free_port())
    _, err = _simulate(tmp_path, 2, cert_dir, port)
    assert "phones' certificate" not in err, err
    ca, cert = (cert_dir / "phones-ca.pem").read_bytes(), (cert_dir / "phones-cert.pem").read_bytes()
    _, err = _simulate(tmp_path, 2, cert_dir, port)
    assert "phones' certificate" not in err and (cert_dir / "phones-cert.pem").read_bytes() == cert, "kept as it is"
    _, err = _simulate(tmp_path, 3, cert_dir, port)  # a third phone, at 127.86.0.3
    line = f"phonetui: the phones' certificate in {cert_dir} did not name 127.86.0.3: made a new one"
    assert line in err and f"signed by the same CA ({cert_dir / 'phones-ca.pem'})" in err, err
    assert len([x for x in err.splitlines() if "phones' certificate" in x]) == 1
    assert (cert_dir / "phones-ca.pem").read_bytes() == ca and (cert_dir / "phones-cert.pem").read_bytes() != cert
    assert oct((cert_dir / "phones-ca-key.pem").stat().st_mode & 0o777) == "0o600"
