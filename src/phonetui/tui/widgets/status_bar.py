"""One line under the table: phones, selection, filter, results so far, push progress."""

from __future__ import annotations

from textual.widgets import Static

from ...cisco import Outcome
from ...wording import plural
from ..state import Fleet


class StatusBar(Static):
    """Counts that the operator glances at; refreshed by the main screen."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(markup=False, id=id)
        self._shown = ""

    def show(
        self,
        fleet: Fleet,
        pushing: tuple[int, int] | None = None,
        last_push: str | None = None,
        probing: tuple[int, int] | None = None,
    ) -> None:
        """The footer offers the cancel key while a push runs: this line stays short enough for 80 columns."""
        counts = fleet.outcome_counts()
        ok = counts.pop(Outcome.OK, 0)
        cancelled = counts.pop(Outcome.CANCELLED, 0)  # not failed: no answer was awaited
        failed = sum(counts.values())
        parts = [plural(len(fleet), "phone"), f"{fleet.selected_count()} selected"]
        if fleet.filter:
            parts.append(f"filter: {fleet.filter} ({len(fleet.visible())} shown)")
        if fleet.sort_key != "name" or fleet.reverse:
            parts.append(f"sort: {fleet.sort_key}{' ↓' if fleet.reverse else ''}")
        if ok or failed or cancelled:
            parts.append(f"{ok} ok, {failed} failed" + (f", {cancelled} cancelled" if cancelled else ""))
        if pushing:
            parts.append(f"pushing {pushing[0]}/{pushing[1]}")
        elif last_push:
            parts.append(last_push)
        if probing:  # in this line, not a toast: a toast would cover the rows it is filling
            parts.append(f"probing {probing[0]}/{probing[1]}")
        text = " · ".join(parts)
        if text != self._shown:  # one line of fixed size: no layout pass needed
            self._shown = text
            self.update(text, layout=False)
