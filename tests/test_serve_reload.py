"""``phonetui serve`` reloading on SIGHUP: a real process on loopback, signals by ``os.kill``, a client
asking all the while; the old password refused and the new admitted with no connection error between."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from phonetui.sim_cucm import make_certificate

OLD, NEW = "old-Pa55-7731", "new-Pa55-9904"
USER = "pusher"
DEVICE = "SEP001122334455"


def write_config(path: Path, password_line: str, extra: str = "", listen: str = "127.0.0.1:0") -> None:
    path.write_text(f'[service]\nlisten = "{listen}"\nusername = "{USER}"\n{password_line}\n{extra}')
    path.chmod(0o600)


class Serving:
    """``phonetui serve`` in the background, every line it prints kept (read by a thread)."""

    def __init__(self, config: Path, *extra: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "phonetui", "serve", "--config", str(config), *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline()
        if "listening on" not in first:
            self.proc.kill()
            raise AssertionError(first + self.proc.communicate(timeout=10)[1])
        self.url = first.split("phones use ")[1].split()[0]
        self.lines: list[str] = []
        self.terminated = False  # a second SIGTERM would end it at once: not sent by stop()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def __enter__(self) -> Serving:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:  # a failed test leaves no server behind
            self.proc.kill()
            self.proc.wait(timeout=10)

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def signal(self, sig: int) -> None:
        self.terminated = self.terminated or sig == signal.SIGTERM
        os.kill(self.proc.pid, sig)

    def wait_for(self, text: str, timeout: float = 15) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if text in line:
                    return line
            assert self.proc.poll() is None, f"serve ended ({self.proc.returncode}): {self.lines}"
            time.sleep(0.02)
        raise AssertionError(f"no line with {text!r} in {self.lines}")

    def stop(self) -> tuple[int, str]:
        if not self.terminated:
            self.signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()  # a failed test leaves no server behind
            raise
        self._reader.join(5)
        stderr = self.proc.stderr.read() if self.proc.stderr else ""
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()
        return code, stderr


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[tuple[Serving, Path]]:
    config = tmp_path / "serve.toml"
    write_config(config, f'password = "{OLD}"')
    server = Serving(config)
    try:
        yield server, config
    finally:
        server.stop()


def ask(client: httpx.Client, url: str, password: str, device: str = DEVICE) -> str:
    return client.get(url, params={"UserID": USER, "Password": password, "devicename": device}).text


class Asker:
    """A client asking without pause: with the old password until it is refused, then with the new.

    A wrong password is asked once only: ten from one address within a minute and the service
    refuses that address outright (its throttle), whatever the password.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.answers: list[tuple[str, str]] = []
        self.errors: list[BaseException] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        password = OLD
        with httpx.Client(trust_env=False, timeout=10) as client:
            while not self._stop.is_set():
                try:
                    answer = ask(client, self.url, password)
                except Exception as exc:  # every failure is the test's business
                    self.errors.append(exc)
                    continue
                self.answers.append((password, answer))
                if answer == "UN-AUTHORIZED":
                    password = NEW

    def until(self, seen: tuple[str, str], timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while seen not in self.answers[-50:] and time.monotonic() < deadline:
            time.sleep(0.02)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(15)


def test_sighup_changes_the_password_with_no_connection_error_between(serving: tuple[Serving, Path]) -> None:
    server, config = serving
    asker = Asker(server.url)
    try:
        asker.until((OLD, "AUTHORIZED"))
        write_config(config, f'password = "{NEW}"')
        server.signal(signal.SIGHUP)
        line = server.wait_for("reloaded")
        asker.until((NEW, "AUTHORIZED"))
        settled = len(asker.answers)
        time.sleep(0.3)  # more answers under the new password
    finally:
        asker.stop()
    assert not asker.errors, asker.errors
    assert server.proc.poll() is None  # SIGHUP no longer ends serve
    refused = asker.answers.index((OLD, "UN-AUTHORIZED"))
    assert refused > 0 and set(asker.answers[:refused]) == {(OLD, "AUTHORIZED")}
    assert set(asker.answers[refused + 1 :]) == {(NEW, "AUTHORIZED")}  # admitted at once, every time after
    assert len(asker.answers) > settled + 2  # and it went on answering
    with httpx.Client(trust_env=False) as client:
        assert ask(client, server.url, OLD) == "UN-AUTHORIZED"
    assert "password changed" in line and "user unchanged" in line and "TLS unchanged" in line
    assert NEW not in "\n".join(server.lines) and OLD not in "\n".join(server.lines)


def slow_post(url: str, password: str) -> tuple[socket.socket, bytes]:
    """A phone's POST to the authentication URL with the last of its form still to come."""
    host, port = url.split("/")[2].rsplit(":", 1)
    body = f"UserID={USER}&Password={password}&devicename=SEP001122334455".encode()
    head = (
        f"POST /authenticate HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    sock = socket.create_connection((host, int(port)), timeout=20)
    sock.sendall(head + body[:10])
    return sock, body[10:]


def refused(url: str) -> bool:
    """Nothing listens at ``url``'s address any more."""
    host, port = url.split("/")[2].rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(4096):
        chunks.append(chunk)
    return b"".join(chunks)


def test_a_request_in_flight_across_a_reload_is_answered(serving: tuple[Serving, Path]) -> None:
    server, config = serving
    sock, rest = slow_post(server.url, NEW)
    with sock:
        time.sleep(0.3)  # its handler waits for the rest of the form
        write_config(config, f'password = "{NEW}"')
        server.signal(signal.SIGHUP)
        server.wait_for("reloaded")
        sock.sendall(rest)
        reply = read_all(sock)
    assert reply.startswith(b"HTTP/1.1 200") and reply.endswith(b"\r\n\r\nAUTHORIZED"), reply  # judged by the new


def test_a_broken_config_on_sighup_is_refused_located_and_the_old_one_serves(
    serving: tuple[Serving, Path],
) -> None:
    server, config = serving
    write_config(config, f'password = "{NEW}"', 'allowed_devices = ["not-a-device"]\n')
    server.signal(signal.SIGHUP)
    refused = server.wait_for("reload refused")
    assert f"{config}:5: service.allowed_devices" in refused and "keeps serving" in refused
    config.write_text(f'[service]\nusername = "{USER}"\npassword = "{NEW}\n')  # not TOML at all
    server.signal(signal.SIGHUP)
    deadline = time.monotonic() + 15
    while sum("reload refused" in line for line in server.lines) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    second = [line for line in server.lines if "reload refused" in line][1]
    assert f"{config}:3" in second
    with httpx.Client(trust_env=False) as client:
        assert ask(client, server.url, OLD) == "AUTHORIZED"
        assert ask(client, server.url, NEW) == "UN-AUTHORIZED"
    assert NEW not in "\n".join(server.lines)


def test_password_file_allowlist_and_listen_are_reread(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text(OLD + "\n")
    config = tmp_path / "serve.toml"
    write_config(config, 'password_file = "password"')
    server = Serving(config)
    try:
        secret.write_text(NEW + "\n")  # a credential rotated: the config itself is unchanged
        write_config(config, 'password_file = "password"', f'allowed_devices = ["{DEVICE}"]\n', "127.0.0.1:1")
        server.signal(signal.SIGHUP)
        line = server.wait_for("reloaded")
        listen = server.wait_for("cannot change without a restart")
        with httpx.Client(trust_env=False) as client:  # still where it was
            assert ask(client, server.url, NEW) == "AUTHORIZED"
            assert ask(client, server.url, OLD) == "UN-AUTHORIZED"
            assert ask(client, server.url, NEW, "SEP00112233AAAA") == "UN-AUTHORIZED"
        assert "allowed devices changed (1 device)" in line and "password changed" in line
        assert "listen 127.0.0.1:1 " in listen and f"still listening on {server.url.split('/')[2]}" in listen
    finally:
        code, _ = server.stop()
    assert code == 0


def served_certificate(url: str) -> bytes:
    host, port = url.split("//")[1].split("/")[0].rsplit(":", 1)
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection((host, int(port)), timeout=10) as raw, context.wrap_socket(raw) as tls:
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return der


def test_a_renewed_certificate_serves_the_next_handshakes_and_a_bad_one_is_not_taken(tmp_path: Path) -> None:
    cert, key = make_certificate(tmp_path)
    config = tmp_path / "serve.toml"
    write_config(config, f'password = "{OLD}"', f'tls_cert = "{cert.name}"\ntls_key = "{key.name}"\n')
    server = Serving(config)
    try:
        first = served_certificate(server.url)
        (tmp_path / "renewed").mkdir()
        renewed_cert, renewed_key = make_certificate(tmp_path / "renewed")
        shutil.copy(renewed_cert, cert)  # renewed in place, as certbot and the like do
        shutil.copy(renewed_key, key)
        server.signal(signal.SIGHUP)
        assert "TLS certificate changed" in server.wait_for("reloaded")
        second = served_certificate(server.url)
        assert second != first and second == ssl.PEM_cert_to_DER_cert(renewed_cert.read_text())
        key.write_text("not a key\n")  # a renewal half done: refused, the certificate in use stays
        server.signal(signal.SIGHUP)
        assert "tls_key" in server.wait_for("reload refused")
        assert served_certificate(server.url) == second
    finally:
        code, _ = server.stop()
    assert code == 0


async def test_a_reload_hands_the_verdict_to_cucm_and_back(tmp_path: Path) -> None:
    """In process: the ``Reloader`` ``serve`` runs on SIGHUP, the verdict moved to a fake CUCM and back."""
    from phonetui.config import load_config
    from phonetui.service import Service
    from phonetui.service_reload import Reloader, service_settings
    from phonetui.sim_cucm import FakeCucm

    config = tmp_path / "serve.toml"
    write_config(config, f'password = "{OLD}"')
    said: list[str] = []
    async with FakeCucm([], "axl", "axl-pw", users={"jdoe": "cucm-pw"}) as cucm:
        cucm_table = (
            f'verdict = "cucm"\n[cucm]\nurl = "{cucm.url}"\nusername = "axl"\npassword = "axl-pw"\n'
            f'ca_file = "{cucm.ca_file}"\n'
        )
        async with Service(service_settings(load_config(config))) as service:
            reloader = Reloader(service, config, said.append)
            async with httpx.AsyncClient(trust_env=False) as client:

                async def answer(user: str, password: str) -> str:
                    fields = {"UserID": user, "Password": password, "devicename": DEVICE}
                    return (await client.get(service.auth_url, params=fields)).text

                assert await answer("jdoe", "cucm-pw") == "UN-AUTHORIZED"
                write_config(config, f'password = "{OLD}"', cucm_table)
                assert await reloader.reload()
                assert await answer("jdoe", "cucm-pw") == "AUTHORIZED" and cucm.authentications == 1
                assert "verdict changed" in said[-1]
                write_config(config, f'password = "{OLD}"')
                assert await reloader.reload()
                assert service._cucm is None  # retired: the next verdict is the config's
                assert await answer(USER, OLD) == "AUTHORIZED" and cucm.authentications == 1
    assert all("axl-pw" not in line and OLD not in line for line in said)


async def test_turning_https_on_needs_a_restart_and_the_rest_still_reloads(tmp_path: Path) -> None:
    from phonetui.config import load_config
    from phonetui.service import Service
    from phonetui.service_reload import Reloader, service_settings

    cert, key = make_certificate(tmp_path)
    config = tmp_path / "serve.toml"
    write_config(config, f'password = "{OLD}"')
    said: list[str] = []
    async with Service(service_settings(load_config(config))) as service:
        reloader = Reloader(service, config, said.append)
        write_config(config, f'password = "{NEW}"', f'tls_cert = "{cert.name}"\ntls_key = "{key.name}"\n')
        assert await reloader.reload()
        assert said[0] == "reload: https instead of http needs a restart; still serving http"
        assert "password changed" in said[1] and "TLS unchanged" in said[1]
        assert service.config.scheme == "http" and service.config.password == NEW
        async with httpx.AsyncClient(trust_env=False) as client:
            fields = {"UserID": USER, "Password": NEW, "devicename": DEVICE}
            assert (await client.get(service.auth_url, params=fields)).text == "AUTHORIZED"
