"""Each run's reforms in time: strengths quarter by quarter, and the signposts that start them.

A reform stays a pure transform ``apply(scenario, strength)``; a run whose reforms have
timing (:mod:`mobilise.schema.schedule`) is parameterised, each quarter, by the scenario
with its reforms at that quarter's strengths. :class:`Schedules` holds the timing of R
runs as arrays (one column per reform timed in any run), says which runs' strengths
change at a step and with what parameters, and watches the triggers of every run at once.

Strength of a timed reform at step ``t`` (quarter ``t`` of the run), with full strength
``k``, strength before its start ``b``, start ``a``, ramp ``g`` and end ``e``::

    s(t) = b                                          t < a (or not yet triggered)
    s(t) = b + (k - b) * min(1, (t - a + 1) / (g + 1))   a <= t < e
    s(t) = 0                                          t >= e

and the run is built (step 0) with the strengths of its first quarter, so a reform that
starts in the first quarter at once is the reform without timing, bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mobilise.schema.reforms import apply_reforms
from mobilise.schema.scenario import Scenario
from mobilise.schema.schedule import MILESTONE_MISSED, Timing, step_of

Array = npt.NDArray[np.float64]
Index = npt.NDArray[np.intp]

NOT_YET = -1
"""The start of a reform whose trigger has not fired."""

NEVER = np.iinfo(np.intp).max // 2
"""The end of a reform that does not end."""


@dataclass(frozen=True)
class Watch:
    """One trigger of one run, resolved to steps and numbers."""

    run: int
    slot: int
    indicator: str  # the trigger's indicator ("metric" for a milestone missed)
    threshold: float
    above: bool  # fires above the threshold (else below, or a milestone missed)
    first: int  # first step watched
    delay: int
    due: int | None = None  # milestone missed: the milestone's step


class Schedules:
    """The timed reforms of R runs: strengths per step, parameters when they change, triggers.

    ``inputs[r]`` is run ``r``'s scenario with its reforms (at full strength) and
    ``timing`` in place; ``full[r]`` its parameters with every reform at full strength.
    """

    def __init__(self, inputs: Sequence[Scenario], full: Sequence[Scenario]) -> None:
        self.inputs, self.full = list(inputs), list(full)
        runs = len(inputs)
        timed = {name for s in inputs for name, t in s.timing.items() if not t.is_static}
        catalogue = dict.fromkeys(name for s in inputs for name in s.reform_names)
        self.names: list[str] = [name for name in catalogue if name in timed]  # applied order
        shape = (runs, len(self.names))
        self.timed = np.zeros(shape, dtype=bool)
        self.strength = np.zeros(shape)
        self.before = np.zeros(shape)
        self.ramp = np.zeros(shape, dtype=np.intp)
        self.start = np.zeros(shape, dtype=np.intp)
        self.end = np.full(shape, NEVER, dtype=np.intp)
        self.watches: list[Watch] = []
        for r, scenario in enumerate(inputs):
            for j, name in enumerate(self.names):
                timing = scenario.timing.get(name)
                if timing is None or timing.is_static:
                    continue
                self._place(r, j, scenario, name, timing)
        self.met = np.zeros(len(self.watches), dtype=bool)  # milestones met so far, per watch
        self._cache: dict[tuple[int, tuple[float, ...]], Scenario] = {}
        self.now = self.at(1)
        self.params = [self._params(r, self.now[r]) for r in range(runs)]

    def _place(self, r: int, j: int, scenario: Scenario, name: str, timing: Timing) -> None:
        first = scenario.start
        self.timed[r, j] = True
        self.strength[r, j] = scenario.reforms[name]
        self.before[r, j] = timing.before
        self.ramp[r, j] = timing.ramp
        self.end[r, j] = NEVER if timing.end is None else step_of(timing.end, first)
        trigger = timing.trigger
        if trigger is None:
            self.start[r, j] = step_of(timing.start or 1, first)
            return
        self.start[r, j] = NOT_YET
        watched = 1 if trigger.watch_from is None else step_of(trigger.watch_from, first)
        if trigger.indicator == MILESTONE_MISSED:
            mission = scenario.mission_spec
            quarter = trigger.milestone or mission.key_milestone.quarter
            milestone = next(m for m in mission.milestones if m.quarter == quarter)
            self.watches.append(
                Watch(r, j, "metric", milestone.value, False, watched, trigger.delay,
                      due=step_of(quarter, first))
            )  # fmt: skip
            return
        above = trigger.above is not None
        threshold = trigger.above if trigger.above is not None else trigger.below
        assert threshold is not None  # the schema asks for one of them
        self.watches.append(
            Watch(r, j, trigger.indicator, threshold, above, watched, trigger.delay)
        )

    # --- strengths ---------------------------------------------------------------------------

    def at(self, step: int) -> Array:
        """Every timed reform's strength at ``step`` (step 0: the first quarter's), (R, J)."""
        t = max(step, 1)
        started = (self.start != NOT_YET) & (t >= self.start)
        share = (t - self.start + 1) / (self.ramp + 1)
        ramped = np.where(
            share >= 1, self.strength, self.before + (self.strength - self.before) * share
        )
        value = np.where(started, ramped, self.before)
        value = np.where(t >= self.end, 0.0, value)
        result: Array = np.where(self.timed, value, 0.0)
        return result

    def advance(self, step: int) -> list[int]:
        """Move to ``step``: the runs whose strengths change, their :attr:`params` updated."""
        if not self.names:
            return []
        now = self.at(step)
        changed = [int(r) for r in np.flatnonzero(np.any(now != self.now, axis=1))]
        self.now = now
        for r in changed:
            self.params[r] = self._params(r, now[r])
        return changed

    def _params(self, r: int, strengths: Array) -> Scenario:
        """Run ``r``'s parameters with its timed reforms at ``strengths`` (cached per arm)."""
        chosen = {name: float(s) for name, s, on in zip(self.names, strengths, self.timed[r],
                                                        strict=True) if on}  # fmt: skip
        if all(chosen[name] == self.inputs[r].reforms[name] for name in chosen):
            return self.full[r]  # every reform at full strength: the arm's own parameters
        key = (id(self.inputs[r]), tuple(chosen.values()))
        if key not in self._cache:
            self._cache[key] = apply_reforms(self.inputs[r], chosen)
        return self._cache[key]

    # --- signposts ---------------------------------------------------------------------------

    def watch(self, step: int, read: Callable[[str], Array]) -> None:
        """After ``step``: start each reform whose trigger fires (the next quarter, or later).

        ``read(indicator)`` gives every run's value of an indicator now (``metric`` for
        milestones). A trigger fires once; a milestone is missed if the metric did not
        reach its value by its quarter (step 0's metric counts, as for every milestone).
        """
        if not self.watches:
            return
        values: dict[str, Array] = {}
        for w, watch in enumerate(self.watches):
            if self.start[watch.run, watch.slot] != NOT_YET:
                continue
            if watch.indicator not in values:
                values[watch.indicator] = read(watch.indicator)
            value = float(values[watch.indicator][watch.run])
            if watch.due is not None:  # a milestone missed
                self.met[w] |= value >= watch.threshold and step <= watch.due
                fired = step == watch.due and not self.met[w]
            else:
                crossed = value > watch.threshold if watch.above else value < watch.threshold
                fired = step >= watch.first and crossed
            if fired:
                self.start[watch.run, watch.slot] = step + 1 + watch.delay

    def notice_start(self, read: Callable[[str], Array]) -> None:
        """Step 0's metric counts toward a milestone being met (as recorded outcomes count it)."""
        if not any(w.due is not None for w in self.watches):
            return
        metric = read("metric")
        for w, watch in enumerate(self.watches):
            if watch.due is not None:
                self.met[w] = bool(metric[watch.run] >= watch.threshold)

    # --- what happened ------------------------------------------------------------------------

    def doses(self, r: int, reforms: Mapping[str, float], quarters: int) -> dict[str, float]:
        """Run ``r``'s strength-quarters of each reform: its strength summed over quarters 1..Q.

        What a reform's cost per quarter at full strength is multiplied by.
        """
        timed = {name: j for j, name in enumerate(self.names) if self.timed[r, j]}
        if not timed:
            return {name: strength * quarters for name, strength in reforms.items()}
        strengths = np.stack([self.at(step)[r] for step in range(1, quarters + 1)])
        return {
            name: float(strengths[:, timed[name]].sum()) if name in timed else strength * quarters
            for name, strength in reforms.items()
        }

    def starts(self, r: int, reforms: Mapping[str, float], quarters: int) -> dict[str, int | None]:
        """Run ``r``'s reforms and the step each started (None: never in force by the horizon)."""
        result: dict[str, int | None] = {}
        for name, strength in reforms.items():
            if name not in self.names or not self.timed[r, self.names.index(name)]:
                result[name] = 1 if strength > 0 else None
                continue
            j = self.names.index(name)
            start = int(self.start[r, j])
            in_force = start != NOT_YET and start <= quarters and start < self.end[r, j]
            result[name] = start if in_force and self.strength[r, j] > 0 else None
        return result
