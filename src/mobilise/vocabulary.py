"""The words every layer shares: the quarter calendar, bad input, unknown names, extras.

The ground floor of the package: it imports nothing of mobilise, so every other
module may use it.
"""

from __future__ import annotations

import difflib
import importlib.util
import re
from collections.abc import Iterable

QUARTER_PATTERN = re.compile(r"(\d{4})Q([1-4])")


def quarter_index(label: str) -> int:
    """Quarters since year 0 for a label like ``2025Q1`` (for differences)."""
    match = QUARTER_PATTERN.fullmatch(label)
    if not match:
        raise ValueError(f"expected a quarter like 2025Q1, found {label!r}")
    return int(match.group(1)) * 4 + int(match.group(2)) - 1


def quarter_label(index: int) -> str:
    """Inverse of :func:`quarter_index`."""
    return f"{index // 4}Q{index % 4 + 1}"


class InputError(ValueError):
    """A file, field or option that cannot be used; the message is one line naming it."""


ScenarioError = InputError
"""The name the public API has always raised for bad scenario and experiment input."""


class OutputError(ValueError):
    """An output folder that cannot be used as asked (e.g. it already holds a batch)."""


class UnknownNameError(ValueError):
    """A name (actor type, mission, reform, key, output, ...) that is not one of the known ones."""


def unknown_name(kind: str, name: object, known: Iterable[str]) -> UnknownNameError:
    """The one way to say a name is unknown: ``unknown reform 'x'; did you mean 'y'? (...)``."""
    choices = list(known)
    close = difflib.get_close_matches(str(name), choices, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    shown = repr(name) if isinstance(name, str) else f"'{name}'"  # one line, whatever the name
    return UnknownNameError(f"unknown {kind} {shown}{hint} (expected one of: {', '.join(choices)})")


def check_known(kind: str, name: str, known: Iterable[str]) -> str:
    """``name`` if it is among ``known``; :class:`UnknownNameError` in one line if not."""
    choices = list(known)
    if name not in choices:
        raise unknown_name(kind, name, choices)
    return name


EXTRAS: dict[str, tuple[str, ...]] = {
    "app": ("solara", "reacton", "ipyvue", "ipyvuetify"),
    "sensitivity": ("SALib", "sklearn"),
    "robust": ("pymoo",),
    "dask": ("dask", "distributed"),
    "parquet": ("pyarrow",),
    "viz": ("altair",),
    "calibrate": ("pyabc",),
}
"""Each optional extra of ``pyproject.toml`` and the top-level modules it brings."""


def missing_extra(extra: str, what: str) -> InputError:
    """The one way to say an extra is missing: ``mobilise app needs the 'app' extra: ...``."""
    return InputError(f"{what} needs the '{extra}' extra: pip install 'mobilise[{extra}]'")


def extra_of(module: str | None) -> str | None:
    """The extra that installs ``module`` (a dotted name is read by its top level), if any."""
    top = (module or "").partition(".")[0]
    return next((extra for extra, modules in EXTRAS.items() if top in modules), None)


def require_extra(extra: str, what: str) -> None:
    """Fail in one line, before any work, when ``what`` needs an extra that is not installed."""
    if any(importlib.util.find_spec(module) is None for module in EXTRAS[extra]):
        raise missing_extra(extra, what)
