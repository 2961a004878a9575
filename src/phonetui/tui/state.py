"""The fleet as the operator sees it: selection, filter, sort, last results."""

from __future__ import annotations

import ipaddress
from collections import Counter
from dataclasses import dataclass

from ..cisco import Outcome
from ..config import Phone
from ..push import PushResult

SORT_KEYS = ("name", "address", "model", "result", "latency")


@dataclass
class PhoneState:
    """One phone's row: whether it is selected and how its last push ended."""

    phone: Phone
    selected: bool = False
    result: PushResult | None = None
    pending: bool = False

    def matches(self, text: str) -> bool:
        if not text:
            return True
        needle = text.lower()
        p = self.phone
        return any(needle in field.lower() for field in (p.name, p.address, p.model, *p.tags))

    @property
    def failed(self) -> bool:
        return self.result is not None and not self.result.outcome.succeeded


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
        self.filter = ""
        self.sort_key = "name"
        self.reverse = False

    def __len__(self) -> int:
        return len(self.states)

    def visible(self) -> list[PhoneState]:
        """The phones the filter lets through, in the chosen order."""
        shown = [s for s in self.states.values() if s.matches(self.filter)]
        return sorted(shown, key=self._sort_value, reverse=self.reverse)

    def _sort_value(self, state: PhoneState) -> tuple[int, str | float]:
        p, r = state.phone, state.result
        if self.sort_key == "address":
            return 0, address_order(p.host, p.port)
        if self.sort_key == "model":
            return 0, p.model
        if self.sort_key == "result":
            return (0, str(r.outcome)) if r else (1, "")
        if self.sort_key == "latency":
            return (0, r.latency) if r and r.latency is not None else (1, 0.0)
        return 0, p.name

    def toggle(self, name: str) -> bool:
        state = self.states[name]
        state.selected = not state.selected
        return state.selected

    def select_visible(self, selected: bool) -> list[str]:
        """Select (or clear) every phone the filter shows; returns the names changed."""
        changed = [s.phone.name for s in self.visible() if s.selected != selected]
        for name in changed:
            self.states[name].selected = selected
        return changed

    def select_none(self) -> list[str]:
        changed = [name for name, s in self.states.items() if s.selected]
        for name in changed:
            self.states[name].selected = False
        return changed

    def select_tag(self, tag: str) -> list[str]:
        changed = [n for n, s in self.states.items() if tag in s.phone.tags and not s.selected]
        for name in changed:
            self.states[name].selected = True
        return changed

    def selected(self) -> list[Phone]:
        return [s.phone for s in self.states.values() if s.selected]

    def failed(self) -> list[Phone]:
        return [s.phone for s in self.states.values() if s.failed]

    def tags(self) -> list[str]:
        return sorted({tag for s in self.states.values() for tag in s.phone.tags})

    def outcome_counts(self) -> Counter[Outcome]:
        return Counter(s.result.outcome for s in self.states.values() if s.result is not None)

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
        index = SORT_KEYS.index(self.sort_key)
        if index + 1 < len(SORT_KEYS):
            self.sort_key = SORT_KEYS[index + 1]
        else:
            self.sort_key, self.reverse = SORT_KEYS[0], not self.reverse
        return self.sort_key
