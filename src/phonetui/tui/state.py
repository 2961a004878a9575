"""The fleet as the operator sees it: selection, filter, sort, last results."""

from __future__ import annotations

import gc
import ipaddress
import re
from collections import Counter
from dataclasses import dataclass

from ..cisco import FAMILIES, Outcome
from ..cisco.families import family_for_model, model_number
from ..config import Phone
from ..probe import PROBE_STATES, ProbeResult
from ..push import PushResult

SORT_KEYS = ("name", "address", "model", "state", "result", "latency")
#: A state word in a selection query: the probe's states, ``unknown`` for never probed, and
#: ``down`` for probed but not online (offline, refused, not-a-phone or unresolved).
STATE_WORDS = (*PROBE_STATES, "unknown", "down")
_MODEL_PATTERN = re.compile(r"(\d{1,4})(x*)", re.IGNORECASE)


@dataclass(slots=True)  # 20,000 of them are made as the app starts
class PhoneState:
    """One phone's row: whether it is selected and how its last push ended."""

    phone: Phone
    selected: bool = False
    result: PushResult | None = None
    pending: bool = False
    probe: ProbeResult | None = None
    #: Where the row stands in the current alert, in words: ``delivered``, ``acknowledged 10:31:02``, or "".
    alert: str = ""

    @property
    def state(self) -> str:
        """The last probe's state, or ``unknown``."""
        return self.probe.state if self.probe else "unknown"

    @property
    def model(self) -> str:
        """The model the phone reported, else the configured one."""
        if self.probe and self.probe.info and self.probe.info.model:
            return self.probe.info.model
        return self.phone.model

    @property
    def dn(self) -> str:
        if self.probe and self.probe.info and self.probe.info.dn:
            return self.probe.info.dn
        return self.phone.dn

    def matches_word(self, word: str) -> bool:
        """One word of a selection query: a state, a family, a model (``88xx``, ``8845``), ``dn:40*``, a tag or text."""
        word = word.lower()
        if word == "down":
            return self.state not in ("online", "unknown")
        if word in STATE_WORDS:
            return self.state == word
        if word in FAMILIES:
            return family_for_model(self.model).name == word if self.model else self.phone.family.name == word
        if word.startswith("dn:"):
            pattern = word[3:]
            return self.dn.startswith(pattern[:-1]) if pattern.endswith("*") else self.dn == pattern
        model = _MODEL_PATTERN.fullmatch(word)
        if model and len(word) == 4:
            number = model_number(self.model)
            return bool(number) and number.startswith(model.group(1))
        if word in (tag.lower() for tag in self.phone.tags):
            return True
        return self.matches(word)

    def matches(self, text: str) -> bool:
        if not text:
            return True
        needle = text.lower()
        p = self.phone
        return any(needle in field.lower() for field in (p.name, p.address, p.model, *p.tags))

    @property
    def failed(self) -> bool:
        return self.result is not None and not self.result.outcome.succeeded


def _name(state: PhoneState) -> str:
    return state.phone.name


