"""The mission's roadmap: where the owner promised the metric would be, quarter by quarter.

INVI's first lesson is a mission that is measurable and aspirational, with a roadmap
people can follow. Delivery is judged against it (by the owner, by trust, at elections:
docs/model.md §7.7), so its *shape* matters as much as its end: a straight line to the
target promises early progress that slow-building coalitions cannot show, while the
mission's own milestones (the NHS's 65 % by March 2026, then 92 % by March 2029) promise
less at first. Shapes:

- ``milestones`` (default): straight lines through the mission's milestones in turn
  (with one milestone, the straight line);
- ``linear``: a straight line from the baseline to the target at the key milestone;
- ``s_curve``: a logistic path, slow at first, then steep, then flat (``steepness``);
- ``power``: ``(t / t_key) ** exponent`` of the way (``exponent`` > 1: back-loaded).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import Field

from mobilise.schema.strict import Strict

Array = npt.NDArray[np.float64]

SHAPES = ("milestones", "linear", "s_curve", "power")


class Roadmap(Strict):
    """The shape of the path from the baseline to the target by the key milestone."""

    shape: Literal["milestones", "linear", "s_curve", "power"] = Field(
        "milestones", description="how the promised path runs: " + ", ".join(SHAPES)
    )
    steepness: float = Field(8.0, gt=0, description="s_curve: how sharp the middle is")
    exponent: float = Field(2.0, gt=0, description="power: 1 is linear, above 1 back-loaded")

    def share(self, steps: Array, key_step: int) -> Array:
        """Share of the way from the baseline to the target promised by each step.

        0 at (and before) the start, 1 from the key milestone on; ``milestones`` is
        given by :func:`through_milestones` instead.
        """
        t = np.clip(np.asarray(steps, dtype=float) / max(key_step, 1), 0.0, 1.0)
        if self.shape == "s_curve":

            def logistic(x: Array | float) -> Array:
                return np.asarray(1.0 / (1.0 + np.exp(-self.steepness * (np.asarray(x) - 0.5))))

            low, high = logistic(0.0), logistic(1.0)
            share: Array = (logistic(t) - low) / (high - low)
            return share
        if self.shape == "power":
            powered: Array = t**self.exponent
            return powered
        return t


def through_milestones(
    steps: Array, start: float, points: Sequence[tuple[int, float]], target: float
) -> Array:
    """Progress promised by each step: straight lines through ``points`` (step, progress).

    ``start`` at step 0; the last point is the key milestone, where it reaches ``target``
    and stays. Points at or before step 0 are left out.
    """
    kept = [(s, p) for s, p in points if s > 0]
    if not kept:
        return np.full(len(steps), target)
    xs = [0.0, *(float(s) for s, _ in kept)]
    ys = [start, *(p for _, p in kept[:-1]), target]
    path: Array = np.interp(np.asarray(steps, dtype=float), xs, ys)
    return path
