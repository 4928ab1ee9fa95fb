"""What the commands share, declared once: exit codes, option types, the options, faults.

Exit codes: 0 done; 1 some runs failed (a batch) or a pattern missed (``check``); 2 bad
input (a file, a value, an output path that cannot be used), found before any work;
3 a fault while working (a full disk, an I/O error): what was finished is kept, and
the same command with ``--resume`` finishes it; 4 a bug (its traceback is written to
a file); 130 interrupted.
"""

from __future__ import annotations

import contextlib
import math
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from mobilise.schema.ensemble import NONE
from mobilise.schema.reforms import check_reform
from mobilise.schema.schedule import Quarter, check_budget, parse_start
from mobilise.schema.shipped import Kind, resolve
from mobilise.vocabulary import require_extra

INPUT_ERROR = 2
FAULT = 3
INTERNAL_ERROR = 4


LINE_BREAKS = {ord(c): repr(c)[1:-1] for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"}
"""Every character ``str.splitlines`` breaks a line at, and how it is shown escaped."""


def one_line(text: str) -> str:
    r"""A message as one line: a line break inside it (a name that holds one) shown as ``\n``."""
    return text.translate(LINE_BREAKS)


class FiniteFloatRange(click.FloatRange):
    """A number in a range, and finite: NaN and infinity pass no comparison, so say so."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The number, or click's one-line failure."""
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"expected a finite number, found {value!r}", param, ctx)
        return number


class ShippedFile(click.ParamType[Path, Any]):
    """A file argument that also takes a shipped file's name (``uk_2024``), as a path.

    A path that exists wins; an unknown name is one line with the closest shipped name.
    """

    def __init__(self, kind: Kind) -> None:
        self.kind: Kind = kind
        self.name = kind

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        """The file ``value`` names (:func:`mobilise.schema.shipped.resolve`)."""
        return resolve(self.kind, value)


SCENARIO = ShippedFile("scenario")
EXPERIMENT = ShippedFile("experiment")


def parse_reform(text: str) -> tuple[str, float]:
    """``NAME`` (strength 1) or ``NAME=STRENGTH`` -> (name, strength), checked."""
    name, equals, value = text.partition("=")
    if equals and not value.strip():
        raise click.BadParameter(
            f"'{text}': give a strength in [0, 1] after '=', or no '=' for strength 1",
            param_hint="'--reform'",
        )
    try:
        strength = float(value) if equals else 1.0
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


def parse_reforms(
    texts: tuple[str, ...],
) -> tuple[dict[str, float], dict[str, Quarter], dict[str, str], dict[str, list[str]]]:
    """``--reform NAME[=STRENGTH][@START][:MISSION[+MISSION]]`` options, parsed.

    They give strengths, starts, each one's text, and the missions each is aimed at.
    ``START`` is a quarter (``2027Q1``) or a quarter number of the run (1 = its first);
    ``MISSION`` names a mission of the scenario the reform applies to (by default all of
    them). The same reform twice is two schedules for one reform: refused in one line.
    """
    strengths: dict[str, float] = {}
    starts: dict[str, Quarter] = {}
    names: dict[str, str] = {}
    aimed: dict[str, list[str]] = {}
    for text in texts:
        head, colon, missions = text.partition(":")
        reform, at, when = head.partition("@")
        name, strength = parse_reform(reform)
        if name in strengths:
            raise click.BadParameter(
                f"'{name}' is given twice: one schedule per reform", param_hint="'--reform'"
            )
        strengths[name] = strength
        names[name] = text
        if at:
            try:
                starts[name] = parse_start(when)
            except ValueError as exc:
                raise click.BadParameter(f"{name}: {exc}", param_hint="'--reform'") from None
        if colon:
            listed = missions.split("+")
            if not all(m.strip() for m in listed):
                raise click.BadParameter(
                    f"'{text}': name a mission after ':' (several joined by '+'), "
                    f"found '{missions}'",
                    param_hint="'--reform'",
                )
            twice = [m for i, m in enumerate(listed) if m in listed[:i]]
            if twice:
                raise click.BadParameter(
                    f"'{text}': expected each mission once, found '{twice[0]}' twice",
                    param_hint="'--reform'",
                )
            aimed[name] = [m.strip() for m in listed]
    return strengths, starts, names, aimed


