"""Missions: the key outcome metric, its milestones, and how actor types combine.

A mission turns type contributions into progress with a CES aggregate: low
elasticity of substitution (most socioeconomic missions) means a missing actor
type caps progress whatever the state spends; high elasticity (technological
missions) lets money stand in for missing actors. Clean energy sits between
(sigma 1.5): its actors partly substitute for each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from pydantic import Field, ValidationInfo, field_validator, model_validator

from mobilise.schema.initiatives import Initiatives
from mobilise.schema.roadmap import Roadmap
from mobilise.schema.strict import Strict
from mobilise.vocabulary import check_known, quarter_index


class Milestone(Strict):
    """A point on the roadmap: the metric must reach ``value`` by ``quarter``."""

    quarter: str
    value: float
    label: str = ""

    @field_validator("quarter")
    @classmethod
    def _quarter(cls, value: str) -> str:
        quarter_index(value)
        return value


class Mission(Strict):
    """One mission: its metric, roadmap and production function."""

    name: str
    title: str
    kind: Literal["socioeconomic", "technological"]
    metric: str = Field(description="the key outcome metric (INVI lesson 4)")
    unit: str
    baseline: float
    target: float
    floor: float = Field(
        0.0,
        description="the metric's value at P = 0, where the problem settles if nobody "
        "acts on it (0: no patient seen in time, no homes, no officers)",
    )
    target_progress: float = Field(
        0.8,
        gt=0,
        le=1,
        description="progress P at which the metric reaches its target; progress "
        "approaches 1 only asymptotically, so the target sits below it (assumption)",
    )
    milestones: list[Milestone] = Field(min_length=1)
    weights: dict[str, float] = Field(description="CES weight of each actor type")
    sigma: float = Field(gt=0, description="elasticity of substitution between types")
    need: float = Field(
        0.5, gt=0, le=1, description="share of each type's capacity the mission needs engaged"
    )
    need_overrides: dict[str, float] = Field(
        default_factory=dict,
        description="need for named types, where the mission asks less (or more) of them",
    )
    funded: dict[str, float] = Field(
        default_factory=dict,
        description="share of a type's participation cost that state funding covers "
        "when government is fully engaged and has no silos (the state as funder and buyer)",
    )
    payoff_lag: float = Field(gt=0, description="quarters before engagement pays off (L)")
    rate: float = Field(gt=0, le=1, description="progress per quarter at X = 1 (r)")
    decay: float = Field(
        0.005,
        ge=0,
        lt=1,
        description="the problem's push-back d: share of progress lost per quarter, "
        "calibrated to the metric's pre-mission trend where it declined",
    )
    salience: float = Field(1.0, ge=0, le=1, description="public salience of the mission")
    roadmap: Roadmap = Field(
        default_factory=Roadmap, description="the shape of the promised path (INVI lesson 1)"
    )
    initiatives: Initiatives = Field(
        default_factory=Initiatives, description="what the mission's initiatives buy and enable"
    )
    upper: float | None = Field(
        None,
        description="largest possible value of the metric (1 for shares), reached at P = 1; "
        "None: unbounded",
    )
    source: str

    @field_validator("need_overrides", "funded")
    @classmethod
    def _shares(cls, value: dict[str, float], info: ValidationInfo) -> dict[str, float]:
        """Needs are shares in (0, 1], as ``need`` is; funded shares are in [0, 1]."""
        need = info.field_name == "need_overrides"
        for name, share in value.items():
            if share > 1 or share < 0 or (need and share == 0):
                interval = "(0, 1]" if need else "[0, 1]"
                raise ValueError(f"{name}: expected a share in {interval}, found {share:g}")
        return value

    @model_validator(mode="after")
    def _types_known(self) -> Mission:
        if not any(w > 0 for w in self.weights.values()):
            raise ValueError("weights: at least one actor type needs a positive weight")
        if any(w < 0 for w in self.weights.values()):
            raise ValueError("weights: must be >= 0")
        if not self.floor <= self.baseline < self.target:
            raise ValueError(
                f"expected floor <= baseline < target, found {self.floor:g}, "
                f"{self.baseline:g}, {self.target:g}"
            )
        if self.upper is not None and not self.upper > self.target:
            raise ValueError(
                f"upper: the largest possible value must be above the target, found "
                f"{self.upper:g} <= {self.target:g}"
            )
        return self

    @property
    def key_milestone(self) -> Milestone:
        """The milestone reported as 'met or not': the last on the roadmap."""
        return max(self.milestones, key=lambda m: quarter_index(m.quarter))

    def need_vector(self, types: Sequence[str]) -> np.ndarray:
        """Share of each type's capacity the mission needs, in the order of ``types``."""
        return np.array([self.need_overrides.get(k, self.need) for k in types])

    def weight_vector(self, types: Sequence[str]) -> np.ndarray:
        """CES weights in the order of ``types``, normalised to sum to one."""
        weights = np.array([self.weights.get(k, 0.0) for k in types])
        normalised: np.ndarray = weights / weights.sum()
        return normalised

    def funded_vector(self, types: Sequence[str]) -> np.ndarray:
        """Share of each type's cost the state covers, in the order of ``types``."""
        return np.array([self.funded.get(k, 0.0) for k in types])

    def buyable_vector(self, types: Sequence[str]) -> np.ndarray:
        """Share of each type money can buy from: government's own delivery, funded types."""
        return np.array([1.0 if k == "government" else self.funded.get(k, 0.0) for k in types])

    def progress_of(self, value: float) -> float:
        """Progress ``P`` at which the metric reads ``value`` (up to the target)."""
        return self.target_progress * (value - self.floor) / (self.target - self.floor)

    @property
    def initial_progress(self) -> float:
        """``P(0)``: where the baseline sits between the floor (0) and the target (P_T)."""
        return self.target_progress * (self.baseline - self.floor) / (self.target - self.floor)

    def metric_at(self, progress: np.ndarray | float) -> np.ndarray | float:
        """The key metric for progress ``P``: floor at 0, target at ``target_progress``.

        Linear up to the target; beyond it, a bounded metric (a share) approaches
        its ``upper`` value only as ``P`` approaches 1, so going past the target
        stays visible instead of hitting a cap.
        """
        p_target = self.target_progress
        value = self.floor + progress / p_target * (self.target - self.floor)
        if self.upper is None or p_target >= 1:
            return value
        beyond = self.target + (progress - p_target) / (1 - p_target) * (self.upper - self.target)
        return np.where(progress > p_target, beyond, value)


