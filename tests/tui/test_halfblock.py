"""The half-block renderer: aspect kept, two pixels a cell, every colour mode, deterministic."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw, ImageOps
from textual.strip import Strip

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
    assert drawn[-1].strip() == ""  # the empty bottom of the screen (its paper) is blank, light or dark: no noise


def test_without_colour_a_uniform_image_is_uniform() -> None:
    white, black = Image.new("RGB", (40, 20), (255, 255, 255)), Image.new("RGB", (40, 20))
    assert {c for row in _cells(white) for c in row} == {"█"}
    assert {c for row in _cells(black) for c in row} == {" "}


#: 1-bit and 2-bit (7960, 6921), greys (7961, 6945), colour of 16 bits (7945, 7965) and of 24 (8845, 8861, 9971).
EVERY_KIND = ["CP-7960G", "CP-6921", "CP-7961G", "CP-6945", "CP-7945G", "CP-7965G", "CP-8845", "CP-8861", "CP-9971"]
#: Cells of the view at 80x24 and 120x40 (what is left for the picture), and a grid's thumbnail.
BOXES = [(78, 19), (118, 35), (26, 8)]


def _pushed(model: str) -> tuple[Image.Image, int, int]:
    """A Text pushed to a simulated ``model``: its screen, and the pixel rows of its title and of its first line."""
    phone = SimPhone("x", "001122334455", model, fleet_phones(1)[0].family, "127.0.0.1")
    phone.screen.title = "Fire drill at ten"
    phone.screen.text = "Leave by the nearest stairs; do not use the lifts.\nMeet in the car park by the gate."
    image = render_screen(phone).convert("RGB")
    size = max(8, min(22, image.height // 11))  # as simscreen draws it
    return image, 2 + size // 2, size + 6 + size // 2


def _row_at(strips: list[str], image: Image.Image, y: int) -> str:
    """The cells drawn for pixel row ``y`` of ``image`` (strips fitted to ``image``)."""
    return strips[min(len(strips) - 1, y * 2 * len(strips) // image.height // 2)]


@pytest.mark.parametrize("box", BOXES)
@pytest.mark.parametrize("model", EVERY_KIND)
@pytest.mark.parametrize("invert", [False, True])
def test_without_colour_title_and_text_show_as_ink_on_paper(model: str, invert: bool, box: tuple[int, int]) -> None:
    """NO_COLOR: where the title and the text are, cells hold ink and paper; the picture is no slab of █."""
    image, title_y, text_y = _pushed(model)
    if invert:
        image = ImageOps.invert(image)
    strips = [strip.text for strip in render(image, *box, "mono")]
    for y in (title_y, text_y):
        row = _row_at(strips, image, y)
        written = row[: max(4, len(row) * 2 // 5)]  # where the words are: the left of the line
        assert set(written) - {"█"} and set(written) - {" "}, f"{model} row {y}: {row!r}"
        assert len(set(written)) >= 2
    cells = "".join(strips)
    assert cells.count("█") / len(cells) < 0.5, "\n".join(strips)


@pytest.mark.parametrize("model", ["CP-8845", "CP-8861", "CP-9971"])
def test_without_colour_a_colour_88xx_is_mostly_paper(model: str) -> None:
    """Its white body is the terminal's blank and its text the glyphs: before, 85% of the cells were █."""
    image, _, _ = _pushed(model)
    for box in BOXES[:2]:
        cells = "".join(strip.text for strip in render(image, *box, "mono"))
        assert cells.count("█") / len(cells) < 0.25
        assert cells.count(" ") / len(cells) > 0.5


_GREY_LEVELS = {"black": 0, "bright_black": 1, "white": 2, "bright_white": 3}


def _levels(strip: Strip) -> set[int]:
    found = set()
    for segment in strip:
        assert segment.style is not None and segment.style.color and segment.style.bgcolor
        found |= {_GREY_LEVELS[segment.style.color.name], _GREY_LEVELS[segment.style.bgcolor.name]}
    return found


@pytest.mark.parametrize("model", EVERY_KIND)
def test_sixteen_colours_give_the_text_a_grey_of_its_own(model: str) -> None:
    """Four greys: the faint grey that small dark text becomes is pushed from the white paper's grey to a dark one
    (before, the 8845's text was white and light grey), and the title's light text from its dark bar."""
    image, title_y, text_y = _pushed(model)
    strips = render(image, 78, 19, "grey")
    title, text = (strips[min(len(strips) - 1, y * 2 * len(strips) // image.height // 2)] for y in (title_y, text_y))
    assert {0, 3} <= _levels(title), model
    assert 3 in _levels(text) and min(_levels(text)) <= 1, model


def test_mono_and_grey_are_the_same_twice_on_a_simulated_screen() -> None:
    image, _, _ = _pushed("CP-8845")
    for mode in ("mono", "grey"):
        first, second = render(image, 78, 19, mode), render(image, 78, 19, mode)  # type: ignore[arg-type]
        assert [list(s) for s in first] == [list(s) for s in second]
