"""What a new admin found in the screen view, the grid and macros: a failed macro's reasons in the reply
log, the CLI's words for a saved name that is not there, saving over a name, labels that say enough."""

from __future__ import annotations

import dataclasses

import pytest
from rich.text import Text
from textual.widgets import Footer, Input, Label, Static

from phonetui.cisco import Outcome
from phonetui.config import Phone
from phonetui.config.macros import load_macros, save_macro
from phonetui.printable import wrapped
from phonetui.push import PushResult
from phonetui.screenshot import AUTH_HINT, Shot, ShotOutcome
from phonetui.tui.app import PhoneTUI
from phonetui.tui.screens.help import HelpScreen
from phonetui.tui.screens.pickers import ConfirmModal, NameModal
from phonetui.tui.screens.shot_grid import ShotGridScreen, Thumb, grid_shape, thumb_label
from phonetui.tui.screens.shot_view import ShotScreen
from phonetui.tui.widgets.line_log import LineLog

from .conftest import wait_until
from .shot_fakes import NOW, FakeShots, pin_drawing, shot_of


def toasts(app: PhoneTUI) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def type_macro(app: PhoneTUI, pilot: object, text: str) -> None:
    await pilot.press("m")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    app.screen.query_one("#name", Input).value = text
    await pilot.press("enter")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


async def test_a_failed_macro_writes_each_phone_s_reason_in_the_reply_log(app: PhoneTUI) -> None:
    fake = FakeShots(app, lambda phone: shot_of(phone))

    async def press(phone: Phone, uri: str) -> PushResult:
        fake.pressed.append((phone.name, uri))
        if phone.name in ("sim-0002", "sim-0003"):
            return PushResult(phone, Outcome.AUTH_FAILED, "direct", "HTTP 401", hint="check the push user")
        return PushResult(phone, Outcome.OK, "direct", "")

    app.shots.press = press  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        for name in ("sim-0001", "sim-0002", "sim-0003"):
            app.fleet.toggle(name)
        await type_macro(app, pilot, "Key:Services, Key:Soft1")
        await wait_until(pilot, lambda: any("ran it" in t for t in toasts(app)))
        toast = next(t for t in toasts(app) if "ran it" in t)
        assert "2 of 3 phones ran it" not in toast and "1 of 3 phones ran it" in toast
        assert "sim-0002, sim-0003" in toast and "see the reply log" in toast
        log = [line.plain for line in app.main.query_one("#replies", LineLog).lines]
        failed = [line for line in log if "sim-0002" in line or "sim-0003" in line]
        assert len(failed) == 2
        for line in failed:
            assert "auth-failed" in line and "macro stopped at Key:Services: HTTP 401" in line
            assert "check the push user" in line


def box_problems(app: PhoneTUI) -> str:
    """What the open macro box says under its text."""
    assert isinstance(app.screen, NameModal)
    return str(app.screen.query_one("#name-error", Label).render())


async def retype(app: PhoneTUI, pilot: object, text: str) -> None:
    """Into the box still open: its text replaced, Enter."""
    app.screen.query_one("#name", Input).value = text
    await pilot.press("enter")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


async def test_m_with_a_name_no_macro_has_says_what_the_cli_says(app: PhoneTUI) -> None:
    FakeShots(app, lambda phone: shot_of(phone))
    save_macro(app.config, "menu,two", "Key:Settings")
    app.config.templates_file.write_text(
        app.config.templates_file.read_text() + '\n[[macros]]\nname = "broken"\nsteps = "Key:Nope"\n'
    )
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await type_macro(app, pilot, "nope")
        nope = box_problems(app)
        assert "no macro named 'nope'" in nope and "'menu,two'" in nope and "not read" in nope
        await retype(app, pilot, "broken")
        broken = box_problems(app)
        assert broken.startswith("the saved macro 'broken'") and "was not read" in broken and "no key 'Nope'" in broken
        await retype(app, pilot, "Setings")
        typo = box_problems(app)
        assert "no macro named 'Setings'" in typo and "did you mean Key:Settings?" in typo


async def test_the_screen_view_s_m_says_the_same(app: PhoneTUI, monkeypatch: pytest.MonkeyPatch) -> None:
    pin_drawing(monkeypatch)
    FakeShots(app, lambda phone: shot_of(phone))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ShotScreen))
        await type_macro(app, pilot, "nope")
        assert "no macro named 'nope'" in box_problems(app)


