"""A picture in terminal cells: two pixels a cell, ``▀`` over its background.

Pure over a PIL image, and deterministic (the same image, box and colour mode give the same
strips), so snapshots of a phone's screen are stable. A cell is about twice as tall as it is
wide, so two pixels a cell (the upper one the glyph's colour, the lower one the cell's
background) makes square pixels: the image is scaled to fit the box keeping its aspect.

Colour modes, from what the terminal can show (``mode_for``):

- ``truecolor``: each pixel as it is;
- ``256``: each pixel brought to the xterm 256-colour palette (Rich's own downgrade);
- ``grey``: 16 colours or fewer: four greys (black, bright black, white, bright white), each
  pixel's grey first pushed away from its neighbourhood's mean (``sharpened``), so the faint
  grey that thin text becomes when scaled down takes a grey of its own instead of the paper's;
- ``mono``: ``NO_COLOR``: no colour at all, each pixel ink or paper, drawn as `` ``, ``▀``, ``▄``
  or ``█``. A local (adaptive) threshold decides: a pixel clearly lighter than the mean of its
  neighbourhood (``local_means``: the pixels either side in its row) is light, one clearly
  darker is dark, whatever the rest of the image, so thin text shows on a light body (an 88xx)
  and on a dark title bar alike. Only within ``LOCAL_BIAS`` of that mean (a flat area: nothing
  to read) does the whole image decide, by an ordered (Bayer 4x4) dither centred on its mean
  luminance: flat greys read as denser or lighter patterns, never as noise. The image's own
  tone is its paper and is left blank; the other side is the glyphs (``inked``): a light screen
  shows its dark text and bars, a dark one its light text. The drawing is the same every run.
"""

from __future__ import annotations

from itertools import accumulate
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
#: A pixel further than this from its neighbourhood's mean is ink or paper by itself (``mono``).
LOCAL_BIAS = 6.0
#: A pixel's neighbourhood reaches this fraction of the picture's width either side (at least 2 pixels).
REACH_DIVISOR = 16
#: ``grey``: how far a pixel is pushed away from its neighbourhood's mean (1 + this times the difference).
SHARPEN = 3.0


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


class _Styles:
    """One Style per (upper, lower) colour pair, made once: an image has few distinct pairs."""

    def __init__(self, mode: Mode) -> None:
        self.mode = mode
        self._styles: dict[tuple[object, object], Style] = {}

    def colour(self, pixel: tuple[int, int, int]) -> Color:
        colour = Color.from_rgb(*pixel)
        return colour.downgrade(ColorSystem.EIGHT_BIT) if self.mode == "256" else colour

    def get(self, upper: tuple[int, int, int], lower: tuple[int, int, int]) -> Style:
        key: tuple[object, object] = (upper, lower)
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


def _mean_and_flat(grey: list[int]) -> tuple[float, bool]:
    """The mean of ``grey``, and whether it is flat (hardly any contrast: nothing to read)."""
    if not grey:
        return 0.0, True
    mean = sum(grey) / len(grey)
    return mean, sum((g - mean) ** 2 for g in grey) / len(grey) < FLAT_VARIANCE


def thresholds(grey: list[int]) -> list[list[float]]:
    """The Bayer thresholds centred on the mean of ``grey``, spread no wider than it is from 0 or 255.

    Kept within 1-254, so a white pixel is always lit and a black one never is. A flat image
    (hardly any contrast: nothing to read) keeps the fixed thresholds, so its grey shows as such.
    """
    mean, flat = _mean_and_flat(grey)
    if flat:
        return [[float(t) for t in row] for row in _THRESHOLD]
    spread = max(min(mean, 255 - mean), 8.0) / 128
    return [[min(254.0, max(1.0, mean + (t - 128) * spread)) for t in row] for row in _THRESHOLD]


