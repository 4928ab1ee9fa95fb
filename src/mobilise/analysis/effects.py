"""Effects of reforms from batches of paired runs: pure functions on frames, no I/O.

Runs are paired: the same (mission, point, member, replication) shares a seed across
arms (common random numbers), so every effect here is computed from per-replication
differences. The shared replication noise cancels, which is why paired intervals
are narrower than the unpaired ``sd_unpaired`` would give.

With a calibrated ensemble each pair also belongs to a *member* (a plausible world),
and an effect's spread has two sources: which world (parameters) and which history
within it (seeds). ``low``/``high`` is the 95% interval of the paired effect over
members and seeds together; ``seed_low``/``seed_high`` what seeds alone would give
(the within-member spread around the mean); ``parameter_share`` the share of the
effect's variance that comes from parameters, by the law of total variance
``Var(d) = Var_m(E[d | m]) + E_m[Var(d | m)]``, with the between-member term corrected
for the seed noise in each member's mean. Without an ensemble every run is member 0
and the spread is the seeds' alone.

Conventions (all frames long, one row per estimate):

* a *t interval* is the Student t interval of a mean of per-replication values;
  with fewer than two values it is NaN, with zero variance it is the point;
* a *two-way interaction* ``a:b`` is half the difference-in-differences
  ``[(a on, b on) - (a off, b on)] - [(a on, b off) - (a off, b off)]``, averaged
  over the other factors: the classical 2^k effect (Montgomery), i.e. the mean over
  cells where a and b agree minus the mean over cells where they differ. Under
  ``y = ... + g * a * b`` it estimates ``g / 2``;
* *synergy* is the all-on effect minus the sum of each reform's effect alone
  (both against all-off): under ``y = ... + g * a * b`` it estimates ``g``.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable, Sequence
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import special

KEYS = ("mission", "point")
"""The columns that identify one experimental setting within a batch."""

PAIR_KEYS = ("mission", "point", "member", "replication")
"""Runs with equal values here share a seed across arms and are paired (``member``: 0 when
the runs have no such column, from before ensembles)."""

EFFECT_COLUMNS = [
    "mission",
    "point",
    "arm",
    "reforms",
    "n",
    "baseline_mean",
    "arm_mean",
    "mean_diff",
    "sd_diff",
    "sd_unpaired",
    "t_low",
    "t_high",
    "boot_low",
    "boot_high",
    "p_met_baseline",
    "p_met_arm",
    "diff_met",
    "diff_met_low",
    "diff_met_high",
    "low",
    "high",
    "p_positive",
    "seed_low",
    "seed_high",
    "parameter_share",
    "members",
    "cost_bn",
    "per_bn",
    "per_bn_low",
    "per_bn_high",
]
"""Columns of :func:`paired_effects`, in order."""

INTERVAL = (0.025, 0.975)
"""The interval reported over members and seeds: 95%."""

FACTORIAL_COLUMNS = ["mission", "point", "kind", "term", "estimate", "low", "high", "n"]
"""Columns of :func:`factorial_effects`, in order."""


# --- intervals ------------------------------------------------------------------------


def _clean(values: Iterable[float] | np.ndarray) -> np.ndarray:
    x = np.asarray(values, dtype=float).ravel()
    return x[~np.isnan(x)]


def ci_half_width(values: Iterable[float] | np.ndarray, confidence: float = 0.95) -> float:
    """Half-width of the Student t interval of the mean (NaN below two values).

    Exposed on its own because a precision stopping rule needs only this number.
    """
    x = _clean(values)
    if x.size < 2:
        return math.nan
    quantile = special.stdtrit(x.size - 1, (1.0 + confidence) / 2.0)  # t.ppf, light import
    return float(quantile * x.std(ddof=1) / math.sqrt(x.size))


def t_interval(
    values: Iterable[float] | np.ndarray, confidence: float = 0.95
) -> tuple[float, float, float]:
    """``(mean, low, high)``: the t interval of the mean, ignoring NaN values."""
    x = _clean(values)
    if x.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    half = ci_half_width(x, confidence)
    return mean, mean - half, mean + half


def bootstrap_interval(
    values: Iterable[float] | np.ndarray,
    *,
    confidence: float = 0.95,
    resamples: int = 2000,
    rng: np.random.Generator,
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean (NaN below two values or no resamples)."""
    x = _clean(values)
    if x.size < 2 or resamples < 1:
        return math.nan, math.nan
    means = x[rng.integers(0, x.size, size=(resamples, x.size))].mean(axis=1)
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return float(low), float(high)


