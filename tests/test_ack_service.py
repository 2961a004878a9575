"""The service's Ack URL and alert desk: real requests on loopback."""

from __future__ import annotations

import logging

import httpx
import pytest

from phonetui.alert_desk import RemoteAlertDesk, ServiceAlertDesk
from phonetui.alerts import Acknowledgement, Alert
from phonetui.cisco import CiscoIPPhoneText, parse_object
from phonetui.service import THROTTLE_FAILURES, Service, without_token

from .conftest import PASSWORD, USER


def _text(response: httpx.Response) -> CiscoIPPhoneText:
    obj = parse_object(response.content)
    assert isinstance(obj, CiscoIPPhoneText), "every answer is an object the phone can show"
    return obj


async def test_ack_records_once_and_answers_the_reply(service: Service) -> None:
    heard: list[Acknowledgement] = []
    service.ack_listeners.append(heard.append)
    alert = Alert.new(["lobby", "desk"], 60, "Merci", {"desk": "iso-8859-1"})
    service.alerts.register(alert)
    async with httpx.AsyncClient() as client:
        first = await client.get(f"{service.url}/ack/{alert.id}/{alert.tokens['lobby']}")
        again = await client.get(f"{service.url}/ack/{alert.id}/{alert.tokens['lobby']}")
        legacy = await client.get(f"{service.url}/ack/{alert.id}/{alert.tokens['desk']}")
    assert first.status_code == 200 and first.headers["content-type"] == "text/xml; charset=UTF-8"
    assert first.headers["connection"] == "close"
    assert set(first.headers) <= {"server", "content-type", "content-length", "date", "connection"}
    assert _text(first).text == "Merci" and _text(again).text == "Merci"
    assert legacy.headers["content-type"] == "text/xml; charset=ISO-8859-1"
    assert legacy.content.startswith(b'<?xml version="1.0" encoding="ISO-8859-1"?>')
    assert [a.phone for a in heard] == ["lobby", "desk"], "the second fetch counts once"


async def test_forged_stale_and_crossed_tokens_acknowledge_nothing(service: Service) -> None:
    one, two = Alert.new(["a"], 60), Alert.new(["a"], 60)
    stale = Alert(Alert.new(["a"], 1).id, {"a": "s" * 22}, 0.0, 1.0)
    for alert in (one, two, stale):
        service.alerts.register(alert)
    async with httpx.AsyncClient() as client:
        crossed = await client.get(f"{service.url}/ack/{two.id}/{one.tokens['a']}")
        forged = await client.get(f"{service.url}/ack/{one.id}/{'A' * 22}")
        expired = await client.get(f"{service.url}/ack/{stale.id}/{stale.tokens['a']}")
        nothing = await client.get(f"{service.url}/ack/{one.id}")
    assert "not valid" in _text(crossed).text and "not valid" in _text(forged).text
    assert "expired" in _text(expired).text
    assert nothing.status_code == 404
    assert all(service.alerts.acknowledgements(a.id) == [] for a in (one, two, stale))


async def test_ack_failures_have_a_throttle_of_their_own(service: Service) -> None:
    """Mashing a stale Ack key is throttled at the Ack URL but never locks the phone out of /authenticate."""
    alert = Alert.new(["a"], 60)
    service.alerts.register(alert)
    async with httpx.AsyncClient() as client:
        for _ in range(THROTTLE_FAILURES * 3):
            stale = await client.get(f"{service.url}/ack/{alert.id}/{'B' * 22}")
        good = await client.get(f"{service.url}/ack/{alert.id}/{alert.tokens['a']}")
        auth = await client.get(f"{service.auth_url}", params={"UserID": USER, "Password": PASSWORD})
    assert "Too many" in _text(stale).text and "Too many" in _text(good).text, "throttled: the refusal object"
    assert service.alerts.acknowledgements(alert.id) == []
    assert auth.text == "AUTHORIZED", "the Ack throttle is not the /authenticate one"
    throttled = service.metrics.registry.get_sample_value("phonetui_acknowledgements_total", {"result": "throttled"})
    assert throttled == THROTTLE_FAILURES * 2 + 1


