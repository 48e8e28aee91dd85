"""The `campaign-mock` command: serve, scenarios, check, verify, new-vendor (and --version)."""

# (The docstring is `--help`'s description.) The modules that build the mock are imported by the commands that use
# them, once the cyclic garbage collector is paused for the start (see `_Collector`): importing them is most of what
# `serve` spends before its first answer.

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .engine.admin_auth import TOKEN_ENV, exposure_problem, token_problem
from .engine.errors import ConfigError, Problem

if TYPE_CHECKING:
    import httpx

    from .app import MockApp, Settings
    from .engine.catalog import Catalog
    from .engine.scenarios import Scenario
    from .engine.verify import Outcome


class _Collector:
    """The cyclic garbage collector, paused while a command starts.

    Starting creates a few hundred thousand objects (modules, classes, the specs' tables) and frees almost none; the
    collector would walk them again and again as they pile up, for about a tenth of the start. `serve` resumes it
    once the app is built and everything built so far is set aside for good (`gc.freeze`: it lasts as long as the
    server, and no collection needs to walk it again), `verify` once its scenarios are loaded; the other commands,
    short ones, when they end."""

    def __init__(self) -> None:
        self._paused = False

    def pause(self) -> None:
        self._paused = gc.isenabled()
        gc.disable()

    def resume(self, *, freeze: bool = False) -> None:
        if self._paused:
            self._paused = False
            if freeze:
                gc.freeze()
            gc.enable()


_COLLECTOR = _Collector()


def main(argv: Sequence[str] | None = None) -> int:
    _COLLECTOR.pause()
    try:
        return _run(argv)
    finally:
        _COLLECTOR.resume()