def _group_rng(seed: int, key: tuple[object, ...]) -> np.random.Generator:
    """A generator per group, so a group's bootstrap does not depend on the others."""
    return np.random.default_rng([seed, zlib.crc32("|".join(map(str, key)).encode())])


# --- paired effects -------------------------------------------------------------------


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s) {', '.join(missing)}")


def _as_float(series: pd.Series) -> pd.Series:
    """Booleans (or 'True'/'False' read back from CSV) as 1.0/0.0, missing as NaN."""
    mapping = {True: 1.0, False: 0.0, "True": 1.0, "False": 0.0, "true": 1.0, "false": 0.0}
    if series.dtype == object:
        return series.map(lambda v: mapping.get(v, math.nan) if not pd.isna(v) else math.nan)
    return series.astype(float)


def with_member(runs: pd.DataFrame) -> pd.DataFrame:
    """``runs`` with a ``member`` column (0 for runs made before ensembles had one)."""
    return runs if "member" in runs else runs.assign(member=0)


def _pairs(runs: pd.DataFrame, outcome: str, baseline: str) -> pd.DataFrame:
    """Each non-baseline run next to its baseline run (``y_arm``/``y_base``, ``met_*``)."""
    runs = with_member(runs)
    _require(runs, [*PAIR_KEYS, "arm", outcome], "runs")
    duplicated = runs.duplicated([*PAIR_KEYS, "arm"])
    if duplicated.any():
        row = runs.loc[duplicated].iloc[0]
        raise ValueError(
            "runs: more than one run for mission "
            f"{row['mission']!r}, point {row['point']}, member {row['member']}, "
            f"arm {row['arm']!r}, replication {row['replication']}"
        )
    frame = pd.DataFrame(
        {
            **{k: runs[k] for k in (*PAIR_KEYS, "arm")},
            "reforms": runs["reforms"].astype(object).fillna("") if "reforms" in runs else "",
            "y": runs[outcome].astype(float),
            "met": (_as_float(runs["milestone_met"]) if "milestone_met" in runs else math.nan),
            "cost": runs["cost"].astype(float) if "cost" in runs else 0.0,
        }
    )
    is_base = frame["arm"] == baseline
    base = frame.loc[is_base, [*PAIR_KEYS, "y", "met", "cost"]]
    arms = frame.loc[~is_base]
    return arms.merge(base, on=list(PAIR_KEYS), how="left", suffixes=("_arm", "_base"))


def _mean_cost(pairs: pd.DataFrame) -> float:
    """The mean extra money an arm commits over its baseline partner, GBP bn."""
    return float(np.mean(pairs["cost_arm"].to_numpy() - pairs["cost_base"].to_numpy()))


def _per(value: float, cost: float) -> float:
    """``value`` per GBP bn of ``cost`` (NaN where the arm costs nothing)."""
    return value / cost if cost > 0 else math.nan


def _groups(pairs: pd.DataFrame) -> Iterable[tuple[tuple[object, ...], pd.DataFrame]]:
    """Groups of pairs by (mission, point, arm), in the frame's order of appearance."""
    yield from pairs.groupby(["mission", "point", "arm"], sort=False)


