"""Where a scenario's constraint values come from: a cited data row, or a stated assumption.

A scenario may declare ``sources``: one entry per structural constraint, either a row
``file:series,year`` of a data file (a CSV with the columns of ``data/``:
``series,year,value,unit,approx,source``; a series read month by month writes the month,
``2021-03``, as its year) or an assumption stated in words. A calibration target cites
its observed value's row the same way (:func:`cited_row`). Once a
scenario declares sources, every constraint needs one, so a country's structures cannot
come in unsourced. Loading the file (:func:`check_sources`) then reads each cited file and
refuses, in one line, a file that does not read (wrong columns, a value that is not a
number, a row without a source), a row that is not there, and a constraint whose value is
not its row's unless the entry says how it follows from the row (``note``).

A cited file is found beside the scenario first, then among the shipped data files
(``denmark_facts.csv`` names ``data/denmark_facts.csv`` in a checkout and in a wheel).
"""

from __future__ import annotations

import csv
import difflib
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, model_validator

from mobilise.schema.constraints import Constraints
from mobilise.schema.shipped import shipped_data
from mobilise.schema.strict import Strict
from mobilise.vocabulary import ScenarioError, unknown_name

MAX_DATA_BYTES = 2 * 1024 * 1024
"""The largest data file read (2 MiB; the shipped ones are under 100 KiB)."""

DATA_COLUMNS = ("series", "year", "value", "unit", "approx", "source")
"""The columns of every data file, in order (``data/README.md``)."""

WHEN = re.compile(r"\d{4}(?:-(?:0[1-9]|1[0-2]))?")
"""A row's year: ``2019``, or a month of it, ``2021-03``, for a series read month by month."""

ROW = re.compile(r"(?P<file>[^:]+\.csv):(?P<series>\w+),(?P<year>" + WHEN.pattern + ")")
"""A cited row: ``denmark_facts.csv:union_density_employees,2019`` (or ``...,2021-03``)."""

When = int | str
"""How a row's year is looked up: a year as its number, a month as its text (``2021-03``)."""


def when_of(text: str) -> When:
    """The lookup key of a year as written: ``2019`` -> 2019, ``2021-03`` stays text."""
    return int(text) if len(text) == 4 else text


