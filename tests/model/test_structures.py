"""Structures that move: trends from data/, what mobilisation builds, reach that follows them."""

import csv

import numpy as np
import pytest

from mobilise import MissionModel, run
from mobilise.model.block import Block, Member
from mobilise.model.structures import MovingStructures
from mobilise.schema.actor_types import investor_reach, volunteer_reach
from mobilise.schema.reforms import REFORMS
from mobilise.schema.schedule import Timing
from mobilise.schema.trends import STRUCTURAL, Structures

from ..conftest import ROOT

QUARTERS = 40


def data_rows(series, first, last, files=("stylised_facts.csv", "structural_trends.csv")):
    """``year -> value`` of a series in the project's data/, read here with the csv module."""
    rows = {}
    for name in files:
        with open(ROOT / "data" / name, newline="") as handle:
            for row in csv.DictReader(handle):
                if row["series"] == series and first <= int(row["year"]) <= last:
                    rows[int(row["year"])] = float(row["value"])
    return rows


def slope_per_quarter(rows):
    years = np.array(sorted(rows), dtype=float)
    return np.polyfit(years, [rows[int(y)] for y in years], 1)[0] / 4


UNION_SLOPE = slope_per_quarter(data_rows("union_density_employees", 2015, 2024))
VOLUNTEERING_SLOPE = slope_per_quarter(data_rows("formal_volunteering_monthly", 2021, 2024))


def with_structures(scenario, **changes):
    return scenario.model_copy(
        update={"structures": scenario.structures.model_copy(update=changes)}
    )


def no_recruitment(scenario):
    return with_structures(scenario, union_recruitment=0.0, volunteer_recruitment=0.0)


def test_the_data_trend_is_a_fall_of_a_quarter_point_a_year():
    """The number the run is held to, from data/ alone (LFS 2015-2024)."""
    assert pytest.approx(-0.000571, abs=1e-6) == UNION_SLOPE


def test_union_density_falls_on_its_data_trend_in_a_uk_run_with_no_reform(uk):
    """Done when (issue 24): union density moves during a UK run with no reform, as data says."""
    frame = run(no_recruitment(uk), seed=1)
    steps = frame["step"].to_numpy()
    expected = 0.22 + UNION_SLOPE * steps
    np.testing.assert_allclose(frame["union_density"], expected, rtol=0, atol=1e-9)
    assert frame["union_density"].iloc[-1] == pytest.approx(0.22 + QUARTERS * UNION_SLOPE, abs=1e-9)
    np.testing.assert_array_equal(frame["reach_union"], frame["union_density"])  # reach follows
    assert frame["volunteering_rate"].iloc[-1] == pytest.approx(
        0.16 + QUARTERS * VOLUNTEERING_SLOPE, abs=1e-9
    )


def test_engaged_unions_recruit_as_the_equation_says(uk):
    """Built density: (1 - decay) of last quarter's plus the rate times unions' mobilisation."""
    frame = run(uk, seed=2)
    s = uk.structures
    density, engaged, reach = (frame[c].to_numpy() for c in
                               ("union_density", "engaged_union", "reach_union"))  # fmt: skip
    built = 0.0
    for t in range(1, QUARTERS + 1):
        mobilised = min(1.0, max(0.0, engaged[t - 1] / reach[t - 1]))
        built = (1 - s.decay) * built + s.union_recruitment * mobilised
        assert density[t] == pytest.approx(0.22 + UNION_SLOPE * t + built, abs=1e-9), t
    assert built > 0  # unions engaged: density falls less than its trend
    assert density[-1] < 0.22  # but it falls (pattern P8)


def test_volunteering_begets_volunteering_beyond_everyday_volunteering(uk):
    """Volunteers build formal volunteering only beyond those who volunteer anyway."""
    frame = run(uk, seed=3)
    s = uk.structures
    columns = ("volunteering_rate", "engaged_volunteer", "reach_volunteer")
    rate, engaged, reach = (frame[c].to_numpy() for c in columns)
    built = 0.0
    for t in range(1, QUARTERS + 1):
        room = reach[t - 1] - rate[t - 1]
        mobilised = min(1.0, max(0.0, (engaged[t - 1] - rate[t - 1]) / room))
        built = (1 - s.decay) * built + s.volunteer_recruitment * mobilised
        assert rate[t] == pytest.approx(0.16 + VOLUNTEERING_SLOPE * t + built, abs=1e-9), t


def test_reach_follows_every_moving_structure(uk):
    frame = run(uk, seed=4)
    c = uk.constraints
    for _, row in frame.iterrows():
        now = c.model_copy(update={name: row[name] for name in STRUCTURAL})
        assert row["reach_volunteer"] == pytest.approx(volunteer_reach(now), abs=1e-12)
        assert row["reach_investor"] == pytest.approx(investor_reach(now), abs=1e-12)
    hours = frame["weekly_hours"].to_numpy()
    assert hours[-1] == pytest.approx(36.5 + QUARTERS * uk.structures.slope("weekly_hours"))
    assert frame["overseas_share"].iloc[-1] == pytest.approx(0.577 + QUARTERS * 0.0013)
    assert (frame["holding_period_years"] == 0.625).all()  # flat: an assumption


