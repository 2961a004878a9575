"""The per-model screen facts: where each model serves its screenshot, its display, the keys it lacks."""

from __future__ import annotations

import pytest

from phonetui.cisco.screens import (
    LCD_PATH,
    MPP_PATH,
    SCREENSHOT_PATH,
    SHOT_MIN_INTERVAL,
    UNKNOWN_PATHS,
    display_for,
    is_mpp,
    key_problem,
    shot_source,
)


@pytest.mark.parametrize(
    ("model", "paths", "image_format", "https_first"),
    [
        ("CP-7960G", (SCREENSHOT_PATH,), "bmp", False),
        ("CP-7975G", (SCREENSHOT_PATH,), "bmp", False),
        ("CP-8845", (SCREENSHOT_PATH,), "png", False),
        ("CP-7841", (SCREENSHOT_PATH,), "", False),
        ("CP-9861", (SCREENSHOT_PATH,), "", True),
        ("CP-6945", (LCD_PATH,), "bmp", False),
        ("CP-3905", (LCD_PATH,), "bmp", False),
        ("CP-8851-3PCC", (MPP_PATH,), "bmp", False),
        ("CP-6841", (MPP_PATH,), "bmp", False),
        ("CP-8961", UNKNOWN_PATHS, "", False),
        ("", UNKNOWN_PATHS, "", False),
    ],
)
def test_where_each_model_serves_its_screen(
    model: str, paths: tuple[str, ...], image_format: str, https_first: bool
) -> None:
    source = shot_source(model)
    assert (source.paths, source.image_format, source.https_first) == (paths, image_format, https_first)
    assert source.known == (paths != UNKNOWN_PATHS)


def test_unknown_paths_in_order_and_the_pace() -> None:
    assert UNKNOWN_PATHS == ("/CGI/Screenshot", "/CGI/ScreenShot", "/CGI/Screenshot.bmp", "/CGI/ScreenShot.bmp")
    assert SHOT_MIN_INTERVAL == 2.0


def test_displays() -> None:
    assert display_for("CP-7970G").header == "298, 168, 12, C"
    assert display_for("CP-7940G").header == "133, 65, 2, G"
    assert display_for("CP-6921").header == "396, 81, 1, G"
    assert (display_for("CP-8865").width, display_for("CP-8865").height) == (800, 480)
    assert (display_for("CP-8821").width, display_for("CP-8821").height) == (240, 320)
    assert display_for("CP-9971").depth == 24


def test_mpp_and_keys() -> None:
    assert is_mpp("CP-8851-3PCC") and is_mpp("Cisco 6871") and not is_mpp("CP-8851")
    assert key_problem("CP-9951", "Key:Settings") == "not on the 9951: use Key:Applications"
    assert key_problem("CP-9951", "Key:Soft1") is None


def test_79xx_keys_that_have_no_button() -> None:
    """Session keys, the Applications button and line buttons past the model's own."""
    assert key_problem("CP-7960G", "Key:Session1") == "the 7960 has no session keys; use Key:Line1-Line6"
    assert key_problem("CP-7940G", "Key:Line3") == "the 7940 has 2 line buttons (Key:Line1-Line2)"
    assert key_problem("CP-7940G", "Key:Line2") is None
    assert key_problem("CP-7975G", "Key:Line8") is None and key_problem("CP-7975G", "Key:Line9") is not None
    assert "no Applications button" in (key_problem("CP-7965G", "Key:Applications") or "")
    assert key_problem("CP-8845", "Key:Session5") is None, "88xx have session keys"
    assert key_problem("CP-8845", "Key:Line36") is None, "not checked where add-ons and line modes vary"
