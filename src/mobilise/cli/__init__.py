"""The ``mobilise`` command: a thin face over the library.

Every input problem ends in one line on stderr and exit code 2, never a traceback.
The commands live in the modules of this package, by what they are for: one run
(``single``), batches (``batches``), which assumptions matter (``assumptions``)
and the workshop app (``workshop``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from mobilise.reforms import check_reform
from mobilise.vocabulary import InputError, OutputError

INPUT_ERROR = 2


def parse_reform(text: str) -> tuple[str, float]:
    """``NAME`` (strength 1) or ``NAME=STRENGTH`` -> (name, strength), checked."""
    name, _, value = text.partition("=")
    try:
        strength = float(value) if value else 1.0
    except ValueError:
        raise click.BadParameter(
            f"strength of '{name}' must be a number in [0, 1], found '{value}'",
            param_hint="'--reform'",
        ) from None
    try:
        check_reform(name, strength)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--reform'") from None
    return name, strength


EXECUTION_OPTIONS = (
    click.option(
        "--out",
        type=click.Path(path_type=Path),
        default=None,
        help="Output folder (default: a new folder under runs/).",
    ),
    click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=None,
        help="Local worker processes (default: all cores).",
    ),
    click.option(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="Run on a Dask cluster, e.g. tcp://10.0.0.5:8786.",
    ),
    click.option(
        "--resume",
        is_flag=True,
        help="Finish an interrupted batch in --out: run only what is missing.",
    ),
    click.option("--quiet", is_flag=True, help="No progress line."),
)


def execution_options(command: Callable) -> Callable:
    """The options of every command that runs a batch, declared once."""
    for option in reversed(EXECUTION_OPTIONS):
        command = option(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mobilise")
def cli() -> None:
    """Simulate mobilisation around national missions, with and without enabling reforms."""


def main(argv: list[str] | None = None) -> None:
    """Entry point: input errors print one line and exit 2, never a traceback."""
    try:
        cli.main(args=argv, prog_name="mobilise", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("mobilise: interrupted", err=True)
        sys.exit(130)
    except click.UsageError as exc:
        hint = f" ({exc.ctx.command_path} --help for usage)" if exc.ctx else ""
        click.echo(f"mobilise: {exc.format_message()}{hint}", err=True)
        sys.exit(INPUT_ERROR)
    except click.ClickException as exc:
        click.echo(f"mobilise: {exc.format_message()}", err=True)
        sys.exit(INPUT_ERROR)
    except (InputError, OutputError) as exc:
        click.echo(str(exc), err=True)
        sys.exit(INPUT_ERROR)


from mobilise.cli import assumptions, batches, robust, single, workshop  # noqa: E402, F401  (registers the commands)
