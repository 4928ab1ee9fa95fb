"""Bad input, generated: mutations every schema must refuse, and the CLI run with a time limit.

A mutation takes a valid document (a shipped scenario or experiment, as data) and
breaks it in a way no reading of the schemas could accept:

- a number replaced by text (``"600"``, ``yes``), a boolean, a list or a mapping;
- a number replaced by NaN or an infinity;
- a key no schema declares (``zz_...``), in any mapping;
- a required key removed.

Documents hold free mappings too (a scenario's ``calibration.fitted`` record) where
anything goes; mutations stay out of them.
"""

from __future__ import annotations

import contextlib
import io
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from mobilise.cli import main

FREE = ("fitted",)
"""Keys under which a document holds anything: no mutation there is an error."""

Path_ = tuple[Any, ...]


def leaves(data: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    """Every (path, value) of scalars in a document, outside :data:`FREE` mappings."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key not in FREE:
                yield from leaves(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from leaves(value, (*path, i))
    else:
        yield path, data


def mappings(data: Any, path: Path_ = ()) -> Iterator[Path_]:
    """The path of every mapping in a document, outside :data:`FREE` ones."""
    if isinstance(data, dict):
        yield path
        for key, value in data.items():
            if key not in FREE:
                yield from mappings(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from mappings(value, (*path, i))


def replaced(data: Any, path: Path_, value: Any) -> Any:
    """A copy of ``data`` with the value at ``path`` replaced (deleted if ``value`` is DELETE)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        copy = dict(data)
        if rest:
            copy[head] = replaced(data[head], rest, value)
        elif value is DELETE:
            del copy[head]
        else:
            copy[head] = value  # a new key, or a new value
        return copy
    copy_list = list(data)
    copy_list[head] = replaced(data[head], rest, value)
    return copy_list


def at(data: Any, path: Path_) -> Any:
    for key in path:
        data = data[key]
    return data


DELETE = object()

NOT_A_NUMBER = st.one_of(
    # any text, digits included ("600" is not 600), but not a step's other names
    st.text(max_size=12).filter(lambda t: t not in ("horizon", "milestone")),
    st.sampled_from(["yes", "no", "on", "off", "1e3x", "0x10", "1_000", "10**30", ""]),
    st.booleans(),
    st.lists(st.text(max_size=3), min_size=0, max_size=2).map(lambda v: [*v, "x"]),
    st.dictionaries(st.just("x"), st.integers(), min_size=1),
)
NOT_FINITE = st.sampled_from([float("nan"), float("inf"), float("-inf")])
UNKNOWN_KEY = st.from_regex(r"zz_[a-z]{1,8}", fullmatch=True)


@dataclass(frozen=True)
class Mutation:
    """What was broken, where (for the failure message of a test)."""

    what: str
    path: Path_
    data: Any


@st.composite
def broken(draw: st.DrawFn, document: dict[str, Any], required: tuple[str, ...]) -> Mutation:
    """A mutation of ``document`` that every reading of its schema refuses."""
    numbers = [
        (p, v)
        for p, v in leaves(document)
        if isinstance(v, int | float) and not isinstance(v, bool)
    ]
    kind = draw(st.sampled_from(["type", "finite", "key", "missing"]))
    if kind in ("type", "finite"):
        path, _ = draw(st.sampled_from(numbers))
        value = draw(NOT_A_NUMBER if kind == "type" else NOT_FINITE)
        return Mutation(f"{kind}: {value!r}", path, replaced(document, path, value))
    if kind == "key":
        path = draw(st.sampled_from(list(mappings(document))))
        key = draw(UNKNOWN_KEY.filter(lambda k: k not in at(document, path)))
        return Mutation(f"unknown key {key!r}", path, replaced(document, (*path, key), 1))
    key = draw(st.sampled_from(required))
    return Mutation("missing", (key,), replaced(document, (key,), DELETE))


@dataclass(frozen=True)
class Outcome:
    """A command's exit code and what it printed."""

    code: int
    out: str
    err: str


class TimeLimitError(Exception):
    """A command ran past its time limit: bad input must be refused at once."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`TimeLimitError` in this (the main) thread after ``seconds``."""

    def stop(signum: int, frame: Any) -> None:
        raise TimeLimitError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_cli(*args: str, seconds: float = 30) -> Outcome:
    """``mobilise ARGS`` in this process: any traceback is raised here, not printed."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with time_limit(seconds), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return Outcome(code, out.getvalue(), err.getvalue())


def assert_refused(outcome: Outcome, *words: str) -> None:
    """Exit 2 and one line on stderr holding every one of ``words``, no traceback."""
    assert outcome.code == 2, (outcome.code, outcome.err)
    lines = outcome.err.splitlines()
    assert len(lines) == 1, outcome.err
    assert "Traceback" not in outcome.err
    for word in words:
        assert word in lines[0], (word, lines[0])
