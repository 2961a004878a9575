"""The app's own responder over HTTPS (``[service] tls_cert``/``tls_key``): started by the app, asked as a
phone asks its secure authentication URL, answered byte for byte as over HTTP, and logged on its screen."""

from __future__ import annotations

import ssl
from pathlib import Path

import tomli_w

from phonetui.config import parse_config
from phonetui.history import Journal
from phonetui.sim_cucm import make_certificate
from phonetui.tui.app import PhoneTUI
from phonetui.tui.screens.responder import ResponderScreen
from phonetui.tui.widgets.line_log import LineLog

from ..conftest import PASSWORD, USER
from ..test_responder_tls import expected, raw_ask
from .conftest import wait_until


async def test_the_apps_responder_answers_authenticate_over_https_byte_for_byte(tmp_path: Path) -> None:
    cert, key = make_certificate(tmp_path)  # a self-signed certificate for 127.0.0.1
    service = {"listen": "127.0.0.1:0", "username": USER, "password": PASSWORD, "tls_cert": str(cert)}
    raw = {"service": {**service, "tls_key": str(key)}, "phones": [{"name": "desk", "host": "127.0.0.9"}]}
    app = PhoneTUI(parse_config(tomli_w.dumps(raw)), journal=Journal(tmp_path / "history.jsonl"))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.service is not None and app.service.bound is not None)
        assert app.service is not None and app.own_service
        assert app.service.auth_url.startswith("https://127.0.0.1:")
        await pilot.press("r")
        assert isinstance(app.screen, ResponderScreen)
        tls = ssl.create_default_context(cafile=str(cert))  # the phone trusts the certificate, and checks it
        for password, token in ((PASSWORD, b"AUTHORIZED"), ("guess", b"UN-AUTHORIZED")):
            reply = await raw_ask(app.service, password, tls)
            assert reply == expected(token, reply)
            for extra in (b"set-cookie", b"strict-transport-security", b"x-frame-options"):
                assert extra not in reply.lower()
        log = app.screen.query_one("#auth-log", LineLog)
        await wait_until(pilot, lambda: len(log.lines) >= 2)
        await pilot.pause(0.2)
        lines = [line.plain for line in log.lines]
        assert len(lines) == 2, f"each request logged once: {lines}"  # the app's own service was heard twice
        assert lines[0].startswith("✓ AUTHORIZED") and lines[1].startswith("✗ UN-AUTHORIZED")
        assert PASSWORD not in " ".join(lines) and "guess" not in " ".join(lines)
