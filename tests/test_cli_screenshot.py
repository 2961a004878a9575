"""``phonetui screenshot`` as a user runs it, from a fresh config, against a simulated fleet in its own process."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from phonetui.cli.common import UsageError
from phonetui.cli.screenshot import Writer, file_stem
from phonetui.screenshot import Shot, ShotOutcome
from phonetui.simphone import fleet_phones
from phonetui.simscreen import render_screen

from .test_cli import Running, json_lines, phonetui


def test_push_then_six_screenshots_pillow_opens_then_json(tmp_path: Path) -> None:
    config = tmp_path / "sim.toml"
    shots = tmp_path / "shots"
    running = Running("simulate", "--count", "6", "--write-config", str(config), ready="Ctrl-C")
    try:
        pushed = phonetui("push", "--config", str(config), "--all", "--text", "Hello", "--no-history")
        table = phonetui("screenshot", "--config", str(config), "--all", "--out", f"{shots}/")
        # within 2 s of the last: each phone says 503 Retry-After, and each is asked again after the wait
        done = phonetui("screenshot", "--config", str(config), "--all", "--json", "--out", str(tmp_path / "again"))
        png = phonetui("screenshot", "--config", str(config), "--phone", "sim-0003", "--out", str(tmp_path / "one.png"))
    finally:
        assert running.stop() == 0
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert table.returncode == 0, table.stdout + table.stderr
    assert table.stdout.splitlines()[0].split()[:3] == ["PHONE", "ADDRESS", "OUTCOME"]
    assert "6 phones: 6 ok" in table.stderr
    files = sorted(shots.iterdir())
    assert [f.name for f in files] == [
        "sim-0001.png", "sim-0002.bmp", "sim-0003.bmp", "sim-0004.png", "sim-0005.bmp", "sim-0006.bmp",
    ]  # fmt: skip
    expected = {p.name: p for p in fleet_phones(6)}  # the same fleet, drawn by the simulator's own renderer
    for file in files:
        with Image.open(file) as image:
            image.load()
            sim_phone = expected[file.stem]
            sim_phone.screen.text = "Hello"
            drawn = render_screen(sim_phone).convert("RGB")
            assert ImageChops.difference(image.convert("RGB"), drawn).getbbox() is None
    assert done.returncode == 0, done.stderr
    rows = json_lines(done.stdout)
    assert len(rows) == 6 and {r["outcome"] for r in rows} == {"ok"}
    assert {"phone", "host", "outcome", "detail", "file", "latency_ms"} <= set(rows[0])
    assert all(Path(r["file"]).is_file() for r in rows)
    assert png.returncode == 0, png.stderr
    with Image.open(tmp_path / "one.png") as image:
        assert image.format == "PNG"


def test_failures_and_usage_errors(tmp_path: Path) -> None:
    config = tmp_path / "sim.toml"
    fleet = ("--count", "3", "--wrong-password", "1", "--write-config", str(config))
    running = Running("simulate", *fleet, ready="Ctrl-C")
    try:
        done = phonetui("screenshot", "--config", str(config), "--all", "--json", "--out", str(tmp_path / "s"))
        many_to_one = phonetui("screenshot", "--config", str(config), "--all", "--out", str(tmp_path / "x.png"))
        nothing = phonetui("screenshot", "--config", str(config))
        badpw = phonetui(
            "screenshot", "--config", str(config), "--all", "--password", "wrong", "--out", f"{tmp_path}/badpw/"
        )
    finally:
        assert running.stop() == 0
    assert done.returncode == 1
    rows = {r["phone"]: r for r in json_lines(done.stdout)}
    assert rows["sim-0003"]["outcome"] == "auth-failed" and rows["sim-0003"]["file"] is None
    assert "associated" in rows["sim-0003"]["hint"]
    assert many_to_one.returncode == 2 and "takes one phone's image" in many_to_one.stderr
    assert nothing.returncode == 2 and "choose phones" in nothing.stderr
    assert badpw.returncode == 1 and "auth-failed" in badpw.stdout
    assert not (tmp_path / "badpw").exists()  # no image written: no folder left behind


def test_file_names_are_safe() -> None:
    assert file_stem("sim-0001") == "sim-0001"
    assert file_stem("../etc/passwd") == "etc_passwd"
    assert file_stem("a b/c\x1b[31m") == "a_b_c_31m"
    assert file_stem("...") == "phone"
    assert file_stem("é" * 300) == "phone"


def _shot(fmt: str) -> Shot:
    image = Image.new("RGB", (8, 4), (200, 10, 10))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    kind = "image/png" if fmt == "PNG" else "image/bmp"
    return Shot("sim-0001", "127.0.0.1:1", ShotOutcome.OK, "", data=buffer.getvalue(), content_type=kind)


def test_out_file_format_follows_its_suffix(tmp_path: Path) -> None:
    for sent in ("PNG", "BMP"):
        for suffix, fmt in ((".png", "PNG"), (".bmp", "BMP"), (".BMP", "BMP")):
            target = tmp_path / f"{sent}-shot{suffix}"
            file, problem = Writer(str(target), False, 1).write(_shot(sent))
            assert (file, problem) == (str(target), "")
            with Image.open(target) as image:
                assert image.format == fmt
    file, _ = Writer(str(tmp_path / "p.png"), True, 1).write(_shot("BMP"))
    with Image.open(file) as image:
        assert image.format == "PNG"
    folder = Writer(str(tmp_path / "dir.v2") + "/", False, 1)
    assert folder.file is None and not folder.folder.exists()  # made with its first image
    folder.write(_shot("PNG"))
    assert (tmp_path / "dir.v2" / "sim-0001.png").is_file()


def test_out_replaces_an_existing_file_as_curl_o_does(tmp_path: Path) -> None:
    target = tmp_path / "one.png"
    target.write_bytes(b"old")
    assert Writer(str(target), False, 1).write(_shot("PNG")) == (str(target), "")
    with Image.open(target) as image:
        assert image.format == "PNG"


def test_out_naming_a_plain_file_for_several_phones_says_so(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    with pytest.raises(UsageError) as caught:
        Writer(str(tmp_path / "afile"), False, 3)
    assert (
        str(caught.value)
        == f"{tmp_path / 'afile'} is a file; with several phones --out is a folder (or give one phone)"
    )


def test_out_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"--png writes PNG"):
        Writer(str(tmp_path / "x.bmp"), True, 1)
    for name in ("shot.jpg", "shot.gif", "shot.jpeg"):
        with pytest.raises(UsageError, match=r"--out is a folder or a \.png/\.bmp file"):
            Writer(str(tmp_path / name), False, 1)
    assert not (tmp_path / "shot.jpg").exists()


def test_out_jpg_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[[phones]]\nname = "a"\nhost = "127.0.0.1"\nusername = "u"\npassword = "p"\n')
    done = phonetui("screenshot", "--config", str(config), "--all", "--out", str(tmp_path / "shot.jpg"))
    assert done.returncode == 2 and ".png/.bmp" in done.stderr


def test_credentials_no_screenshot_phones_and_the_summary(tmp_path: Path) -> None:
    """--username/--password as push takes them; --no-screenshots N: the last N say unsupported; push's summary."""
    config, wrong = tmp_path / "sim.toml", tmp_path / "wrong.toml"
    fleet = ("--count", "4", "--no-screenshots", "1", "--password", "s3cret", "--write-config", str(config))
    running = Running("simulate", *fleet, ready="Ctrl-C")
    try:
        wrong.write_text(re.sub(r'(?m)^password = ".*"$', 'password = "not-it"', config.read_text(), count=1))
        shots = ("screenshot", "--all", "--out", str(tmp_path / "shots"))
        table = phonetui(*shots, "--config", str(config))
        rows = phonetui(*shots, "--config", str(config), "--json")
        right = phonetui(*shots, "--config", str(wrong), "--username", "phonetui", "--password", "s3cret", "--json")
        refused = phonetui(*shots, "--config", str(config), "--password", "not-it", "--json")
    finally:
        assert running.stop() == 0
    assert table.returncode == 1
    assert table.stdout.splitlines()[-1].startswith("sim-")  # the rows in the order phones answered, then:
    assert table.stderr.strip().splitlines()[-1] == "4 phones: 3 ok, 1 failed (1 unsupported)"  # as push ends
    outcomes = {r["phone"]: r["outcome"] for r in json_lines(rows.stdout)}
    assert outcomes == {"sim-0001": "ok", "sim-0002": "ok", "sim-0003": "ok", "sim-0004": "unsupported"}
    assert {r["phone"]: r["outcome"] for r in json_lines(right.stdout)} == outcomes
    assert {r["outcome"] for r in json_lines(refused.stdout)} == {"auth-failed", "unsupported"}
    assert [r["phone"] for r in json_lines(refused.stdout) if r["outcome"] == "unsupported"] == ["sim-0004"]
