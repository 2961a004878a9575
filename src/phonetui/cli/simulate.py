"""``phonetui simulate``: a fleet of fake phones on loopback, and a responder for them."""

from __future__ import annotations

import argparse
import secrets
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import ServiceConfig, split_host_port, write_config
from ..printable import printable
from ..simphone import HTTPS_PORT
from ..wording import listen_problem
from .common import EXIT_OK, UsageError, run_to_exit, wait_for_signal

if TYPE_CHECKING:  # aiohttp costs a quarter of a second to import: only the commands that serve load it
    from ..service import Service
    from ..sim_cucm import FakeCucm
    from ..simfleet import Fleet


def simulate_command(args: argparse.Namespace) -> int:
    """``phonetui simulate``."""
    if not 1 <= args.count <= 50_000:
        raise UsageError("--count must be 1-50000")
    from ..simphone import FAULTS  # the options' names are the phones' fault knobs

    asked = {name: getattr(args, name) for name in (*FAULTS, "no_screenshots")}
    if any(n < 0 for n in asked.values()):
        raise UsageError("fault counts must be 0 or more")
    if sum(asked.values()) > args.count:  # each fault has phones of its own: one fault a phone
        named = ", ".join(f"--{name.replace('_', '-')} {n}" for name, n in asked.items() if n)
        raise UsageError(f"{named} need {sum(asked.values())} phones, one fault each; --count is {args.count}")
    if args.ack_probability != 1.0 and args.ack_after is None:
        raise UsageError("--ack-probability needs --ack-after SECONDS")
    if args.cert_dir and not args.https:
        raise UsageError("--cert-dir needs --https")
    if not 0 <= args.mpp <= args.count:
        raise UsageError("--mpp must be 0 to --count")
    if args.service_tls and args.auth_url:
        raise UsageError("--service-tls is for the built-in responder; --auth-url names another one")
    if args.auth_ca:
        _check_auth_ca(args.auth_ca, args.auth_url)
    from ..simfleet import simulated_fleet
    from ..simphone import fleet_phones

    # Over https the fleet keeps its addresses across starts (a fixed port), as real phones do:
    # a restarted simulator with new certificates then shows what pinning refuses.
    port = args.port or (HTTPS_PORT if args.https and not args.per_port else 0)
    with tempfile.TemporaryDirectory(prefix="phonetui-sim-") as scratch:
        try:
            listen = split_host_port(args.listen, 0)
            phones = fleet_phones(args.count, base=args.base, port=port, per_port=args.per_port, mpp=args.mpp)
            sim = simulated_fleet(phones)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        if args.https:
            folder = Path(args.cert_dir) if args.cert_dir else Path(scratch)
            cert, key = _phone_certificate(folder, [phone.host for phone in sim.phones])
            for phone in sim.phones:
                phone.cert_file, phone.key_file = str(cert), str(key)
        return run_to_exit(_simulate_async(args, sim, listen))


def _check_auth_ca(ca_file: str, auth_url: str | None) -> None:
    """``--auth-ca`` only beside an https ``--auth-url``, and a file of PEM certificates."""
    import ssl

    if not auth_url or not auth_url.startswith("https://"):
        raise UsageError(
            "--auth-ca needs an https --auth-url (the built-in responder's certificate is trusted as it is)"
        )
    try:
        ssl.create_default_context(cafile=ca_file)
    except (OSError, ssl.SSLError):
        raise UsageError(f"--auth-ca {ca_file}: not a readable PEM certificate file") from None


def _phone_certificate(folder: Path, hosts: list[str]) -> tuple[Path, Path]:
    """The fleet's certificate and key: the ones kept in ``folder`` while they name every phone's address,
    else new ones made there (with the same CA when it is kept); a remade one is said in a line."""
    from ..simcerts import fleet_certificate

    try:
        folder.mkdir(parents=True, exist_ok=True)
        cert, key, note = fleet_certificate(folder, hosts)
    except OSError as exc:
        raise UsageError(f"cannot write the phones' certificate in {folder}: {exc}") from None
    if note:
        print(f"phonetui: {printable(note, 400)}", file=sys.stderr, flush=True)
    return cert, key


def _keep_phones_ca(cert_file: str, config_path: Path) -> str:
    """The phones' CA copied to ``certs/phones-ca.pem`` beside the written config: its ``ca_file`` for verify = true."""
    target = config_path.parent / "certs" / "phones-ca.pem"
    try:
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(Path(cert_file).with_name("phones-ca.pem").read_bytes())
    except OSError as exc:
        raise UsageError(f"cannot write the phones' CA in {target}: {exc}") from None
    return str(target)


def _assign_faults(sim: Fleet, args: argparse.Namespace) -> list[str]:
    """Give the last phones of the fleet the requested faults, each fault phones of its own (a phone with
    two would show only one: a black hole that also 404s its screenshots is no black hole there); the
    ``--no-screenshots`` ones come before them. Returns a line per faulty phone, first to last."""
    from ..simphone import FAULT_WORDS, FAULTS

    pool = list(reversed(sim.phones))
    said: list[tuple[int, str]] = []
    for fault in FAULTS:
        for _ in range(getattr(args, fault)):
            phone = pool.pop(0)
            setattr(phone, fault, True)
            said.append((phone.number, f"{phone.name} {FAULT_WORDS[fault]}"))
    for _ in range(args.no_screenshots):
        phone = pool.pop(0)
        phone.screenshots = False
        said.append((phone.number, f"{phone.name} {FAULT_WORDS['no_screenshots']}"))
    for phone in sim.phones:
        phone.latency = args.latency
        phone.ack_after, phone.ack_probability = args.ack_after, args.ack_probability
    return [line for _, line in sorted(said)]


