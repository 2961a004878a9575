"""The responder's bounded log, its health and metrics endpoints, and the keys that set them."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import stat
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from phonetui.cli.serve_log import serve_logging
from phonetui.config import ConfigError, ServiceConfig, parse_config
from phonetui.service import THROTTLE_FAILURES, Service
from phonetui.service_metrics import MetricsListenError
from phonetui.service_watch import MAX_TRACKED, OTHERS, BoundedLog

from .conftest import PASSWORD, USER


class Lines(logging.Handler):
    """The messages a logger was given, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def bounded(**kwargs: object) -> tuple[BoundedLog, Lines, list[float]]:
    logger = logging.getLogger(f"test.watch.{id(kwargs)}")
    logger.propagate = False
    lines = Lines()
    logger.addHandler(lines)
    logger.setLevel(logging.INFO)
    now = [1000.0]
    return BoundedLog(logger, clock=lambda: now[0], **kwargs), lines, now  # type: ignore[arg-type]


def test_a_refusal_is_written_once_then_summarised_per_address_and_window() -> None:
    log, lines, now = bounded()
    for _ in range(5000):
        log.refusal("127.0.0.9", "throttled", logging.WARNING, "auth %s refused", "127.0.0.9")
    log.refusal("127.0.0.8", "throttled", logging.WARNING, "auth %s refused", "127.0.0.8")
    now[0] += 60
    log.flush()
    assert lines.lines == [
        "auth 127.0.0.9 refused",
        "auth 127.0.0.8 refused",
        "127.0.0.9: 4999 more throttled requests in the last 60 s",
    ]
    log.refusal("127.0.0.9", "throttled", logging.WARNING, "auth %s refused again", "127.0.0.9")
    assert lines.lines[-1] == "auth 127.0.0.9 refused again", "a new window writes the first one again"


def test_successes_get_a_line_each_up_to_the_limit() -> None:
    log, lines, now = bounded(success_limit=3)
    for n in range(10):
        log.success("127.0.0.5", "authorized", "ok %d", n)
    now[0] += 60
    log.flush()
    assert lines.lines == ["ok 0", "ok 1", "ok 2", "127.0.0.5: 7 more authorized requests in the last 60 s"]


def test_a_flood_from_very_many_addresses_is_counted_together() -> None:
    log, lines, _ = bounded()
    for n in range(MAX_TRACKED * 3):
        address = f"10.{n // 65536}.{n // 256 % 256}.{n % 256}"
        log.refusal(address, "wrong-password", logging.INFO, "refused %s", address)
        log.refusal(address, "wrong-password", logging.INFO, "refused %s", address)
    log.flush()
    assert len(lines.lines) <= 2 * MAX_TRACKED + 1
    assert lines.lines[-1].startswith(f"{OTHERS}: ") and "more wrong-password requests" in lines.lines[-1]


async def test_the_summary_is_written_when_the_flood_stops() -> None:
    log, lines, _ = bounded(window=0.05)
    log.clock = __import__("time").monotonic
    log.start()
    for _ in range(3):
        log.refusal("127.0.0.3", "malformed", logging.INFO, "bad")
    await asyncio.sleep(0.2)  # nothing more comes: the timer writes the summary anyway
    assert "127.0.0.3: 2 more malformed requests in the last 1 s" in lines.lines
    await log.close()


async def test_stop_writes_what_the_last_window_counted(service_config: ServiceConfig) -> None:
    service = Service(service_config)
    await service.start()
    async with httpx.AsyncClient(trust_env=False) as client:
        for _ in range(4):
            await client.get(service.auth_url, params={"UserID": USER, "Password": "nope"})
    lines = Lines()
    logging.getLogger("phonetui.service").addHandler(lines)
    try:
        await service.stop()
    finally:
        logging.getLogger("phonetui.service").removeHandler(lines)
    assert any(line.startswith("127.0.0.1: 3 more wrong-password requests in the last") for line in lines.lines)


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a /metrics answer, parsed as Prometheus parses it."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_healthz_and_metrics_are_never_throttled_or_logged(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    await service.host(b"<x/>", "utf-8")
    async with httpx.AsyncClient(trust_env=False) as client:
        for _ in range(THROTTLE_FAILURES + 2):
            await client.get(service.auth_url, params={"UserID": USER, "Password": "nope"})
        await client.get(service.auth_url, params={"UserID": USER})
        await client.get(f"{service.url}/ack/x/y")
        caplog.clear()
        health = [await client.get(f"{service.url}/healthz") for _ in range(20)]
        metrics = await client.get(f"{service.url}/metrics")
    assert {h.status_code for h in health} == {200} and health[0].text.count("\n") == 1
    assert not caplog.records, "monitors' requests are not logged"
    assert metrics.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    got = samples(metrics.text)
    assert got[("phonetui_auth_verdicts_total", (("verdict", "UN-AUTHORIZED"),))] == THROTTLE_FAILURES + 3
    assert got[("phonetui_auth_verdicts_total", (("verdict", "AUTHORIZED"),))] == 0
    assert got[("phonetui_auth_reasons_total", (("reason", "wrong-password"),))] == THROTTLE_FAILURES
    assert got[("phonetui_auth_reasons_total", (("reason", "throttled"),))] == 3
    assert got[("phonetui_throttles_total", (("endpoint", "authenticate"),))] == 1
    assert got[("phonetui_throttled_addresses", (("endpoint", "authenticate"),))] == 1
    assert got[("phonetui_throttled_addresses", (("endpoint", "ack"),))] == 0
    assert got[("phonetui_hosted_objects", ())] == 1
    assert got[("phonetui_acknowledgements_total", (("result", "unknown"),))] == 1
    assert "_created" not in metrics.text  # a series a counter would double the page with
    import prometheus_client.metrics

    assert prometheus_client.metrics._use_created, "the rest of the process keeps its _created series"


