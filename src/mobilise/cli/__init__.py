"""The ``mobilise`` command: a thin face over the library.

Every input problem ends in one line on stderr and exit code 2, never a traceback.
The commands live in the modules of this package, by what they are for: one run
(``single``), batches (``batches``), which assumptions matter (``assumptions``),
robust packages (``robust``) and the workshop app (``workshop``); they share
``options``. This module gathers them into one group; they do not import it.
"""

from __future__ import annotations

import gc
import sys

import click

from mobilise.cli.assumptions import calibrate, check_command, discover, sensitivity
from mobilise.cli.batches import batch, compare, report
from mobilise.cli.options import (
    FAULT,
    INPUT_ERROR,
    INTERNAL_ERROR,
    describe_fault,
    one_line,
)
from mobilise.cli.robust import robust
from mobilise.cli.single import list_, run_command, validate
from mobilise.cli.workshop import app
from mobilise.vocabulary import InputError, OutputError, extra_of, missing_extra


class Program(click.Group):
    """The command group; a command that reaches for a missing extra names it in one line."""

    def invoke(self, ctx: click.Context) -> object:
        """Run the command; a module of an uninstalled extra -> :class:`InputError`."""
        try:
            return super().invoke(ctx)
        except ModuleNotFoundError as exc:
            extra = extra_of(exc.name)
            if extra is None:
                raise
            raise missing_extra(extra, f"mobilise {ctx.invoked_subcommand}") from None


@click.group(cls=Program, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mobilise")
def cli() -> None:
    """Simulate mobilisation around national missions, with and without enabling reforms."""


def run() -> None:
    """The ``mobilise`` program: :func:`main`, then an exit that does not sweep memory.

    Once the command is done, every object is moved out of the garbage collector's
    reach (``gc.freeze``), so the interpreter's exit does not traverse all that pandas,
    SciPy and matplotlib hold (~0.3 s a command, measured). Exit handlers still run and
    standard streams are still flushed; every file a command writes is closed by then.
    """
    try:
        main()
    finally:
        gc.freeze()


def main(argv: list[str] | None = None) -> None:
    """Entry point: bad input is one line and exit 2, a fault one line and exit 3.

    Never a traceback on the terminal; a bug's goes to a file (exit 4). The exit
    codes: :mod:`mobilise.cli.options`.
    """
    try:
        cli.main(args=argv, prog_name="mobilise", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("mobilise: interrupted", err=True)
        sys.exit(130)
    except click.UsageError as exc:
        hint = f" ({exc.ctx.command_path} --help for usage)" if exc.ctx else ""
        click.echo(one_line(f"mobilise: {exc.format_message()}{hint}"), err=True)
        sys.exit(INPUT_ERROR)
    except click.ClickException as exc:
        click.echo(one_line(f"mobilise: {exc.format_message()}"), err=True)
        sys.exit(INPUT_ERROR)
    except (InputError, OutputError) as exc:
        click.echo(one_line(str(exc)), err=True)
        sys.exit(INPUT_ERROR)
    except OSError as exc:  # a fault outside a batch's own handling (a figure, a report)
        click.echo(one_line(f"mobilise: {describe_fault(exc)}"), err=True)
        sys.exit(FAULT)
    except Exception as exc:  # a bug: not exit 1, which says only that some runs failed
        log = _keep_traceback()
        click.echo(
            one_line(
                f"mobilise: internal error ({type(exc).__name__}: {exc}); this is a bug, "
                f"please report it with the command; the traceback is in {log}"
            ),
            err=True,
        )
        sys.exit(INTERNAL_ERROR)


def _keep_traceback() -> str:
    """Write the exception being handled to a file for the report; return its path."""
    import tempfile
    import traceback

    with tempfile.NamedTemporaryFile(
        "w", prefix="mobilise-error-", suffix=".txt", delete=False
    ) as handle:
        traceback.print_exc(file=handle)
    return handle.name


COMMANDS = (
    validate,
    list_,
    run_command,
    batch,
    compare,
    report,
    sensitivity,
    discover,
    calibrate,
    check_command,
    robust,
    app,
)
"""Every command, in the order ``mobilise --help`` lists them (alphabetically)."""

for _command in COMMANDS:
    cli.add_command(_command)