def test_engagement_stays_within_reach_as_it_narrows(uk):
    falling = with_structures(uk, trends={**uk.structures.trends,
                              "union_density": uk.structures.trends["union_density"].model_copy(
                                  update={"per_quarter": -0.005})})  # fmt: skip
    frame = run(falling, seed=5)
    assert frame["union_density"].iloc[-1] < 0.05
    assert (frame["engaged_union"] <= frame["reach_union"] + 1e-12).all()


def test_the_fastest_recruitment_never_outgrows_what_the_run_was_built_for(uk):
    fast = with_structures(uk, union_recruitment=0.01, volunteer_recruitment=0.01, decay=0.0)
    frame = run(fast, seed=6)
    assert frame["union_density"].iloc[-1] > 0.22  # mobilisation outpaced the trend
    assert (frame["engaged_union"] <= frame["reach_union"] + 1e-12).all()


def test_frozen_structures_do_not_move_and_build_nothing(uk):
    still = Structures(union_recruitment=0.0, volunteer_recruitment=0.0)
    frozen = uk.model_copy(update={"structures": still})
    block = Block([Member(frozen, 1)])
    assert not block.structures.moving and block.structures.widest is None
    block.run()
    frame = block.frame(0)
    for name in STRUCTURAL:
        assert (frame[name] == getattr(uk.constraints, name)).all(), name


def test_same_seed_same_bytes_and_a_run_in_a_block_is_the_run_alone(uk):
    members = [Member(uk, seed) for seed in (7, 8)]
    members.append(Member(uk, 7, {"social_partnership": 1.0}))
    together = Block(members)
    together.run()
    for r, member in enumerate(members):
        alone = Block([member])
        alone.run()
        np.testing.assert_array_equal(together.rows[r], alone.rows[0])
    assert run(uk, seed=7).equals(run(uk, seed=7))


def test_social_partnership_steepens_the_union_trend_from_its_start(uk):
    """A reform that starts later leaves structures as they were until then, then moves them."""
    start = 21
    timing = {"social_partnership": Timing(start=start)}
    params = no_recruitment(uk)
    block = Block([Member(params, 9), Member(params, 9, {"social_partnership": 1.0}, timing)])
    block.run()
    column = block.columns.index("union_density") - 2
    without, with_reform = block.rows[0, :, column], block.rows[1, :, column]
    np.testing.assert_array_equal(block.rows[1, :start], block.rows[0, :start])
    # from its start: density lifted toward 0.35 at once, then a trend its size steeper
    steeper = REFORMS["social_partnership"].sized(params.reform_sizes).density_trend
    assert steeper == 0.001  # the size declared with the reform (docs/model.md)
    lifted = 0.22 + (0.35 - 0.22)
    for t in range(start, QUARTERS + 1):
        expected = lifted + UNION_SLOPE * t + steeper * (t - start + 1)
        assert with_reform[t] == pytest.approx(expected, abs=1e-9), t
    assert with_reform[-1] - without[-1] > 0.13


def test_multi_year_funding_lifts_the_volunteering_trend_by_the_scenarios_size(uk):
    """The trend moves by the scenario's reform size (a member's, a --set's), times strength."""
    from mobilise.schema.reforms import apply_reforms

    default = apply_reforms(uk, {"multi_year_funding": 0.5})
    assert default.structures.slope("volunteering_rate") == pytest.approx(
        uk.structures.slope("volunteering_rate") + 0.5 * 0.0005
    )
    sized = uk.with_values({"reform_sizes.multi_year_funding.volunteering_trend": 0.002})
    after = apply_reforms(sized, {"multi_year_funding": 0.5})
    assert after.structures.slope("volunteering_rate") == pytest.approx(
        uk.structures.slope("volunteering_rate") + 0.5 * 0.002
    )


def test_the_mesa_model_records_a_column_per_structural_constraint(uk):
    model = MissionModel(uk, rng=11)
    frame = model.run()
    for name in STRUCTURAL:
        assert name in frame.columns
    assert frame["union_density"].iloc[-1] == pytest.approx(
        run(uk, seed=11)["union_density"].iloc[-1], abs=0
    )


def test_widest_reach_bounds_every_quarter(uk):
    """What a run is built for holds every reach its structures reach (all eleven reforms)."""
    from mobilise.schema.reforms import REFORMS

    block = Block([Member(uk, 12, dict.fromkeys(REFORMS, 1.0),
                          {name: Timing(start=10, ramp=4) for name in REFORMS})])  # fmt: skip
    widest = block.structures.widest
    assert isinstance(block.structures, MovingStructures) and widest is not None
    reach = []
    for _ in range(QUARTERS):
        block.step()
        reach.append(block.crowd.reach[0].copy())
    assert (np.array(reach) <= widest[0] + 1e-12).all()