def parse_budget(
    ctx: click.Context, param: click.Parameter, values: tuple[float, ...]
) -> tuple[float, ...]:
    """``--budget FACTOR`` options, each a finite number >= 0 (a multiplier of the budget)."""
    for value in values:
        try:
            check_budget(value, "--budget")
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="'--budget'") from None
    return values


def budget_option[F: Callable[..., Any]](help_text: str) -> Callable[[F], F]:
    """``--budget FACTOR`` (repeatable), declared once: a multiple of the scenario's budget."""
    option: Callable[[F], F] = click.option(
        "--budget",
        "budgets",
        multiple=True,
        type=float,
        callback=parse_budget,
        metavar="FACTOR",
        help=help_text,
    )
    return option


def _needs_dask(scheduler: str | None) -> str | None:
    """A scheduler address, once the dask extra is known to be there (before any output)."""
    if scheduler is not None:
        require_extra("dask", "--scheduler")
    return scheduler


def output_folder(out: Path | None, default_name: str) -> Path:
    """``out`` (or a new folder under ``runs/``), made and writable: checked before any work.

    A file in the way, a folder under a file, or a place that cannot be written (a
    read-only file system, no permission) is one line and exit 2.
    """
    from mobilise.running.export import new_run_dir, writable_folder
    from mobilise.vocabulary import OutputError

    if out is not None:
        return writable_folder(out)
    try:
        return new_run_dir(Path("runs"), default_name)
    except OSError as exc:
        raise OutputError(f"runs/: cannot make an output folder here ({exc.strerror})") from None


@contextlib.contextmanager
def faults_named(out: Path) -> Iterator[None]:
    """A fault while writing ``out`` (a full disk) as one line, exit 3: what, where, what next.

    The parts of finished runs are complete files (written then renamed), so the same
    command with ``--resume`` finishes the batch.
    """
    try:
        yield
    except OSError as exc:
        click.echo(
            one_line(
                f"mobilise: {describe_fault(exc)}; finished runs are kept in {out}; once that "
                f"is fixed, run the same command with --out {out} --resume"
            ),
            err=True,
        )
        sys.exit(FAULT)


def describe_fault(exc: OSError) -> str:
    """``no space left on device writing runs/x/parts/runs-000000012-9a41be07.csv``."""
    what = (exc.strerror or type(exc).__name__).lower()
    return what + (f" writing {exc.filename}" if exc.filename else "")


EXECUTION_OPTIONS = (
    click.option(
        "--out",
        type=click.Path(path_type=Path),
        default=None,
        help="Output folder (default: a new folder under runs/).",
    ),
    click.option(
        "--workers",
        type=click.IntRange(min=1, max=1024),
        default=None,
        help="Local worker processes (default: all cores).",
    ),
    click.option(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        callback=lambda ctx, param, value: _needs_dask(value),
        help="Run on a Dask cluster, e.g. tcp://10.0.0.5:8786.",
    ),
    click.option(
        "--resume",
        is_flag=True,
        help="Finish an interrupted batch in --out: run only what is missing.",
    ),
    click.option("--quiet", is_flag=True, help="No progress line."),
)


ENSEMBLE_OPTIONS = (
    click.option(
        "--ensemble",
        default=None,
        metavar="FILE|none",
        help="The plausible worlds to run: a calibrated ensemble file, or 'none' for the "
        "scenario as written (default: the scenario's own ensemble).",
    ),
    click.option(
        "--members",
        type=click.IntRange(min=1, max=100_000),
        default=None,
        help="Run the first N members of the ensemble (default: the experiment's, else 40).",
    ),
)

SET_OPTION = click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Set a scenario field by its dotted path, e.g. influence.signal=1.2 (repeatable); "
    "validated as the file is.",
)


def ensemble_options[F: Callable[..., Any]](command: F) -> F:
    """``--ensemble`` and ``--members``: which plausible worlds a command runs."""
    for option in reversed(ENSEMBLE_OPTIONS):
        command = option(command)
    return command


def check_members(ensemble: str | None, members: int | None) -> None:
    """``--members`` counts an ensemble's members: with ``--ensemble none`` it is a mistake."""
    if members is not None and ensemble is not None and ensemble.lower() == NONE:
        raise click.BadParameter(
            "--members counts an ensemble's members; there is none with --ensemble none",
            param_hint="'--members'",
        )


def execution_options[F: Callable[..., Any]](command: F) -> F:
    """The options of every command that runs a batch, declared once."""
    for option in reversed(EXECUTION_OPTIONS):
        command = option(command)
    return command