def _run(argv: Sequence[str] | None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        code: int = args.run(args)
        return code
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`campaign-mock verify | head -1`): stop quietly, as other command-line tools do.
        # Point stdout at /dev/null so the interpreter's own flush at exit does not fail a second time.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def _parser() -> argparse.ArgumentParser:
    from .app import Settings
    from .engine.pipeline import DEFAULT_MAX_BODY_BYTES

    parser = argparse.ArgumentParser(prog="campaign-mock", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command")

    serve = sub.add_parser("serve", help="start the mock (the built-in default scenario unless --scenario)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=8750)
    serve.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="NAME_OR_PATH",
        help="a shipped scenario name or a YAML path; repeatable, later ones override earlier ones",
    )
    serve.add_argument(
        "--watch", action="store_true", help="reload the scenarios when one of their files (or what it extends) changes"
    )
    serve.add_argument("--quiet", action="store_true", help="no request log (the banner is still printed)")
    serve.add_argument(
        "--validator",
        choices=["fast", "reference"],
        default="fast",
        help="JSON Schema backend: compiled (fast) or jsonschema only (reference)",
    )
    serve.add_argument(
        "--on-violation",
        choices=["error", "warn"],
        default="error",
        help="a response that breaks the spec: answer 500 (error) or pass it on and record it (warn)",
    )
    serve.add_argument("--no-journal", action="store_true", help="do not keep the request journal")
    serve.add_argument(
        "--journal-size",
        type=_positive,
        default=Settings().journal_size,
        metavar="N",
        help="how many exchanges the journal keeps, the oldest dropped first (default 10000)",
    )
    serve.add_argument(
        "--seed", type=_seed, default=0, help="seed of simulated outcomes, for scenarios that set none (default 0)"
    )
    serve.add_argument(
        "--max-body-bytes",
        type=_positive,
        default=DEFAULT_MAX_BODY_BYTES,
        metavar="N",
        help="larger request bodies (and posted scenarios) answer 413 (default 5 MiB)",
    )
    serve.add_argument(
        "--cors",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="answer browser requests (and preflights) from this origin; repeatable, `*` for any",
    )
    serve.add_argument(
        "--admin-token",
        metavar="TOKEN",
        help=f"require this token on every admin call but GET /__admin/health (default: ${TOKEN_ENV}, which keeps it "
        "out of the process list); needed when --host is not a loopback address",
    )
    serve.add_argument(
        "--state-file",
        type=Path,
        metavar="PATH",
        help="keep every session in this SQLite file: restored at start, saved as it changes and at shutdown",
    )
    serve.add_argument(
        "--save-interval",
        type=_seconds,
        default=1.0,
        metavar="SECONDS",
        help="with --state-file: save the sessions that changed this often (default 1); a crash loses at most that",
    )
    serve.set_defaults(run=_serve)

    scenarios = sub.add_parser("scenarios", help="list shipped scenarios")
    scenarios.add_argument("--variants", action="store_true", help="list the documented variants instead")
    scenarios.set_defaults(run=_scenarios)

    check = sub.add_parser("check", help="validate scenario files and the bundled specs")
    check.add_argument("paths", nargs="*", help="scenario files (default: every shipped scenario)")
    check.set_defaults(run=_check)

    verify = sub.add_parser("verify", help="run the expect: blocks of scenarios")
    verify.add_argument("scenarios", nargs="*", help="names or paths (default: every shipped scenario)")
    verify.add_argument("--target", help="a running mock's URL (default: a fresh in-process mock)")
    verify.set_defaults(run=_verify)

    new_vendor = sub.add_parser("new-vendor", help="write a working skeleton of a new vendor into a source checkout")
    new_vendor.add_argument("name", help="the vendor's name: lowercase letters and digits, starting with a letter")
    new_vendor.add_argument(
        "--into",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="the root of a campaign-mock source checkout (default: the current directory)",
    )
    new_vendor.set_defaults(run=_new_vendor)
    return parser


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port (0-65535)")
    return port


def _version() -> str:
    import importlib.metadata

    try:
        return importlib.metadata.version("campaign-mock")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(text)


def _seed(text: str) -> int:
    try:
        seed = int(text)
    except ValueError:
        seed = -1
    if not 0 <= seed <= 2**53 - 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a seed (a whole number from 0 to 2**53-1)")
    return seed


def _settings(args: argparse.Namespace) -> Settings:
    from .app import Settings

    return Settings(
        scenarios=tuple(args.scenario),
        validator=args.validator,
        on_response_violation=args.on_violation,
        journal=not args.no_journal,
        journal_size=args.journal_size,
        seed=args.seed,
        max_body_bytes=args.max_body_bytes,
        cors_origins=tuple(args.cors),
        admin_token=_admin_token(args),
        state_file=args.state_file,
        save_interval=args.save_interval,
    )


# -- exposure and the state file ---------------------------------------------------------------------------
def _admin_token(args: argparse.Namespace) -> str | None:
    """`--admin-token`, else $CAMPAIGN_MOCK_ADMIN_TOKEN (empty counts as unset). Refuses a token that cannot be sent
    in a header, and a host other machines can reach without any token."""
    token = args.admin_token if args.admin_token is not None else (os.environ.get(TOKEN_ENV) or None)
    problem = token_problem(token) if token is not None else exposure_problem(args.host, None)
    if problem is not None:
        how = "" if token is not None else f": give --admin-token TOKEN or set {TOKEN_ENV}"
        raise ConfigError.single("campaign-mock serve", None, problem + how)
    return token


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not (0 < seconds <= 86400):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds (more than 0, at most 86400)")
    return seconds


def _state_report(app: MockApp) -> None:
    """What the state file held (restored sessions, or a new file), before the banner."""
    for line in app.persistence.report if app.persistence is not None else ():
        print(line, flush=True)


def _serve(args: argparse.Namespace) -> int:
    import asyncio

    import uvicorn

    from . import console
    from .app import create_app

    settings = _settings(args)
    try:
        # Bound first: a port in use is said at once (before the app is built), and before the banner.
        sock = console.listen(args.host, args.port)
    except OSError as exc:
        print(console.cannot_listen(args.host, args.port, exc), file=sys.stderr)
        return 1
    try:
        app = create_app(settings)
    except BaseException:
        sock.close()
        raise
    _state_report(app)
    port = sock.getsockname()[1]  # --port 0: the port the system picked
    admin_token = settings.admin_token is not None  # from --admin-token or the environment
    print(console.banner(app, args.host, port, _version(), admin_token), flush=True)
    log = None if args.quiet else console.RequestLog(sys.stdout)
    app.pipeline.request_log = log
    # loop="auto": uvloop when it is installed (uvicorn[standard]), which serves noticeably faster. No proxy
    # headers: the mock reads neither the client's address nor the scheme a proxy saw, and uvicorn's middleware
    # for them would copy the headers of every request.
    config = uvicorn.Config(
        app, host=args.host, port=port, access_log=False, log_level="warning", loop="auto", proxy_headers=False
    )
    server = uvicorn.Server(config)
    config.load()  # what `serve` would do first (it imports the protocol modules), so the collector resumes after it
    _COLLECTOR.resume(freeze=True)

    async def run() -> None:
        stop = asyncio.Event()
        watcher = None
        if args.watch:
            from .watch import Watcher  # only --watch needs watchfiles

            flush = log.flush if log is not None else lambda: None
            watcher = asyncio.create_task(Watcher(app, settings.scenarios, flush).run(stop))
        try:
            await server.serve(sockets=[sock])
        finally:
            stop.set()
            if watcher is not None:
                await watcher
            if log is not None:
                log.flush()

    with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
        runner.run(run())
    return 0


def _scenarios(args: argparse.Namespace) -> int:
    from .vendors.registry import registered_catalog

    if args.variants:
        for variant in registered_catalog().variants.values():
            print(f"{variant.name}  (default: {variant.default})")
            print(f"    {variant.description}")
            for choice, sources in variant.choices.items():
                print(f"    {choice}: {', '.join(sources)}")
        return 0
    entries = registered_catalog().library.describe()
    width = max(len(name) for name, _ in entries)
    for name, description in entries:
        print(f"{name.ljust(width)}  {description}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from .engine.scenarios import load_scenario
    from .vendors.registry import registered_catalog

    # Every schema of every spec checked and compiled, whatever an earlier start found: a broken spec raises here,
    # with every problem listed.
    catalog = registered_catalog(check_all=True)
    refs = args.paths or catalog.library.names()
    problems: list[Problem] = []
    for ref in refs:
        try:
            load_scenario(ref, catalog)
        except ConfigError as exc:
            # Each file's problems in line order; a file several scenarios extend is reported once.
            problems += [p for p in _in_file_order(exc.problems) if p not in problems]
    for problem in problems:
        print(problem)
    print(
        f"checked {len(refs)} scenario(s) and {len(catalog.specs)} spec(s): {len(problems)} problem(s)", file=sys.stderr
    )
    return 1 if problems else 0


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    """Grouped by file (in the order the files first appear), each file's by line."""
    files: dict[str, int] = {}
    for problem in problems:
        files.setdefault(problem.file, len(files))
    return sorted(problems, key=lambda p: (files[p.file], p.line or 0))


def _verify(args: argparse.Namespace) -> int:
    import httpx  # here, not at the top: `serve` starts quicker without it

    from .engine.scenarios import load_scenario
    from .server import MockServer
    from .vendors.registry import registered_catalog

    catalog = registered_catalog()
    refs = args.scenarios or catalog.library.names()
    scenarios = [(ref, load_scenario(ref, catalog)) for ref in refs]
    _COLLECTOR.resume()  # started: a mock serves the requests that follow, in this process or another
    outcomes: list[Outcome] = []
    if args.target:
        hooks = {"request": [_send_admin_token]}
        with httpx.Client(base_url=args.target.rstrip("/"), timeout=30, event_hooks=hooks) as client:
            outcomes = _verify_all(client, scenarios, catalog)
    else:
        with MockServer() as server, httpx.Client(base_url=server.url, timeout=30) as client:
            outcomes = _verify_all(client, scenarios, catalog)
    passed = sum(o.passed for o in outcomes)
    print(f"{passed} passed, {len(outcomes) - passed} failed")
    return 0 if passed == len(outcomes) else 1


def _send_admin_token(request: httpx.Request) -> None:
    """`verify --target` a server that has an admin token: $CAMPAIGN_MOCK_ADMIN_TOKEN, with admin calls only."""
    token = os.environ.get(TOKEN_ENV)
    if token and "/__admin/" in request.url.path:
        request.headers["X-Admin-Token"] = token


def _verify_all(client: httpx.Client, scenarios: list[tuple[str, Scenario]], catalog: Catalog) -> list[Outcome]:
    from .engine.verify import verify_scenario

    outcomes: list[Outcome] = []
    for ref, scenario in scenarios:
        for outcome in verify_scenario(client, ref, scenario, catalog):
            print(outcome.line(), flush=True)
            outcomes.append(outcome)
    return outcomes


def _new_vendor(args: argparse.Namespace) -> int:
    from .scaffold import ScaffoldError, new_vendor  # only this command needs it

    try:
        skeleton = new_vendor(args.name, args.into)
    except ScaffoldError as exc:
        print(f"campaign-mock new-vendor: {exc}", file=sys.stderr)
        return 2
    for path in skeleton.files:
        print(f"created   {path.as_posix()}")
    print(f"added {skeleton.name!r} to {skeleton.registry.as_posix()}")
    print(f"next: campaign-mock serve, then GET /{skeleton.name}/v1/things; pytest tests/vendors/{skeleton.name}")
    return 0
