"""The ``app`` command: the workshop app in the browser, for one laptop or a room."""

from __future__ import annotations

import os
import socket
import warnings
from pathlib import Path

import click

from mobilise.cli.options import SCENARIO, check_members
from mobilise.running.claims import load_checked
from mobilise.schema.ensemble import NONE, read_ensemble
from mobilise.schema.shipped import shipped_folder
from mobilise.views.app.codes import FACILITATOR, Codes, new_code, same_code
from mobilise.views.app.config import DEFAULT_SESSIONS, TITLE, AppConfig
from mobilise.views.workshop import MAX_MEMBERS, WORKSHOP_MEMBERS
from mobilise.vocabulary import require_extra

LOOPBACK = ("127.0.0.1", "localhost", "::1")
APP = "mobilise.views.app.pages"


def lan_addresses() -> list[str]:
    """The machine's IPv4 addresses on the local network (no packet is sent to find them)."""
    found: set[str] = set()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))  # UDP connect: picks a route, sends nothing
            found.add(probe.getsockname()[0])
    except OSError:
        pass
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.add(str(info[4][0]))
    except OSError:
        pass
    return sorted(a for a in found if not a.startswith("127."))


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
@click.option(
    "--scenario",
    "scenario_file",
    type=SCENARIO,
    default=None,
    help="Add this scenario (a file or a shipped name) to the presets and start with it.",
)
@click.option(
    "--sessions",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_SESSIONS,
    show_default=True,
    help="Folder where named groups' sessions are saved (and found again after a restart).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes that run comparisons for the whole room (default: all cores).",
)
@click.option(
    "--access-code",
    default=None,
    metavar="CODE",
    help="Code participants type to enter (default: a new one when --host is not local).",
)
@click.option("--no-access-code", is_flag=True, help="Let anyone who can reach the port in.")
@click.option(
    "--facilitator-code",
    default=None,
    metavar="CODE",
    help="Code that opens the facilitator's page /facilitator (default: a new one each start).",
)
@click.option(
    "--ensemble",
    default=None,
    metavar="FILE|none",
    help="The plausible worlds comparisons run: a calibrated ensemble file (for the preset "
    "it was made for), or 'none' for the presets as written (default: each preset's own).",
)
@click.option(
    "--members",
    type=click.IntRange(1, MAX_MEMBERS),
    default=None,
    help=f"Plausible worlds (the ensemble's first N members) each comparison runs, each with "
    f"the page's seeds (default: {WORKSHOP_MEMBERS}).",
)
def app(
    host: str,
    port: int,
    scenario_file: Path | None,
    sessions: Path,
    workers: int | None,
    access_code: str | None,
    no_access_code: bool,
    facilitator_code: str | None,
    ensemble: str | None,
    members: int | None,
) -> None:
    """Start the workshop app in the browser (works offline; calls no other host).

    The presets are the scenarios of a ``scenarios/`` folder here, else the shipped ones;
    each runs across its calibrated ensemble's plausible worlds if it names one.
    """
    require_extra("app", "mobilise app")
    if scenario_file is not None:
        load_checked(scenario_file)  # a bad file fails here, in one line
    check_members(ensemble, members)
    if ensemble is not None and ensemble.lower() != NONE:
        read_ensemble(ensemble, f"--ensemble {ensemble}")  # a bad file fails here, in one line
    if access_code is not None and not access_code.strip():
        raise click.BadParameter("the access code cannot be empty", param_hint="'--access-code'")
    if facilitator_code is not None and not facilitator_code.strip():
        raise click.BadParameter(
            "the facilitator code cannot be empty", param_hint="'--facilitator-code'"
        )
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise click.ClickException(
                f"cannot listen on {host}:{port}: {exc.strerror}; choose another --port"
            ) from None
    local = host in LOOPBACK
    code = None if (no_access_code or (local and access_code is None)) else access_code
    if code is None and not local and not no_access_code:
        code = new_code()
    facilitator_code = (facilitator_code or new_code()).strip()
    if code is not None and same_code(code, facilitator_code):
        raise click.BadParameter(
            "the facilitator code must differ from the access code",
            param_hint="'--facilitator-code'",
        )
    codes = Codes(facilitator=facilitator_code, room=code.strip() if code else None)
    config = AppConfig(
        scenarios=Path("scenarios") if Path("scenarios").is_dir() else shipped_folder("scenario"),
        scenario_file=scenario_file,
        sessions=sessions,
        workers=workers or max(1, os.cpu_count() or 1),
        facilitator_token=codes.tokens[FACILITATOR],
        ensemble=ensemble,
        members=members or WORKSHOP_MEMBERS,
    )
    # Solara reads its settings when first imported: set them before any import of it.
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    os.environ["SOLARA_THEME_TITLE"] = TITLE  # the tab's title before the page has drawn
    os.environ.update(config.environment())
    if local:
        click.echo(f"mobilise app: open http://{host}:{port}/ (Ctrl-C to stop)")
    else:
        shown = lan_addresses() if host == "0.0.0.0" else [host]
        click.echo(
            f"warning: listening on {host}: anyone who can reach this machine on the network "
            "can open the app" + (", with the access code" if code else ""),
            err=True,
        )
        for address in shown or ["this machine's address"]:
            click.echo(
                f"mobilise app: open http://{address}:{port}/ on the network (Ctrl-C to stop)"
            )
    if code:
        click.echo(f"mobilise app: access code {code}")
    click.echo(f"mobilise app: facilitator code {facilitator_code}")
    click.echo(f"mobilise app: sessions saved in {config.sessions.resolve()}")
    _start_workers(config)
    _serve(host, port, codes)


def _start_workers(config: AppConfig) -> None:
    """Start the room's worker processes now, forked from a process with one thread.

    The first group then waits for its comparison, not for workers to start and load.
    """
    from mobilise.views.app.figures import warm_up
    from mobilise.views.app.pool import shared_pool

    shared_pool(config.workers, warm_up)


def _serve(host: str, port: int, codes: Codes) -> None:
    """Run Solara's server in this process: no version check, no cookie-warning spam."""
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    os.environ["SOLARA_APP"] = APP  # Solara's server module reads it when first imported
    from solara.server.starlette import app as server

    from mobilise.views.app.access import AccessCodes

    server.add_middleware(AccessCodes, codes=codes)
    from solara.__main__ import cli as solara_cli

    solara_cli.main(
        [
            "run",
            APP,
            "--host",
            host,
            "--port",
            str(port),
            "--production",
            "--no-open",
            "--no-check-version",
            "--log-level",
            "warning",
            "--log-level-uvicorn",
            "warning",
            "--no-access-log",
        ],
        prog_name="mobilise app",
        standalone_mode=False,
    )
