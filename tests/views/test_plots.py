"""Figures: right panels, labelled, print-readable, saved; and one real example to look at."""

import ast
import io
import os
from itertools import product
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from mobilise import ACTOR_TYPES, REFORMS, UK_ACTOR_TYPES, run, summarise
from mobilise.analysis.effects import factorial_effects, paired_effects
from mobilise.model.outcomes import STEP_COLUMNS
from mobilise.running.design import in_memory
from mobilise.running.runs import run_chunk
from mobilise.views import figure_style, plots
from mobilise.views.figure_style import save
from mobilise.views.plots import (
    engagement_by_type,
    fan_chart,
    forest_plot,
    interaction_heatmap,
    write_report,
)
from mobilise.vocabulary import quarter_index, quarter_label

FIGURES = Path(os.environ.get("MOBILISE_FIGS", "/tmp/mobilise_figs"))
FACTORS = ["mission_councils", "pooled_budgets"]


# --- synthetic frames in the batch runner's format ------------------------------------


def synthetic_frames(
    arms: dict[str, dict[str, float]], *, mission="nhs", replications=4, steps=20, seed=0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Runs and timeseries frames: each arm's metric rises faster by its number of reforms."""
    rng = np.random.default_rng(seed)
    runs, series = [], []
    start = quarter_index("2024Q4")
    for arm, strengths in arms.items():
        for rep in range(replications):
            run_id = len(runs)
            speed = 0.02 * (1 + 0.2 * len(strengths)) * (1 + 0.1 * rng.normal())
            progress = 1 - np.exp(-speed * np.arange(steps + 1) * 3)
            metric = 0.588 + progress / 0.8 * (0.92 - 0.588)
            frame = pd.DataFrame(
                {c: rng.random(steps + 1) for c in STEP_COLUMNS[2:]}
                | {
                    "step": np.arange(steps + 1),
                    "quarter": [quarter_label(start + s) for s in range(steps + 1)],
                    "progress": progress,
                    "metric": metric,
                    "roadmap": np.minimum(0.588 + np.arange(steps + 1) * 0.02, 0.92),
                }
            )[STEP_COLUMNS]
            frame.insert(0, "replication", rep)
            for column, value in (("arm", arm), ("point", 0), ("mission", mission)):
                frame.insert(0, column, value)
            frame.insert(0, "run_id", run_id)
            series.append(frame)
            runs.append(
                {
                    "run_id": run_id,
                    "scenario": "synthetic",
                    "mission": mission,
                    "point": 0,
                    "arm": arm,
                    "reforms": ";".join(f"{r}={v:g}" for r, v in strengths.items()),
                    **{f"strength_{r}": strengths.get(r, 0.0) for r in REFORMS},
                    "replication": rep,
                    "seed": rep,
                    "final_metric": metric[-1],
                    "final_progress": progress[-1],
                    "milestone_met": bool(metric[-1] > 0.9),
                    "milestone_quarter": "",
                    **{f"peak_engaged_{t}": 0.5 for t in ACTOR_TYPES},
                    **{f"final_engaged_{t}": 0.5 for t in ACTOR_TYPES},
                    "total_spend": 1.0,
                }
            )
    return pd.DataFrame(runs), pd.concat(series, ignore_index=True)


def factorial_arms(names: list[str]) -> dict[str, dict[str, float]]:
    arms = {}
    for cell in product([0, 1], repeat=len(names)):
        on = {n: 1.0 for n, x in zip(names, cell, strict=True) if x}
        arms["+".join(on) or "baseline"] = on
    return arms


@pytest.fixture(scope="module")
def synthetic():
    return synthetic_frames(factorial_arms(FACTORS))


def texts(fig: Figure) -> list[Text]:
    """Every visible, non-empty text of the drawn figure (tick labels included)."""
    fig.savefig(io.BytesIO(), format="png", dpi=40)  # draw, so tick labels exist
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def assert_readable(fig: Figure) -> None:
    """Titles and labels present, no text under 9 pt, roughly page width."""
    assert fig._suptitle is not None and fig._suptitle.get_text().strip()
    small = [(t.get_text(), t.get_fontsize()) for t in texts(fig) if t.get_fontsize() < 9]
    assert not small, small
    assert 8 <= fig.get_figwidth() <= 10.5


# --- structure of each figure ---------------------------------------------------------


def test_fan_chart_one_panel_for_few_arms(synthetic):
    _, ts = synthetic
    fig = fan_chart(ts, "nhs")
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    ax = fig.axes[0]
    assert "%" in ax.get_ylabel() and ax.get_xlabel() == "Quarter"
    assert all(label.get_text()[:4].isdigit() for label in ax.get_xticklabels())
    assert len(ax.get_xticks()) <= 11
    legend = fig.legends[0].get_texts()
    assert {"government push alone", "mission councils + pooled budgets", "roadmap"} <= {
        t.get_text() for t in legend
    }
    assert any("due 2026Q1" in t.get_text() for t in legend)  # milestone in range is named
    assert_readable(fig)


def test_fan_chart_small_multiples_for_many_arms():
    arms = {"baseline": {}} | {r: {r: 1.0} for r in list(REFORMS)[:7]}
    _, ts = synthetic_frames(arms, replications=2)
    fig = fan_chart(ts, "nhs")
    assert len(fig.axes) == 7  # one per reform, each against the baseline
    assert all(ax.get_title() for ax in fig.axes)
    assert_readable(fig)
    with pytest.raises(ValueError, match="no runs for arm"):
        fan_chart(ts, "nhs", arms=["baseline", "nonsense"])


@pytest.mark.parametrize("arms", [2, 8])
def test_fan_chart_panels_show_all_their_data_and_little_else(arms):
    # limits are worked out once, after every band is drawn (views.figure_style.limits_once)
    chosen = {"baseline": {}} | {r: {r: 1.0} for r in list(REFORMS)[: arms - 1]}
    _, ts = synthetic_frames(chosen, replications=3)
    fig = fan_chart(ts, "nhs")
    fig.savefig(io.BytesIO(), format="png", dpi=40)
    values = np.concatenate(
        [line.get_ydata() for ax in fig.axes for line in ax.get_lines()]
        + [path.vertices[:, 1] for ax in fig.axes for c in ax.collections for path in c.get_paths()]
    )
    low, high = values.min(), values.max()
    for ax in fig.axes:
        bottom, top = ax.get_ylim()
        assert bottom <= low and top >= high  # every band, line and milestone in view
        assert top - bottom <= 1.2 * (high - low)  # with matplotlib's margins, no more
        assert ax.get_xlim() == (ts["step"].min(), ts["step"].max())  # the quarters run


def test_forest_plot_panel_per_mission(synthetic):
    runs, _ = synthetic
    other = runs.assign(mission="growth", final_metric=runs["final_metric"] * 250_000)
    effects = paired_effects(pd.concat([runs, other]), bootstrap=0)
    fig = forest_plot(effects)
    assert len(fig.axes) == 2
    assert "percentage points" in fig.axes[0].get_xlabel()
    assert "homes per year" in fig.axes[1].get_xlabel()
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()][-1] == (
        "mission councils + pooled budgets"  # the largest effect on top
    )
    # at right, each row's effect in points, its 95% interval and P(effect > 0), in order
    nhs = effects[effects["mission"] == "nhs"].sort_values("mean_diff", kind="stable")
    right = [t.get_text().split() for t in fig.axes[0].texts]
    assert [float(words[0]) for words in right] == pytest.approx(
        (nhs["mean_diff"] * 100).tolist(), abs=0.05
    )
    assert [float(words[1].strip("[,")) for words in right] == pytest.approx(
        (nhs["low"] * 100).tolist(), abs=0.05
    )
    assert [words[-1] for words in right] == [f"{p:.0%}" for p in nhs["p_positive"]]
    assert_readable(fig)
    assert len(forest_plot(effects, mission="nhs").axes) == 1
    # a table from before ensembles: the t interval and n, as it was
    old = effects.drop(columns=["low", "high", "seed_low", "seed_high", "p_positive"])
    right = [t.get_text().split() for t in forest_plot(old).axes[0].texts]
    assert [words[-1] for words in right] == [f"n={n}" for n in nhs["n"]]


