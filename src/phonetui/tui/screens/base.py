"""What every phonetui screen shares: typed access to the app that owns the fleet and config."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.screen import Screen

if TYPE_CHECKING:
    from ..app import PhoneTUI


class PhoneScreen(Screen[Any]):
    """A screen of the phonetui app."""

    @property
    def tui(self) -> PhoneTUI:
        return cast("PhoneTUI", self.app)