async def test_metrics_listen_serves_them_there_alone(service_config: ServiceConfig) -> None:
    service_config.metrics_listen = ("127.0.0.1", 0)
    async with Service(service_config) as service, httpx.AsyncClient(trust_env=False) as client:
        assert service.metrics_bound is not None
        monitors = "http://{}:{}".format(*service.metrics_bound)
        phones = [(await client.get(f"{service.url}{path}")).status_code for path in ("/healthz", "/metrics")]
        own = [(await client.get(f"{monitors}{path}")).status_code for path in ("/healthz", "/metrics")]
        answer = await client.get(service.auth_url, params={"UserID": USER, "Password": PASSWORD})
        text = (await client.get(f"{monitors}/metrics")).text
        elsewhere = (await client.get(f"{monitors}/authenticate")).status_code
    assert (phones, own, elsewhere) == ([404, 404], [200, 200], 404)
    assert answer.text == "AUTHORIZED"
    assert samples(text)[("phonetui_auth_verdicts_total", (("verdict", "AUTHORIZED"),))] == 1
    assert service.metrics_bound is None


async def test_a_taken_metrics_address_is_said_and_nothing_stays_bound(service_config: ServiceConfig) -> None:
    async with Service(service_config) as first:
        service_config.metrics_listen = first.bound
        second = Service(service_config)
        with pytest.raises(MetricsListenError):
            await second.start()
        assert not second.running and second.metrics_bound is None


SERVICE = '[service]\nlisten = "127.0.0.1:9000"\nusername = "u"\npassword = "p"\n'


def test_the_operator_keys_are_read(tmp_path: Path) -> None:
    text = SERVICE + (
        'log_file = "logs/responder.log"\nlog_max_bytes = 1048576\nlog_backups = 3\n'
        'log_successes_per_minute = 0\nmetrics_listen = "127.0.0.1:9100"\n'
    )
    (tmp_path / "logs").mkdir()
    service = parse_config(text, str(tmp_path / "p.toml")).service
    assert service is not None
    assert service.log_file == str(tmp_path / "logs" / "responder.log")
    assert (service.log_max_bytes, service.log_backups, service.log_successes_per_minute) == (1048576, 3, 0)
    assert service.metrics_listen == ("127.0.0.1", 9100)
    defaults = parse_config(SERVICE, "/etc/p.toml").service
    assert defaults is not None and defaults.log_file == "" and defaults.metrics_listen is None


