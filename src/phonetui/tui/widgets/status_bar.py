"""One line under the table: phones, selection, filter, results so far, push progress."""

from __future__ import annotations

from collections import Counter

from rich.cells import cell_len
from textual.widgets import Static

from ...cisco import Outcome
from ...printable import wrapped
from ...wording import plural
from ..state import Fleet

SEPARATOR = " · "


def fit_parts(parts: list[tuple[int, str]], width: int) -> str:
    """The parts joined, the least important (lowest number) left out until the line fits ``width``.

    One part alone too long is cut at a word's end with "…": never mid-word.
    """
    kept = list(parts)
    while len(kept) > 1 and cell_len(SEPARATOR.join(text for _, text in kept)) > width:
        kept.remove(min(kept, key=lambda part: part[0]))
    text = SEPARATOR.join(text for _, text in kept)
    if width > 1 and cell_len(text) > width:
        return (wrapped(text, width, 1) or [""])[0]
    return text


def _counts_of(fleet: Fleet, names: list[str]) -> Counter[Outcome]:
    """The outcomes of ``names``' results (those that have one)."""
    states = [fleet.states[name] for name in names if name in fleet.states]
    return Counter(state.result.outcome for state in states if state.result is not None)


class StatusBar(Static):
    """Counts that the operator glances at; refreshed by the main screen."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(markup=False, id=id)
        self._shown = ""
        self._parts: list[tuple[int, str]] = []

    def show(
        self,
        fleet: Fleet,
        pushing: tuple[int, int] | None = None,
        last_push: str | None = None,
        probing: tuple[int, int] | None = None,
        alert: list[str] | None = None,
        only: list[str] | None = None,
    ) -> None:
        """The footer offers the cancel key while a push runs: this line stays short enough for 80 columns.

        ``alert``: the current alert's tally and what comes next (``repeat 2 of 3 in 25 s``); they take
        the place of the push counts, and what matters least is left out when the line is too long.
        ``only``: count these phones' results alone (a clear's: not the alert's failures it never touched).
        """
        counts = fleet.outcome_counts() if only is None else _counts_of(fleet, only)
        ok = counts.pop(Outcome.OK, 0)
        cancelled = counts.pop(Outcome.CANCELLED, 0)  # not failed: no answer was awaited
        failed = sum(counts.values())
        parts = [(1, plural(len(fleet), "phone")), (2, f"{fleet.selected_count()} selected")]
        if fleet.filter:
            parts.append((3, f"filter: {fleet.filter} ({len(fleet.visible())} shown)"))
        if fleet.sort_key != "name" or fleet.reverse:
            parts.append((0, f"sort: {fleet.sort_key}{' ↓' if fleet.reverse else ''}"))
        if alert:
            parts += [(9 - index, text) for index, text in enumerate(alert)]
        elif ok or failed or cancelled:
            parts.append((4, f"{ok} ok, {failed} failed" + (f", {cancelled} cancelled" if cancelled else "")))
        if pushing:
            parts.append((6, f"pushing {pushing[0]}/{pushing[1]}"))
        elif last_push and not alert:
            parts.append((5, last_push))
        if probing:  # in this line, not a toast: a toast would cover the rows it is filling
            parts.append((5, f"probing {probing[0]}/{probing[1]}"))
        self._parts = parts
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        width = self.content_size.width  # 0 before the first layout: then the whole line, fitted on resize
        text = fit_parts(self._parts, width) if width else SEPARATOR.join(t for _, t in self._parts)
        if text != self._shown:  # one line of fixed size: no layout pass needed
            self._shown = text
            self.update(text, layout=False)
