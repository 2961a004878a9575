"""The half-block renderer: aspect kept, two pixels a cell, every colour mode, deterministic."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw, ImageOps

from phonetui.simphone import SimPhone, fleet_phones
from phonetui.simscreen import render_screen
from phonetui.tui.halfblock import LOWER, UPPER, fit, mode_for, render


def test_fit_keeps_the_aspect_with_two_pixels_a_cell() -> None:
    assert fit((800, 480), 80, 21) == (70, 42)  # height bound: 42 pixel rows, 70 columns
    assert fit((800, 480), 40, 40) == (40, 24)  # width bound
    assert fit((298, 168), 120, 36) == (120, 68)
    assert fit((10, 10), 0, 5) == (0, 0)


def test_upper_and_lower_pixels_are_foreground_and_background() -> None:
    image = Image.new("RGB", (2, 2), (255, 0, 0))
    image.putpixel((0, 1), (0, 0, 255))
    image.putpixel((1, 1), (0, 0, 255))
    [strip] = render(image, 2, 1)
    [segment] = list(strip)
    assert segment.text == UPPER * 2
    assert segment.style is not None and segment.style.color is not None and segment.style.bgcolor is not None
    assert segment.style.color.get_truecolor() == (255, 0, 0)
    assert segment.style.bgcolor.get_truecolor() == (0, 0, 255)


def test_every_mode_draws_the_same_box_the_same_way_twice() -> None:
    image = Image.new("RGB", (298, 168), (200, 220, 255))
    ImageDraw.Draw(image).rectangle((20, 20, 150, 60), fill=(10, 10, 10))
    for mode in ("truecolor", "256", "grey", "mono"):
        first, second = render(image, 60, 20, mode), render(image, 60, 20, mode)  # type: ignore[arg-type]
        assert [s.text for s in first] == [s.text for s in second]
        assert [list(s) for s in first] == [list(s) for s in second]
        assert len(first) == 17 and all(s.cell_length == 60 for s in first)


def test_without_colour_greys_read_as_glyphs() -> None:
    black, white = Image.new("RGB", (8, 8)), Image.new("RGB", (8, 8), (255, 255, 255))
    assert {s.text for s in render(black, 8, 4, "mono")} == {" " * 8}
    assert {s.text for s in render(white, 8, 4, "mono")} == {"█" * 8}
    grey = "".join(s.text for s in render(Image.new("RGB", (8, 8), (128, 128, 128)), 8, 4, "mono"))
    assert set(grey) == {UPPER, LOWER}  # half grey: a checkerboard of half blocks
    dark = "".join(s.text for s in render(Image.new("RGB", (8, 8), (60, 60, 60)), 8, 4, "mono"))
    assert " " in dark and "█" not in dark  # darker: more blank than ink
    assert all(
        segment.style is None or segment.style.color is None for s in render(white, 8, 4, "mono") for segment in s
    )


def test_mode_follows_the_terminal() -> None:
    assert mode_for(True, "truecolor") == "mono"
    assert mode_for(False, "truecolor") == "truecolor"
    assert mode_for(False, "256") == "256"
    assert mode_for(False, "standard") == "grey"
    assert mode_for(False, None) == "mono"


def _sim_screen(model: str, text: str) -> Image.Image:
    phone = SimPhone("x", "001122334455", model, fleet_phones(1)[0].family, "127.0.0.1")
    phone.screen.title, phone.screen.text = "Hello", text
    return render_screen(phone).convert("RGB")


def _cells(image: Image.Image) -> list[str]:
    return [strip.text for strip in render(image, 76, 20, "mono")]


@pytest.mark.parametrize("model", ["CP-8845", "CP-7960G"])
@pytest.mark.parametrize("invert", [False, True])
def test_without_colour_a_simulator_s_text_stays_readable(model: str, invert: bool) -> None:
    """NO_COLOR on a light screen (dark text) and on a dark one (light text): the text is drawn, the rest is clean."""
    words = "A fire drill starts at 10:00. Leave by the nearest stairs; do not use the lifts."
    with_text, blank = _sim_screen(model, words), _sim_screen(model, "")
    if invert:
        with_text, blank = ImageOps.invert(with_text), ImageOps.invert(blank)
    drawn, empty = _cells(with_text), _cells(blank)
    changed = sum(a != b for row, other in zip(drawn, empty, strict=True) for a, b in zip(row, other, strict=True))
    assert changed >= 40  # the text shows: before, the 8845's text was solid █ like its background
    background = "█" if not invert else " "
    assert drawn[-1].strip(background) == ""  # the empty bottom of the screen: no dither noise
    assert drawn[-1].count(background) == len(drawn[-1])


def test_without_colour_a_uniform_image_is_uniform() -> None:
    white, black = Image.new("RGB", (40, 20), (255, 255, 255)), Image.new("RGB", (40, 20))
    assert {c for row in _cells(white) for c in row} == {"█"}
    assert {c for row in _cells(black) for c in row} == {" "}