async def _simulate_async(args: argparse.Namespace, sim: Fleet, listen: tuple[str, int]) -> int:
    from ..service import Service

    password = args.password or secrets.token_urlsafe(12)
    service: Service | None = None
    scratch = Path(tempfile.mkdtemp(prefix="phonetui-sim-service-"))
    if args.auth_url:
        auth_url = args.auth_url
    else:
        config = ServiceConfig(listen[0], listen[1], username=args.username, password=password)
        if args.service_tls:
            config.tls_cert, config.tls_key = _service_certificate(scratch, listen[0])
        service = Service(config)
        try:
            await service.start()
        except OSError as exc:
            shutil.rmtree(scratch, ignore_errors=True)
            raise UsageError(listen_problem(args.listen, exc)) from None
        auth_url = service.auth_url
    for phone in sim.phones:
        phone.auth_url = auth_url
        phone.auth_ca = service.config.tls_cert if service else (args.auth_ca or "")
    faulty = _assign_faults(sim, args)
    cucm: FakeCucm | None = None
    try:
        try:
            await sim.start()
        except OSError as exc:
            raise UsageError(f"cannot start the fleet: {exc}") from None
        if sim.fallback:
            print(f"phonetui: {sim.fallback}", file=sys.stderr, flush=True)
        first, last = sim.phones[0], sim.phones[-1]
        count = len(sim.phones)
        print(f"{count} phone{'s' * (count != 1)} listening, {first.address} .. {last.address}", flush=True)
        for line in faulty:
            print(line, flush=True)
        print(f"authentication URL: {auth_url}", flush=True)
        if args.cucm:
            cucm = await _start_cucm(args, sim, password)
            print(f"CUCM (RisPort70, AXL): {cucm.url}, certificate {cucm.ca_file}", flush=True)
        if args.write_config:
            block = None
            if service is not None:
                host, port = service.bound or listen
                block = {"listen": f"{host}:{port}", "url": service.url}
                if args.service_tls:
                    block |= _keep_certificate(service.config, Path(args.write_config))
            raw = sim.config(args.username, password, block)
            if cucm is not None:
                from ..sim_cucm import config_by_device

                raw = config_by_device(raw, sim.phones, cucm, Path(args.write_config))
                ca_copy = Path(args.write_config).with_name(f"{Path(args.write_config).stem}-cucm-ca.pem")
            write_config(args.write_config, raw)
            print(f"config written to {args.write_config}", flush=True)
            if cucm is not None:
                print(f"CUCM's CA (the config's [cucm] ca_file): {ca_copy}", flush=True)
            if args.https:
                ca = _keep_phones_ca(sim.phones[0].cert_file, Path(args.write_config))
                print(f"phones' CA (ca_file for verify = true): {ca}", flush=True)
        print("press Ctrl-C to stop", flush=True)
        await wait_for_signal()
    finally:
        if cucm is not None:
            await cucm.stop()
        await sim.stop()
        if service:
            await service.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    return EXIT_OK


def _service_certificate(folder: Path, host: str) -> tuple[str, str]:
    """A self-signed certificate for the responder at ``host`` (an address; a name gets one for 127.0.0.1)."""
    import ipaddress

    from ..sim_cucm import make_certificate

    try:
        ipaddress.ip_address(host)
    except ValueError:
        host = "127.0.0.1"
    cert, key = make_certificate(folder, host, name="phonetui simulated responder", stem="service")
    return str(cert), str(key)


def _keep_certificate(config: ServiceConfig, config_path: Path) -> dict[str, str]:
    """The responder's certificate and key copied beside the written config (so it still checks once the
    simulator is gone), as ``[service]`` keys."""
    keys = {}
    for key, source, suffix in (("tls_cert", config.tls_cert, "cert"), ("tls_key", config.tls_key, "key")):
        copy = config_path.with_name(f"{config_path.stem}-service-{suffix}.pem")
        copy.write_bytes(Path(source).read_bytes())
        copy.chmod(0o600)
        keys[key] = copy.name
    return keys


async def _start_cucm(args: argparse.Namespace, sim: Fleet, password: str) -> FakeCucm:
    """A fake CUCM that knows the fleet; the CUCM user is 'axl' with a password of its own."""
    from ..sim_cucm import FakeCucm, cucm_devices

    cucm = FakeCucm(
        cucm_devices(sim.phones), "axl", secrets.token_urlsafe(12),
        page_size=args.cucm_page, rate_per_minute=args.cucm_rate,
        users={args.username: password},  # for a responder with verdict = "cucm"
    )  # fmt: skip
    try:
        await cucm.start()
    except OSError as exc:
        raise UsageError(f"cannot start the simulated CUCM: {exc}") from None
    return cucm
