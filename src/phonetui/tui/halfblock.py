"""A picture in terminal cells: two pixels a cell, ``▀`` over its background.

Pure over a PIL image, and deterministic (the same image, box and colour mode give the same
strips), so snapshots of a phone's screen are stable. A cell is about twice as tall as it is
wide, so two pixels a cell (the upper one the glyph's colour, the lower one the cell's
background) makes square pixels: the image is scaled to fit the box keeping its aspect.

Colour modes, from what the terminal can show (``mode_for``):

- ``truecolor``: each pixel as it is;
- ``256``: each pixel brought to the xterm 256-colour palette (Rich's own downgrade);
- ``grey``: 16 colours or fewer: four greys (black, bright black, white, bright white);
- ``mono``: ``NO_COLOR``: no colour at all. Each pixel is black or white after an ordered
  (Bayer 4x4) dither, drawn as `` ``, ``▀``, ``▄`` or ``█``: greys read as denser or lighter
  patterns, and the drawing is the same on every run. The dither is centred on the image's own
  mean luminance, its spread no wider than the distance from that mean to black or white: on a
  light screen (an 88xx) the faint greys that small text becomes when scaled down are darker
  than the mean and show, where a fixed mid-grey threshold turned them into solid ``█``; on a
  dark screen light text shows the same way; a mid-grey image dithers as before.
"""

from __future__ import annotations

from typing import Literal

from PIL import Image
from rich.color import Color, ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

Mode = Literal["truecolor", "256", "grey", "mono"]
UPPER, LOWER, FULL = "▀", "▄", "█"
#: Mono glyphs carry a style all the same (Textual's NO_COLOR filter reads every segment's).
_NO_COLOUR = Style()

#: Bayer 4x4 thresholds, 0-255.
_BAYER = [[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]]
_THRESHOLD = [[(v * 16 + 8) for v in row] for row in _BAYER]
#: Below this variance of luminance an image is flat (one grey): drawn by its absolute grey.
FLAT_VARIANCE = 64.0
#: The four greys of a 16-colour terminal, by luminance.
_GREYS = ("black", "bright_black", "white", "bright_white")


def mode_for(no_color: bool, color_system: str | None) -> Mode:
    """The colour mode for a terminal: ``NO_COLOR``, then what Rich found (``app.console.color_system``)."""
    if no_color or color_system is None:
        return "mono"
    if color_system == "truecolor":
        return "truecolor"
    if color_system == "256":
        return "256"
    return "grey"


def fit(size: tuple[int, int], columns: int, rows: int) -> tuple[int, int]:
    """The pixel size an image of ``size`` gets in a box of ``columns`` x ``rows`` cells (two pixels a cell).

    The aspect is kept; the height is even (whole cells), at least one cell either way.
    """
    width, height = size
    if width <= 0 or height <= 0 or columns <= 0 or rows <= 0:
        return (0, 0)
    scale = min(columns / width, 2 * rows / height)
    fitted_w = max(1, min(columns, round(width * scale)))
    fitted_h = max(2, min(2 * rows, round(height * scale)))
    return fitted_w, fitted_h + (fitted_h % 2)


def scaled(image: Image.Image, columns: int, rows: int) -> Image.Image:
    """``image`` in RGB, scaled to fit ``columns`` x ``rows`` cells (a box filter: deterministic and fair to text)."""
    width, height = fit(image.size, columns, rows)
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    if (width, height) == rgb.size:
        return rgb
    return rgb.resize((max(1, width), max(2, height)), Image.Resampling.BOX)


def _luminance(pixel: tuple[int, int, int]) -> int:
    r, g, b = pixel
    return (299 * r + 587 * g + 114 * b) // 1000


class _Styles:
    """One Style per (upper, lower) colour pair, made once: an image has few distinct pairs."""

    def __init__(self, mode: Mode) -> None:
        self.mode = mode
        self._styles: dict[tuple[object, object], Style] = {}

    def colour(self, pixel: tuple[int, int, int]) -> Color:
        if self.mode == "grey":
            return Color.parse(_GREYS[min(3, _luminance(pixel) // 64)])
        colour = Color.from_rgb(*pixel)
        return colour.downgrade(ColorSystem.EIGHT_BIT) if self.mode == "256" else colour

    def get(self, upper: tuple[int, int, int], lower: tuple[int, int, int]) -> Style:
        key: tuple[object, object] = (upper, lower)
        if self.mode == "grey":
            key = (min(3, _luminance(upper) // 64), min(3, _luminance(lower) // 64))
        style = self._styles.get(key)
        if style is None:
            style = self._styles[key] = Style(color=self.colour(upper), bgcolor=self.colour(lower))
        return style


def _colour_line(pixels: list[tuple[int, int, int]], width: int, y: int, styles: _Styles) -> Strip:
    segments: list[Segment] = []
    run_style: Style | None = None
    run = 0
    for x in range(width):
        style = styles.get(pixels[y * width + x], pixels[(y + 1) * width + x])
        if style is run_style:
            run += 1
            continue
        if run_style is not None:
            segments.append(Segment(UPPER * run, run_style))
        run_style, run = style, 1
    if run_style is not None:
        segments.append(Segment(UPPER * run, run_style))
    return Strip(segments, width)


def thresholds(grey: list[int]) -> list[list[float]]:
    """The Bayer thresholds centred on the mean of ``grey``, spread no wider than it is from 0 or 255.

    Kept within 1-254, so a white pixel is always lit and a black one never is. A flat image
    (hardly any contrast: nothing to read) keeps the fixed thresholds, so its grey shows as such.
    """
    if not grey:
        return [[float(t) for t in row] for row in _THRESHOLD]
    mean = sum(grey) / len(grey)
    if sum((g - mean) ** 2 for g in grey) / len(grey) < FLAT_VARIANCE:
        return [[float(t) for t in row] for row in _THRESHOLD]
    spread = max(min(mean, 255 - mean), 8.0) / 128
    return [[min(254.0, max(1.0, mean + (t - 128) * spread)) for t in row] for row in _THRESHOLD]


def _mono_line(grey: list[int], width: int, y: int, threshold: list[list[float]]) -> Strip:
    glyphs = []
    for x in range(width):
        upper = grey[y * width + x] > threshold[y % 4][x % 4]
        lower = grey[(y + 1) * width + x] > threshold[(y + 1) % 4][x % 4]
        glyphs.append(FULL if upper and lower else UPPER if upper else LOWER if lower else " ")
    return Strip([Segment("".join(glyphs), _NO_COLOUR)], width)


def render(image: Image.Image, columns: int, rows: int, mode: Mode = "truecolor") -> list[Strip]:
    """``image`` as strips of at most ``columns`` cells, at most ``rows`` of them, fitted keeping its aspect."""
    if columns <= 0 or rows <= 0 or image.width <= 0 or image.height <= 0:
        return []
    picture = scaled(image, columns, rows)
    width, height = picture.size
    if height % 2:  # an odd height after all: the last line's lower half is black
        padded = Image.new("RGB", (width, height + 1))
        padded.paste(picture)
        picture, height = padded, height + 1
    if mode == "mono":
        grey = list(picture.convert("L").tobytes())
        threshold = thresholds(grey)
        return [_mono_line(grey, width, y, threshold) for y in range(0, height, 2)]
    raw = picture.tobytes()
    pixels = [(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, len(raw), 3)]
    styles = _Styles(mode)
    return [_colour_line(pixels, width, y, styles) for y in range(0, height, 2)]
