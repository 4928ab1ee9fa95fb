"""From a batch folder's CSVs to effects, interactions and figures.

``mobilise batch`` calls this at the end; ``mobilise report DIR`` calls it again
on the files alone, so figures can be regenerated without re-running anything.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from mobilise.analysis import factorial_effects, paired_effects
from mobilise.outcomes import EFFECT_OUTCOMES


def read_batch(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The runs and time series of a finished batch (CSV or Parquet)."""
    runs = pd.read_csv(out / "runs.csv", keep_default_na=True)
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


def analyse_and_plot(out: Path, *, factorial: list[str] | None = None) -> list[Path]:
    """Write ``effects.csv``, ``interactions.csv`` (factorials) and the figures."""
    from mobilise.plots import write_report

    runs, series = read_batch(out)
    written: list[Path] = []
    effects = all_effects(runs)
    effects.to_csv(out / "effects.csv", index=False, float_format="%.10g")
    written.append(out / "effects.csv")
    interactions = pd.DataFrame()
    if factorial and len(runs):
        interactions = factorial_effects(runs, factorial, outcome=HEADLINE_OUTCOME)
        interactions.to_csv(out / "interactions.csv", index=False, float_format="%.10g")
        written.append(out / "interactions.csv")
    if len(runs) and len(series):
        effects.attrs.update(confidence=0.95)  # a forest plot per outcome: milestone and horizon
        written += write_report(runs, series, effects, interactions, out)
    return written


def report(out: Path) -> list[Path]:
    """Regenerate analysis and figures from a batch folder's files and manifest."""
    manifest_path = out / "manifest.json"
    if not (out / "runs.csv").exists():
        from mobilise.scenario import ScenarioError

        raise ScenarioError(f"{out}: no runs.csv here; expected the folder of a finished batch")
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    return analyse_and_plot(out, factorial=manifest.get("factorial"))