async def test_save_in_the_screen_view_s_box_saves_as_the_table_s_does(
    app: PhoneTUI, monkeypatch: pytest.MonkeyPatch
) -> None:
    pin_drawing(monkeypatch)
    fake = FakeShots(app, lambda phone: shot_of(phone))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ShotScreen))
        view = app.screen
        await type_macro(app, pilot, "save nb1: Key:Services, pause 100ms")
        assert app.screen is view
        assert load_macros(app.config)[0] == {"nb1": "Key:Services, pause 100ms"}
        await type_macro(app, pilot, "save nb1: Key:Settings")
        assert isinstance(app.screen, ConfirmModal)  # taken: asks, as on the table
        await pilot.press("n")
        await pilot.pause()
        await type_macro(app, pilot, "save! nb1: Key:Settings")
        assert load_macros(app.config)[0] == {"nb1": "Key:Settings"}
        assert not fake.pressed  # saved, not run
        await type_macro(app, pilot, "nb1")
        await wait_until(pilot, lambda: bool(fake.pressed))
        assert fake.pressed == [("sim-0001", "Key:Settings")]


async def test_a_wrong_macro_keeps_the_box_open_with_every_problem(app: PhoneTUI) -> None:
    fake = FakeShots(app, lambda phone: shot_of(phone))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await type_macro(app, pilot, "Key:Setings, pause 90s")
        assert isinstance(app.screen, NameModal)
        assert app.screen.query_one("#name", Input).value == "Key:Setings, pause 90s"
        said = box_problems(app).splitlines()
        assert len(said) == 2, said
        assert "step 1 ('Key:Setings'" in said[0] and "did you mean Key:Settings?" in said[0]
        assert "step 2 ('pause 90s'" in said[1] and "at most 60 s" in said[1]
        assert not any("Macro" in t for t in toasts(app))
        await retype(app, pilot, "Key:Settings, pause 100ms")
        assert not isinstance(app.screen, NameModal)
        await wait_until(pilot, lambda: bool(fake.pressed))


async def test_saving_over_a_name_asks_and_save_bang_replaces(app: PhoneTUI) -> None:
    FakeShots(app, lambda phone: shot_of(phone))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await type_macro(app, pilot, "save menu: Key:Settings")
        assert load_macros(app.config)[0] == {"menu": "Key:Settings"}
        await type_macro(app, pilot, "save menu: Key:Services")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")
        await pilot.pause()
        assert load_macros(app.config)[0] == {"menu": "Key:Settings"}
        await type_macro(app, pilot, "save menu: Key:Services")
        await pilot.press("y")
        await pilot.pause()
        assert load_macros(app.config)[0] == {"menu": "Key:Services"}
        await type_macro(app, pilot, "save! menu: Key:Soft1")
        assert not isinstance(app.screen, ConfirmModal)
        assert load_macros(app.config)[0] == {"menu": "Key:Soft1"}
        await type_macro(app, pilot, "save " + "x" * 41 + ": Key:Soft1")
        assert "not saved" in box_problems(app) and "at most 40" in box_problems(app)
        await retype(app, pilot, "save quick")  # no colon: not taken for a macro's name to run
        assert "save NAME: steps (a colon after the name)" in box_problems(app)


LONG_DETAIL = "HTTP 401 for /CGI/Screenshot after asking every path this model is known to serve its screen on"
LONG_HINT = AUTH_HINT


def whole_words(rows: list[str], source: str) -> None:
    """Every word drawn is a word of ``source`` (none cut short), but a last one that ends with "…"."""
    words = set(source.split())
    for row in rows:
        for word in row.split():
            assert word in words or word == "…" or word.endswith("…"), (word, row)