def paired_effects(
    runs: pd.DataFrame,
    *,
    outcome: str = "final_metric",
    baseline: str = "baseline",
    confidence: float = 0.95,
    bootstrap: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Each arm's effect against the baseline, from per-replication paired differences.

    One row per (mission, point, arm != baseline); columns :data:`EFFECT_COLUMNS`.
    A run without a baseline partner (or with a NaN outcome) is left out of ``n``.
    ``sd_unpaired`` is what the spread of the difference would be had the arms
    been run independently: compare it with ``sd_diff`` to see what pairing buys.
    ``cost_bn`` is the mean extra money the arm commits (``runs.csv``'s ``cost``: a
    budget multiplier, costed reforms); where it is positive, ``per_bn`` is the effect
    per GBP bn with the t interval scaled by it (the cost is the arm's, not uncertain).
    The milestone difference is paired too (d_i in {-1, 0, 1}), with a t interval
    clipped to [-1, 1]. ``bootstrap=0`` skips the bootstrap (NaN columns); each
    group's resampling is seeded from ``seed`` and the group, so it is deterministic.
    """
    rows = []
    for key, group in _groups(_pairs(runs, outcome, baseline)):
        ok = group[["y_arm", "y_base"]].notna().all(axis=1)
        y_arm, y_base = group.loc[ok, "y_arm"].to_numpy(), group.loc[ok, "y_base"].to_numpy()
        diff = y_arm - y_base
        n = int(diff.size)
        mean_diff, t_low, t_high = t_interval(diff, confidence)
        boot_low, boot_high = bootstrap_interval(
            diff, confidence=confidence, resamples=bootstrap, rng=_group_rng(seed, key)
        )
        met = group[["met_arm", "met_base"]].dropna()
        met_diff = met["met_arm"].to_numpy() - met["met_base"].to_numpy()
        diff_met, met_low, met_high = t_interval(met_diff, confidence)
        cost = _mean_cost(group.loc[ok]) if n else 0.0
        spread = ensemble_spread(diff, group.loc[ok, "member"].to_numpy())
        rows.append(
            {
                "mission": key[0],
                "point": key[1],
                "arm": key[2],
                "reforms": group["reforms"].iloc[0],
                "n": n,
                "baseline_mean": float(y_base.mean()) if n else math.nan,
                "arm_mean": float(y_arm.mean()) if n else math.nan,
                "mean_diff": mean_diff,
                "sd_diff": float(diff.std(ddof=1)) if n > 1 else math.nan,
                "sd_unpaired": (
                    math.sqrt(y_arm.var(ddof=1) + y_base.var(ddof=1)) if n > 1 else math.nan
                ),
                "t_low": t_low,
                "t_high": t_high,
                "boot_low": boot_low,
                "boot_high": boot_high,
                "p_met_baseline": float(met["met_base"].mean()) if len(met) else math.nan,
                "p_met_arm": float(met["met_arm"].mean()) if len(met) else math.nan,
                "diff_met": diff_met,
                "diff_met_low": max(-1.0, met_low) if not math.isnan(met_low) else math.nan,
                "diff_met_high": min(1.0, met_high) if not math.isnan(met_high) else math.nan,
                **spread,
                "cost_bn": cost,
                "per_bn": _per(mean_diff, cost),
                "per_bn_low": _per(t_low, cost),
                "per_bn_high": _per(t_high, cost),
            }
        )
    effects = pd.DataFrame(rows, columns=EFFECT_COLUMNS)
    effects["n"] = effects["n"].astype(int)
    effects["members"] = effects["members"].astype(int)
    effects.attrs.update(outcome=outcome, confidence=confidence)
    return effects


def ensemble_spread(diff: np.ndarray, member: np.ndarray) -> dict[str, float]:
    """How an effect spreads over members and seeds, and how much of it is parameters.

    ``diff`` are paired effects, ``member`` the member of each. Returns ``low``,
    ``high`` (95% over all), ``p_positive``, ``seed_low``/``seed_high`` (the mean plus
    the 95% interval of the within-member deviations, each scaled by
    ``sqrt(n_m / (n_m - 1))`` to undo the fit of the member's own mean), the
    ``parameter_share`` of the variance (law of total variance; the spread of member
    means less what their seed noise alone gives, ``E[Var(d|m)] / n``), and ``members``.
    """
    empty = dict.fromkeys(("low", "high", "p_positive", "seed_low", "seed_high"), math.nan)
    if diff.size == 0:
        return {**empty, "parameter_share": math.nan, "members": 0}
    low, high = np.quantile(diff, INTERVAL)
    frame = pd.DataFrame({"d": diff, "m": member})
    stats = frame.groupby("m")["d"].agg(["mean", "var", "count"])
    repeated = stats[stats["count"] > 1]
    deviations = frame["d"] - frame["m"].map(stats["mean"])
    scale = frame["m"].map((stats["count"] / (stats["count"] - 1).clip(lower=1)).pow(0.5))
    within = float(repeated["var"].mean()) if len(repeated) else math.nan
    mean = float(diff.mean())
    if len(repeated):
        seed_low, seed_high = mean + np.quantile((deviations * scale).to_numpy(), INTERVAL)
    else:
        seed_low = seed_high = math.nan
    if len(stats) < 2:
        share = 0.0 if len(repeated) else math.nan
    elif math.isnan(within):
        share = math.nan
    else:
        per_member = float(np.mean(1.0 / stats["count"]))  # the seed noise left in each mean
        between = max(0.0, float(stats["mean"].var(ddof=1)) - within * per_member)
        total = between + within
        share = between / total if total > 0 else 0.0
    return {
        "low": float(low),
        "high": float(high),
        "p_positive": float(np.mean(diff > 0)),
        "seed_low": float(seed_low),
        "seed_high": float(seed_high),
        "parameter_share": share,
        "members": len(stats),
    }


def arm_effects(
    runs: pd.DataFrame, *, outcome: str, baseline: str = "baseline"
) -> dict[tuple[object, object], pd.DataFrame]:
    """Per (mission, point): each arm's paired effect, one row per (member, replication).

    The table the rank and pairwise probabilities are read from: arms are compared in
    the same world and the same history (common random numbers).
    """
    pairs = _pairs(runs, outcome, baseline).assign(d=lambda f: f["y_arm"] - f["y_base"])
    tables = {}
    for (mission, point), group in pairs.groupby(["mission", "point"], sort=False):
        table = group.pivot_table(
            index=["member", "replication"], columns="arm", values="d", aggfunc="first"
        )
        order = list(dict.fromkeys(group["arm"]))  # all-NaN arms (read beyond the run) too
        tables[(mission, point)] = table.reindex(columns=order)
    return tables


RANK_COLUMNS = ["mission", "point", "outcome", "arm", "p_first", "mean_rank", "n"]
"""Columns of :func:`rank_probabilities`."""

PAIR_COLUMNS = ["mission", "point", "outcome", "arm", "other", "p_beats", "n"]
"""Columns of :func:`beat_probabilities`."""


def rank_probabilities(runs: pd.DataFrame, *, outcome: str) -> pd.DataFrame:
    """The probability each arm has the largest effect, over members and seeds.

    In each (member, replication) the arms are ranked by their paired effect (1 =
    largest; ties share their ranks' mean); ``p_first`` is the share of those in which
    an arm ranks first (ties split), ``mean_rank`` its average rank.
    """
    rows = []
    for (mission, point), table in arm_effects(runs, outcome=outcome).items():
        complete = table.dropna()
        if complete.empty:
            continue
        values = complete.to_numpy(dtype=float)
        ranks = complete.rank(axis=1, ascending=False, method="average").to_numpy()
        top = values == values.max(axis=1, keepdims=True)
        first = (top / top.sum(axis=1, keepdims=True)).mean(axis=0)
        for i, arm in enumerate(complete.columns):
            rows.append(
                {
                    "mission": mission,
                    "point": point,
                    "outcome": outcome,
                    "arm": arm,
                    "p_first": float(first[i]),
                    "mean_rank": float(ranks[:, i].mean()),
                    "n": len(complete),
                }
            )
    return pd.DataFrame(rows, columns=RANK_COLUMNS)


def beat_probabilities(runs: pd.DataFrame, *, outcome: str) -> pd.DataFrame:
    """For each ordered pair of arms, the probability the first's effect exceeds the other's.

    Over (member, replication) pairs in which both ran; ties count a half.
    """
    rows = []
    for (mission, point), table in arm_effects(runs, outcome=outcome).items():
        for arm in table.columns:
            for other in table.columns:
                if arm == other:
                    continue
                both = table[[arm, other]].dropna()
                if both.empty:
                    continue
                a, b = both[arm].to_numpy(), both[other].to_numpy()
                rows.append(
                    {
                        "mission": mission,
                        "point": point,
                        "outcome": outcome,
                        "arm": arm,
                        "other": other,
                        "p_beats": float(np.mean((a > b) + 0.5 * (a == b))),
                        "n": len(both),
                    }
                )
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


DRIVER_COLUMNS = [
    "mission",
    "point",
    "outcome",
    "arm",
    "rank",
    "input",
    "rho",
    "share",
    "members",
    "beyond_noise",
]
"""Columns of :func:`effect_drivers`."""


FALSE_DISCOVERY = 0.1
"""The false discovery rate at which an input's correlation counts as more than chance."""


def beyond_chance(rhos: np.ndarray, members: int, rate: float = FALSE_DISCOVERY) -> np.ndarray:
    """Which correlations stand out from what unrelated inputs give by chance.

    Spearman's rho of an unrelated input over ``members`` worlds is about
    N(0, 1/(members - 1)); the p-values are then held to a false discovery rate
    (Benjamini and Hochberg 1995) over all the inputs scanned.
    """
    from scipy.special import ndtr

    if members < 4 or not len(rhos):
        return np.zeros(len(rhos), dtype=bool)
    p = 2 * (1 - ndtr(np.abs(rhos) * math.sqrt(members - 1)))
    order = np.argsort(p)
    ranked = p[order] * len(p) / np.arange(1, len(p) + 1)
    passed = np.zeros(len(p), dtype=bool)
    below = np.flatnonzero(ranked <= rate)
    if len(below):
        passed[order[: below[-1] + 1]] = True
    return passed


def _may_matter(name: str, reforms: str) -> bool:
    """A reform's size matters only to an arm that applies that reform."""
    if not name.startswith("reform_sizes."):
        return True
    reform = name.split(".")[1]
    return any(part.split("=")[0] == reform for part in str(reforms).split(";") if part)


def effect_drivers(
    runs: pd.DataFrame, members: pd.DataFrame, *, outcome: str, top: int = 3
) -> pd.DataFrame:
    """For each effect, the uncertain inputs that drive most of its spread across members.

    Each member's effect is its mean over seeds; an input's Spearman correlation with it
    across members says how much of the spread (``share`` = rho squared) knowing that
    input would settle. Only inputs that can matter to the arm are scanned (a reform's
    size only where the reform is on); ``beyond_noise`` says whether the correlation
    stands out from chance over all those scanned (:func:`beyond_chance`): with few
    members, a top input may be noise. ``members``: one row per (scenario,
    member) with the inputs' values (the batch's ``members.csv``). Needs five members.
    """
    pairs = _pairs(runs, outcome, "baseline").assign(d=lambda f: f["y_arm"] - f["y_base"])
    if "scenario" in runs:
        scenario_of = runs.drop_duplicates(["mission", "point", "member"]).set_index(
            ["mission", "point", "member"]
        )["scenario"]
    else:
        scenario_of = None
    inputs = [c for c in members.columns if c not in ("scenario", "member", "seed")]
    rows = []
    for (mission, point, arm), group in pairs.groupby(["mission", "point", "arm"], sort=False):
        means = group.groupby("member")["d"].mean().dropna()
        if len(means) < 5:
            continue
        table = members
        if scenario_of is not None and "scenario" in members:
            names = {scenario_of.get((mission, point, m)) for m in means.index}
            table = members[members["scenario"].isin(names)]
        table = table.drop_duplicates("member").set_index("member").reindex(means.index)
        reforms = group["reforms"].iloc[0]
        scores = []
        for name in inputs:
            if not _may_matter(name, reforms):
                continue
            values = table[name].astype(float)
            if values.isna().any() or values.nunique() < 2:
                continue
            rho = float(
                pd.Series(means.to_numpy()).corr(pd.Series(values.to_numpy()), method="spearman")
            )
            if not math.isnan(rho):
                scores.append((abs(rho), name, rho))
        scores.sort(reverse=True)
        clear = beyond_chance(np.array([rho for _, _, rho in scores]), len(means))
        for rank, (_, name, rho) in enumerate(scores[:top], start=1):
            rows.append(
                {
                    "mission": mission,
                    "point": point,
                    "outcome": outcome,
                    "arm": arm,
                    "rank": rank,
                    "input": name,
                    "rho": rho,
                    "share": rho * rho,
                    "members": len(means),
                    "beyond_noise": bool(clear[rank - 1]),
                }
            )
    return pd.DataFrame(rows, columns=DRIVER_COLUMNS)


def effect_half_widths(
    runs: pd.DataFrame,
    *,
    outcome: str = "final_metric",
    baseline: str = "baseline",
    confidence: float = 0.95,
) -> pd.Series:
    """Half-width of each arm's paired t interval, indexed by (mission, point, arm).

    What a precision stopping rule checks ("is every effect known to +/- h?"),
    without the cost of a bootstrap. NaN where fewer than two pairs exist.
    """
    widths = {
        key: ci_half_width(group["y_arm"] - group["y_base"], confidence)
        for key, group in _groups(_pairs(runs, outcome, baseline))
    }
    index = pd.MultiIndex.from_tuples(list(widths), names=["mission", "point", "arm"])
    return pd.Series(list(widths.values()), index=index, name="half_width", dtype=float)


# --- factorial designs ----------------------------------------------------------------


def _cell_name(reforms: Sequence[str], cell: int) -> str:
    return ", ".join(f"{r}={'on' if cell >> j & 1 else 'off'}" for j, r in enumerate(reforms))


def _contrast_weights(k: int) -> list[tuple[str, str, np.ndarray]]:
    """``(kind, term index spec, weights over the 2^k cells)``; cell bit j = reform j on.

    Every estimate here is linear in the cell values, so one weight vector per
    term turns a replication's 2^k outcomes into its contrast.
    """
    cells = np.arange(2**k)
    on = np.array([[(c >> j) & 1 for j in range(k)] for c in cells], dtype=bool)
    half = 2 ** (k - 1)
    terms: list[tuple[str, str, np.ndarray]] = []
    for j in range(k):
        terms.append(("main", str(j), np.where(on[:, j], 1.0, -1.0) / half))
    for a, b in combinations(range(k), 2):
        terms.append(("interaction", f"{a}:{b}", np.where(on[:, a] == on[:, b], 1.0, -1.0) / half))
    full = 2**k - 1
    total = np.zeros(2**k)
    total[full], total[0] = 1.0, -1.0
    terms.append(("total", "all", total))
    for j in range(k):
        # Shapley: sum over S not containing j of |S|!(k-|S|-1)!/k! * (y(S+j) - y(S))
        weights = np.zeros(2**k)
        for cell in cells:
            if not on[cell, j]:
                size = int(on[cell].sum())
                share = math.factorial(size) * math.factorial(k - size - 1) / math.factorial(k)
                weights[cell | (1 << j)] += share
                weights[cell] -= share
        terms.append(("shapley", str(j), weights))
    synergy = total.copy()
    for j in range(k):
        synergy[1 << j] -= 1.0
        synergy[0] += 1.0
    terms.append(("synergy", "synergy", synergy))
    return terms


def _term_name(spec: str, reforms: Sequence[str]) -> str:
    if spec in ("all", "synergy"):
        return "+".join(reforms) if spec == "all" else spec
    return ":".join(reforms[int(i)] for i in spec.split(":"))


def factorial_effects(
    runs: pd.DataFrame,
    reforms: list[str],
    *,
    outcome: str = "final_metric",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Main effects, two-way interactions, Shapley shares and synergy of a 2^k design.

    A run's cell is which of ``reforms`` have ``strength_<r> > 0``; runs with any
    other reform on are other arms and are left out. Per (mission, point), every
    estimate is computed per replication (cells are paired by seed) and given a t
    interval; only replications present in all 2^k cells count (``n``). Kinds:
    ``main`` (mean over cells with the reform on minus off), ``interaction``
    (``a:b``, half the difference-in-differences: see the module docstring),
    ``total`` (all on minus all off), ``shapley`` (exact Shapley attribution of
    ``total``; the values sum to it) and ``synergy`` (``total`` minus each reform's
    effect alone). Columns :data:`FACTORIAL_COLUMNS`. A missing cell is a ValueError.
    """
    if not reforms:
        raise ValueError("factorial_effects: name at least one reform")
    if len(set(reforms)) != len(reforms):
        raise ValueError(f"factorial_effects: reforms named twice in {reforms}")
    listed = [f"strength_{r}" for r in reforms]
    runs = with_member(runs)
    _require(runs, [*PAIR_KEYS, "arm", outcome, *listed], "runs")
    others = [c for c in runs.columns if c.startswith("strength_") and c not in listed]
    design = runs.loc[~(runs[others].fillna(0) > 0).any(axis=1)] if others else runs
    cell = sum((design[c].fillna(0).to_numpy() > 0).astype(int) << j for j, c in enumerate(listed))
    if design.empty:
        raise ValueError(f"factorial_effects: no runs with only {', '.join(reforms)} switched on")
    design = design.assign(_cell=cell)
    k = len(reforms)
    terms = _contrast_weights(k)
    rows = []
    for (mission, point), group in design.groupby(list(KEYS), sort=False):
        arms_per_cell = group.groupby("_cell")["arm"].unique()
        for c, arms in arms_per_cell.items():
            if len(arms) > 1:
                raise ValueError(
                    f"factorial_effects: cell ({_cell_name(reforms, int(str(c)))}) of mission "
                    f"{mission!r}, point {point} has several arms: {', '.join(map(str, arms))}"
                )
        missing = sorted(set(range(2**k)) - set(arms_per_cell.index))
        if missing:
            raise ValueError(
                f"factorial_effects: mission {mission!r}, point {point} has no runs for "
                + "; ".join(f"({_cell_name(reforms, c)})" for c in missing)
            )
        table = group.pivot_table(
            index=["member", "replication"],
            columns="_cell",
            values=outcome,
            aggfunc="first",
            dropna=False,
        )
        values = table.reindex(columns=range(2**k)).dropna().to_numpy(dtype=float)
        for kind, spec, weights in terms:
            estimate, low, high = t_interval(values @ weights, confidence)
            rows.append(
                {
                    "mission": mission,
                    "point": point,
                    "kind": kind,
                    "term": _term_name(spec, reforms) if kind != "shapley" else reforms[int(spec)],
                    "estimate": estimate,
                    "low": low,
                    "high": high,
                    "n": int(values.shape[0]),
                }
            )
    result = pd.DataFrame(rows, columns=FACTORIAL_COLUMNS)
    result.attrs.update(outcome=outcome, confidence=confidence, reforms=list(reforms))
    return result


# --- time series ----------------------------------------------------------------------


def quantile_column(q: float) -> str:
    """Column name for quantile ``q``: 0.05 -> 'q05', 0.5 -> 'q50', 0.975 -> 'q97.5'."""
    pct = round(q * 100, 6)
    return f"q{int(pct):02d}" if float(pct).is_integer() else f"q{pct:g}"


def quantile_bands(
    timeseries: pd.DataFrame,
    column: str = "metric",
    by: Sequence[str] = ("mission", "point", "arm"),
    quantiles: Sequence[float] = (0.05, 0.25, 0.5, 0.75, 0.95),
) -> pd.DataFrame:
    """Per group and step: ``n`` runs, ``median`` and one column per quantile of ``column``.

    Quantile columns are named by :func:`quantile_column` (``q05``, ``q25``, ...);
    ``quarter`` is carried along when present. NaN values (a type with no agents)
    are ignored; an all-NaN step gives NaN.
    """
    by = list(by)
    _require(timeseries, [*by, "step", column], "timeseries")
    keys = [*by, "step"]
    grouped = timeseries.groupby(keys, sort=True)[column]
    bands = grouped.quantile(np.array(quantiles)).unstack(-1)
    bands.columns = pd.Index([quantile_column(float(q)) for q in bands.columns])
    out = pd.concat([grouped.count().rename("n"), grouped.median().rename("median"), bands], axis=1)
    if "quarter" in timeseries:
        out.insert(0, "quarter", timeseries.groupby(keys, sort=True)["quarter"].first())
    return out.reset_index()