@pytest.mark.parametrize(
    ("line", "key", "words"),
    [
        ("log_max_bytes = 100", "log_max_bytes", "4096 or more"),
        ("log_backups = 0", "log_backups", "1 or more"),
        ('log_backups = "3"', "log_backups", "whole number"),
        ("log_successes_per_minute = -1", "log_successes_per_minute", "0 or more"),
        ('metrics_listen = "127.0.0.1"', "metrics_listen", "give the port"),
        ('metrics_listen = "a:b:c"', "metrics_listen", "not host:port"),
        ('log_file = "/no/such/dir/r.log"', "log_file", "does not exist"),
        ('log_file = "  "', "log_file", "must name a file"),
        ("log_fiel = 1", "log_fiel", "'log_file'"),
    ],
)
def test_bad_operator_keys_are_located(line: str, key: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(SERVICE + line + "\n", "/etc/p.toml")
    error = caught.value
    assert (error.key, error.line) == (f"service.{key}", 5) and words in error.message, str(error)


def test_serve_rotates_its_log_file_by_size(tmp_path: Path) -> None:
    log = tmp_path / "r.log"
    config = ServiceConfig(log_file=str(log), log_max_bytes=4096, log_backups=2)
    args = argparse.Namespace(log_file=None, log_level=None)
    with serve_logging(args, config) as started:
        started()
        for n in range(500):
            logging.getLogger("phonetui.service").info("line %d of a long flood, more than a file holds", n)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.log", "r.log.1", "r.log.2"]
    assert all(p.stat().st_size <= 4096 for p in tmp_path.iterdir())
    assert "line 499 " in log.read_text(encoding="utf-8")
    assert not [h for h in logging.getLogger("phonetui").handlers if isinstance(h, logging.FileHandler)]


async def test_unparsable_requests_are_one_line_then_counted_never_a_traceback(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="phonetui")
    host, port = service.bound
    for garbage in [b"\x00\x01\x02 garbage\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"GET /a?%zz HTTP/1.1\r\n\r\n"] * 10:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(garbage)
        assert (await reader.read()).split(b"\r\n")[0].endswith(b" 400 Bad Request")
        writer.close()
    during = [r for r in caplog.records if r.name != "phonetui.service" or r.exc_info]
    assert not during, "aiohttp's tracebacks are not written"
    assert [r.getMessage() for r in caplog.records] == [f"{host} malformed HTTP: Invalid method encountered:"]
    await service.stop()
    assert f"{host}: 29 more malformed-http requests in the last 1 s" in caplog.messages


def test_serve_says_a_bad_log_level_or_an_unwritable_log_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from phonetui.cli import main

    config = tmp_path / "s.toml"
    config.write_text(SERVICE.replace("9000", "0"))
    config.chmod(0o600)
    assert main(["serve", "--config", str(config), "--log-level", "loud"]) == 2
    assert "--log-level 'loud': must be one of DEBUG, INFO, WARNING, ERROR" in capsys.readouterr().err
    folder = tmp_path / "a-folder"
    folder.mkdir()
    assert main(["serve", "--config", str(config), "--log-file", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"phonetui: cannot write the log file {folder}:") and err.count("\n") == 1


async def test_a_reload_keeps_the_log_and_metrics_addresses_and_takes_the_success_rate(tmp_path: Path) -> None:
    from phonetui.config import load_config
    from phonetui.service_reload import Reloader, service_settings

    config = tmp_path / "serve.toml"
    config.write_text(SERVICE.replace("9000", "0") + "log_successes_per_minute = 5\n")
    config.chmod(0o600)
    said: list[str] = []
    async with Service(service_settings(load_config(config))) as service:
        reloader = Reloader(service, config, said.append)
        config.write_text(
            SERVICE.replace("9000", "0") + 'log_successes_per_minute = 7\nmetrics_listen = "127.0.0.1:0"\n'
        )
        assert await reloader.reload()
        assert service.request_log.success_limit == 7 and service.config.metrics_listen is None
        assert any("reload: metrics_listen needs a restart; kept as it was" in line for line in said), said
        assert any("log_successes_per_minute 7 (applied)" in line for line in said), said


def test_each_address_has_its_own_success_budget() -> None:
    """After a busy address has used its lines, a new one's first successes still get theirs."""
    log, lines, now = bounded(success_limit=3)
    for n in range(100):
        log.success("127.0.0.5", "authorized", "busy %d", n)
    for n in range(4):
        log.success("127.0.0.6", "authorized", "new %d", n)
    now[0] += 60
    log.flush()
    assert lines.lines == [
        "busy 0",
        "busy 1",
        "busy 2",
        "new 0",
        "new 1",
        "new 2",
        "127.0.0.5: 97 more authorized requests in the last 60 s",
        "127.0.0.6: 1 more authorized requests in the last 60 s",
    ]


def test_successes_from_very_many_addresses_stop_at_the_ceiling() -> None:
    from phonetui.service_watch import SUCCESS_CEILING

    log, lines, _ = bounded(success_limit=5)
    for n in range(SUCCESS_CEILING * 4):
        address = f"10.{n // 65536}.{n // 256 % 256}.{n % 256}"
        log.success(address, "authorized", "ok %s", address)
    written = [line for line in lines.lines if line.startswith("ok ")]
    assert len(written) == SUCCESS_CEILING
    log.flush()
    summaries = lines.lines[len(written) :]
    assert len(summaries) <= MAX_TRACKED + 1  # one line an address tracked, the rest together
    counted = sum(int(line.split(": ")[1].split()[0]) for line in summaries)
    assert counted == SUCCESS_CEILING * 3


def test_every_log_file_it_makes_is_its_owners_alone(tmp_path: Path) -> None:
    """The first file and those each rotation starts: 0600 whatever the umask (0022 here)."""
    from phonetui.logfile import open_rotating_log

    path = tmp_path / "responder.log"
    before = os.umask(0o022)
    try:
        handler = open_rotating_log(str(path), 4096, 3)
        logger = logging.getLogger("test.watch.rotation")
        logger.propagate = False
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        try:
            for n in range(400):
                logger.info("line %d %s", n, "x" * 60)
        finally:
            logger.removeHandler(handler)
            handler.close()
    finally:
        os.umask(before)
    made = sorted(tmp_path.iterdir())
    assert [p.name for p in made] == ["responder.log", "responder.log.1", "responder.log.2", "responder.log.3"]
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in made} == {"0o600"}