async def test_wrong_passwords_do_not_throttle_the_ack_url(service: Service) -> None:
    alert = Alert.new(["a"], 60)
    service.alerts.register(alert)
    async with httpx.AsyncClient() as client:
        for _ in range(THROTTLE_FAILURES):
            await client.get(f"{service.auth_url}", params={"UserID": USER, "Password": "guess"})
        auth = await client.get(f"{service.auth_url}", params={"UserID": USER, "Password": PASSWORD})
        good = await client.get(f"{service.url}/ack/{alert.id}/{alert.tokens['a']}")
    assert auth.text == "UN-AUTHORIZED", "/authenticate is throttled"
    assert _text(good).text == alert.reply and len(service.alerts.acknowledgements(alert.id)) == 1


async def test_remote_desk_registers_and_reads_acknowledgements(service: Service) -> None:
    desk = RemoteAlertDesk(service.url, USER, PASSWORD)
    alert = Alert.new(["a", "b"], 60)
    try:
        await desk.register(alert)
        async with httpx.AsyncClient() as client:
            await client.get(f"{service.url}/ack/{alert.id}/{alert.tokens['b']}")
            await client.get(f"{service.url}/ack/{alert.id}/{alert.tokens['a']}")
            refused = await client.post(f"{service.url}/alerts", json=Alert.new(["x"], 5).to_json())
            unauthorised = await client.get(f"{service.url}/alerts/{alert.id}")
            bad = await client.post(f"{service.url}/alerts", content=b"{", auth=(USER, PASSWORD))
            again = await client.post(f"{service.url}/alerts", json=alert.to_json(), auth=(USER, PASSWORD))
        acks = await desk.acknowledgements(alert.id)
        rest = await desk.acknowledgements(alert.id, since=1)
    finally:
        await desk.aclose()
    assert [a.phone for a in acks] == ["b", "a"] and [a.phone for a in rest] == ["a"]
    assert refused.status_code == 401 and unauthorised.status_code == 401
    assert bad.status_code == 400 and again.status_code == 409


async def test_service_desk_hears_each_acknowledgement(service: Service) -> None:
    desk = ServiceAlertDesk(service)
    alert = Alert.new(["a"], 60)
    await desk.register(alert)
    async with httpx.AsyncClient() as client:
        await client.get(f"{service.url}/ack/{alert.id}/{alert.tokens['a']}")
    await desk.news(1.0)
    assert [a.phone for a in await desk.acknowledgements(alert.id)] == ["a"]
    desk.close()
    assert not service.ack_listeners


async def test_an_ack_token_is_never_written_to_the_log_or_told_to_listeners(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    """A token is a phone's key to acknowledge: whoever reads the log must not be able to press it."""
    told: list[str] = []
    service.request_listeners.append(lambda peer, method, path, status: told.append(path))
    alert = Alert.new(["lobby"], 60)
    service.alerts.register(alert)
    token = alert.tokens["lobby"]
    with caplog.at_level(logging.INFO, logger="phonetui"):
        async with httpx.AsyncClient() as client:
            await client.get(f"{service.url}/ack/{alert.id}/{token}")
            await client.get(f"{service.url}/ack/{alert.id}/{'C' * 22}")
    assert told == [f"/ack/{alert.id}/…"] * 2
    assert caplog.records and token not in caplog.text and "C" * 22 not in caplog.text


def test_every_shape_of_an_ack_path_is_logged_without_its_token() -> None:
    assert without_token("/ack/a1b2/TOKEN") == "/ack/a1b2/…"
    assert without_token("/ack/a1b2/TOKEN/") == "/ack/a1b2/…"
    assert without_token("//ack/a1b2/TOKEN") == "//ack/a1b2/…"
    assert without_token("/x/ack/a1b2/TOKEN/more") == "/x/ack/a1b2/…"
    assert without_token("/ack/a1b2") == "/ack/a1b2" and without_token("/objects/x.xml") == "/objects/x.xml"


async def test_an_ack_refusal_is_counted_with_the_status_the_phone_got(service: Service) -> None:
    """Refusals go with 200 (a phone shows only that): the request counters say 200, not 403 or 429."""
    alert = Alert.new(["a"], 60)
    service.alerts.register(alert)
    async with httpx.AsyncClient() as client:
        answers = [await client.get(f"{service.url}/ack/{alert.id}/{'D' * 22}") for _ in range(THROTTLE_FAILURES + 2)]
    assert {a.status_code for a in answers} == {200}
    sample = service.metrics.registry.get_sample_value
    assert sample("phonetui_requests_total", {"status": "200"}) == THROTTLE_FAILURES + 2
    assert sample("phonetui_requests_total", {"status": "403"}) is None
    assert sample("phonetui_requests_total", {"status": "429"}) is None