@pytest.mark.parametrize("width", [80, 120])
async def test_a_long_failure_wraps_under_the_title(app: PhoneTUI, monkeypatch: pytest.MonkeyPatch, width: int) -> None:
    pin_drawing(monkeypatch)

    def failed(phone: Phone) -> Shot:
        return dataclasses.replace(shot_of(phone, ShotOutcome.AUTH_FAILED, LONG_DETAIL), hint=LONG_HINT)

    FakeShots(app, failed)
    async with app.run_test(size=(width, 24)) as pilot:
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ShotScreen) and app.screen.shot is not None)
        await pilot.pause()
        problem = app.screen.query_one("#shot-problem")
        rows = [problem.render_line(y).text.strip() for y in range(problem.size.height)]
        assert 2 <= len(rows) <= 3 and all(rows)
        source = f"auth-failed: {LONG_DETAIL} (hint: {LONG_HINT})"
        whole_words(rows, source)
        assert " ".join(rows).startswith("auth-failed: HTTP 401 for /CGI/Screenshot")
        title = app.screen.query_one("#shot-title")
        assert "auth-failed" in title.render_line(0).text


async def test_a_long_warning_under_the_picture_wraps(app: PhoneTUI, monkeypatch: pytest.MonkeyPatch) -> None:
    pin_drawing(monkeypatch)
    FakeShots(app, lambda phone: shot_of(phone))
    async with app.run_test(size=(80, 24)) as pilot:
        phone = app.fleet.states["sim-0001"].phone
        phone.model = "CP-8961"
        await app.push_screen(ShotScreen(phone))
        await pilot.press("s")
        await pilot.pause()
        note = app.screen.query_one("#shot-note")
        rows = [note.render_line(y).text.strip() for y in range(note.size.height)]
        assert " ".join(rows) == "Key:Settings: not on the 8961: use Key:Applications; sent anyway"


async def test_a_reply_longer_than_the_log_ends_with_an_ellipsis(app: PhoneTUI) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        log = app.main.query_one("#replies", LineLog)
        long = "12:00:00 sim-0004 ✗ auth-failed 12 ms " + "word " * 40
        log.write_lines([Text(long), Text("short line")])
        await pilot.pause()
        rows = [log.render_line(y).text.rstrip() for y in range(log.scrollable_content_region.height)]
        cut = next(row for row in rows if row.startswith("12:00:00 sim-0004"))
        assert cut.endswith("…") and len(cut) == log.scrollable_content_region.width
        assert "short line" in rows


def test_grid_labels_say_name_age_and_a_failure_within_their_width() -> None:
    phone = Phone("sim-0004", "127.0.0.1")
    ok = shot_of(phone)
    assert thumb_label(phone, ok, NOW, 28).plain == "sim-0004 · 4 s"
    failed = shot_of(phone, ShotOutcome.AUTH_FAILED, "HTTP 401")
    assert thumb_label(phone, failed, NOW, 28).plain == "sim-0004 · 4 s · auth-failed"
    assert "ok" not in thumb_label(phone, ok, NOW, 28).plain.split()
    long = Phone("reception-desk-second-floor-east", "127.0.0.1")
    for width in (26, 28, 40):
        label = thumb_label(long, failed, NOW, width).plain
        assert len(label) <= width and "…" in label
        assert label.startswith("reception-d")
    assert thumb_label(phone, None, NOW, 26).plain == "sim-0004 · fetching…"


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_few_thumbnails_fill_the_room(count: int) -> None:
    columns, width, height = grid_shape(count, 118, 37)
    rows = -(-count // columns)
    assert columns * width + (columns - 1) <= 118 and rows * height + (rows - 1) <= 37
    assert width >= 56 and height >= 18  # not the 26x9 of many phones
    picture_rows = height - 1
    assert abs(width / (2 * picture_rows) - 5 / 3) < 0.2 or width >= 110  # the screens' shape kept


def test_many_thumbnails_keep_the_smallest_and_scroll() -> None:
    assert grid_shape(40, 118, 37) == (4, 26, 9)
    assert grid_shape(12, 78, 21)[1:] == (26, 9)


async def test_the_grid_of_two_phones_at_120x40_is_large(app: PhoneTUI, monkeypatch: pytest.MonkeyPatch) -> None:
    pin_drawing(monkeypatch)
    FakeShots(app, lambda phone: shot_of(phone))
    async with app.run_test(size=(120, 40)) as pilot:
        phones = [app.fleet.states[name].phone for name in ("sim-0001", "sim-0002")]
        await app.push_screen(ShotGridScreen(phones, "test"))
        await wait_until(pilot, lambda: all(t.shot is not None for t in app.screen.query(Thumb)))
        await pilot.pause()
        thumbs = list(app.screen.query(Thumb))
        assert all(t.size.width >= 56 and t.size.height >= 18 for t in thumbs)
        assert thumbs[0].region.y == thumbs[1].region.y  # side by side
        label = str(thumbs[0].query_one(Static).render())
        assert label == "sim-0001 · 4 s"


async def test_r_again_within_2_s_says_a_refresh_is_queued(app: PhoneTUI, monkeypatch: pytest.MonkeyPatch) -> None:
    pin_drawing(monkeypatch)
    fake = FakeShots(app, lambda phone: shot_of(phone))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ShotScreen) and fake.fetches >= 1)
        await pilot.pause(0.1)
        await pilot.press("r")
        await pilot.pause(0.05)
        title = app.screen.query_one("#shot-title").render_line(0).text
        assert "refresh in 1." in title or "refresh in 0." in title
        await wait_until(pilot, lambda: fake.fetches >= 2, 5)
        await pilot.pause(0.3)
        assert "refresh in" not in app.screen.query_one("#shot-title").render_line(0).text