def test_forest_plot_draws_the_seed_interval_inside_the_full_one():
    rng = np.random.default_rng(0)
    rows = []
    for member in range(1, 41):
        world = rng.normal(0.05, 0.04)
        for replication in range(10):
            base = rng.normal(0.6, 0.05)
            for arm, effect in (("baseline", 0.0), ("mission_councils", world)):
                noise = rng.normal(0, 0.01) * (arm != "baseline")
                rows.append({"mission": "nhs", "point": 0, "member": member, "arm": arm,
                             "replication": replication, "reforms": "",
                             "final_metric": base + effect + noise})  # fmt: skip
    effects = paired_effects(pd.DataFrame(rows), bootstrap=0)
    fig = forest_plot(effects)
    lines = [line for line in fig.axes[0].get_lines() if len(line.get_xdata()) == 2
             and line.get_ydata()[0] == line.get_ydata()[1]]  # fmt: skip
    thin, thick = sorted(lines, key=lambda line: line.get_linewidth())
    (a, b), (c, d) = sorted(thin.get_xdata()), sorted(thick.get_xdata())
    row = effects.iloc[0]
    assert (a, b) == pytest.approx((row["low"] * 100, row["high"] * 100))
    assert (c, d) == pytest.approx((row["seed_low"] * 100, row["seed_high"] * 100))
    assert a < c < d < b  # parameters widen the seeds' interval
    assert "thick: seeds alone" in fig._suptitle.get_text()
    assert_readable(fig)


