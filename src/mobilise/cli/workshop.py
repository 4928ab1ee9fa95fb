"""The ``app`` command: the workshop app in the browser."""

from __future__ import annotations

from pathlib import Path

import click

from mobilise.cli import cli
from mobilise.scenario import load_scenario


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
@click.option(
    "--scenario",
    "scenario_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Add this scenario file to the presets and start with it.",
)
def app(host: str, port: int, scenario_file: Path | None) -> None:
    """Start the workshop app in the browser (works offline)."""
    import os
    import socket

    from mobilise.app import SCENARIO_ENV

    if scenario_file is not None:
        load_scenario(scenario_file)  # a bad file fails here, in one line
        os.environ[SCENARIO_ENV] = str(scenario_file.resolve())
    elif not Path("scenarios").is_dir():
        raise click.UsageError(
            "no scenarios/ folder here: run from the project folder or pass --scenario"
        )
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise click.ClickException(
                f"cannot listen on {host}:{port}: {exc.strerror}; choose another --port"
            ) from None
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            f"warning: listening on {host}: anyone who can reach this machine "
            "on the network can use the app",
            err=True,
        )
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    shown = "127.0.0.1" if host == "0.0.0.0" else host
    click.echo(f"mobilise app: open http://{shown}:{port}/ (Ctrl-C to stop)")
    from solara.__main__ import cli as solara_cli

    solara_cli.main(
        [
            "run",
            "mobilise.app",
            "--host",
            host,
            "--port",
            str(port),
            "--production",
            "--no-open",
            "--log-level",
            "warning",
            "--log-level-uvicorn",
            "warning",
            "--no-access-log",
        ],
        prog_name="mobilise app",
        standalone_mode=False,
    )