def address_order(host: str, port: int) -> str:
    """A key that sorts addresses as addresses: 127.0.0.2 before 127.0.0.10, IPv4 before IPv6, names last."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return f"2 {host.lower()} {port:05d}"
    return f"{ip.version - 4} {int(ip):039d} {port:05d}"


class Fleet:
    """Every phone of the config, in a stable order, with what the operator chose."""

    def __init__(self, phones: list[Phone]) -> None:
        self.states = {phone.name: PhoneState(phone) for phone in phones}
        # Kept as rows change (through the methods below), so the status line need not count
        # 20,000 rows on every batch of results.
        self._selected = 0
        self._outcomes: Counter[Outcome] = Counter()
        self.filter = ""
        self.sort_key = "name"
        self.reverse = False
        #: Some phone has been probed: the table shows the state column from then on.
        self.probed = False
        #: An alert is current: the result column is wide enough for ``acknowledged 10:31:02``.
        self.alerting = False

    @classmethod
    def lasting(cls, phones: list[Phone]) -> Fleet:
        """The app's fleet, kept out of the garbage collector's passes with what exists already.

        The config and the rows live as long as the app. At 20,000 phones the collector's
        passes over them cost 140 of the 160 ms that making the rows took; and young passes
        run less often (each stalls a frame while a thousand results arrive).
        """
        gc.freeze()
        gc.set_threshold(20_000, 20, 20)
        gc.disable()  # nothing made here is garbage (and an app never run must not leave it off)
        try:
            fleet = cls(phones)
            gc.freeze()
        finally:
            gc.enable()
        return fleet

    def __len__(self) -> int:
        return len(self.states)

    def visible(self) -> list[PhoneState]:
        """The phones the filter lets through, in the chosen order."""
        shown = (
            [s for s in self.states.values() if s.matches(self.filter)] if self.filter else list(self.states.values())
        )
        if self.sort_key == "name" and not self.filter:  # the order at start: the names alone sort quickest
            states = self.states
            return [states[name] for name in sorted(states, reverse=self.reverse)]
        if self.sort_key == "name":
            return sorted(shown, key=_name, reverse=self.reverse)
        return sorted(shown, key=self._sort_value, reverse=self.reverse)

    def visible_names(self) -> list[str]:
        """The names of ``visible()``'s phones; at start (no filter, by name) without making a row list."""
        if self.sort_key == "name" and not self.filter:
            return sorted(self.states, reverse=self.reverse)
        return [state.phone.name for state in self.visible()]

    def _sort_value(self, state: PhoneState) -> tuple[int, str | float]:
        p, r = state.phone, state.result
        if self.sort_key == "address":
            return 0, address_order(p.host, p.port)
        if self.sort_key == "model":
            return 0, state.model
        if self.sort_key == "state":
            return (0, state.state) if state.probe else (1, "")
        if self.sort_key == "result":
            return (0, str(r.outcome)) if r else (1, "")
        if self.sort_key == "latency":
            return (0, r.latency) if r and r.latency is not None else (1, 0.0)
        return 0, p.name

    def _select(self, state: PhoneState, selected: bool) -> None:
        if state.selected != selected:
            state.selected = selected
            self._selected += 1 if selected else -1

    def set_result(self, state: PhoneState, result: PushResult | None, pending: bool = False) -> None:
        """A row's push result (None while a push to it starts); the counts follow."""
        if state.result is not None:
            self._outcomes[state.result.outcome] -= 1
        if result is not None:
            self._outcomes[result.outcome] += 1
        state.result, state.pending = result, pending

    def toggle(self, name: str) -> bool:
        state = self.states[name]
        self._select(state, not state.selected)
        return state.selected

    def select_visible(self, selected: bool) -> list[str]:
        """Select (or clear) every phone the filter shows; returns the names changed."""
        changed = [s.phone.name for s in self.visible() if s.selected != selected]
        for name in changed:
            self._select(self.states[name], selected)
        return changed

    def select_none(self) -> list[str]:
        changed = [name for name, s in self.states.items() if s.selected]
        for name in changed:
            self._select(self.states[name], False)
        return changed

    def select_only(self, names: list[str]) -> list[str]:
        """Select exactly ``names`` (those in the fleet), no other phone; returns the names changed."""
        wanted = set(names)
        changed = [name for name, s in self.states.items() if s.selected != (name in wanted)]
        for name in changed:
            self._select(self.states[name], name in wanted)
        return changed

    def select_tag(self, tag: str) -> list[str]:
        changed = [n for n, s in self.states.items() if tag in s.phone.tags and not s.selected]
        for name in changed:
            self._select(self.states[name], True)
        return changed

    def select_matching(self, query: str) -> list[str]:
        """Select every phone (shown or not) that matches each word of ``query``; returns the names changed."""
        words = query.split()
        changed = [
            name
            for name, state in self.states.items()
            if words and not state.selected and all(state.matches_word(word) for word in words)
        ]
        for name in changed:
            self._select(self.states[name], True)
        return changed

    def apply_probe(self, result: ProbeResult) -> bool:
        """Keep a probe's result on its phone's row; False when the phone is no longer in the fleet."""
        state = self.states.get(result.phone.name)
        if state is None:
            return False
        state.probe = result
        self.probed = True
        return True

    def selected(self) -> list[Phone]:
        if not self._selected:
            return []
        return [s.phone for s in self.states.values() if s.selected]

    def selected_count(self) -> int:
        return self._selected

    def failed(self) -> list[Phone]:
        return [s.phone for s in self.states.values() if s.failed]

    def tags(self) -> list[str]:
        return sorted({tag for s in self.states.values() for tag in s.phone.tags})

    def outcome_counts(self) -> Counter[Outcome]:
        return +self._outcomes  # a copy, without the outcomes counted down to nothing

    def sort_by(self, key: str) -> None:
        """Sort by ``key``; asked again for the same key, reverse the order."""
        if key not in SORT_KEYS:
            return
        if key == self.sort_key:
            self.reverse = not self.reverse
        else:
            self.sort_key, self.reverse = key, False

    def cycle_sort(self) -> str:
        """Next sort column; after the last one, the same columns reversed."""
        keys = [key for key in SORT_KEYS if key != "state" or self.probed]
        index = keys.index(self.sort_key) if self.sort_key in keys else -1
        if index + 1 < len(keys):
            self.sort_key = keys[index + 1]
        else:
            self.sort_key, self.reverse = keys[0], not self.reverse
        return self.sort_key
