"""Reach: how the structural constraints decide who can engage (docs/model.md §7.4)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mobilise import ACTOR_TYPES
from mobilise.model.population import engagement_ceiling, funded_reach
from mobilise.schema.actor_types import (
    BUILT_IN,
    long_stake_share,
    overseas_investor_share,
    short_funding_share,
)
from mobilise.schema.constraints import Constraints

REACH = {name: t.reach for name, t in BUILT_IN.items()}

UK = Constraints()
share = st.floats(0, 1)


def test_every_actor_type_has_a_reach_function():
    assert set(REACH) == set(ACTOR_TYPES)


def test_uk_reach_comes_from_the_sourced_constraints():
    assert REACH["union"](UK) == UK.union_density  # unions reach their members
    # monthly volunteers x yearly/monthly ratio = the yearly rate (0.28, CLS 2023/24)
    assert REACH["volunteer"](UK) == pytest.approx(0.28)
    assert REACH["government"](UK) == pytest.approx(1 - UK.government_silo_share)
    assert REACH["business"](UK) == pytest.approx(1 - UK.short_termist_share)
    assert REACH["investor"](UK) == pytest.approx(
        (1 - UK.overseas_share) * UK.holding_period_years / (UK.holding_period_years + 1)
    )
    # exponential terms with a one-year mean: 0.63 of agreements are a year or less
    assert short_funding_share(1.0) == pytest.approx(1 - np.exp(-1))
    assert REACH["charity"](UK) == pytest.approx(1 - 0.87 * (1 - np.exp(-1)))


@pytest.mark.parametrize(
    ("field", "better"),
    [
        ("union_density", +1),
        ("volunteering_rate", +1),
        ("weekly_hours", -1),
        ("overseas_share", -1),
        ("holding_period_years", +1),
        ("charity_funding_term_years", +1),
        ("contract_subsidy_share", -1),
        ("government_silo_share", -1),
        ("short_termist_share", -1),
        ("foundation_ownership_share", +1),
        ("yearly_per_monthly_volunteers", +1),
    ],
)
def test_each_constraint_moves_reach_the_way_the_report_argues(field, better):
    reach_before = {t: f(UK) for t, f in REACH.items()}
    value = getattr(UK, field) or 0.1  # none today (foundations in the UK): some
    moved = UK.model_copy(update={field: value * (1.2 if better > 0 else 0.8)})
    changed = {t: f(moved) - reach_before[t] for t, f in REACH.items()}
    assert any(d > 0 for d in changed.values()), field
    assert all(d >= 0 for d in changed.values()), field


@given(share, share, share)
def test_reach_stays_a_share(a, b, f):
    c = UK.model_copy(
        update={"union_density": a, "volunteering_rate": b, "overseas_share": a,
                "contract_subsidy_share": b, "short_termist_share": a,
                "foundation_ownership_share": f}
    )  # fmt: skip
    for reach in REACH.values():
        assert 0.0 <= reach(c) <= 1.0


def test_without_foundations_reach_is_the_v1_equation_exactly():
    """The UK has none (default 0): its investors' and firms' reach are as before, bit for bit."""
    assert UK.foundation_ownership_share == 0.0
    y = UK.holding_period_years
    assert REACH["investor"](UK) == (1 - UK.overseas_share) * (y / (y + 1))
    assert REACH["business"](UK) == 1 - UK.short_termist_share
    assert overseas_investor_share(UK) == UK.overseas_share


def test_foundations_are_long_horizon_domestic_owners():
    """Thomsen et al. (2018): what foundations own is domestic and held for good.

    Denmark: foundations 0.10, foreign share 0.68, holding period 0.625 years.
    """
    c = UK.model_copy(update={"foundation_ownership_share": 0.10, "overseas_share": 0.68})
    stay = 0.625 / 1.625
    assert REACH["investor"](c) == pytest.approx(0.10 + 0.90 * 0.32 * stay)
    assert REACH["business"](c) == pytest.approx(1 - 0.55 * 0.90)  # foundations' firms exempt
    assert overseas_investor_share(c) == pytest.approx(0.68 * 0.90)
    # owning everything, foundations reach every investor whatever the foreign share
    everything = c.model_copy(update={"foundation_ownership_share": 1.0, "overseas_share": 0.9})
    assert REACH["investor"](everything) == 1.0 and overseas_investor_share(everything) == 0.0


@given(share, share, st.floats(0.01, 50))
def test_investor_reach_never_includes_an_overseas_holder(overseas, foundations, years):
    c = UK.model_copy(update={"overseas_share": overseas,
                              "foundation_ownership_share": foundations,
                              "holding_period_years": years})  # fmt: skip
    assert REACH["investor"](c) <= 1.0 - overseas_investor_share(c) + 1e-12


@given(st.floats(0.01, 50), st.floats(0.01, 50))
def test_longer_holding_and_funding_terms_widen_reach(a, b):
    low, high = sorted((a, b))
    assert long_stake_share(low) <= long_stake_share(high)
    assert short_funding_share(low) >= short_funding_share(high)


@given(share, st.integers(1, 500))
def test_ceilings_average_exactly_the_reach(reach, n):
    ceiling = engagement_ceiling(reach, np.random.default_rng(n).permutation(n).astype(float))
    assert ceiling.mean() == pytest.approx(reach, abs=1e-12)
    assert np.all((ceiling >= 0) & (ceiling <= 1))
    assert np.sum((ceiling > 0) & (ceiling < 1)) <= 1  # at most one agent is partly reached


@given(share, share)
def test_widening_reach_only_adds_agents(a, b):
    low, high = sorted((a, b))
    rank = np.random.default_rng(0).permutation(100).astype(float)
    assert np.all(engagement_ceiling(low, rank) <= engagement_ceiling(high, rank))


@given(share, share)
def test_state_funding_widens_reach_between_structure_and_everyone(reach, funded):
    widened = funded_reach(reach, funded, UK)
    assert reach <= widened <= 1.0
    assert funded_reach(reach, 0.0, UK) == reach
