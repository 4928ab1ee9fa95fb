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

from mobilise.actor_types import BUILT_IN
from mobilise.scenario import Scenario
from mobilise.vocabulary import unknown_name

Getter = Callable[[Scenario], float]


@dataclass(frozen=True)
class Move:
    """A parameter a reform moves, and the direction it moves it (+1 up, -1 down)."""

    parameter: str
    read: Getter
    direction: int


@dataclass(frozen=True)
class Reform:
    """One enabling reform; ``apply`` is pure and strength 0 is the identity."""

    name: str
    description: str
    relaxes: str
    source: str
    transform: Callable[[Scenario, float], Scenario]
    moves: tuple[Move, ...]

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


def _toward(value: float, goal: float, strength: float) -> float:
    """Move ``value`` a ``strength`` share of the way up to ``goal`` (never down)."""
    return value + strength * max(0.0, goal - value)


def _trust_mean(actor_type: str) -> Getter:
    return lambda s: s.population(actor_type).trust.mean()


def _cost(actor_type: str) -> Getter:
    return lambda s: s.population(actor_type).cost


def _cross(a: str, b: str) -> Getter:
    return lambda s: s.network.cross(a, b)


def _reach(actor_type: str) -> Move:
    """The type's structural reach: reforms widen who can engage, not only how easily."""
    return Move(f"reach of {actor_type}", lambda s: BUILT_IN[actor_type].reach(s.constraints), 1)


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


def _multi_year_funding(s: Scenario, k: float) -> Scenario:
    c = s.constraints
    return _constraints(
        s,
        charity_funding_term_years=_toward(c.charity_funding_term_years, 3.0, k),
        contract_subsidy_share=c.contract_subsidy_share * (1 - 0.5 * k),
    )


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
    s = _constraints(
        s, feedback_lag_quarters=round(s.constraints.feedback_lag_quarters * (1 - 0.75 * k))
    )
    return _government(
        s,
        observation_noise=g.observation_noise * (1 - 0.7 * k),
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
            Move("network cross degree government-business", _cross("government", "business"), 1),
            Move("initial trust of business", _trust_mean("business"), 1),
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
            Move("network within degree of charity", lambda s: s.network.within("charity"), 1),
            Move("network cross degree charity-volunteer", _cross("charity", "volunteer"), 1),
        ),
    ),
    "multi_year_funding": Reform(
        name="multi_year_funding",
        description="Multi-year grants and full-cost contracts for charities",
        relaxes="charities' short horizon and fragile capacity",
        source="Demos, Mobilisation Nation (2025); NCVO True Cost (2024)",
        transform=_multi_year_funding,
        moves=(
            Move("charity funding term", lambda s: s.constraints.charity_funding_term_years, 1),
            Move("contract subsidy share", lambda s: s.constraints.contract_subsidy_share, -1),
            _reach("charity"),
        ),
    ),
    "procurement_reform": Reform(
        name="procurement_reform",
        description="Simpler, social-value procurement open to charities and small firms",
        relaxes="participation cost for charities and small firms",
        source="Demos, Mobilisation Nation (2025); Procurement Act 2023",
        transform=_procurement_reform,
        moves=(
            Move("charity participation cost", _cost("charity"), -1),
            Move("business participation cost", _cost("business"), -1),
        ),
    ),
    "time_for_civic_life": Reform(
        name="time_for_civic_life",
        description="Civic leave and shorter working time give people time to volunteer",
        relaxes="volunteers' time budget and active pool",
        source="Demos, Mobilisation Nation (2025), active citizenship and Fig. 5",
        transform=_time_for_civic_life,
        moves=(
            Move("weekly working hours", lambda s: s.constraints.weekly_hours, -1),
            Move(
                "volunteer mean threshold", lambda s: s.population("volunteer").threshold.mean(), -1
            ),
            _reach("volunteer"),
        ),
    ),
    "social_partnership": Reform(
        name="social_partnership",
        description="Sectoral social partnership extends union reach and union-employer ties",
        relaxes="falling union density (reach); few union-business ties",
        source="Demos, Mobilisation Nation (2025), Fig. 2",
        transform=_social_partnership,
        moves=(
            Move("union density", lambda s: s.constraints.union_density, 1),
            Move("network cross degree union-business", _cross("union", "business"), 1),
            _reach("union"),
        ),
    ),
    "patient_capital": Reform(
        name="patient_capital",
        description="Consolidated pension funds and domestic long-term ownership",
        relaxes="short investor horizons, overseas ownership and the short-termism they impose "
        "on firms",
        source="Demos, Mobilisation Nation (2025), Fig. 3; ONS share ownership",
        transform=_patient_capital,
        moves=(
            Move("overseas share of quoted shares", lambda s: s.constraints.overseas_share, -1),
            Move("holding period", lambda s: s.constraints.holding_period_years, 1),
            Move("short-termist share of firms", lambda s: s.constraints.short_termist_share, -1),
            _reach("investor"),
            _reach("business"),
        ),
    ),
    "mission_ownership": Reform(
        name="mission_ownership",
        description="Mission letters give each mission one accountable owner across reshuffles",
        relaxes="low credibility and ministerial churn",
        source="INVI, mission-driven governance, lesson 2 (mission letters)",
        transform=_mission_ownership,
        moves=(
            Move("signal clarity", lambda s: s.government.clarity, 1),
            Move("reshuffle rate", lambda s: s.government.reshuffle_rate, -1),
        ),
    ),
    "pooled_budgets": Reform(
        name="pooled_budgets",
        description="Cross-departmental pooled mission budgets",
        relaxes="government silos",
        source="INVI, mission-driven governance, lesson 3 (cross-functional governance)",
        transform=_pooled_budgets,
        moves=(
            Move("silo share", lambda s: s.constraints.government_silo_share, -1),
            _reach("government"),
        ),
    ),
    "learning_and_portfolio": Reform(
        name="learning_and_portfolio",
        description="One live key metric per mission and stage-gated portfolio reviews",
        relaxes="feedback lag and noise; no stage gates",
        source="INVI, mission-driven governance, lessons 4 and 5",
        transform=_learning_and_portfolio,
        moves=(
            Move("feedback lag", lambda s: s.constraints.feedback_lag_quarters, -1),
            Move("observation noise", lambda s: s.government.observation_noise, -1),
            Move("portfolio reallocation", lambda s: s.government.reallocation, 1),
        ),
    ),
    "civil_service_capabilities": Reform(
        name="civil_service_capabilities",
        description="New skills and capabilities for mission delivery in the civil service",
        relaxes="slow government learning",
        source="INVI, mission-driven governance, lesson 6",
        transform=_civil_service_capabilities,
        moves=(Move("government capability", lambda s: s.government.capability, 1),),
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
