"""From a batch folder's CSVs to its tables: paired effects and factorial interactions.

The runner only runs; the CLI asks for these tables (and, from the views, for the
figures) at the end of a batch, and ``mobilise report DIR`` asks again from the
files alone, so nothing is re-run.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from mobilise.analysis.effects import (
    beat_probabilities,
    effect_drivers,
    effect_half_widths,
    factorial_effects,
    paired_effects,
    rank_probabilities,
)
from mobilise.model.outcomes import EFFECT_OUTCOMES
from mobilise.vocabulary import OutputError


def read_batch_runs(out: Path) -> pd.DataFrame:
    """The runs of a finished batch (``runs.csv``)."""
    return pd.read_csv(out / "runs.csv", keep_default_na=True)


def read_batch(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The runs and time series of a finished batch (CSV or Parquet)."""
    runs = read_batch_runs(out)
    for name in ("timeseries.csv", "timeseries.parquet"):
        path = out / name
        if path.exists():
            series = pd.read_csv(path) if path.suffix == ".csv" else pd.read_parquet(path)
            return runs, series
    return runs, pd.DataFrame()


HEADLINE_OUTCOME = "milestone_metric"
"""Interactions use the metric when the milestone is due: the question asked. Effects and
their forest plots are reported at the milestone date and at the horizon."""


def all_effects(runs: pd.DataFrame) -> pd.DataFrame:
    """Paired effects for each outcome in :data:`EFFECT_OUTCOMES`, stacked."""
    if not len(runs):
        return pd.DataFrame()
    frames = []
    for outcome in EFFECT_OUTCOMES:
        effects = paired_effects(runs, outcome=outcome)
        effects.insert(3, "outcome", outcome)
        frames.append(effects)
    return pd.concat(frames, ignore_index=True)


def all_half_widths(runs: pd.DataFrame) -> pd.Series:
    """Each arm's widest paired-effect t half-width over :data:`EFFECT_OUTCOMES`.

    What ``--precision`` stops on; an outcome the horizon cannot measure (all NaN)
    does not hold an arm back.
    """
    if not len(runs):
        return pd.Series(dtype=float)
    widths = [effect_half_widths(runs, outcome=o) for o in EFFECT_OUTCOMES]
    return pd.concat(widths, axis=1).max(axis=1, skipna=True)


def across_outcomes(make: Callable[..., pd.DataFrame], runs: pd.DataFrame) -> pd.DataFrame:
    """One table per outcome of :data:`EFFECT_OUTCOMES`, stacked."""
    frames = [make(runs, outcome=outcome) for outcome in EFFECT_OUTCOMES]
    return pd.concat(frames, ignore_index=True)


def read_members(out: Path) -> pd.DataFrame | None:
    """The members a batch ran (``members.csv``), or None without an ensemble."""
    path = out / "members.csv"
    return pd.read_csv(path) if path.exists() else None


def write_tables(out: Path, *, factorial: list[str] | None = None) -> list[Path]:
    """Write the effects and what they say across plausible worlds.

    ``effects.csv``; ``ranks.csv`` (the probability each arm has the largest effect);
    ``pairs.csv`` (the probability each arm's effect exceeds each other's); with an
    ensemble, ``drivers.csv`` (the inputs that drive each effect's spread across members);
    for a factorial design, ``interactions.csv``.
    """
    runs = read_batch_runs(out)  # the time series is not needed
    written: list[Path] = []
    all_effects(runs).to_csv(out / "effects.csv", index=False, float_format="%.10g")
    written.append(out / "effects.csv")
    if len(runs):
        for name, make in (("ranks.csv", rank_probabilities), ("pairs.csv", beat_probabilities)):
            across_outcomes(make, runs).to_csv(out / name, index=False, float_format="%.10g")
            written.append(out / name)
    members = read_members(out)
    if members is not None and len(runs):
        drivers = [effect_drivers(runs, members, outcome=o) for o in EFFECT_OUTCOMES]
        pd.concat(drivers, ignore_index=True).to_csv(
            out / "drivers.csv", index=False, float_format="%.10g"
        )
        written.append(out / "drivers.csv")
    if factorial and len(runs):
        interactions = factorial_effects(runs, factorial, outcome=HEADLINE_OUTCOME)
        interactions.to_csv(out / "interactions.csv", index=False, float_format="%.10g")
        written.append(out / "interactions.csv")
    return written


def batch_folder(out: Path) -> dict[str, Any]:
    """The manifest of a finished, whole batch folder (one line if ``out`` is not one)."""
    return finished_runs(out)[1]


RUN_IDENTITY = ("run_id", "mission", "point", "arm", "replication", "seed")
"""Columns every row of a whole ``runs.csv`` fills."""


def finished_runs(out: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The runs and manifest of a finished batch, refused in one line if broken.

    Refused: no ``runs.csv`` or manifest, a batch not finished (interrupted, or stopped by
    a fault), a ``runs.csv`` that is empty, header-only, cut short, holds a run twice or
    is not the one the manifest counted. Tables made from such a file would look like
    results.
    """
    runs_path, manifest_path = out / "runs.csv", out / "manifest.json"
    if not runs_path.is_file():
        raise OutputError(f"{out}: no runs.csv here; expected the folder of a finished batch")
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not readable JSON"
        raise OutputError(f"{manifest_path}: {reason}; expected a batch's manifest") from None
    if not isinstance(manifest, dict) or manifest.get("status") != "complete":
        raise OutputError(
            f"{out}: the batch is not finished; run its command again with --out {out} --resume"
        )
    try:
        raw = runs_path.read_bytes()
        runs = pd.read_csv(io.BytesIO(raw), keep_default_na=True)
    except (OSError, ValueError, pd.errors.ParserError) as exc:  # EmptyDataError is one
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise OutputError(f"{runs_path}: cannot be read as a table of runs ({first})") from None
    expected = manifest.get("runs_done")
    missing = [c for c in RUN_IDENTITY if c not in runs]
    if missing:
        raise OutputError(f"{runs_path}: no column {', '.join(missing)}; not a batch's runs")
    if runs.empty:
        raise OutputError(f"{runs_path}: holds no runs (only a header); nothing to report")
    if not raw.endswith(b"\n") or runs[list(RUN_IDENTITY)].isna().any().any():
        raise OutputError(f"{runs_path}: cut short (its last row is incomplete)")
    twice = runs["run_id"][runs["run_id"].duplicated()]
    if len(twice):
        raise OutputError(f"{runs_path}: run {twice.iloc[0]} appears twice; not a batch's runs")
    if expected is not None and len(runs) != expected:
        raise OutputError(
            f"{runs_path}: holds {len(runs)} runs but the manifest counts {expected}; "
            f"rebuild it with --out {out} --resume"
        )
    return runs, manifest