class Citation(Strict):
    """Where one constraint's value comes from: a data row, or an assumption in words."""

    row: str | None = Field(
        None, description="a data row, 'file:series,year' (e.g. denmark_facts.csv:x,2019)"
    )
    assumption: str | None = Field(
        None, description="the assumption made where no data row exists, in words"
    )
    note: str = Field(
        "",
        description="how the value follows from its row, when it is not the row's value "
        "(a transformation, another country's value kept)",
    )

    @model_validator(mode="before")
    @classmethod
    def _row_shorthand(cls, data: Any) -> Any:
        """A bare text is a row: ``union_density: denmark_facts.csv:x,2019``."""
        return {"row": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _one_kind(self) -> Citation:
        if (self.row is None) == (self.assumption is None):
            raise ValueError("expected either a data row or an assumption")
        if self.row is not None and not ROW.fullmatch(self.row):
            raise ValueError(f"expected a data row like 'file.csv:series,2019', found {self.row!r}")
        if self.assumption is not None and not self.assumption.strip():
            raise ValueError("an assumption must say what is assumed")
        return self


def check_complete(sources: dict[str, Citation]) -> dict[str, Citation]:
    """Every key a constraint and, once any is cited, every constraint cited (ValueError)."""
    names = list(Constraints.model_fields)
    for name in sources:
        if name not in names:
            raise unknown_name("constraint", name, names)
    missing = [name for name in names if sources and name not in sources]
    if missing:
        raise ValueError(
            f"constraint '{missing[0]}' has no source (expected a data row "
            "'file.csv:series,year' or an assumption)"
        )
    return sources


@dataclass(frozen=True)
class DataRow:
    """One row of a data file."""

    series: str
    year: When
    value: float
    unit: str
    approx: bool
    source: str


def read_data(path: Path) -> dict[tuple[str, When], DataRow]:
    """A data file's rows by ``(series, year)``, every row checked; one line if any fails."""
    lines = _text(path).splitlines()
    if not lines or tuple(lines[0].split(",")) != DATA_COLUMNS:
        found = lines[0] if lines else "an empty file"
        raise ScenarioError(f"{path}: line 1: expected the header {','.join(DATA_COLUMNS)}, "
                            f"found {found[:80]!r}")  # fmt: skip
    rows: dict[tuple[str, When], DataRow] = {}
    for line, fields in enumerate(csv.reader(lines[1:]), start=2):
        where = f"{path}: line {line}"
        if len(fields) != len(DATA_COLUMNS):
            raise ScenarioError(
                f"{where}: expected {len(DATA_COLUMNS)} fields, found {len(fields)}"
            )
        series, year, value, unit, approx, source = (f.strip() for f in fields)
        if not WHEN.fullmatch(year):
            _number(year, int, f"{where}: year")  # not a number at all: say so
            raise ScenarioError(
                f"{where}: year: expected a year like 2019 or a month like 2021-03, found {year!r}"
            )
        when, number = when_of(year), _number(value, float, f"{where}: value")
        if approx not in ("0", "1"):
            raise ScenarioError(f"{where}: approx: expected 0 or 1, found {approx!r}")
        if not source:
            raise ScenarioError(
                f"{where}: {series},{year} has no source (expected where it is from)"
            )
        if (series, when) in rows:
            raise ScenarioError(f"{where}: {series},{year} appears twice")
        rows[series, when] = DataRow(series, when, number, unit, approx == "1", source)
    return rows


def _text(path: Path) -> str:
    """A data file's text: at most :data:`MAX_DATA_BYTES` of UTF-8; one line if not."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_DATA_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read file ({exc.strerror})") from None
    if len(data) > MAX_DATA_BYTES:
        raise ScenarioError(f"{path}: larger than 2 MiB; expected a data file (CSV)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "expected a data file (CSV)"
        ) from None


def _number[T: (int, float)](text: str, kind: type[T], where: str) -> T:
    try:
        number = kind(text)
    except ValueError:
        raise ScenarioError(f"{where}: expected a number, found {text!r}") from None
    if not math.isfinite(number):
        raise ScenarioError(f"{where}: expected a finite number, found {text!r}")
    return number


def data_file(name: str, base: Path) -> Path:
    """A cited data file: beside the scenario (``base``) if there, else a shipped one."""
    beside = base / name
    if beside.is_file():
        return beside
    shipped = shipped_data(name)
    if shipped.is_file():
        return shipped
    raise ScenarioError(f"no data file '{name}' beside the scenario or among the shipped data")


def check_sources(
    sources: dict[str, Citation], constraints: Constraints, source: str, base: Path
) -> None:
    """Each cited row exists, is sourced and holds the constraint's value (or a note says why).

    ``source`` names the scenario file in messages; ``base`` is its folder.
    """
    files: dict[str, dict[tuple[str, When], DataRow]] = {}
    for name, citation in sources.items():
        if citation.row is None:
            continue
        where = f"{source}: sources.{name}"
        row = cited_row(citation.row, base, where, files)
        value = float(getattr(constraints, name))
        if not citation.note and not math.isclose(value, row.value, rel_tol=1e-9, abs_tol=1e-12):
            file = citation.row.partition(":")[0]
            raise ScenarioError(
                f"{where}: constraints.{name} is {value:g} but {file} {row.series},{row.year} "
                f"is {row.value:g} (expected the row's value, or a note saying how it follows)"
            )


def cited_row(
    reference: str,
    base: Path,
    where: str,
    files: dict[str, dict[tuple[str, When], DataRow]] | None = None,
) -> DataRow:
    """The data row ``file.csv:series,year`` names (its file read and checked whole).

    ``base`` is the citing file's folder; ``files`` caches files already read. A file
    that does not read, or a row that is not there, is one line beginning ``where``.
    """
    files = {} if files is None else files
    match = ROW.fullmatch(reference)
    if match is None:
        raise ScenarioError(
            f"{where}: expected a data row like 'file.csv:series,2019', found {reference!r}"
        )
    file, series, year = match["file"], match["series"], when_of(match["year"])
    try:
        if file not in files:
            files[file] = read_data(data_file(file, base))
    except ScenarioError as exc:
        raise ScenarioError(f"{where}: {exc}") from None
    row = files[file].get((series, year))
    if row is None:
        raise ScenarioError(f"{where}: no row {series},{year} in {file} "
                            f"({_nearest(files[file], series)})")  # fmt: skip
    return row


def _nearest(rows: dict[tuple[str, When], DataRow], series: str) -> str:
    """What the file holds nearest a missing row: the series' years, or a close series."""
    years = sorted(str(y) for s, y in rows if s == series)
    if years:
        shown = years if len(years) <= 8 else [*years[:2], "...", *years[-4:]]
        return f"{series} has the years {', '.join(shown)}"
    close = difflib.get_close_matches(series, sorted({s for s, _ in rows}), n=1)
    return f"no series {series}" + (f"; did you mean {close[0]}?" if close else "")