def test_rank_plot_bars_are_the_probabilities(synthetic):
    from mobilise.analysis.effects import rank_probabilities
    from mobilise.views.plots import rank_plot

    runs, _ = synthetic
    ranks = rank_probabilities(runs, outcome="final_metric")
    fig = rank_plot(ranks, "final_metric")
    bars = sorted((p.get_width() for p in fig.axes[0].patches), reverse=True)
    assert bars == pytest.approx(sorted(ranks["p_first"], reverse=True))
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert labels == [f"{p:.0%}" for p in ranks.sort_values("p_first", kind="stable")["p_first"]]
    assert_readable(fig)


def test_engagement_panel_per_type_with_data(synthetic):
    _, ts = synthetic
    fig = engagement_by_type(ts, "nhs")
    assert len(fig.axes) == len(ACTOR_TYPES)
    assert [ax.get_title() for ax in fig.axes] == [t.label for t in UK_ACTOR_TYPES]
    assert_readable(fig)
    assert len(engagement_by_type(ts.assign(engaged_investor=np.nan), "nhs").axes) == 5


def test_engagement_draws_each_types_reach_as_its_ceiling(uk):
    """The chart's dashed line per type sits at the reach the runs recorded, per arm."""
    design = in_memory(
        uk.updated("quarters", 6), {"social_partnership": {"social_partnership": 1.0}},
        replications=2, seed=0,
    )  # fmt: skip
    ts = pd.concat(run_chunk(design.runs()).timeseries)
    fig = engagement_by_type(ts, uk.mission_spec.name)
    union = next(ax for ax in fig.axes if ax.get_title() == "Unions")
    dashed = [line for line in union.get_lines() if line.get_linestyle() not in ("-", "None")]
    ceilings = sorted({round(float(line.get_ydata()[0]), 6) for line in dashed})
    assert ceilings == [22.0, 35.0]  # at the start: today's density; social partnership's goal
    medians = ts.groupby(["arm", "step"])["reach_union"].median()  # reach moves with density
    expected = sorted(tuple(np.round(100 * medians.loc[arm].to_numpy(), 9)) for arm in
                      ts["arm"].unique())  # fmt: skip
    assert sorted(tuple(np.round(line.get_ydata(), 9)) for line in dashed) == expected
    assert expected[0][-1] < 22.0  # on its trend
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "reach (ceiling)" in legend


def test_interaction_heatmap(synthetic):
    runs, _ = synthetic
    fig = interaction_heatmap(factorial_effects(runs, FACTORS), "nhs")
    assert len(fig.axes) == 2  # heatmap and colour bar
    heat, bar = fig.axes
    assert [t.get_text() for t in heat.get_yticklabels()] == ["mission councils", "pooled budgets"]
    assert "percentage points" in bar.get_ylabel()
    annotations = [t.get_text() for t in heat.texts]
    assert len(annotations) == 4 and all("[" in a for a in annotations)
    low, high = heat.images[0].get_clim()
    assert low == -high  # centred on zero
    assert_readable(fig)