async def test_the_footer_at_80_shows_the_important_keys_and_f1(app: PhoneTUI, monkeypatch: pytest.MonkeyPatch) -> None:
    pin_drawing(monkeypatch)
    FakeShots(app, lambda phone: shot_of(phone))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ShotScreen))
        await pilot.pause(0.2)
        footer = app.screen.query_one(Footer)
        text = footer.render_line(0).text if footer.size.height else ""
        text = "".join(w.render_line(0).text for w in footer.query("*") if w.size.height) or text
        for words in ("Close", "Refresh", "Macro", "Help"):
            assert words in text, text
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = app.screen.rows()
        assert rows[0][3] == "Screen"  # the screen view's own keys first
        assert ("e", "Services", "shot-services", "Screen") in rows


async def test_f1_from_the_phone_table_starts_with_everywhere(app: PhoneTUI) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert app.screen.rows()[0][3] in ("Phones", "Everywhere")


def test_wrapped_cuts_at_spaces_and_says_when_it_cut() -> None:
    text = "the phone's Web Access may be disabled, the push user may not be associated with this device"
    rows = wrapped(text, 30, 2)
    assert len(rows) == 2 and rows[-1].endswith(" …") and all(len(row) <= 30 for row in rows)
    whole_words(rows, text)
    assert wrapped("short", 30, 3) == ["short"]
    assert wrapped("x" * 50, 20, 1) == ["x" * 19 + "…"]
    assert wrapped("a\x1b[2Jb", 20, 1) == ["a␛[2Jb"]


async def test_a_long_title_line_ends_with_an_ellipsis(app: PhoneTUI, monkeypatch: pytest.MonkeyPatch) -> None:
    pin_drawing(monkeypatch)
    FakeShots(app, lambda phone: shot_of(phone, ShotOutcome.AUTH_FAILED, "HTTP 401"))
    async with app.run_test(size=(80, 24)) as pilot:
        phone = app.fleet.states["sim-0001"].phone
        phone.name, phone.model = "reception-desk-second-floor-east-wing-01", "CP-8865-3PCC with a long model name"
        await app.push_screen(ShotScreen(phone))
        await wait_until(pilot, lambda: app.screen.shot is not None)  # type: ignore[attr-defined]
        await pilot.pause()
        title = app.screen.query_one("#shot-title").render_line(0).text.rstrip()
        assert "…" in title and title.endswith("Esc / q: close") and len(title) <= 80  # the key hints keep their room


async def test_a_key_the_model_lacks_keeps_its_advice_when_the_phone_refuses_it(
    app: PhoneTUI, monkeypatch: pytest.MonkeyPatch
) -> None:
    pin_drawing(monkeypatch)
    FakeShots(app, lambda phone: shot_of(phone))

    async def press(phone: Phone, uri: str) -> PushResult:
        return PushResult(phone, Outcome.ITEM_ERROR, "direct", f"{uri}: URI not found (status 6)")

    app.shots.press = press  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        phone = app.fleet.states["sim-0012"].phone
        await app.push_screen(ShotScreen(phone))
        await pilot.press("s")
        await pilot.pause(0.2)
        note = str(app.screen.query_one("#shot-note").render())
        assert note == "item-error: Key:Settings: not on the 8961: use Key:Applications"
