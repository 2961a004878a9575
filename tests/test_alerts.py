"""The alert, the book the service keeps, and the tally: pure, no network."""

from __future__ import annotations

import time

import pytest

from phonetui.alerts import Alert, AlertBook, AlertTally, PhoneState, Verdict, iso_time


def test_tokens_are_unguessable_and_one_per_phone() -> None:
    first, second = Alert.new(["a", "b"], 60), Alert.new(["a", "b"], 60)
    assert first.id != second.id and len(first.id) >= 16
    assert first.tokens["a"] != first.tokens["b"] and len(first.tokens["a"]) >= 22
    assert first.tokens["a"] != second.tokens["a"]


def test_book_counts_a_phone_once_and_never_across_alerts() -> None:
    book = AlertBook()
    one, two = Alert.new(["a", "b"], 60), Alert.new(["a", "b"], 60)
    assert book.register(one) and book.register(two)
    assert not book.register(one), "an id is registered once"
    verdict, ack = book.acknowledge(one.id, one.tokens["a"], "127.0.0.5")
    assert verdict is Verdict.NEW and ack is not None and ack.phone == "a" and ack.peer == "127.0.0.5"
    again, same = book.acknowledge(one.id, one.tokens["a"], "127.0.0.6")
    assert again is Verdict.AGAIN and same == ack, "the first acknowledgement stands"
    assert book.acknowledge(two.id, one.tokens["b"], "x")[0] is Verdict.UNKNOWN, "a token of another alert"
    assert book.acknowledge(one.id, "forged-token-forged-token", "x")[0] is Verdict.UNKNOWN
    assert book.acknowledge("no-such-alert", one.tokens["b"], "x")[0] is Verdict.UNKNOWN
    assert [a.phone for a in book.acknowledgements(one.id) or []] == ["a"]
    book.acknowledge(one.id, one.tokens["b"], "127.0.0.7")
    assert [a.phone for a in book.acknowledgements(one.id, since=1) or []] == ["b"], "a reader asks for the rest"
    assert book.acknowledgements(two.id) == []
    assert book.acknowledgements("nope") is None


def test_expired_alert_refuses_its_tokens() -> None:
    book = AlertBook()
    alert = Alert.new(["a"], 5)
    book.register(alert)
    assert book.acknowledge(alert.id, alert.tokens["a"], "x", now=alert.expires + 1)[0] is Verdict.EXPIRED
    assert book.acknowledgements(alert.id) == []


def test_json_round_trip_and_bad_alerts() -> None:
    alert = Alert.new(["a", "b"], 30, "Seen, thanks", {"a": "iso-8859-1"})
    back = Alert.from_json(alert.to_json())
    assert (back.id, dict(back.tokens), back.reply, dict(back.charsets)) == (
        alert.id, dict(alert.tokens), "Seen, thanks", {"a": "iso-8859-1"},
    )  # fmt: skip
    assert 29 < back.expires - time.time() <= 30
    for bad in (
        [],
        {"id": "short"},
        {**alert.to_json(), "tokens": {"a": "weak"}},
        {**alert.to_json(), "expires_in": 0},
    ):
        with pytest.raises(ValueError):
            Alert.from_json(bad)


def test_tally_moves_forward_and_says_so() -> None:
    tally = AlertTally(["a", "b", "c", "d"])
    assert tally.summary() == "0 of 4 acknowledged, 0 delivered, 0 failed, 4 pending"
    tally.delivered("a", True)
    tally.delivered("b", True)
    tally.delivered("c", False)
    tally.delivered("d", True)
    assert tally.summary() == "0 of 4 acknowledged, 3 delivered, 1 failed"
    assert tally.acknowledged("a", 100.0) and not tally.acknowledged("a", 101.0)
    assert tally.acked_at == {"a": 100.0}
    tally.delivered("b", False)  # a repeat that failed does not undo the delivery
    assert tally.states["b"] is PhoneState.DELIVERED
    tally.delivered("a", False)
    assert tally.states["a"] is PhoneState.ACKNOWLEDGED
    assert tally.summary() == "1 of 4 acknowledged, 2 delivered, 1 failed"
    assert tally.repeat_targets() == ["b", "d"]
    assert tally.repeat_targets(include_failed=True) == ["b", "c", "d"]
    assert tally.unacknowledged() == ["b", "c", "d"]
    assert tally.acknowledged("c", 102.0), "a phone whose push failed may still have shown it"
    assert not tally.acknowledged("stranger", 103.0)
    assert not tally.complete


def test_iso_time_carries_an_offset() -> None:
    stamp = iso_time(1_800_000_000.25)
    assert stamp[10] == "T" and stamp[-6] in "+-" and ".250" in stamp
