"""The pathway figure: which reforms came in when, in what share of runs."""

import numpy as np
import pandas as pd
import pytest

from mobilise.model.block import Block, Member
from mobilise.running.blocks import summary
from mobilise.schema.reforms import REFORMS
from mobilise.schema.schedule import Timing, Trigger
from mobilise.views.plots_pathways import in_force, pathway_chart, timed_arms
from mobilise.vocabulary import quarter_label

QUARTERS = [quarter_label(8100 + i) for i in range(8)]  # 2025Q1 to 2026Q4


def test_the_share_in_force_counts_runs_started_by_each_quarter():
    starts = pd.Series(["2025Q1", "2025Q3", "", "2026Q2"])
    share = in_force(starts, QUARTERS)
    assert share.tolist() == [0.25, 0.25, 0.5, 0.5, 0.5, 0.75, 0.75, 0.75]


def runs_of(block, arms):
    rows = []
    for r, arm in enumerate(arms):
        done = summary(block, r)
        reforms = block.inputs[r].reforms
        row = {"mission": "nhs", "point": 0, "arm": arm}
        row.update({f"strength_{name}": reforms.get(name, 0.0) for name in REFORMS})
        row.update({f"start_{name}": done["start"].get(name) or "" for name in REFORMS})
        rows.append(row)
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def adaptive(uk):
    """Six runs of push alone and of a triggered reform, on shared seeds."""
    timing = {"multi_year_funding": Timing(trigger=Trigger(indicator="credibility", below=0.48))}
    members = [Member(uk, seed) for seed in range(3)]
    members += [Member(uk, seed, {"mission_councils": 1.0, "multi_year_funding": 1.0}, timing)
                for seed in range(3)]  # fmt: skip
    block = Block(members)
    block.run()
    return block, runs_of(block, ["baseline"] * 3 + ["adaptive"] * 3)


def test_only_arms_with_a_reform_not_in_force_from_the_first_quarter_are_timed(adaptive):
    _, runs = adaptive
    assert timed_arms(runs, "2025Q1") == ["adaptive"]
    assert timed_arms(runs[runs["arm"] == "baseline"], "2025Q1") == []


def test_a_lane_per_reform_filled_by_the_share_of_runs_in_force(adaptive):
    block, runs = adaptive
    quarters = block.quarters_of(0)[1:]
    fig = pathway_chart(runs, "nhs", 0, ["adaptive"], quarters)
    (ax,) = fig.axes
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["multi year funding", "mission councils"]  # catalogue order, top down
    started = [block.starts(r)["multi_year_funding"] for r in range(3, 6)]
    expected = np.mean([s is not None for s in started])
    texts = [t.get_text() for t in ax.texts]
    assert f"{expected:.0%} of runs" in texts[0] or not any(started)
    assert texts[1].startswith("100% of runs, median 2025Q1")
