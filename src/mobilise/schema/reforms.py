"""The enabling reforms: each a small, pure transformation of a scenario.

A reform says which constraint it relaxes and where the idea comes from, and
``apply(scenario, strength)`` returns a new scenario with the parameters moved.
Strength 0 returns the scenario's values unchanged. Several reforms compose in
catalogue order (the order of :data:`REFORMS`), whatever order they are named
in, so a bundle means one thing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING

from mobilise.schema.trends import Trend
from mobilise.vocabulary import unknown_name

if TYPE_CHECKING:  # transforms work on any scenario they are given; the schema checks names here
    from mobilise.schema.scenario import Scenario


@dataclass(frozen=True)
class Move:
    """A scenario field a reform moves and the way it moves it (+1 up, -1 down).

    ``field`` is a dotted path in the scenario; ``*`` stands for any one key
    (``network.cross_overrides.*``). A network degree is read as the degree in
    effect (an override, or the default it replaces).
    """

    field: str
    direction: int

    def read(self, scenario: Scenario, path: str) -> float:
        """The value at ``path`` (one match of :attr:`field`) in ``scenario``."""
        parts = path.split(".")
        if parts[:2] == ["network", "cross_overrides"]:
            a, b = parts[2].split("-")
            return scenario.network.cross(a, b)
        if parts[:2] == ["network", "within_overrides"]:
            return scenario.network.within(parts[2])
        return float(scenario.value_at(path))


@dataclass(frozen=True)
class Reform:
    """One enabling reform; ``apply`` is pure and strength 0 is the identity.

    ``moves`` declares every field the transform changes, ``widens`` the actor
    types whose reach it widens; a test holds each reform to both.
    """

    name: str
    description: str
    relaxes: str
    source: str
    transform: Callable[[Scenario, float], Scenario]
    moves: tuple[Move, ...]
    widens: tuple[str, ...] = ()

    def apply(self, scenario: Scenario, strength: float) -> Scenario:
        """The scenario with this reform at ``strength`` in [0, 1]."""
        check_reform(self.name, strength)
        return self.transform(scenario, strength)


# --- small pure helpers ---------------------------------------------------------------


def _constraints(s: Scenario, **changes: float) -> Scenario:
    return s.model_copy(update={"constraints": s.constraints.model_copy(update=changes)})


def _government(s: Scenario, **changes: object) -> Scenario:
    return s.model_copy(update={"government": s.government.model_copy(update=changes)})


def _population(s: Scenario, actor_type: str, **changes: object) -> Scenario:
    if actor_type not in s.populations:
        return s
    pops = dict(s.populations)
    pops[actor_type] = pops[actor_type].model_copy(update=changes)
    return s.model_copy(update={"populations": pops})


def _raise_trust(s: Scenario, actor_types: tuple[str, ...], delta: float) -> Scenario:
    for t in actor_types:
        if t in s.populations:
            s = _population(s, t, trust=s.populations[t].trust.moved(shift=delta))
    return s


def _scale_cost(s: Scenario, actor_type: str, factor: float) -> Scenario:
    if actor_type not in s.populations:
        return s
    return _population(s, actor_type, cost=s.populations[actor_type].cost * factor)


def _scale_cross(s: Scenario, pairs: list[tuple[str, str]], factor: float) -> Scenario:
    if factor == 1.0:
        return s  # no new override keys: strength 0 is the scenario, field for field
    network = s.network
    for a, b in pairs:
        network = network.with_cross(f"{a}-{b}", network.cross(a, b) * factor)
    return s.model_copy(update={"network": network})


def _scale_within(s: Scenario, actor_type: str, factor: float) -> Scenario:
    if factor == 1.0:
        return s
    network = s.network
    overrides = {**network.within_overrides, actor_type: network.within(actor_type) * factor}
    return s.model_copy(
        update={"network": network.model_copy(update={"within_overrides": overrides})}
    )


def _shift_trend(s: Scenario, name: str, shift: float) -> Scenario:
    """The scenario with the trend of constraint ``name`` moved by ``shift`` per quarter."""
    if shift == 0.0:
        return s  # strength 0 is the scenario, field for field
    structures = s.structures
    trend = structures.trends.get(name)
    moved = (
        Trend(per_quarter=shift, assumption="no trend declared: the reform's shift alone")
        if trend is None
        else trend.model_copy(update={"per_quarter": trend.per_quarter + shift})
    )
    trends = {**structures.trends, name: moved}
    return s.model_copy(update={"structures": structures.model_copy(update={"trends": trends})})


def _toward(value: float, goal: float, strength: float) -> float:
    """Move ``value`` a ``strength`` share of the way up to ``goal`` (never down)."""
    return value + strength * max(0.0, goal - value)


# --- the catalogue --------------------------------------------------------------------

COUNCIL_TYPES = ("government", "business", "union", "investor", "charity")
COUNCIL_PAIRS = list(combinations(COUNCIL_TYPES, 2))


def _mission_councils(s: Scenario, k: float) -> Scenario:
    s = _scale_cross(s, COUNCIL_PAIRS, 1 + 3 * k)
    return _raise_trust(s, COUNCIL_TYPES, 0.1 * k)


def _civil_society_covenant(s: Scenario, k: float) -> Scenario:
    s = _scale_within(s, "charity", 1 + 2 * k)
    s = _scale_cross(s, [("charity", "volunteer"), ("charity", "government")], 1 + 2 * k)
    return _raise_trust(s, ("charity",), 0.1 * k)


FUNDED_VOLUNTEERING_TREND = 0.0005
"""Monthly formal volunteering added per quarter to its trend by multi-year funding at full
strength (assumption: SFI 2004-2012 finds that what lets associations recruit and retain
volunteers matters more than campaigns, without a size; the scale is a fifth of Denmark's
2020-24 rise, data/structure_dynamics_sources.md section 3)."""

UNION_TREND = 0.001
"""Union density added per quarter to its trend by social partnership at full strength
(assumption on a sourced scale: institutions that tie workers to unions raised Danish density
by 0.001 to 0.003 a quarter, ICTWSS 1970-83 and 2008-11; the low end, since the reform also
lifts density at once; data/structure_dynamics_sources.md section 2)."""


def _multi_year_funding(s: Scenario, k: float) -> Scenario:
    c = s.constraints
    s = _constraints(
        s,
        charity_funding_term_years=_toward(c.charity_funding_term_years, 3.0, k),
        contract_subsidy_share=c.contract_subsidy_share * (1 - 0.5 * k),
    )
    return _shift_trend(s, "volunteering_rate", FUNDED_VOLUNTEERING_TREND * k)


def _procurement_reform(s: Scenario, k: float) -> Scenario:
    s = _scale_cost(s, "charity", 1 - 0.5 * k)
    return _scale_cost(s, "business", 1 - 0.3 * k)


def _time_for_civic_life(s: Scenario, k: float) -> Scenario:
    s = _constraints(s, weekly_hours=s.constraints.weekly_hours - 4.0 * k)
    if "volunteer" not in s.populations:
        return s
    threshold = s.populations["volunteer"].threshold.moved(shift=-0.05 * k)
    return _population(s, "volunteer", threshold=threshold)


def _social_partnership(s: Scenario, k: float) -> Scenario:
    s = _constraints(s, union_density=_toward(s.constraints.union_density, 0.35, k))
    s = _shift_trend(s, "union_density", UNION_TREND * k)
    return _scale_cross(s, [("union", "business")], 1 + 3 * k)


def _patient_capital(s: Scenario, k: float) -> Scenario:
    c = s.constraints
    return _constraints(
        s,
        overseas_share=c.overseas_share * (1 - 0.3 * k),
        holding_period_years=_toward(c.holding_period_years, 5.0, k),
        short_termist_share=c.short_termist_share * (1 - 0.3 * k),
    )


def _mission_ownership(s: Scenario, k: float) -> Scenario:
    g = s.government
    return _government(
        s,
        clarity=_toward(g.clarity, 1.0, 0.5 * k),
        reshuffle_rate=g.reshuffle_rate * (1 - 0.7 * k),
        reshuffle_penalty=g.reshuffle_penalty * (1 - 0.5 * k),
        election_penalty=g.election_penalty * (1 - 0.5 * k),
    )


def _pooled_budgets(s: Scenario, k: float) -> Scenario:
    return _constraints(
        s, government_silo_share=s.constraints.government_silo_share * (1 - 0.7 * k)
    )


def _learning_and_portfolio(s: Scenario, k: float) -> Scenario:
    g = s.government
    return _government(
        s,
        monitoring=_toward(g.monitoring, 0.75, k),
        portfolio_review=g.portfolio_review or k > 0,
        reallocation=max(g.reallocation, 0.5 * k),
    )


def _civil_service_capabilities(s: Scenario, k: float) -> Scenario:
    return _government(s, capability=s.government.capability * (1 + k))


REFORMS: dict[str, Reform] = {
    "mission_councils": Reform(
        name="mission_councils",
        description="Cross-sector mission councils tie government, business, unions, "
        "investors and charities together",
        relaxes="few cross-sector coordination ties; low trust",
        source="Demos, Mobilisation Nation (2025)",
        transform=_mission_councils,
        moves=(
            Move("network.cross_overrides.*", 1),
            Move("populations.*.trust.shift", 1),
        ),
    ),
    "civil_society_covenant": Reform(
        name="civil_society_covenant",
        description="Rebuild the infrastructure bodies that link charities to each "
        "other, to volunteers and to the state",
        relaxes="lost infrastructure bodies linking charities",
        source="Demos, Mobilisation Nation (2025); Civil Society Covenant (2025)",
        transform=_civil_society_covenant,
        moves=(
            Move("network.within_overrides.charity", 1),
            Move("network.cross_overrides.charity-*", 1),
            Move("populations.charity.trust.shift", 1),
        ),
    ),
    "multi_year_funding": Reform(
        name="multi_year_funding",
        description="Multi-year grants and full-cost contracts for charities",
        relaxes="charities' short horizon and fragile capacity; associations that cannot "
        "keep volunteers (the volunteering trend)",
        source="Demos, Mobilisation Nation (2025); NCVO True Cost (2024)",
        transform=_multi_year_funding,
        moves=(
            Move("constraints.charity_funding_term_years", 1),
            Move("constraints.contract_subsidy_share", -1),
            Move("structures.trends.volunteering_rate.per_quarter", 1),
        ),
        widens=("charity",),
    ),
    "procurement_reform": Reform(
        name="procurement_reform",
        description="Simpler, social-value procurement open to charities and small firms",
        relaxes="participation cost for charities and small firms",
        source="Demos, Mobilisation Nation (2025); Procurement Act 2023",
        transform=_procurement_reform,
        moves=(
            Move("populations.charity.cost", -1),
            Move("populations.business.cost", -1),
        ),
    ),
    "time_for_civic_life": Reform(
        name="time_for_civic_life",
        description="Civic leave and shorter working time give people time to volunteer",
        relaxes="volunteers' time budget and active pool",
        source="Demos, Mobilisation Nation (2025), active citizenship and Fig. 5",
        transform=_time_for_civic_life,
        moves=(
            Move("constraints.weekly_hours", -1),
            Move("populations.volunteer.threshold.shift", -1),
        ),
        widens=("volunteer",),
    ),
    "social_partnership": Reform(
        name="social_partnership",
        description="Sectoral social partnership extends union reach and union-employer ties",
        relaxes="falling union density (reach and its trend); few union-business ties",
        source="Demos, Mobilisation Nation (2025), Fig. 2",
        transform=_social_partnership,
        moves=(
            Move("constraints.union_density", 1),
            Move("structures.trends.union_density.per_quarter", 1),
            Move("network.cross_overrides.union-business", 1),
        ),
        widens=("union",),
    ),
    "patient_capital": Reform(
        name="patient_capital",
        description="Consolidated pension funds and domestic long-term ownership",
        relaxes="short investor horizons, overseas ownership and the short-termism they impose "
        "on firms",
        source="Demos, Mobilisation Nation (2025), Fig. 3; ONS share ownership",
        transform=_patient_capital,
        moves=(
            Move("constraints.overseas_share", -1),
            Move("constraints.holding_period_years", 1),
            Move("constraints.short_termist_share", -1),
        ),
        widens=("investor", "business"),
    ),
    "mission_ownership": Reform(
        name="mission_ownership",
        description="Mission letters give each mission one accountable owner across reshuffles",
        relaxes="low credibility and ministerial churn",
        source="INVI, mission-driven governance, lesson 2 (mission letters)",
        transform=_mission_ownership,
        moves=(
            Move("government.clarity", 1),
            Move("government.reshuffle_rate", -1),
            Move("government.reshuffle_penalty", -1),
            Move("government.election_penalty", -1),
        ),
    ),
    "pooled_budgets": Reform(
        name="pooled_budgets",
        description="Cross-departmental pooled mission budgets",
        relaxes="government silos",
        source="INVI, mission-driven governance, lesson 3 (cross-functional governance)",
        transform=_pooled_budgets,
        moves=(Move("constraints.government_silo_share", -1),),
        widens=("government",),
    ),
    "learning_and_portfolio": Reform(
        name="learning_and_portfolio",
        description="One live key metric per mission and stage-gated portfolio reviews",
        relaxes="the owner's feedback lag and noise; no stage gates",
        source="INVI, mission-driven governance, lessons 4 and 5",
        transform=_learning_and_portfolio,
        moves=(
            Move("government.monitoring", 1),
            Move("government.portfolio_review", 1),
            Move("government.reallocation", 1),
        ),
    ),
    "civil_service_capabilities": Reform(
        name="civil_service_capabilities",
        description="New skills and capabilities for mission delivery in the civil service",
        relaxes="slow government learning",
        source="INVI, mission-driven governance, lesson 6",
        transform=_civil_service_capabilities,
        moves=(Move("government.capability", 1),),
    ),
}
"""The reform catalogue, in the order reforms are applied."""


def check_reform(name: str, strength: float = 1.0) -> None:
    """Raise ValueError, in one line, for an unknown reform or a strength outside [0, 1].

    The one check every entry point uses: scenario and experiment files, the CLI.
    """
    if name not in REFORMS:
        raise unknown_name("reform", name, REFORMS)
    if not 0.0 <= strength <= 1.0:
        raise ValueError(f"strength of '{name}' must be in [0, 1], found {strength:g}")


def apply_reforms(scenario: Scenario, reforms: Mapping[str, float] | None = None) -> Scenario:
    """The scenario with its reforms (and ``reforms``, which override) applied.

    Reforms compose in catalogue order. The result carries an empty ``reforms``
    mapping: it is the effective parameter set, not something to apply again.
    """
    wanted = {**scenario.reforms, **(reforms or {})}
    for name, strength in wanted.items():
        check_reform(name, strength)
    effective = scenario.model_copy(update={"reforms": {}})
    for name, reform in REFORMS.items():
        if name in wanted:
            effective = reform.apply(effective, wanted[name])
    return effective
