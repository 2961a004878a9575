"""The form's alert settings as ``push --ack``'s options, the confirmation's line, and an unreachable service."""

from __future__ import annotations

from phonetui.config import ServiceConfig
from phonetui.service import Service
from phonetui.tailor import Tailor
from phonetui.tui.alert_settings import APP_WAIT, AlertSettings, reachable_problem, repeat_phrase


def test_settings_become_the_options_push_ack_runs_with() -> None:
    options = AlertSettings("Got it", 30, 3, True, "Chime.raw").options("Thanks", Tailor({"site": "HQ"}))
    assert (options.name, options.reply, options.repeat, options.max_repeats) == ("Got it", "Thanks", 30, 3)
    assert options.repeats() == 3 and options.repeat_failed and options.base.values == {"site": "HQ"}
    assert options.beep is not None and options.beep.items[0].url == "Play:Chime.raw"
    assert options.wait == APP_WAIT  # an hour holds 3 repeats of 30 s
    long = AlertSettings(repeat=3000, max_repeats=2).options("x", Tailor())
    assert long.wait > 9000 and long.repeats() == 2  # the keys stay good for every repeat
    assert AlertSettings().options("x", Tailor()).repeats() == 0


def test_the_confirmations_line_about_repeats() -> None:
    assert repeat_phrase(AlertSettings().options("x", Tailor()), "R") == "no automatic repeats (R repeats by hand)"
    options = AlertSettings(repeat=30, max_repeats=3, repeat_failed=True, beep="Chime.raw").options("x", Tailor())
    assert repeat_phrase(options, "R") == (
        "repeats every 30 s to who has not acknowledged, at most 3, failed phones too; beep Chime.raw"
    )


def test_a_service_url_phones_cannot_reach_is_said() -> None:
    assert "set [service] url" in reachable_problem(Service(ServiceConfig("0.0.0.0", 8080)))
    assert reachable_problem(Service(ServiceConfig("0.0.0.0", 8080, url="http://10.1.2.3:8080"))) == ""
    assert reachable_problem(Service(ServiceConfig("127.0.0.1", 8080))) == ""
