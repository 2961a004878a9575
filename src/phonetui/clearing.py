"""A clear as one push: each phone gets what takes the message off its screen (``cisco.clear``).

A fleet of one kind gets one object, planned and encoded once as any push. A mixed fleet
(MPP phones among others) gets a ``ClearTailor``: each phone's copy is its family's clear,
so the whole clear is still one push, one journal record and one set of live rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from .cisco import CiscoObject
from .cisco.clear import clear_method, clear_object
from .config import Phone
from .tailor import Tailor


@dataclass(frozen=True)
class ClearTailor(Tailor):
    """Each phone's own clear: ``Init:Services``, or the replacement Text where that does not work."""

    with_text: str | None = None

    def object_for(self, obj: CiscoObject, phone: Phone) -> CiscoObject:
        return clear_object(phone.model, self.with_text)

    def common(self, obj: CiscoObject) -> CiscoObject:
        return obj

    def same_for_all(self, obj: CiscoObject) -> bool:
        return False


@dataclass(frozen=True)
class ClearPlan:
    """What a clear sends: the object (and a tailor when phones differ), and its journal label."""

    obj: CiscoObject
    tailor: Tailor | None
    label: dict[str, Any]
    methods: Counter[str]

    def methods_text(self) -> str:
        """``38 Init:Services, 2 replacement Text (MPP)``."""
        return ", ".join(f"{count} {method}" for method, count in self.methods.most_common())


def plan_clear(phones: list[Phone], alert_id: str | None, with_text: str | None = None) -> ClearPlan:
    """The clear of ``phones``; the journal's start record says which alert it clears (null: none)."""
    objects = [clear_object(phone.model, with_text) for phone in phones]
    if with_text is not None:
        methods = Counter({"replacement Text": len(phones)})
    else:
        methods = Counter(clear_method(phone.model) for phone in phones)
    label: dict[str, Any] = {"clear": alert_id}
    if objects and any(type(o) is not type(objects[0]) for o in objects):
        first_execute = next(o for o in objects if o.root == "CiscoIPPhoneExecute")
        return ClearPlan(first_execute, ClearTailor(with_text=with_text), label, methods)
    return ClearPlan(objects[0] if objects else clear_object("", with_text), None, label, methods)
