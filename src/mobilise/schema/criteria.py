"""The robustness criteria, declared once: name, label, direction, definition, source.

Experiment files name them (rank_by, search objectives); :mod:`mobilise.analysis.robustness`
computes them; the figures and docs label them.
"""

from __future__ import annotations

from dataclasses import dataclass

KEY_OUTCOME = "milestone_metric"
"""The metric the decision criteria judge: the key metric when the milestone is due."""

HORIZON_OUTCOME = "final_metric"
"""The key metric at the horizon (quarter 40 on the shipped scenarios)."""


@dataclass(frozen=True)
class Criterion:
    """One robustness metric: its column, label, which way is better, definition and source."""

    name: str
    label: str
    higher_is_better: bool
    definition: str
    source: str


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "satisficing",
        "Share of states where the milestone is met",
        True,
        "share of states in which the replication mean of milestone_met is >= met_share "
        "(default 0.5: met in at least half the replications)",
        "Starr (1963) domain criterion; Simon (1956) satisficing; McPhail et al. (2018)",
    ),
    Criterion(
        "regret_p90",
        "90th-percentile regret",
        False,
        "90th percentile across states of the regret: the best package's value in the state "
        "minus this package's (key metric at the milestone date)",
        "Savage (1951) regret; percentile form as in Kwakkel et al. (2016), McPhail et al. (2018)",
    ),
    Criterion(
        "minimax_regret",
        "Largest regret",
        False,
        "largest regret across states",
        "Savage (1951) minimax regret",
    ),
    Criterion(
        "maximin",
        "Worst state",
        True,
        "lowest value of the key metric at the milestone date across states",
        "Wald (1950) maximin",
    ),
    Criterion(
        "hurwicz",
        "Hurwicz",
        True,
        "alpha x best state + (1 - alpha) x worst state (alpha: hurwicz_alpha, default 0.5)",
        "Hurwicz (1951) optimism-pessimism rule",
    ),
    Criterion(
        "milestone_mean",
        "Mean across states (Laplace)",
        True,
        "mean across states of the key metric at the milestone date: Laplace's principle "
        "of insufficient reason (every state equally likely)",
        "Laplace; McPhail et al. (2018)",
    ),
    Criterion(
        "milestone_p10",
        "10th percentile at the milestone",
        True,
        "10th percentile across states of the key metric at the milestone date",
        "percentile-based robustness, McPhail et al. (2018)",
    ),
    Criterion(
        "final_mean",
        "Mean at the horizon",
        True,
        "mean across states of the key metric at the horizon",
        "Laplace, at the horizon",
    ),
    Criterion(
        "final_p10",
        "10th percentile at the horizon",
        True,
        "10th percentile across states of the key metric at the horizon",
        "percentile-based robustness, at the horizon",
    ),
    Criterion(
        "p_met",
        "Share of runs meeting the milestone",
        True,
        "mean across states of the share of replications that meet the milestone",
        "expected value of milestone_met",
    ),
)
"""The columns of ``robustness.csv``, declared once: they drive the CSV, plots and docs."""

CRITERIA_BY_NAME = {c.name: c for c in CRITERIA}

DEFAULT_RANK_BY: tuple[str, ...] = ("satisficing", "regret_p90", "milestone_mean")
"""Rank by satisficing, then break ties by 90th-percentile regret, then by the mean."""
