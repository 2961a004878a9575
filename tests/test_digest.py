"""Multiplatform (MPP) phones: Digest for pushes and screenshots, and their replies with no CiscoIPPhoneResponse.

Against the simulator's MPP phones on loopback, which check RFC 7616 Digest (MD5, qop auth)
with their own user and password.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import httpx
import pytest
import tomli_w

from phonetui.cisco import CiscoIPPhoneText, Outcome, decode_reply
from phonetui.cisco.replies import MPP_ACCEPTED
from phonetui.cisco.screens import MPP_PATH
from phonetui.config import Defaults, Phone, parse_config
from phonetui.phone_auth import auth_scheme
from phonetui.push import Pusher, PushResult
from phonetui.screenshot import ShotOutcome, ShotPacer, fetch_screenshot
from phonetui.service import Service
from phonetui.sim_digest import REALM, DigestGate, digest_params, expected_response
from phonetui.simphone import fleet_phones
from phonetui.simulator import Simulator

from .conftest import PASSWORD, USER


def config_phones(sim: Simulator) -> dict[str, Phone]:
    return {p.name: p for p in parse_config(tomli_w.dumps(sim.config(USER, PASSWORD))).phones}


async def screen(phone: Phone) -> dict[str, object]:
    async with httpx.AsyncClient(trust_env=False) as client:
        answer: dict[str, object] = (await client.get(f"http://{phone.address}/sim/screen")).json()
        return answer


async def push(pusher: Pusher, text: str, phones: list[Phone], **kw: object) -> dict[str, PushResult]:
    return {r.phone.name: r async for r in pusher.push(CiscoIPPhoneText("MPP", "", text), phones, **kw)}  # type: ignore[arg-type]


async def test_mpp_phones_take_digest_with_their_own_credentials(service: Service, defaults: Defaults) -> None:
    async with Simulator(fleet_phones(4, service.auth_url, mpp=2)) as sim:
        phones = config_phones(sim)
        mpp = [phones["sim-0003"], phones["sim-0004"]]
        assert [auth_scheme(p) for p in phones.values()] == ["basic", "basic", "digest", "digest"]
        assert all(p.username == "admin" and p.password not in ("", PASSWORD) for p in mpp)
        async with Pusher(defaults) as pusher:
            results = await push(pusher, "Hello MPP", list(phones.values()))
            assert {r.outcome for r in results.values()} == {Outcome.OK}
            for phone in mpp:
                result = results[phone.name]
                assert (result.detail, result.status) == (MPP_ACCEPTED, 200)
                shown = await screen(phone)
                assert (shown["text"], shown["pushes"]) == ("Hello MPP", 1)  # the challenged POST did nothing
            issued = len(sim.digest._nonces)
            assert issued == 2  # one challenge a phone
            again = await push(pusher, "Again", mpp)
            assert {r.outcome for r in again.values()} == {Outcome.OK}
            assert len(sim.digest._nonces) == issued  # the run kept each phone's challenge: no new round trip
        assert (await screen(mpp[0]))["pushes"] == 2


async def test_digest_without_the_right_credentials_is_auth_failed(service: Service, defaults: Defaults) -> None:
    async with Simulator(fleet_phones(3, service.auth_url, mpp=3)) as sim:
        # phones whose own tables give no user: the push user's wrong password is what they get
        phones = [dataclasses.replace(p, own_credentials=False) for p in config_phones(sim).values()]
        async with Pusher(defaults) as pusher:
            wrong = await push(pusher, "x", phones, credentials=("admin", "wrong"))
            # Basic to an MPP phone is no answer to its challenge either
            basic = [Phone(p.name, p.host, p.port, model=p.model, username="admin", password=p.password, auth="basic")
                     for p in phones]  # fmt: skip
            plain = await push(pusher, "x", basic)
        for results in (wrong, plain):
            assert {r.outcome for r in results.values()} == {Outcome.AUTH_FAILED}, results
            assert {r.status for r in results.values()} == {401}
        assert all("Digest" in r.hint and "own user and password" in r.hint for r in wrong.values())
        for phone in phones:
            assert (await screen(phone))["pushes"] == 0


async def test_the_body_has_its_length_both_times(defaults: Defaults) -> None:
    """A phone that records each request: the challenged POST and the answered one carry the same body and length."""
    gate, seen = DigestGate(), []

    async def phone(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in head.split("\r\n")[1:] if line)}
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        seen.append((headers, body))
        verdict = gate.check(headers.get("authorization", ""), "POST", "/CGI/Execute", "admin", "pw")
        if verdict == "ok":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        else:
            challenge = gate.challenge().encode()
            writer.write(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: " + challenge + b"\r\nContent-Length: 0\r\n"
                         b"Connection: close\r\n\r\n")  # fmt: skip
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(phone, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        target = Phone("mpp", "127.0.0.1", port, model="CP-8851-3PCC", username="admin", password="pw")
        async with Pusher(defaults) as pusher:
            results = await push(pusher, "Length", [target])
    assert results["mpp"].outcome is Outcome.OK
    assert len(seen) == 2
    (first, body1), (second, body2) = seen
    assert "authorization" not in first and second["authorization"].startswith("Digest ")
    assert body1 == body2 and body1.startswith(b"XML=")
    assert first["content-length"] == second["content-length"] == str(len(body1))
    assert "transfer-encoding" not in first and "expect" not in first


async def test_mpp_screenshots_use_the_same_digest_credentials(service: Service) -> None:
    async with Simulator(fleet_phones(2, service.auth_url, mpp=1)) as sim:
        phone = config_phones(sim)["sim-0002"]
        async with httpx.AsyncClient(trust_env=False) as client:
            shot = await fetch_screenshot(client, phone, None, 3.0, ShotPacer(0))
            assert (shot.outcome, shot.path) == (ShotOutcome.OK, MPP_PATH), shot
            kept = await fetch_screenshot(client, phone, ("admin", "wrong"), 3.0, ShotPacer(0))
            assert kept.outcome is ShotOutcome.OK, kept  # its own user, not the push user given
            alone = dataclasses.replace(phone, own_credentials=False)  # a table with no user of its own
            refused = await fetch_screenshot(client, alone, ("admin", "wrong"), 3.0, ShotPacer(0))
            assert refused.outcome is ShotOutcome.AUTH_FAILED and "Digest" in refused.hint, refused


def test_auth_in_the_config_per_phone_and_defaults() -> None:
    config = parse_config(
        '[defaults]\nusername = "u"\npassword = "p"\n'
        '[[phones]]\nname = "a"\nhost = "10.0.0.1"\nmodel = "CP-8851-3PCC"\n'
        '[[phones]]\nname = "b"\nhost = "10.0.0.2"\nmodel = "CP-8845"\n'
        '[[phones]]\nname = "c"\nhost = "10.0.0.3"\nmodel = "CP-8845"\nauth = "digest"\n'
        '[[phones]]\nname = "d"\nhost = "10.0.0.4"\nmodel = "CP-6851"\nauth = "basic"\n'
    )
    assert [auth_scheme(p) for p in config.phones] == ["digest", "basic", "digest", "basic"]
    everyone = parse_config('[defaults]\nauth = "digest"\n[[phones]]\nname = "a"\nhost = "10.0.0.1"\n')
    assert auth_scheme(everyone.phones[0]) == "digest"
    try:
        parse_config('[[phones]]\nname = "a"\nhost = "10.0.0.1"\nauth = "ntlm"\n')
    except Exception as exc:
        assert "phones[0].auth" in str(exc) and "digest" in str(exc)
    else:
        raise AssertionError("auth = ntlm was accepted")


def test_mpp_replies_decode_as_accepted() -> None:
    for body, kind in ((b"", "text/html"), (b"<html><body>OK</body></html>", "text/html")):
        reply = decode_reply(200, body, kind, multiplatform=True)
        assert (reply.outcome, reply.summary) == (Outcome.OK, MPP_ACCEPTED)
        assert decode_reply(200, body, kind).outcome is Outcome.BAD_REPLY  # a CUCM phone: not an answer
    assert decode_reply(401, b"", multiplatform=True).outcome is Outcome.AUTH_FAILED
    assert decode_reply(500, b"", multiplatform=True).outcome is Outcome.HTTP_ERROR


def test_the_gate_checks_nonce_uri_count_and_response() -> None:
    gate = DigestGate()
    params = digest_params(gate.challenge()) or {}
    answer = {"username": "admin", "realm": REALM, "nonce": params["nonce"], "uri": "/CGI/Execute",
              "qop": "auth", "nc": "00000001", "cnonce": "abc"}  # fmt: skip

    def header(**over: str) -> str:
        fields = answer | over
        fields["response"] = over.get("response") or expected_response(fields, "POST", "pw")
        return "Digest " + ", ".join(f'{k}="{v}"' for k, v in fields.items())

    assert gate.check(header(), "POST", "/CGI/Execute", "admin", "pw") == "ok"
    assert gate.check(header(), "POST", "/CGI/Execute", "admin", "pw") == "refused"  # the same nc again
    assert gate.check(header(nc="00000002"), "POST", "/CGI/Execute", "admin", "pw") == "ok"
    assert gate.check(header(nc="00000003"), "POST", "/CGI/Execute", "admin", "other") == "refused"
    assert gate.check(header(nc="00000004", uri="/x"), "POST", "/CGI/Execute", "admin", "pw") == "refused"
    assert gate.check(header(nc="00000005", qop="auth-int"), "POST", "/CGI/Execute", "admin", "pw") == "refused"
    assert gate.check(header(nc="00000006", response="0" * 32), "POST", "/CGI/Execute", "admin", "pw") == "refused"
    assert gate.check(header(nonce="f" * 32), "POST", "/CGI/Execute", "admin", "pw") == "stale"
    assert gate.check("Basic YWRtaW46cHc=", "POST", "/CGI/Execute", "admin", "pw") == "refused"


async def test_a_huge_challenge_is_not_read(defaults: Defaults) -> None:
    """A hostile phone that challenges with a 100 MB 401: its headers answer, its body is never read."""
    gate, written = DigestGate(), []

    async def phone(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        size = 100 * 1024 * 1024
        writer.write(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: " + gate.challenge().encode()
                     + b"\r\nContent-Length: %d\r\n\r\n" % size)  # fmt: skip
        sent = 0
        try:
            while sent < size:
                writer.write(b"x" * 65536)
                await writer.drain()
                sent += 65536
        except (ConnectionError, OSError):
            pass
        written.append(sent)
        writer.close()

    server = await asyncio.start_server(phone, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        target = Phone("mpp", "127.0.0.1", port, model="CP-8851-3PCC", username="admin", password="pw")
        async with Pusher(defaults) as pusher:
            results = await push(pusher, "Huge", [target])
        await asyncio.sleep(0.2)
    assert results["mpp"].outcome is Outcome.AUTH_FAILED, results
    assert written and max(written) < 20 * 1024 * 1024, written


async def test_basic_to_a_phone_asking_for_digest_says_set_auth_digest(
    service: Service, defaults: Defaults, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from phonetui.cli import main

    async with Simulator(fleet_phones(2, service.auth_url, mpp=1)) as sim:
        raw = sim.config(USER, PASSWORD)
        for entry in raw["phones"]:
            entry["auth"] = "basic"
        phones = {p.name: p for p in parse_config(tomli_w.dumps(raw)).phones}
        async with Pusher(defaults) as pusher:
            results = await push(pusher, "Hi", [phones["sim-0002"]])
        refused = results["sim-0002"]
        assert refused.outcome is Outcome.AUTH_FAILED
        assert refused.hint == 'the phone asks for Digest: set auth = "digest" for it (multiplatform phones use Digest)'
        config = tmp_path / "c.toml"
        config.write_text(tomli_w.dumps(raw))
        config.chmod(0o600)
        assert await asyncio.to_thread(main, ["check", "--config", str(config)]) == 0
        out = capsys.readouterr().out
        assert 'warning: auth = "basic" for the phone sim-0002, a multiplatform model' in out, out
        assert "1 multiplatform" in out, out


async def test_the_push_users_credentials_given_leave_a_digest_phones_own_alone(
    service: Service, defaults: Defaults
) -> None:
    """``push --password X`` replaces the push user's password, not an MPP phone's own (its table's)."""
    async with Simulator(fleet_phones(4, service.auth_url, mpp=2)) as sim:
        phones = config_phones(sim)
        assert phones["sim-0003"].own_credentials and not phones["sim-0001"].own_credentials
        async with Pusher(defaults) as pusher:
            results = await push(pusher, "x", list(phones.values()), credentials=(USER, "wrong"))
    outcomes = {name: result.outcome for name, result in results.items()}
    assert outcomes == {
        "sim-0001": Outcome.AUTH_FAILED,  # the push user's wrong password, checked by the responder
        "sim-0002": Outcome.AUTH_FAILED,
        "sim-0003": Outcome.OK,  # its own Digest user, from its table
        "sim-0004": Outcome.OK,
    }, results