def test_write_report_writes_every_figure(tmp_path, synthetic):
    runs, ts = synthetic
    runs = runs.assign(milestone_metric=runs["final_metric"] - 0.01)
    effects = pd.concat(  # as report.all_effects stacks them: the milestone and the horizon
        [
            paired_effects(runs, outcome=o, bootstrap=0).assign(outcome=o)
            for o in ("milestone_metric", "final_metric")
        ]
    )
    paths = write_report(runs, ts, effects, factorial_effects(runs, FACTORS), tmp_path)
    names = sorted(p.name for p in paths)
    stems = ("fan_nhs_p0", "engagement_nhs_p0", "forest", "forest_horizon", "interactions_nhs_p0")
    assert names == sorted(f"{stem}.{suffix}" for stem in stems for suffix in ("png", "svg"))
    assert all(p.parent == tmp_path / "figures" and p.stat().st_size > 0 for p in paths)
    without = write_report(runs, ts, None, pd.DataFrame(), tmp_path / "lean")
    assert len(without) == 4  # fan and engagement only


def test_plotting_leaves_global_matplotlib_state_alone(synthetic):
    _, ts = synthetic
    before, backend = dict(matplotlib.rcParams), matplotlib.rcParams._get_backend_or_none()
    fan_chart(ts, "nhs")
    assert dict(matplotlib.rcParams) == before
    assert matplotlib.rcParams._get_backend_or_none() == backend
    # statically (a subprocess import costs seconds): no pyplot, no backend switch
    for module in (plots, figure_style):
        tree = ast.parse(Path(module.__file__).read_text())
        imported = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        imported += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [m for m in imported if "pyplot" in m]
        calls = [n.func for n in ast.walk(tree) if isinstance(n, ast.Call)]
        assert not [f for f in calls if isinstance(f, ast.Attribute) and f.attr in ("use", "rc")]


# --- one real example, rendered for a human to look at ---------------------------------


def real_frames(scenario, arms: dict[str, dict[str, float]], replications: int):
    """Real model runs in the batch runner's format; seeds shared across arms."""
    mission = scenario.mission_spec.name
    runs, series = [], []
    for arm, strengths in arms.items():
        for rep in range(replications):
            seed = 20250101 + rep
            frame = run(scenario, seed=seed, reforms=strengths)
            summary = summarise(frame, scenario)
            run_id = len(runs)
            runs.append(
                {
                    "run_id": run_id,
                    "scenario": scenario.name,
                    "mission": mission,
                    "point": 0,
                    "arm": arm,
                    "reforms": ";".join(f"{r}={v:g}" for r, v in strengths.items()),
                    **{f"strength_{r}": strengths.get(r, 0.0) for r in REFORMS},
                    "replication": rep,
                    "seed": seed,
                    "final_metric": summary["final_metric"],
                    "final_progress": summary["final_progress"],
                    "milestone_met": summary["milestone_met"],
                    "milestone_quarter": summary["milestone_quarter"] or "",
                    **{f"peak_engaged_{t}": summary["peak_engaged"][t] for t in ACTOR_TYPES},
                    **{f"final_engaged_{t}": summary["final_engaged"][t] for t in ACTOR_TYPES},
                    "total_spend": summary["total_spend"],
                }
            )
            frame.insert(0, "replication", rep)
            for column, value in (("arm", arm), ("point", 0), ("mission", mission)):
                frame.insert(0, column, value)
            frame.insert(0, "run_id", run_id)
            series.append(frame)
    return pd.DataFrame(runs), pd.concat(series, ignore_index=True)


def test_real_example_figures(uk):
    """The UK scenario, baseline and two reforms (a 2^2 design), five seeds shared."""
    scenario = uk.model_copy(update={"quarters": 24})  # to 2030Q4: past the 2029 milestone
    runs, ts = real_frames(scenario, factorial_arms(FACTORS), replications=5)
    effects = paired_effects(runs)
    interactions = factorial_effects(runs, FACTORS)
    assert (effects["n"] == 5).all() and (interactions["n"] == 5).all()
    figures = {
        "fan": fan_chart(ts, "nhs"),
        "forest": forest_plot(effects),
        "engagement": engagement_by_type(ts, "nhs"),
        "interactions": interaction_heatmap(interactions, "nhs"),
    }
    for name, fig in figures.items():
        assert_readable(fig)
        png, svg = save(fig, FIGURES / name)
        assert png.stat().st_size > 10_000 and svg.stat().st_size > 0
