"""The structural constraints a scenario sets: the UK's today, each with its source.

One field per constraint; the values and sources are in ``data/stylised_facts.csv``
and docs/model.md. Actor types read them to set their reach
(:mod:`mobilise.actor_types`); reforms move them (:mod:`mobilise.reforms`).
"""

from __future__ import annotations

from pydantic import Field

from mobilise.strict import Strict


class Constraints(Strict):
    """Structural constraints: the UK's today, with sources in ``data/stylised_facts.csv``."""

    union_density: float = Field(
        0.22, ge=0, le=1, description="share of employees in a union (LFS 2024)"
    )
    overseas_share: float = Field(
        0.577, ge=0, le=1, description="overseas share of UK quoted shares (ONS 2022)"
    )
    holding_period_years: float = Field(
        0.625, gt=0, description="typical equity holding period (Haldane 2007, approx.)"
    )
    volunteering_rate: float = Field(
        0.16, ge=0, le=1, description="formal volunteering at least monthly (CLS 2023/24)"
    )
    weekly_hours: float = Field(
        36.5, gt=0, lt=100, description="full-time weekly hours (ONS LFS YBUO 2023)"
    )
    charity_funding_term_years: float = Field(
        1.0, gt=0, description="typical funding agreement term (Charity Commission 2007)"
    )
    contract_subsidy_share: float = Field(
        0.87, ge=0, le=1, description="charities subsidising public contracts (NCVO 2024)"
    )
    short_termist_share: float = Field(
        0.55,
        ge=0,
        le=1,
        description="firms that would forgo a value-creating project to meet a short-term "
        "earnings target (Graham, Harvey and Rajgopal 2005, approx.)",
    )
    government_silo_share: float = Field(
        0.3, ge=0, lt=1, description="share of government effort lost to silos (assumption)"
    )
    feedback_lag_quarters: int = Field(
        4, ge=0, le=40, description="quarters before government sees the metric (assumption)"
    )