def decay_from_trend(start: float, end: float, years: float, floor: float = 0.0) -> float:
    """The push-back ``d`` that reproduces a pre-mission decline from ``start`` to ``end``.

    With nobody mobilised (``X = 0``) the metric's distance from its floor shrinks
    by the factor ``1 - d`` a quarter, so ``d = 1 - ((end - floor) / (start - floor))
    ** (1 / quarters)``.
    """
    return float(1.0 - ((end - floor) / (start - floor)) ** (1.0 / (4.0 * years)))


_PLAN_FOR_CHANGE = "Plan for Change milestones (Prime Minister's Office, Dec 2024)"

MISSIONS: dict[str, Mission] = {
    "growth": Mission(
        name="growth",
        title="Kickstart economic growth: 1.5 million homes this parliament",
        kind="socioeconomic",
        metric="net additional homes per year",
        unit="homes per year",
        baseline=221_070,
        target=300_000,
        milestones=[Milestone(quarter="2029Q2", value=300_000, label="1.5m homes over parliament")],
        weights={
            "government": 0.25,
            "business": 0.30,
            "union": 0.10,
            "investor": 0.25,
            "charity": 0.05,
            "volunteer": 0.05,
        },
        sigma=0.6,
        funded={"business": 0.3},
        payoff_lag=8,
        rate=0.12,
        # net additional dwellings fell from 248,591 (2019/20) to 221,070 (2023/24)
        decay=decay_from_trend(248_591, 221_070, years=4),
        source="MHCLG Housing supply: net additional dwellings, England 2023-24 (baseline "
        f"and pre-mission trend since 2019/20); {_PLAN_FOR_CHANGE}",
    ),
    "clean_energy": Mission(
        name="clean_energy",
        title="Make Britain a clean energy superpower: clean power by 2030",
        kind="socioeconomic",
        metric="share of GB electricity generation from clean sources",
        unit="share",
        upper=1.0,
        baseline=0.60,
        target=0.95,
        milestones=[Milestone(quarter="2030Q4", value=0.95, label="clean power 2030")],
        weights={
            "government": 0.30,
            "business": 0.30,
            "union": 0.05,
            "investor": 0.30,
            "charity": 0.025,
            "volunteer": 0.025,
        },
        sigma=1.5,
        funded={"business": 0.4, "investor": 0.3},
        payoff_lag=12,
        rate=0.10,
        source="DESNZ Energy Trends (2023: renewables 46% + nuclear 14%, approx.); "
        "NESO Clean Power 2030 advice (95% target); " + _PLAN_FOR_CHANGE,
    ),
    "safer_streets": Mission(
        name="safer_streets",
        title="Take back our streets: 13,000 more neighbourhood officers",
        kind="socioeconomic",
        metric="neighbourhood police officers (FTE)",
        unit="FTE officers",
        baseline=17_175,
        target=30_175,
        milestones=[Milestone(quarter="2029Q1", value=30_175, label="+13,000 officers")],
        weights={
            "government": 0.35,
            "business": 0.10,
            "union": 0.10,
            "investor": 0.0,
            "charity": 0.25,
            "volunteer": 0.20,
        },
        sigma=0.4,
        payoff_lag=6,
        rate=0.12,
        # one in three neighbourhood officers left or was reassigned, March 2015-2018
        decay=decay_from_trend(3, 2, years=3),
        source="Home Office police workforce (Mar 2025); Sunday Times analysis of Home "
        "Office data, via Public Finance (28 Aug 2018), for the pre-mission trend (approx.); "
        + _PLAN_FOR_CHANGE,
    ),
    "opportunity": Mission(
        name="opportunity",
        title="Break down barriers to opportunity: 75% of five-year-olds ready to learn",
        kind="socioeconomic",
        metric="share of five-year-olds with a good level of development",
        unit="share",
        upper=1.0,
        baseline=0.677,
        target=0.75,
        milestones=[Milestone(quarter="2028Q3", value=0.75, label="75% school-ready")],
        weights={
            "government": 0.25,
            "business": 0.15,
            "union": 0.15,
            "investor": 0.05,
            "charity": 0.20,
            "volunteer": 0.20,
        },
        sigma=0.3,
        need_overrides={"investor": 0.1},
        payoff_lag=8,
        rate=0.14,
        source="DfE Early Years Foundation Stage profile 2023/24; " + _PLAN_FOR_CHANGE,
    ),
    "nhs": Mission(
        name="nhs",
        title="Build an NHS fit for the future: 92% treated within 18 weeks",
        kind="socioeconomic",
        metric="share of patients waiting under 18 weeks (RTT)",
        unit="share",
        upper=1.0,
        baseline=0.588,
        target=0.92,
        milestones=[
            Milestone(quarter="2026Q1", value=0.65, label="interim: 65% by March 2026"),
            Milestone(quarter="2029Q1", value=0.92, label="92% by March 2029"),
        ],
        weights={
            "government": 0.30,
            "business": 0.15,
            "union": 0.20,
            "investor": 0.05,
            "charity": 0.15,
            "volunteer": 0.15,
        },
        sigma=0.35,
        need_overrides={"investor": 0.1},  # capital for estates and diagnostics: a small ask
        payoff_lag=6,
        rate=0.14,
        # the 92% standard was last met in February 2016; 58.8% in July 2024
        decay=decay_from_trend(0.92, 0.588, years=8.4),
        source="NHS England RTT statistics (Jul 2024 baseline; Feb 2016 and Feb 2018 via "
        "Nuffield Trust QualityWatch for the pre-mission trend); NHS planning guidance "
        "2025/26 (65% interim); " + _PLAN_FOR_CHANGE,
    ),
    "youth_education": Mission(
        name="youth_education",
        title="Denmark: at least 90% of 25-year-olds with a youth education by 2030",
        kind="socioeconomic",
        metric="share of a cohort completing a youth education by age 25",
        unit="share",
        upper=1.0,
        baseline=0.84,
        target=0.90,
        milestones=[
            Milestone(quarter="2025Q4", value=0.85, label="interim: 85% by 2025 (proposed)"),
            Milestone(quarter="2030Q4", value=0.90, label="90% by 2030"),
        ],
        # assumptions: schools, municipalities and youth guidance; firms' apprenticeship
        # places (vocational education is dual, in school and in a firm); the social
        # partners, on its trade committees; associations and volunteers (mentors,
        # clubs); little capital
        weights={
            "government": 0.30,
            "business": 0.20,
            "union": 0.15,
            "investor": 0.05,
            "charity": 0.15,
            "volunteer": 0.15,
        },
        sigma=0.3,
        need_overrides={"investor": 0.1},
        payoff_lag=8,
        rate=0.14,
        # no decline to calibrate to: flat on the official profile model (84% 2012 and
        # 2016, 85% 2019) and rising on the register (75% 2013, 84% 2023): the default
        # push-back, an assumption as for opportunity
        decay=0.005,
        source="Aftale om bedre veje til uddannelse og job (Oct 2017; 90% by 2030, 85% by "
        "2025 proposed); Ministry of Children and Education profile model (84% for the "
        "2016 cohort); Statistics Denmark register (84% of 25-year-olds in 2023); "
        "data/denmark_facts.csv",
    ),
    "vaccine_taskforce": Mission(
        name="vaccine_taskforce",
        title="Vaccine Taskforce: offer a vaccine to every adult",
        kind="technological",
        metric="share of adults offered a first dose",
        unit="share",
        upper=1.0,
        baseline=0.0,
        target=0.9,
        milestones=[
            Milestone(quarter="2021Q1", value=0.3, label="priority groups offered"),
            Milestone(quarter="2021Q3", value=0.9, label="all adults offered"),
        ],
        weights={
            "government": 0.5,
            "business": 0.4,
            "investor": 0.1,
        },
        sigma=4.0,
        need=0.4,
        funded={"business": 0.8, "investor": 0.5},
        payoff_lag=2,
        rate=0.42,
        source="UK Vaccine Taskforce 2020 (Bingham report, Dec 2020); illustrative "
        "technological contrast after Mazzucato and Demos (2025)",
    ),
}
"""The mission catalogue: the UK's five missions, one Danish mission (youth education) and
one technological contrast."""


def check_missions(names: list[str]) -> list[str]:
    """``names`` if each is a catalogue mission, named once; one line naming the first not."""
    for name in names:
        check_known("mission", name, MISSIONS)
    if len(set(names)) != len(names):  # the same mission twice would be two of the same
        raise ValueError("missions must not repeat")
    return names
