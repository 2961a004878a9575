"""Selecting phones by what the last probe found: state, family, model, DN, tag."""

from __future__ import annotations

import time
from collections import Counter

from phonetui.cisco.devinfo import DeviceInfo
from phonetui.cisco.families import family_for_model
from phonetui.config import Phone
from phonetui.probe import ProbeResult, ProbeState
from phonetui.tui.state import Fleet


def phone(name: str, model: str, tags: tuple[str, ...] = ()) -> Phone:
    family = family_for_model(model)
    return Phone(name, f"10.0.0.{len(name)}", model=model, tags=tags, family=family, charset=family.charset)


def probed(fleet: Fleet, name: str, state: ProbeState, model: str = "", dn: str = "") -> None:
    info = DeviceInfo(model=model, dn=dn) if state == "online" else None
    assert fleet.apply_probe(ProbeResult(fleet.states[name].phone, state, info=info, at=time.time()))


def fleet() -> Fleet:
    phones = Fleet(
        [
            phone("lobby", "CP-8845", ("hq",)),
            phone("desk", "CP-8865"),
            phone("old", "CP-7940G", ("hq",)),
            phone("hall", "CP-7841"),
            phone("never", "CP-8851"),
        ]
    )
    probed(phones, "lobby", "online", "CP-8845", "4001")
    probed(phones, "desk", "offline")
    probed(phones, "old", "online", "CP-7940G", "5001")
    probed(phones, "hall", "online", "CP-8845", "4002")  # configured as a 7841
    return phones


def test_select_all_online_88xx() -> None:
    phones = fleet()
    assert sorted(phones.select_matching("online 88xx")) == ["hall", "lobby"]  # hall reported an 8845
    assert phones.select_matching("online 88xx") == []  # already selected: nothing changes


def test_states_families_dn_tags_and_unknown() -> None:
    for query, expected in (
        ("offline", ["desk"]),
        ("unknown", ["never"]),
        ("legacy", ["old"]),
        ("modern online", ["hall", "lobby"]),
        ("dn:40*", ["hall", "lobby"]),
        ("dn:5001", ["old"]),
        ("hq online", ["lobby", "old"]),
        ("8845", ["hall", "lobby"]),
        ("79xx", ["old"]),
        ("refused", []),
        ("down", ["desk"]),
        ("", []),
    ):
        assert sorted(fleet().select_matching(query)) == expected, query


def test_the_reported_model_is_shown_and_a_disagreement_known() -> None:
    phones = fleet()
    hall = phones.states["hall"]
    assert hall.model == "CP-8845" and hall.probe is not None and hall.probe.model_disagrees
    assert phones.states["never"].model == "CP-8851" and phones.states["never"].state == "unknown"
    assert phones.probed and not Fleet([phone("x", "8845")]).probed


def test_sorting_by_state_only_once_probed() -> None:
    fresh = Fleet([phone("a", "8845"), phone("b", "8845")])
    assert [fresh.cycle_sort() for _ in range(5)] == ["address", "model", "result", "latency", "name"]
    phones = fleet()
    assert [phones.cycle_sort() for _ in range(3)] == ["address", "model", "state"]
    assert [s.phone.name for s in phones.visible()] == ["desk", "lobby", "old", "hall", "never"]


def test_kept_counts_agree_with_counting_the_rows() -> None:
    """The status line reads counts the fleet keeps as rows change: they must equal a recount."""
    import random

    from phonetui.cisco import Outcome
    from phonetui.push import PushResult

    phones = fleet()
    names = list(phones.states)
    rng = random.Random(7)
    for _ in range(400):
        name = rng.choice(names)
        state = phones.states[name]
        move = rng.randrange(6)
        if move == 0:
            phones.toggle(name)
        elif move == 1:
            phones.select_visible(rng.random() < 0.5)
        elif move == 2:
            phones.select_none() if rng.random() < 0.3 else phones.select_tag("hq")
        elif move == 3:
            phones.set_result(state, None, pending=True)
        else:
            outcome = rng.choice(list(Outcome))
            phones.set_result(state, PushResult(state.phone, outcome, "direct", "x"))
        recount = Counter(s.result.outcome for s in phones.states.values() if s.result is not None)
        assert phones.outcome_counts() == recount
        assert phones.selected_count() == len(phones.selected()) == sum(s.selected for s in phones.states.values())
