"""The status line with an alert: what matters least goes first, and nothing is cut mid-word."""

from __future__ import annotations

from phonetui.tui.widgets.status_bar import fit_parts

TALLY = "31 of 40 acknowledged, 6 delivered, 3 failed"
PARTS = [(1, "40 phones"), (2, "9 selected"), (9, TALLY), (8, "repeat 2 of 3 in 25 s")]


def test_everything_when_it_fits() -> None:
    assert fit_parts(PARTS, 200) == f"40 phones · 9 selected · {TALLY} · repeat 2 of 3 in 25 s"


def test_the_counts_go_first_then_the_countdown() -> None:
    assert fit_parts(PARTS, 81) == f"9 selected · {TALLY} · repeat 2 of 3 in 25 s"
    assert fit_parts(PARTS, 70) == f"{TALLY} · repeat 2 of 3 in 25 s"
    assert fit_parts(PARTS, 50) == TALLY


def test_a_tally_too_long_alone_ends_at_a_word() -> None:
    text = fit_parts(PARTS, 30)
    assert text == "31 of 40 acknowledged, 6 …"
    assert TALLY.startswith(text.removesuffix(" …"))