def reach(width: int) -> int:
    """How many pixels either side of a pixel its neighbourhood takes in: a few letters' width at any scale."""
    return max(2, width // REACH_DIVISOR)


def local_means(grey: list[int], width: int, height: int, across: int) -> list[float]:
    """Each pixel's neighbourhood mean: ``across`` pixels either side in its own row (cut at the edges).

    Its row only: a title bar two pixels high (an 88xx at 80 columns) would otherwise be
    weighed against the white body under it. Each row's running sums (its integral) make a
    mean two look-ups, whatever the reach.
    """
    means: list[float] = []
    spans = [(max(0, x - across), min(width, x + across + 1)) for x in range(width)]
    for y in range(height):
        sums = [0, *accumulate(grey[y * width : (y + 1) * width])]
        means.extend((sums[right] - sums[left]) / (right - left) for left, right in spans)
    return means


def lit(grey: list[int], width: int, height: int) -> list[bool]:
    """Which pixels are lighter than their place: against their neighbourhood first, then the image's dither."""
    threshold = [row * (width // 4 + 1) for row in thresholds(grey)]  # each Bayer row as long as an image row
    means = local_means(grey, width, height, reach(width))
    found: list[bool] = []
    for y in range(height):
        bayer = threshold[y % 4]
        for x in range(width):
            value, mean = grey[y * width + x], means[y * width + x]
            if value > mean + LOCAL_BIAS:
                found.append(True)
            elif value < mean - LOCAL_BIAS:
                found.append(False)
            else:
                found.append(value > bayer[x])
    return found


def inked(grey: list[int], width: int, height: int) -> list[bool]:
    """Which pixels get a glyph without colour: those on the other side from the image's own tone (its paper).

    A light screen (an 88xx: dark text on white) is drawn as its dark pixels, a dark one as its
    light pixels: the paper is the terminal's blank, the text and bars are glyphs. A flat image
    has no paper to tell: its light pixels are the glyphs (white is ``█``, black blank).
    """
    found = lit(grey, width, height)
    mean, flat = _mean_and_flat(grey)
    return found if flat or mean < 128 else [not on for on in found]


def sharpened(grey: list[int], width: int, height: int) -> list[int]:
    """``grey`` with each pixel pushed away from its neighbourhood's mean (flat areas keep their grey), 0-255."""
    means = local_means(grey, width, height, reach(width))
    return [min(255, max(0, round(v + SHARPEN * (v - m)))) for v, m in zip(grey, means, strict=True)]


def _mono_line(on: list[bool], width: int, y: int) -> Strip:
    glyphs = []
    for x in range(width):
        upper, lower = on[y * width + x], on[(y + 1) * width + x]
        glyphs.append(FULL if upper and lower else UPPER if upper else LOWER if lower else " ")
    return Strip([Segment("".join(glyphs), _NO_COLOUR)], width)


def _grey_line(levels: list[int], width: int, y: int, styles: dict[tuple[int, int], Style]) -> Strip:
    segments: list[Segment] = []
    for x in range(width):
        key = (levels[y * width + x], levels[(y + 1) * width + x])
        style = styles.get(key)
        if style is None:
            style = styles[key] = Style(color=Color.parse(_GREYS[key[0]]), bgcolor=Color.parse(_GREYS[key[1]]))
        if segments and segments[-1].style is style:
            segments[-1] = Segment(segments[-1].text + UPPER, style)
        else:
            segments.append(Segment(UPPER, style))
    return Strip(segments, width)


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
    if mode in ("mono", "grey"):
        grey = list(picture.convert("L").tobytes())
        if mode == "mono":
            on = inked(grey, width, height)
            return [_mono_line(on, width, y) for y in range(0, height, 2)]
        levels = [min(3, v // 64) for v in sharpened(grey, width, height)]
        grey_styles: dict[tuple[int, int], Style] = {}
        return [_grey_line(levels, width, y, grey_styles) for y in range(0, height, 2)]
    raw = picture.tobytes()
    pixels = [(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, len(raw), 3)]
    styles = _Styles(mode)
    return [_colour_line(pixels, width, y, styles) for y in range(0, height, 2)]
