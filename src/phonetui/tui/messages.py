"""Messages the TUI passes between its parts."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from ..service import AuthEvent


@dataclass
class AuthEventArrived(Message):
    """The responder answered an authentication request."""

    event: AuthEvent


class AcksArrived(Message):
    """The service recorded acknowledgements (its listener runs outside the app's context): apply them."""
