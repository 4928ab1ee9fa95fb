"""The structural constraints a scenario sets: the UK's today, each with its source.

One field per constraint; the values and sources are in ``data/stylised_facts.csv``
and docs/model.md (a scenario of another country cites its own rows: ``sources``,
:mod:`mobilise.schema.sources`). Actor types read them to set their reach
(:mod:`mobilise.schema.actor_types`); reforms move them (:mod:`mobilise.schema.reforms`).
"""

from __future__ import annotations

from pydantic import Field

from mobilise.schema.strict import Strict


class Constraints(Strict):
    """Structural constraints: the UK's today, with sources in ``data/stylised_facts.csv``.

    Each field's ``json_schema_extra`` says how to present it (label, unit, source, the
    range a slider shows and its step); validity is the field's bounds alone.
    """

    union_density: float = Field(
        0.22,
        ge=0,
        le=1,
        description="share of employees in a union (LFS 2024)",
        json_schema_extra={
            "label": "Union density",
            "unit": "share of employees",
            "source": "Labour Force Survey 2024 (DBT Trade Union Membership statistics); "
            "stylised_facts.csv union_density_employees,2024",
            "shown": [0.0, 0.8],
            "step": 0.01,
        },
    )
    overseas_share: float = Field(
        0.577,
        ge=0,
        le=1,
        description="overseas share of UK quoted shares (ONS 2022)",
        json_schema_extra={
            "label": "Overseas share of UK quoted shares",
            "unit": "share of market value",
            "source": "ONS Ownership of UK quoted shares 2022; "
            "stylised_facts.csv overseas_share_uk_quoted_shares,2022",
            "shown": [0.0, 0.9],
            "step": 0.001,
        },
    )
    holding_period_years: float = Field(
        0.625,
        gt=0,
        description="typical equity holding period (Haldane 2007, approx.)",
        json_schema_extra={
            "label": "Investor holding period",
            "unit": "years",
            "source": "Haldane (Bank of England) 2007, approx., as quoted by the "
            "Commons BIS Committee; "
            "stylised_facts.csv equity_holding_period_years,2007",
            "shown": [0.125, 10.0],
            "step": 0.125,
        },
    )
    volunteering_rate: float = Field(
        0.16,
        ge=0,
        le=1,
        description="formal volunteering at least monthly (CLS 2023/24)",
        json_schema_extra={
            "label": "Formal volunteering, at least monthly",
            "unit": "share of adults",
            "source": "DCMS Community Life Survey 2023/24; "
            "stylised_facts.csv formal_volunteering_monthly,2024",
            "shown": [0.0, 0.5],
            "step": 0.01,
        },
    )
    yearly_per_monthly_volunteers: float = Field(
        1.75,  # 0.28 / 0.16
        ge=1,
        le=10,
        description="adults volunteering formally at least once a year per adult volunteering "
        "monthly: the occasional volunteers a mission can also draw on (CLS 2023/24)",
        json_schema_extra={
            "label": "Yearly per monthly volunteers",
            "unit": "ratio",
            "source": "DCMS Community Life Survey 2023/24: 0.28 yearly / 0.16 monthly; "
            "stylised_facts.csv formal_volunteering_yearly,2024",
            "shown": [1.0, 3.0],
            "step": 0.05,
        },
    )
    weekly_hours: float = Field(
        36.5,
        gt=0,
        lt=100,
        description="full-time weekly hours (ONS LFS YBUO 2023)",
        json_schema_extra={
            "label": "Full-time weekly hours",
            "unit": "hours per week",
            "source": "ONS Labour Force Survey (YBUO) 2023; "
            "stylised_facts.csv weekly_hours_full_time,2023",
            "shown": [28.0, 48.0],
            "step": 0.1,
        },
    )
    charity_funding_term_years: float = Field(
        1.0,
        gt=0,
        description="typical funding agreement term (Charity Commission 2007)",
        json_schema_extra={
            "label": "Charity funding term",
            "unit": "years",
            "source": "Charity Commission 2007: 67% of agreements one year or less; "
            "stylised_facts.csv funding_agreements_one_year_or_less,2007",
            "shown": [0.25, 5.0],
            "step": 0.25,
        },
    )
    contract_subsidy_share: float = Field(
        0.87,
        ge=0,
        le=1,
        description="charities subsidising public contracts (NCVO 2024)",
        json_schema_extra={
            "label": "Charities subsidising public contracts",
            "unit": "share of charities",
            "source": "NCVO True Cost of delivering public services 2024; "
            "stylised_facts.csv charities_subsidising_contracts,2024",
            "shown": [0.0, 1.0],
            "step": 0.01,
        },
    )
    foundation_ownership_share: float = Field(
        0.0,
        ge=0,
        le=1,
        description="share of the economy owned by industrial foundations: domestic owners "
        "that keep control indefinitely (Thomsen et al. 2018); about none in the UK",
        json_schema_extra={
            "label": "Industrial foundations' ownership",
            "unit": "share of the economy",
            "source": "assumption for the UK (0: foundation-controlled firms are rare there; "
            "Denmark 0.10, denmark_facts.csv foundation_owned_share_private_business,2015)",
            "shown": [0.0, 0.5],
            "step": 0.01,
        },
    )
    short_termist_share: float = Field(
        0.55,
        ge=0,
        le=1,
        description="firms that would forgo a value-creating project to meet a short-term "
        "earnings target (Graham, Harvey and Rajgopal 2005, approx.)",
        json_schema_extra={
            "label": "Firms held to short-term earnings targets",
            "unit": "share of firms",
            "source": "Graham, Harvey and Rajgopal (2005), US financial executives, approx.; "
            "stylised_facts.csv firms_forgoing_value_for_earnings_targets,2005",
            "shown": [0.0, 0.9],
            "step": 0.01,
        },
    )
    government_silo_share: float = Field(
        0.3,
        ge=0,
        lt=1,
        description="share of government effort lost to silos (assumption)",
        json_schema_extra={
            "label": "Government effort lost to silos",
            "unit": "share",
            "source": "assumption: no single figure exists",
            "shown": [0.0, 0.9],
            "step": 0.01,
        },
    )
    feedback_lag_quarters: int = Field(
        4,
        ge=0,
        le=40,
        description="quarters before government sees the metric (assumption)",
        json_schema_extra={
            "label": "Feedback lag",
            "unit": "quarters",
            "source": "assumption: annual statistics, about",
            "shown": [0, 12],
            "step": 1,
        },
    )
