"""Reforms do what they say; strength 0 is the baseline exactly (DESIGN "Must hold" 4)."""

import fnmatch

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mobilise import REFORMS, apply_reforms, run

NAMES = list(REFORMS)


@pytest.mark.parametrize("name", NAMES)
def test_strength_zero_is_the_baseline_scenario(uk, name):
    assert REFORMS[name].apply(uk, 0.0) == uk


@pytest.mark.parametrize("name", ["mission_councils", "multi_year_funding", "patient_capital"])
def test_strength_zero_gives_identical_runs(uk, name):
    pd.testing.assert_frame_equal(run(uk, seed=4), run(uk, seed=4, reforms={name: 0.0}))


def _leaves(data, prefix=""):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix, data


def _changed(before, after):
    """Dotted paths whose values differ between two scenarios (added keys included)."""
    a, b = dict(_leaves(before.model_dump())), dict(_leaves(after.model_dump()))
    return {path for path in a.keys() | b.keys() if a.get(path) != b.get(path)}


def _matches(reform, changed):
    """Each declared move with the changed paths it covers."""
    return {
        move: {p for p in changed if fnmatch.fnmatchcase(p, move.field)} for move in reform.moves
    }


@pytest.mark.parametrize("name", NAMES)
def test_each_reform_declares_every_field_its_transform_changes(uk, name):
    """What ``moves`` says is exactly what the transform does, each the stated way."""
    reform = REFORMS[name]
    after = reform.apply(uk, 1.0)
    changed = _changed(uk, after)
    covered = _matches(reform, changed)
    assert changed == set().union(*covered.values()), "undeclared: " + ", ".join(
        sorted(changed - set().union(*covered.values()))
    )
    for move, paths in covered.items():
        assert paths, f"{move.field} is declared but does not change"
        for path in paths:
            assert (move.read(after, path) - move.read(uk, path)) * move.direction > 0, path


@pytest.mark.parametrize("name", NAMES)
def test_each_reform_widens_the_reach_it_says(uk, name):
    reform = REFORMS[name]
    after = reform.apply(uk, 1.0)
    for actor_type in uk.actor_types:
        before, widened = actor_type.reach(uk.constraints), actor_type.reach(after.constraints)
        if actor_type.name in reform.widens:
            assert widened > before, actor_type.name
        else:
            assert widened == before, f"{actor_type.name}: reach moved but is not declared"


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=15, deadline=None)
@given(low=st.floats(0, 1), high=st.floats(0, 1))
def test_reforms_are_monotone_in_strength(uk, name, low, high):
    low, high = sorted((low, high))
    reform = REFORMS[name]
    weak, strong = reform.apply(uk, low), reform.apply(uk, high)
    for move, paths in _matches(reform, _changed(uk, reform.apply(uk, 1.0))).items():
        for path in paths:
            assert (move.read(strong, path) - move.read(weak, path)) * move.direction >= -1e-12
    for actor_type in uk.actor_types:
        if actor_type.name in reform.widens:
            assert (
                actor_type.reach(strong.constraints) >= actor_type.reach(weak.constraints) - 1e-12
            )


@pytest.mark.parametrize("name", NAMES)
def test_each_reform_documents_itself(name):
    reform = REFORMS[name]
    assert reform.name == name
    assert reform.description and reform.relaxes and reform.source


def test_reforms_compose_in_catalogue_order_whatever_the_order_named(uk):
    forward = apply_reforms(uk, {"mission_councils": 0.5, "social_partnership": 1.0})
    backward = apply_reforms(uk, {"social_partnership": 1.0, "mission_councils": 0.5})
    assert forward == backward
    # mission_councils (first) triples union-business ties, social_partnership then x4 again
    base = uk.network.cross("union", "business")
    assert forward.network.cross("union", "business") == pytest.approx(base * 2.5 * 4)


def test_bad_strength_is_rejected(uk):
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        REFORMS["pooled_budgets"].apply(uk, 1.5)


def test_unknown_reform_is_rejected(uk):
    with pytest.raises(ValueError, match="unknown reform 'pooled_budget'"):
        apply_reforms(uk, {"pooled_budget": 1.0})


