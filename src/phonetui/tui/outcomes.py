"""How an outcome is drawn: a mark and a word that read without colour, and a style.

Under ``NO_COLOR`` Textual turns colours into greys by their luminance, so red on the
dark surface became grey 237 on 234: invisible. The mark and the word carry the
meaning; without colour, failures are drawn reversed and successes bold.
"""

from __future__ import annotations

from ..cisco import Outcome

OK_MARK, FAILED_MARK, CANCELLED_MARK, PENDING_MARK = "✓", "✗", "○", "…"

_COLOURS = {Outcome.OK: "bold green", Outcome.CANCELLED: "yellow", Outcome.REFUSED: "bold magenta"}
_FAILED_COLOUR = "bold red"
_PLAIN = {Outcome.OK: "bold", Outcome.CANCELLED: "italic"}
_FAILED_PLAIN = "bold reverse"
PENDING_STYLE = "yellow"


def mark(outcome: Outcome) -> str:
    if outcome is Outcome.OK:
        return OK_MARK
    return CANCELLED_MARK if outcome is Outcome.CANCELLED else FAILED_MARK


def label(outcome: Outcome) -> str:
    """``✓ ok``, ``✗ auth-failed``, ``○ cancelled``: the state in words and a mark."""
    return f"{mark(outcome)} {outcome}"


#: An alert's row: ◐ the phone took it and nobody has pressed Ack yet, ● its user acknowledged.
DELIVERED_MARK, ACKED_MARK = "◐", "●"


def alert_label(word: str) -> str:
    """``◐ delivered``, ``● acknowledged 10:31:02``: an alert's row word with its own mark (alerting's words)."""
    return f"{ACKED_MARK if word.startswith('acknowledged') else DELIVERED_MARK} {word}"


def alert_style(word: str, no_color: bool) -> str:
    """Acknowledged stands out (bold); delivered is still waiting on a person, so plainer."""
    acked = word.startswith("acknowledged")
    if no_color:
        return "bold" if acked else ""
    return "bold green" if acked else "green"


def style(outcome: Outcome, no_color: bool) -> str:
    if no_color:
        return _PLAIN.get(outcome, _FAILED_PLAIN)
    return _COLOURS.get(outcome, _FAILED_COLOUR)


_STATE_COLOURS = {"online": "green", "unknown": "dim", "not-a-phone": "magenta"}
_STATE_PLAIN = {"online": "bold", "unknown": "dim"}


def state_style(state: str, no_color: bool) -> str:
    """A probe state's style: green online; red when the phone does not answer; reversed without colour."""
    if no_color:
        return _STATE_PLAIN.get(state, "reverse")
    return _STATE_COLOURS.get(state, "red")


def age(seconds: float) -> str:
    """``12s``, ``5m``, ``3h``, ``2d``: how long ago, in the fewest characters."""
    seconds = max(0, int(seconds))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
