"""What every phonetui screen shares: typed access to the app that owns the fleet and config."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.screen import Screen

from ..frame_timer import PromptFrames

if TYPE_CHECKING:
    from ..app import PhoneTUI


class PhoneScreen(PromptFrames, Screen[Any]):
    """A screen of the phonetui app (its frames come on time: see `frame_timer`)."""

    @property
    def tui(self) -> PhoneTUI:
        return cast("PhoneTUI", self.app)
