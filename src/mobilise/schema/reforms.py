"""The enabling reforms: each a small, pure transformation of a scenario.

A reform says which constraint it relaxes and where the idea comes from, and
``apply(scenario, strength)`` returns a new scenario with the parameters moved.
Strength 0 returns the scenario's values unchanged. Several reforms compose in
catalogue order (the scenario's catalogue: the built-in :data:`REFORMS`, then any
a modeller adds with :meth:`~mobilise.schema.scenario.Scenario.with_reforms`),
whatever order they are named in, so a bundle means one thing.

How far a reform moves its parameters at full strength is its *size*: declared with
the reform as a small pydantic record of defaults (:attr:`Reform.sizes`), held by the
scenario under ``reform_sizes.<reform>.<size>`` (so ``--set``, sweeps and ensembles
reach it), and uncertain: the sources support each reform's direction, not its size
(the ranges and reasons are in the priors file, ``scenarios/priors/uk.yaml``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Protocol, Self

from pydantic import Field

from mobilise.schema.constraints import Constraints
from mobilise.schema.sections import Government, Network, Population
from mobilise.schema.strict import Strict
from mobilise.schema.trends import Structures, Trend
from mobilise.vocabulary import unknown_name


class Reformable(Protocol):
    """What a reform reads and edits of a scenario: its sections, reforms and sizes, copies.

    :class:`~mobilise.schema.scenario.Scenario` is one. Transforms are written against
    this, not the scenario, so the scenario can hold the catalogue without this module
    importing it.
    """

    @property
    def constraints(self) -> Constraints:
        """The structural constraints."""
        ...

    @property
    def government(self) -> Government:
        """How the mission owner signals and learns."""
        ...

    @property
    def network(self) -> Network:
        """Who is tied to whom."""
        ...

    @property
    def populations(self) -> dict[str, Population]:
        """Each actor type's agents."""
        ...

    @property
    def structures(self) -> Structures:
        """How the structural constraints move during a run."""
        ...

    @property
    def reforms(self) -> dict[str, float]:
        """Reform -> strength, as the scenario names them."""
        ...

    @property
    def reform_sizes(self) -> dict[str, dict[str, float]]:
        """Each reform's sizes at full strength."""
        ...

    @property
    def reform_catalogue(self) -> tuple[Reform, ...]:
        """The reforms it may apply, in the order applied."""
        ...

    def value_at(self, path: str) -> Any:
        """The value of the dotted field ``path``."""
        ...

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy with the fields of ``update`` replaced (unvalidated: a reform's own edit)."""
        ...


@dataclass(frozen=True)
class Move:
    """A scenario field a reform moves and the way it moves it (+1 up, -1 down).

    ``field`` is a dotted path in the scenario; ``*`` stands for any one key
    (``network.cross_overrides.*``). A network degree is read as the degree in
    effect (an override, or the default it replaces).
    """

    field: str
    direction: int

    def read(self, scenario: Reformable, path: str) -> float:
        """The value at ``path`` (one match of :attr:`field`) in ``scenario``."""
        parts = path.split(".")
        if parts[:2] == ["network", "cross_overrides"]:
            a, b = parts[2].split("-")
            return scenario.network.cross(a, b)
        if parts[:2] == ["network", "within_overrides"]:
            return scenario.network.within(parts[2])
        return float(scenario.value_at(path))


class Sizes(Strict):
    """A reform's sizes at full strength; a reform with nothing to size declares none."""


Transform = Callable[[Any, float, Any], Any]
"""``(scenario, strength, sizes) -> scenario``: pure, the identity at strength 0. The
scenario is any :class:`Reformable` (a modeller's own transform may name ``Scenario``); the
built-in transforms are typed ``[S: Reformable](S, float, their Sizes) -> S``."""


@dataclass(frozen=True)
class Reform:
    """One enabling reform; ``apply`` is pure and strength 0 is the identity.

    ``moves`` declares every field the transform changes, ``widens`` the actor
    types whose reach it widens; a test holds each reform to both. ``sizes`` is the
    record of its sizes at full strength, with their defaults; the transform is
    given the scenario's sizes (``reform_sizes.<name>``).
    """

    name: str
    description: str
    relaxes: str
    source: str
    transform: Transform
    moves: tuple[Move, ...]
    widens: tuple[str, ...] = ()
    sizes: type[Sizes] = Sizes

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise ValueError(f"reform name must be an identifier, found {self.name!r}")

    def apply[S: Reformable](self, scenario: S, strength: float) -> S:
        """The scenario with this reform at ``strength`` in [0, 1], at the scenario's sizes."""
        check_strength(self.name, strength)
        moved: S = self.transform(scenario, strength, self.sized(scenario.reform_sizes))
        return moved

    def sized(self, sizes: Mapping[str, Mapping[str, float]]) -> Any:
        """The reform's sizes record from a scenario's ``reform_sizes`` (defaults if absent)."""
        return self.sizes.model_validate(dict(sizes.get(self.name, {})), strict=True)

    def default_sizes(self) -> dict[str, float]:
        """The sizes declared with the reform, by name."""
        return self.sizes().model_dump()

    def __reduce__(self) -> tuple[Any, ...]:
        # built-in reforms pickle by name (one object per process); others by value
        if REFORMS.get(self.name) is self:
            return (_built_in, (self.name,))
        reduced = super().__reduce__()
        assert isinstance(reduced, tuple)  # a dataclass pickles as a tuple, never by name
        return reduced


def _built_in(name: str) -> Reform:
    return REFORMS[name]


# --- small pure helpers ---------------------------------------------------------------


def _constraints[S: Reformable](s: S, **changes: float) -> S:
    return s.model_copy(update={"constraints": s.constraints.model_copy(update=changes)})


def _government[S: Reformable](s: S, **changes: object) -> S:
    return s.model_copy(update={"government": s.government.model_copy(update=changes)})


def _population[S: Reformable](s: S, actor_type: str, **changes: object) -> S:
    if actor_type not in s.populations:
        return s
    pops = dict(s.populations)
    pops[actor_type] = pops[actor_type].model_copy(update=changes)
    return s.model_copy(update={"populations": pops})


def _raise_trust[S: Reformable](s: S, actor_types: tuple[str, ...], delta: float) -> S:
    for t in actor_types:
        if t in s.populations:
            s = _population(s, t, trust=s.populations[t].trust.moved(shift=delta))
    return s


def _scale_cost[S: Reformable](s: S, actor_type: str, factor: float) -> S:
    if actor_type not in s.populations:
        return s
    return _population(s, actor_type, cost=s.populations[actor_type].cost * factor)


def _scale_cross[S: Reformable](s: S, pairs: list[tuple[str, str]], factor: float) -> S:
    if factor == 1.0:
        return s  # no new override keys: strength 0 is the scenario, field for field
    network = s.network
    for a, b in pairs:
        network = network.with_cross(f"{a}-{b}", network.cross(a, b) * factor)
    return s.model_copy(update={"network": network})


def _scale_within[S: Reformable](s: S, actor_type: str, factor: float) -> S:
    if factor == 1.0:
        return s
    network = s.network
    overrides = {**network.within_overrides, actor_type: network.within(actor_type) * factor}
    return s.model_copy(
        update={"network": network.model_copy(update={"within_overrides": overrides})}
    )


def _shift_trend[S: Reformable](s: S, name: str, shift: float) -> S:
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
# Each reform's sizes at full strength (strength k scales them): defaults as in
# docs/model.md §7.10; their ranges and reasons are uncertain inputs (scenarios/priors/uk.yaml).

COUNCIL_TYPES = ("government", "business", "union", "investor", "charity")
COUNCIL_PAIRS = list(combinations(COUNCIL_TYPES, 2))

_FACTOR = "ties multiplied by 1 + this x strength"
_CUT = "share removed at full strength"
_TREND = "added per quarter to its trend (structures.trends)"


class MissionCouncilsSizes(Sizes):
    """Mission councils: how many more ties across the council types, how much more trust."""

    tie_factor: float = Field(3.0, ge=0, description=f"council pairs' cross {_FACTOR}")
    trust_shift: float = Field(0.1, ge=0, le=1, description="council types' trust draws + this")


class CovenantSizes(Sizes):
    """Civil society covenant: ties among charities and to volunteers and the state; trust."""

    within_factor: float = Field(2.0, ge=0, description=f"charities' within-type {_FACTOR}")
    cross_factor: float = Field(
        2.0, ge=0, description=f"charity-volunteer and charity-government {_FACTOR}"
    )
    trust_shift: float = Field(0.1, ge=0, le=1, description="charities' trust draws + this")


class MultiYearFundingSizes(Sizes):
    """Multi-year funding: funding term, contract subsidy, and a steeper volunteering trend."""

    funding_term_goal: float = Field(3.0, gt=0, description="funding term moved toward (years)")
    subsidy_cut: float = Field(
        0.5, ge=0, le=1, description=f"charities subsidising contracts: {_CUT}"
    )
    volunteering_trend: float = Field(
        0.0005, ge=0, le=0.01, description=f"monthly formal volunteering {_TREND}"
    )


class ProcurementSizes(Sizes):
    """Procurement reform: the participation cost it removes for charities and firms."""

    charity_cost_cut: float = Field(0.5, ge=0, le=1, description=f"charities' cost: {_CUT}")
    business_cost_cut: float = Field(0.3, ge=0, le=1, description=f"firms' cost: {_CUT}")


class CivicTimeSizes(Sizes):
    """Time for civic life: hours freed a week, and volunteers' lower thresholds."""

    hours_cut: float = Field(4.0, ge=0, le=20, description="full-time weekly hours removed")
    threshold_shift: float = Field(
        0.05, ge=0, le=1, description="volunteers' threshold draws lowered by this"
    )


class SocialPartnershipSizes(Sizes):
    """Social partnership: union density and its trend raised, more union-business ties."""

    density_goal: float = Field(0.35, ge=0, le=1, description="union density moved toward")
    density_trend: float = Field(0.001, ge=0, le=0.01, description=f"union density {_TREND}")
    tie_factor: float = Field(3.0, ge=0, description=f"union-business {_FACTOR}")


class PatientCapitalSizes(Sizes):
    """Patient capital: less overseas and short-term ownership, fewer short-termist firms."""

    overseas_cut: float = Field(0.3, ge=0, le=1, description=f"overseas share: {_CUT}")
    holding_goal: float = Field(5.0, gt=0, description="holding period moved toward (years)")
    short_termist_cut: float = Field(
        0.3, ge=0, le=1, description=f"firms held to short-term targets: {_CUT}"
    )


class MissionOwnershipSizes(Sizes):
    """Mission ownership: a clearer signal, fewer and milder reshuffles, milder elections."""

    clarity_step: float = Field(
        0.5, ge=0, le=1, description="share of the way to full clarity at full strength"
    )
    reshuffle_rate_cut: float = Field(0.7, ge=0, le=1, description=f"reshuffle rate: {_CUT}")
    reshuffle_penalty_cut: float = Field(
        0.5, ge=0, le=1, description=f"credibility lost per reshuffle: {_CUT}"
    )
    election_penalty_cut: float = Field(
        0.5, ge=0, le=1, description=f"credibility lost at an election: {_CUT}"
    )


class PooledBudgetsSizes(Sizes):
    """Pooled budgets: the share of government effort lost to silos that they recover."""

    silo_cut: float = Field(0.7, ge=0, le=1, description=f"government silo share: {_CUT}")


class LearningSizes(Sizes):
    """Learning and portfolio: the owner's own live metric; budget moved at reviews."""

    monitoring_goal: float = Field(
        0.75,
        ge=0,
        le=1,
        description="the owner's monitoring moved toward this share of publication's lag and "
        "noise removed",
    )
    reallocation: float = Field(
        0.5, ge=0, le=1, description="share of the weakest initiative's budget moved per review"
    )


class CapabilitiesSizes(Sizes):
    """Civil service capabilities: how much faster government learns."""

    capability_gain: float = Field(
        1.0, ge=0, description="capability multiplied by 1 + this x strength"
    )


def _mission_councils[S: Reformable](s: S, k: float, size: MissionCouncilsSizes) -> S:
    s = _scale_cross(s, COUNCIL_PAIRS, 1 + size.tie_factor * k)
    return _raise_trust(s, COUNCIL_TYPES, size.trust_shift * k)


def _civil_society_covenant[S: Reformable](s: S, k: float, size: CovenantSizes) -> S:
    s = _scale_within(s, "charity", 1 + size.within_factor * k)
    pairs = [("charity", "volunteer"), ("charity", "government")]
    s = _scale_cross(s, pairs, 1 + size.cross_factor * k)
    return _raise_trust(s, ("charity",), size.trust_shift * k)


def _multi_year_funding[S: Reformable](s: S, k: float, size: MultiYearFundingSizes) -> S:
    c = s.constraints
    s = _constraints(
        s,
        charity_funding_term_years=_toward(c.charity_funding_term_years, size.funding_term_goal, k),
        contract_subsidy_share=c.contract_subsidy_share * (1 - size.subsidy_cut * k),
    )
    return _shift_trend(s, "volunteering_rate", size.volunteering_trend * k)


def _procurement_reform[S: Reformable](s: S, k: float, size: ProcurementSizes) -> S:
    s = _scale_cost(s, "charity", 1 - size.charity_cost_cut * k)
    return _scale_cost(s, "business", 1 - size.business_cost_cut * k)


def _time_for_civic_life[S: Reformable](s: S, k: float, size: CivicTimeSizes) -> S:
    s = _constraints(s, weekly_hours=s.constraints.weekly_hours - size.hours_cut * k)
    if "volunteer" not in s.populations:
        return s
    threshold = s.populations["volunteer"].threshold.moved(shift=-size.threshold_shift * k)
    return _population(s, "volunteer", threshold=threshold)


def _social_partnership[S: Reformable](s: S, k: float, size: SocialPartnershipSizes) -> S:
    s = _constraints(s, union_density=_toward(s.constraints.union_density, size.density_goal, k))
    s = _shift_trend(s, "union_density", size.density_trend * k)
    return _scale_cross(s, [("union", "business")], 1 + size.tie_factor * k)


def _patient_capital[S: Reformable](s: S, k: float, size: PatientCapitalSizes) -> S:
    c = s.constraints
    return _constraints(
        s,
        overseas_share=c.overseas_share * (1 - size.overseas_cut * k),
        holding_period_years=_toward(c.holding_period_years, size.holding_goal, k),
        short_termist_share=c.short_termist_share * (1 - size.short_termist_cut * k),
    )


def _mission_ownership[S: Reformable](s: S, k: float, size: MissionOwnershipSizes) -> S:
    g = s.government
    return _government(
        s,
        clarity=_toward(g.clarity, 1.0, size.clarity_step * k),
        reshuffle_rate=g.reshuffle_rate * (1 - size.reshuffle_rate_cut * k),
        reshuffle_penalty=g.reshuffle_penalty * (1 - size.reshuffle_penalty_cut * k),
        election_penalty=g.election_penalty * (1 - size.election_penalty_cut * k),
    )


def _pooled_budgets[S: Reformable](s: S, k: float, size: PooledBudgetsSizes) -> S:
    silo = s.constraints.government_silo_share
    return _constraints(s, government_silo_share=silo * (1 - size.silo_cut * k))


def _learning_and_portfolio[S: Reformable](s: S, k: float, size: LearningSizes) -> S:
    g = s.government
    return _government(
        s,
        monitoring=_toward(g.monitoring, size.monitoring_goal, k),
        portfolio_review=g.portfolio_review or k > 0,
        reallocation=max(g.reallocation, size.reallocation * k),
    )


def _civil_service_capabilities[S: Reformable](s: S, k: float, size: CapabilitiesSizes) -> S:
    return _government(s, capability=s.government.capability * (1 + size.capability_gain * k))


REFORMS: dict[str, Reform] = {
    "mission_councils": Reform(
        name="mission_councils",
        description="Cross-sector mission councils tie government, business, unions, "
        "investors and charities together",
        relaxes="few cross-sector coordination ties; low trust",
        source="Demos, Mobilisation Nation (2025)",
        transform=_mission_councils,
        sizes=MissionCouncilsSizes,
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
        sizes=CovenantSizes,
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
        sizes=MultiYearFundingSizes,
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
        sizes=ProcurementSizes,
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
        sizes=CivicTimeSizes,
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
        sizes=SocialPartnershipSizes,
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
        sizes=PatientCapitalSizes,
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
        sizes=MissionOwnershipSizes,
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
        sizes=PooledBudgetsSizes,
        moves=(Move("constraints.government_silo_share", -1),),
        widens=("government",),
    ),
    "learning_and_portfolio": Reform(
        name="learning_and_portfolio",
        description="One live key metric per mission and stage-gated portfolio reviews",
        relaxes="the owner's feedback lag and noise; no stage gates",
        source="INVI, mission-driven governance, lessons 4 and 5",
        transform=_learning_and_portfolio,
        sizes=LearningSizes,
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
        sizes=CapabilitiesSizes,
        moves=(Move("government.capability", 1),),
    ),
}
"""The reform catalogue, in the order reforms are applied."""


def check_strength(name: str, strength: float) -> None:
    """ValueError in one line for a strength outside [0, 1]."""
    if not 0.0 <= strength <= 1.0:
        raise ValueError(f"strength of '{name}' must be in [0, 1], found {strength:g}")


def check_reform(name: str, strength: float = 1.0, catalogue: Iterable[str] = REFORMS) -> None:
    """Raise ValueError, in one line, for an unknown reform or a strength outside [0, 1].

    The one check every entry point uses: scenario and experiment files, the CLI.
    ``catalogue`` is the names known (the built-in reforms unless a scenario adds some).
    """
    known = list(catalogue)
    if name not in known:
        raise unknown_name("reform", name, known)
    check_strength(name, strength)


def default_sizes(catalogue: Iterable[Reform]) -> dict[str, dict[str, float]]:
    """Every reform's sizes as declared with it: ``reform_sizes`` of a scenario that sets none."""
    return {reform.name: reform.default_sizes() for reform in catalogue}


def apply_reforms[S: Reformable](scenario: S, reforms: Mapping[str, float] | None = None) -> S:
    """The scenario with its reforms (and ``reforms``, which override) applied.

    Reforms compose in the order of the scenario's catalogue, each at the scenario's
    sizes. The result carries an empty ``reforms`` mapping: it is the effective
    parameter set, not something to apply again.
    """
    wanted = {**scenario.reforms, **(reforms or {})}
    catalogue = scenario.reform_catalogue
    for name, strength in wanted.items():
        check_reform(name, strength, (r.name for r in catalogue))
    effective = scenario.model_copy(update={"reforms": {}})
    for reform in catalogue:
        if reform.name in wanted:
            effective = reform.apply(effective, wanted[reform.name])
    return effective
