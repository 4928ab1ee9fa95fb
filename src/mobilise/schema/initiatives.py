"""What a mission's initiatives can do: buy contributions with money, enable with effort.

The owner spends its budget (``government.budget``, GBP bn a quarter) through initiatives
aimed at actor types (:mod:`mobilise.model.owner`); steering moves their aim toward the
type that binds progress. Aimed at a type, initiatives do two things:

- **buy** (money): the money reaching a type is absorbed with diminishing returns,
  ``z = 1 - exp(-m / scale)``, and adds ``absorption * buyable * z`` to its contribution
  relative to need, where ``buyable`` is 1 for government (its own delivery) and the
  mission's ``funded`` share for another type (the state as buyer), 0 where the state
  buys nothing. Whether that moves the mission is the CES aggregate's to say
  (docs/model.md §7.5): where types substitute (high sigma) bought contribution stands
  in for missing actors; where they are complements (low sigma) the type that gives
  least caps progress whatever is bought.
- **enable** (the state's effort, not money): engaged departments cover part of the
  type's participation cost, ``enabling * aim`` of it on top of the mission's funded
  share (partnership work, grants administered, paid time): what steering toward a
  type the state cannot buy from can still do.
"""

from __future__ import annotations

from pydantic import Field

from mobilise.schema.strict import Strict


class Initiatives(Strict):
    """How a mission's initiatives buy and enable (every value an assumption)."""

    scale: float = Field(
        0.25,
        gt=0,
        description="GBP bn a quarter to one type that buys 1 - 1/e of what money can buy there",
    )
    absorption: float = Field(
        0.5,
        ge=0,
        description="the most money adds to a type's contribution, as a share of its need, "
        "where the state buys all of it (times the type's funded share; 1 for government)",
    )
    enabling: float = Field(
        0.5,
        ge=0,
        le=1,
        description="the share of a type's participation cost engaged departments cover "
        "when every initiative aims at it (besides the mission's funded share)",
    )
