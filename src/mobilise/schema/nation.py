"""Several missions at once: how actors split one capacity, and how missions spill over.

A scenario may run a set of missions together (``missions: [nhs, growth, ...]``). Every
actor then has one capacity to split across them, by the pull each mission has on it
(signal, alignment, peers: its mobilisation pressure for that mission), so missions
compete for the same unions, charities, volunteers and departments (crowding out).
Progress on one mission may help another's (spillovers).

Policy Priority Inference (Guerrero and Castañeda 2020, *Data & Policy* 2, e17;
Castañeda, Chávez-Juárez and Guerrero 2018, *JEBO* 154) is the anchor: one budget across
many goals, allocated by propensities raised to a modulating exponent, and a spillover
network (rows: origins, columns: destinations) whose spillovers from indicators that
rose raise a destination's chance of growth through a logistic, ``1 / (1 + exp(-S))``.
Here the exponent is :attr:`Attention.concentration` and the logistic scales the
destination's aggregate contribution (docs/model.md, Several missions).

These parameters matter only with several missions: a scenario with one mission runs
as it always did, to the bit.
"""

from __future__ import annotations

from pydantic import Field

from mobilise.schema.strict import Strict

SPILLOVER_RANGE = (-1.0, 1.0)
"""A spillover's weight: negative for a mission that works against another (a trade-off)."""


class Attention(Strict):
    """How an actor splits its one capacity across the missions that pull on it."""

    concentration: float = Field(
        1.0,
        ge=0,
        le=4,
        description="gamma: an actor's share for mission m is pull_m^gamma / sum pull^gamma, "
        "pull_m its mobilisation pressure for m (above 0); 0 splits evenly, 1 in proportion, "
        "large gives all to the strongest pull (PPI's modulating exponent; assumption, "
        "range [0, 4])",
    )


Spillovers = dict[str, dict[str, float]]
"""Origin mission -> destination mission -> weight (PPI's spillover network, ``A[i, j]``)."""


def check_spillovers(value: Spillovers) -> Spillovers:
    """Weights in :data:`SPILLOVER_RANGE`, no mission spilling into itself; one line if not."""
    low, high = SPILLOVER_RANGE
    for origin, row in value.items():
        for destination, weight in row.items():
            if destination == origin:
                raise ValueError(f"{origin}.{origin}: a mission does not spill over into itself")
            if not low <= weight <= high:
                raise ValueError(
                    f"{origin}.{destination}: expected a weight in [{low:g}, {high:g}], "
                    f"found {weight:g}"
                )
    return value
