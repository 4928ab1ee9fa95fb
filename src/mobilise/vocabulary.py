"""The words every layer shares: the quarter calendar, bad input, and unknown names.

The ground floor of the package: it imports nothing of mobilise, so every other
module may use it.
"""

from __future__ import annotations

import difflib
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
