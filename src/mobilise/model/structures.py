"""Structures that move: each run's structural constraints as state, one quarter at a time.

The constraints in :data:`~mobilise.schema.trends.STRUCTURAL` (union density, formal
volunteering, ownership, working time) set reach (docs/model.md §7.4). During a run each
follows its pre-mission trend and what mobilisation builds (``structures`` in the
scenario, :mod:`mobilise.schema.trends`). Constraint ``x`` of run ``r`` at step ``t``::

    x_t = clip(level_t + trend_t + built_t)          within the constraint's bounds
    trend_t = trend_{t-1} + slope_t                  the trend now (a reform may move it)
    built_t = (1 - decay) built_{t-1} + g m_{t-1}    for a constraint a type recruits to

where ``level_t`` is the constraint as the run's parameters set it now (the scenario's
value, moved by reforms in force), ``g`` the recruiting type's rate and ``m`` its
mobilisation: its engaged share beyond its everyday engagement ``B`` (its initial engaged
share at today's constraints: 0 for unions, formal volunteering for volunteers), as a share
of the room its reach leaves, ``clip((E - B) / (R - B), 0, 1)``.

Reach follows the values each quarter over each type's fixed reach order (nothing is drawn
again). A run is built for the widest reach its structures could give by its horizon, so
agents who may come within reach are stepped from the start (adding exact zeros until then),
as they are for a reform that will widen reach.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from mobilise.model.population import type_reach
from mobilise.schema.actor_types import BUILT_IN, ActorType
from mobilise.schema.scenario import Scenario
from mobilise.schema.trends import RECRUITERS, STRUCTURAL, bounds

Array = npt.NDArray[np.float64]


class MovingStructures:
    """The structural constraints of R runs, (R, M) in :data:`STRUCTURAL` order, and their step.

    ``params`` are each run's parameters now, ``largest`` those of the largest strengths
    its reforms reach. :attr:`moving` is False when no run's structures can move (no trend,
    no recruitment): then nothing here is computed again, and runs are as before structures
    moved, to the bit.
    """

    def __init__(
        self, params: Sequence[Scenario], largest: Sequence[Scenario], quarters: int
    ) -> None:
        self.names = STRUCTURAL
        self.runs, self.quarters = len(params), quarters
        self.types: tuple[ActorType, ...] = params[0].actor_types
        limits = [bounds(name) for name in self.names]
        self.low = np.array([low for low, *_ in limits])
        self.high = np.array([high for _, high, *_ in limits])
        shape = (self.runs, len(self.names))
        self.level, self.slope, self.rate = np.zeros(shape), np.zeros(shape), np.zeros(shape)
        self.decay = np.zeros((self.runs, 1))
        self.recruiter = np.full(len(self.names), -1, dtype=np.intp)  # type index per constraint
        for j, name in enumerate(self.names):
            if name in RECRUITERS and RECRUITERS[name][0] in params[0].type_names:
                self.recruiter[j] = params[0].type_names.index(RECRUITERS[name][0])
        self.params = list(params)
        self._read(range(self.runs))
        self.trend, self.built = np.zeros(shape), np.zeros(shape)
        self.moves = np.array([self._can_move(p) or self._can_move(q)
                               for p, q in zip(params, largest, strict=True)])  # fmt: skip
        self.moving = bool(self.moves.any())
        self.values = self._values()
        self.constraints = [p.constraints for p in params]  # each run's, as structures stand
        self.widest = self._widest(params, largest) if self.moving else None

    def _can_move(self, p: Scenario) -> bool:
        """Whether anything in ``p`` moves a structure: a trend, or a type that recruits."""
        s = p.structures
        if any(t.per_quarter != 0 for t in s.trends.values()):
            return True
        return any(
            s.rate(name) > 0 and p.population(RECRUITERS[name][0]).count > 0 for name in RECRUITERS
        )

    def _read(self, rows: Sequence[int] | range) -> None:
        """Levels, slopes, rates and decay of runs ``rows`` from their parameters now."""
        for r in rows:
            p = self.params[r]
            self.level[r] = [float(getattr(p.constraints, name)) for name in self.names]
            self.slope[r] = [p.structures.slope(name) for name in self.names]
            self.rate[r] = [p.structures.rate(name) for name in self.names]
            self.decay[r] = p.structures.decay

    def _values(self) -> Array:
        values: Array = np.clip(self.level + self.trend + self.built, self.low, self.high)
        return values

    # --- the quarter ---------------------------------------------------------------------------

    def move(self, params: Sequence[Scenario], engaged: Array, reach: Array) -> None:
        """One quarter: runs whose parameters changed read them; trends and mobilisation act.

        ``engaged`` and ``reach`` are each run's engaged share and reach per type at the end
        of the last quarter, (R, K): what mobilisation built by then.
        """
        if not self.moving:
            return
        changed = [r for r in range(self.runs) if params[r] is not self.params[r]]
        self.params = list(params)
        self._read(changed)
        self.trend += self.slope
        self.built *= 1.0 - self.decay
        self.built += self.rate * self.mobilised(engaged, reach)
        self.values = self._values()
        for r in np.flatnonzero(self.moves):
            self.constraints[r] = self.params[r].constraints.model_copy(
                update=dict(zip(self.names, self.values[r].tolist(), strict=True))
            )

    def mobilised(self, engaged: Array, reach: Array) -> Array:
        """Each recruiting type's mobilisation beyond its everyday engagement, in [0, 1], (R, M)."""
        result = np.zeros_like(self.level)
        for j in np.flatnonzero(self.recruiter >= 0):
            k = int(self.recruiter[j])
            actor_type = self.types[k]
            for r in range(self.runs):
                given = self.params[r].population(actor_type.name).initial_engaged
                everyday = (
                    actor_type.initial_engaged(self.constraints[r]) if given is None else given
                )
                room = reach[r, k] - everyday
                if room > 0 and np.isfinite(engaged[r, k]):
                    result[r, j] = min(1.0, max(0.0, (engaged[r, k] - everyday) / room))
        return result

    def reach(self) -> Array:
        """Every run's reach per type at its structures now, (R, K)."""
        return np.array(
            [[type_reach(p, t, c) for t in self.types]
             for p, c in zip(self.params, self.constraints, strict=True)]
        )  # fmt: skip

    # --- built at the start --------------------------------------------------------------------

    def _widest(self, params: Sequence[Scenario], largest: Sequence[Scenario]) -> Array:
        """The widest reach per type each run's structures could give by the horizon, (R, K).

        Each constraint stays within a box: the levels at the first and the largest
        strengths, moved by the horizon's worth of the steeper trend either way and of
        recruitment at full mobilisation. A built-in type's reach is monotone in each
        constraint, so its largest is at a corner of the box; a type declared elsewhere
        may engage wholly (all its agents stepped).
        """
        cache: dict[tuple[int, int], list[float]] = {}
        rows = []
        for p, q in zip(params, largest, strict=True):
            key = (id(p), id(q))
            if key not in cache:
                cache[key] = self._widest_of(p, q)
            rows.append(cache[key])
        return np.array(rows)

    def _widest_of(self, p: Scenario, q: Scenario) -> list[float]:
        quarters = self.quarters
        box: dict[str, tuple[float, float]] = {}
        for j, name in enumerate(self.names):
            levels = [float(getattr(s.constraints, name)) for s in (p, q)]
            slopes = [s.structures.slope(name) for s in (p, q)]
            rate = max(s.structures.rate(name) for s in (p, q))
            low = min(levels) + quarters * min(0.0, *slopes)
            high = max(levels) + quarters * (max(0.0, *slopes) + rate)
            low, high = max(low, self.low[j]), min(high, self.high[j])
            if high > low:
                box[name] = (low, high)
        corners = list(itertools.product(*box.values()))
        at = [  # each scenario at each corner (and as it is), its other constraints its own
            (s, s.constraints.model_copy(update=dict(zip(box, corner, strict=True))))
            for s in (p, q)
            for corner in corners
        ]
        at += [(s, s.constraints) for s in (p, q)]
        return [
            max(type_reach(s, t, c) for s, c in at) if BUILT_IN.get(t.name) is t else 1.0
            for t in self.types
        ]