def test_all_reforms_raise_socioeconomic_progress(uk):
    """Not hard-coded: the mechanism should at least not make things worse on average."""
    seeds = range(6)
    baseline = [run(uk, seed=s)["progress"].iloc[17] for s in seeds]
    reformed = [
        run(uk, seed=s, reforms=dict.fromkeys(REFORMS, 1.0))["progress"].iloc[17] for s in seeds
    ]
    assert sum(reformed) > sum(baseline)


@pytest.mark.parametrize("name", ["mission_councils", "social_partnership"])
def test_reforms_that_change_ties_raise_the_mean_metric_with_their_strength(uk, name):
    """Nested draws (issue 23): the mean over paired runs rises at every step of the path.

    Run by run it need not (docs/model.md, Reforms that change ties: a share of the runs
    still falls somewhere along the path, through the partner share), but the mean does,
    at the milestone and at the horizon.
    """
    from mobilise.model.block import Block, Member
    from mobilise.model.outcomes import summarise_series
    from mobilise.running.design import replication_seeds

    strengths = (0.0, 0.25, 0.5, 0.75, 1.0)
    seeds = replication_seeds(0, 24)
    members = [Member(uk, seed, {name: k} if k else {}) for seed in seeds for k in strengths]
    block = Block(members)
    block.run()
    for outcome in ("milestone_metric", "final_metric"):
        values = [summarise_series(block.series(r))[outcome] for r in range(block.runs)]
        means = pd.DataFrame([values[i : i + 5] for i in range(0, len(values), 5)]).mean()
        assert means.is_monotonic_increasing and means.iloc[-1] > means.iloc[0], (outcome, means)


# --- sizes: each reform's size at full strength is a scenario field ------------------


@pytest.mark.parametrize("name", NAMES)
def test_each_reform_declares_its_sizes_and_the_scenario_holds_them(uk, name):
    reform = REFORMS[name]
    assert uk.reform_sizes[name] == reform.default_sizes()
    for size, info in reform.sizes.model_fields.items():
        assert info.description, f"{name}.{size} says what it sizes"


@pytest.mark.parametrize(
    ("path", "value", "read"),
    [
        ("reform_sizes.social_partnership.density_goal", 0.5, "constraints.union_density"),
        ("reform_sizes.pooled_budgets.silo_cut", 0.2, "constraints.government_silo_share"),
        ("reform_sizes.time_for_civic_life.hours_cut", 8.0, "constraints.weekly_hours"),
    ],
)
def test_a_reforms_size_is_what_strength_one_does(uk, path, value, read):
    name = path.split(".")[1]
    default = REFORMS[name].apply(uk, 1.0).value_at(read)
    resized = REFORMS[name].apply(uk.updated(path, value), 1.0).value_at(read)
    assert resized != default
    expected = {
        "constraints.union_density": value,
        "constraints.government_silo_share": uk.constraints.government_silo_share * (1 - value),
        "constraints.weekly_hours": uk.constraints.weekly_hours - value,
    }[read]
    assert resized == pytest.approx(expected)
    assert REFORMS[name].apply(uk.updated(path, value), 0.0) == uk.updated(path, value)


def test_default_sizes_give_the_v1_reforms_bit_for_bit(uk):
    """The sizes moved out of the code unchanged: runs with every reform are the same bits."""
    resized = uk
    for name, sizes in uk.reform_sizes.items():
        for size, value in sizes.items():
            resized = resized.updated(f"reform_sizes.{name}.{size}", float(value))
    everything = dict.fromkeys(REFORMS, 1.0)
    pd.testing.assert_frame_equal(
        run(uk, seed=3, reforms=everything, steps=6),
        run(resized, seed=3, reforms=everything, steps=6),
    )


def test_bad_sizes_are_one_line(uk):
    with pytest.raises(
        ValueError, match=r"reform_sizes.mission_councils.tie_factor: .*>= 0|greater"
    ):
        uk.updated("reform_sizes.mission_councils.tie_factor", -1.0)
    with pytest.raises(ValueError, match="reform_sizes: unknown reform 'mission_council'"):
        uk.updated("reform_sizes", {"mission_council": {}})
