"""The headline in words across plausible worlds: '9 of 10', 'we can't tell yet', what settles it.

The wording is checked against numbers computed here from runs (paired effects and the
drivers' correlations), never against sentences typed in: a run frame is built with a
known share of worlds in which the reforms help, and the words must say that share.
"""

import numpy as np
import pandas as pd
import pytest

from mobilise.analysis.effects import effect_drivers, paired_effects
from mobilise.schema.ensemble import choose_ensemble
from mobilise.schema.missions import MISSIONS
from mobilise.views.figure_style import metric_scale
from mobilise.views.headline import (
    UNSURE,
    can_tell,
    effect_in_words,
    headline,
    input_words,
    milestone_in_words,
    of_ten,
    settle_in_words,
)
from mobilise.views.workshop import WITH_REFORMS, compare, make_settings, members_of

from ..conftest import SCENARIOS

NHS = MISSIONS["nhs"]


def worlds_runs(world_effects, seeds=4, noise=0.002, seed=0):
    """Runs of two arms in each world: the reforms' effect in world m is world_effects[m]."""
    rng = np.random.default_rng(seed)
    rows = []
    for member, effect in enumerate(world_effects, start=1):
        for replication in range(seeds):
            base = 0.6 + rng.normal(0, 0.01)
            treated = base + effect + rng.normal(0, noise)
            for arm, y in (("baseline", base), (WITH_REFORMS, treated)):
                rows.append({"mission": "nhs", "point": 0, "member": member,
                             "replication": replication, "arm": arm,
                             "reforms": "" if arm == "baseline" else "mission_councils=1",
                             "milestone_metric": y, "milestone_met": y > 0.65})  # fmt: skip
    return pd.DataFrame(rows)


def effect_row(runs):
    effects = paired_effects(runs, outcome="milestone_metric", bootstrap=0)
    return effects[effects["arm"] == WITH_REFORMS].iloc[0]


def words(row):
    return effect_in_words(row, metric_scale(NHS), NHS.metric, NHS.key_milestone.quarter)


@pytest.mark.parametrize("helped", [9, 10, 1])
def test_the_effect_says_in_how_many_worlds_the_reforms_help(helped):
    """Worlds with a clear effect each way: the sentence's 'k of 10' is P(effect > 0)."""
    effects = [0.05 + 0.01 * i for i in range(helped)] + [-0.04] * (10 - helped)
    row = effect_row(worlds_runs(effects))
    assert row["p_positive"] == pytest.approx(helped / 10)  # the runs say what was built in
    text = words(row)
    scale = metric_scale(NHS).factor
    assert f"{row['mean_diff'] * scale:+.1f} percentage points" in text
    assert f"between {row['low'] * scale:+.1f} and {row['high'] * scale:+.1f}" in text
    assert can_tell(row)
    if helped == 10:
        assert text.startswith("In all plausible worlds and histories")
    elif helped >= 8:
        assert text.startswith(f"In {round(row['p_positive'] * 10)} of 10 plausible worlds")
    else:
        assert f"only in {round(row['p_positive'] * 10)} of 10 plausible worlds" in text


def test_when_the_worlds_disagree_it_says_we_cannot_tell_yet_and_what_would_settle_it():
    """Half the worlds help and half harm, as one input says: the input is named to settle it."""
    rng = np.random.default_rng(3)
    signal = rng.uniform(0.75, 2.25, 12)
    effects = 0.08 * (signal - np.median(signal))  # the effect follows influence.signal
    runs = worlds_runs(effects, seeds=3)
    row = effect_row(runs)
    assert UNSURE[0] < row["p_positive"] < UNSURE[1]
    text = words(row)
    assert text.startswith("We can't tell yet whether")
    assert f"higher in {of_ten(row['p_positive'])} plausible worlds" in text
    members = pd.DataFrame({"member": range(1, 13), "influence.signal": signal,
                            "influence.noise": rng.uniform(0.02, 0.1, 12)})  # fmt: skip
    drivers = effect_drivers(runs, members, outcome="milestone_metric")
    top = drivers.sort_values("rank").iloc[0]
    assert top["input"] == "influence.signal" and top["beyond_noise"]
    settle = settle_in_words(row, drivers, None)
    assert settle.startswith(f"About {of_ten(row['parameter_share'])} parts of this spread")
    assert f"What would settle it: evidence on {input_words('influence.signal')}" in settle
    assert f"{top['share']:.0%} of the differences between worlds" in settle
    # an input that does not stand out from chance is not offered as the answer
    noise = drivers.assign(beyond_noise=False)
    assert "no single uncertain input stands out from chance" in settle_in_words(row, noise, None)


def test_probabilities_in_words_never_round_to_all_or_none():
    assert of_ten(1.0) == "all" and of_ten(0.0) == "none"
    assert of_ten(0.97) == "more than 9 of 10" and of_ten(0.03) == "fewer than 1 in 10"
    assert of_ten(0.86) == "9 of 10" and of_ten(0.5) == "5 of 10"
    assert milestone_in_words(0.0, 0.25) == (
        "The milestone is met in none of the plausible worlds and histories with government "
        "push alone, and in 2 of 10 with the reforms."
    )


def test_input_words_name_what_a_room_reads_and_the_field(uk):
    assert input_words("influence.signal", uk) == "weight of the mission signal (influence.signal)"
    assert input_words("reform_sizes.mission_councils.tie_factor") == (
        "how much mission councils does at full strength (tie factor) "
        "(reform_sizes.mission_councils.tie_factor)"
    )
    assert input_words("populations.charity.cost").startswith("the cost of charities")


def test_a_real_comparison_across_worlds_says_its_own_numbers(uk):
    """The app's comparison over five worlds: each sentence is its runs' paired effect."""
    ensemble = choose_ensemble(SCENARIOS / "uk_2024.yaml", uk)
    settings = make_settings(preset="uk_2024", mission="nhs", constraints={},
                             reforms={"mission_councils": 1.0}, replications=2, seed=3,
                             members=5)  # fmt: skip
    comparison = compare(uk, settings.reforms, replications=2, seed=3,
                         ensemble=members_of(ensemble, settings))  # fmt: skip
    assert comparison.worlds == 5 and comparison.seeds_per_world == 2
    line = headline(comparison, uk.mission_spec, uk)
    row = effect_row(comparison.runs)
    assert line.effect == words(row)
    assert "(5 plausible worlds × 2 seeds)" in line.sentence()
    met = comparison.runs.groupby("arm")["milestone_met"].mean()
    assert line.chances == milestone_in_words(met["baseline"], met[WITH_REFORMS])
    expected = settle_in_words(
        row,
        effect_drivers(comparison.runs, comparison.members, outcome="milestone_metric"),
        uk,
    )
    assert line.settle == expected
