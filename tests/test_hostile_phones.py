"""Hostile or broken phones: each gets its own row within its timeout; memory stays bounded;
the healthy phones of the same push are not affected."""

from __future__ import annotations

import resource

from phonetui.cisco import CiscoIPPhoneText, Outcome
from phonetui.config import Defaults, Phone
from phonetui.push import Pusher
from phonetui.simulator import Simulator

from . import hostile
from .conftest import PASSWORD, USER

CASES = {
    "huge-body": (hostile.huge_body, {Outcome.BAD_REPLY}),
    "slow-drip": (hostile.slow_drip, {Outcome.TIMEOUT}),
    "entity-bomb": (hostile.entity_bomb, {Outcome.BAD_REPLY}),
    "deep-nesting": (hostile.deep_nesting, {Outcome.BAD_REPLY}),
    "invalid-utf8": (hostile.invalid_utf8, {Outcome.BAD_REPLY}),
    "html-login": (hostile.html_login, {Outcome.BAD_REPLY}),
    "redirect-loop": (hostile.redirect_loop, {Outcome.BAD_REPLY}),
    "reset-mid-body": (hostile.reset_mid_body, {Outcome.BAD_REPLY}),
    "tls-only": (hostile.tls_only, {Outcome.BAD_REPLY, Outcome.UNREACHABLE}),
    "never-starts": (hostile.never_starts, {Outcome.TIMEOUT}),
}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def test_hostile_phones_each_get_a_row_and_the_rest_carry_on(fleet: Simulator, defaults: Defaults) -> None:
    defaults.timeout, defaults.connect_timeout = 2.0, 1.0
    servers = {name: hostile.HostilePhone(behaviour, needs_port=name == "redirect-loop")
               for name, (behaviour, _) in CASES.items()}  # fmt: skip
    phones = [Phone(name, "127.0.0.1", await server.start(), username=USER, password=PASSWORD)
              for name, server in servers.items()]  # fmt: skip
    healthy = [Phone(p.name, p.host, p.port, model=p.model, username=USER, password=PASSWORD) for p in fleet.phones]
    before = peak_rss_mb()
    try:
        async with Pusher(defaults) as pusher:
            results = {r.phone.name: r async for r in pusher.push(CiscoIPPhoneText(text="hi"), phones + healthy)}
    finally:
        for server in servers.values():
            await server.stop()
    assert set(results) == {p.name for p in phones + healthy}, "every phone accounted for"
    deadline = defaults.connect_timeout + defaults.timeout + 0.5
    for name, (_, expected) in CASES.items():
        result = results[name]
        assert result.outcome in expected, (name, result.outcome, result.detail)
        assert result.latency is not None and result.latency <= deadline, (name, result.latency)
        assert len(result.body) <= 64 * 1024
    assert {results[p.name].outcome for p in healthy} == {Outcome.OK}
    assert "larger than" in results["huge-body"].detail
    assert "DTD" in results["entity-bomb"].detail
    assert "deeper" in results["deep-nesting"].detail
    assert "redirect" in results["redirect-loop"].detail
    assert peak_rss_mb() - before < 60, "a 100 MB reply must not be held in memory"
