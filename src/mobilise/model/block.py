"""A block of runs: R runs advanced together and their step outcomes recorded.

The model is :class:`~mobilise.model.runs.Runs`; a block records what the declared
step outcomes (:data:`~mobilise.model.outcomes.STEP_OUTCOMES`) read off it after
every quarter, into ``rows`` shaped (R, steps + 1, columns), and gives each run's
frame. A batch's worker steps its runs in blocks of fifty (NumPy's call overhead
paid once per block, not per run); a single run is a block of one. Each run's
numbers do not depend on the runs beside it, so a run gives the same bytes alone
or in any block.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from mobilise.model.outcomes import STEP_OUTCOMES, RunSeries, StepOutcome, step_columns
from mobilise.model.runs import Arms, Member, Runs, applied, arm_key, block_key
from mobilise.vocabulary import quarter_label

__all__ = [
    "AGENTS_PER_BLOCK",
    "Arms",
    "Block",
    "Member",
    "applied",
    "arm_key",
    "block_key",
    "block_size",
]

Array = npt.NDArray[np.float64]

BYTES_PER_AGENT_RUN = 8 * 16
"""Bytes a block holds per agent and run: about sixteen float64 (R, N) arrays
(fixed attributes, state, and the step's temporaries), plus the network's ties."""

BYTES_PER_TIE = 12
"""Bytes per stored tie of the block-diagonal sparse network (value and column)."""

AGENTS_PER_BLOCK = 100_000
"""Agents a block is built for at once: past about this many, building its network
(sorting and de-duplicating every tie of R * N agents) leaves the cache and each run
costs more, not less (measured: 2.9 ms a UK run in blocks of 50, 3.2 ms in blocks of 250)."""


def block_size(
    agents: int,
    memory_bytes: int = 256 * 2**20,
    cap: int = 250,
    agents_per_block: int | None = AGENTS_PER_BLOCK,
) -> int:
    """Runs per block for populations of ``agents``: what fits in ``memory_bytes``.

    A block holds O(R * N) memory (:data:`BYTES_PER_AGENT_RUN` per agent and run,
    plus its ties) and is built for at most ``agents_per_block`` agents (``None``:
    memory alone decides); ``cap`` keeps it small enough that a batch still spreads
    over its workers and reports progress.
    """
    per_run = agents * (BYTES_PER_AGENT_RUN + 16 * BYTES_PER_TIE)
    fits = memory_bytes // max(per_run, 1)
    if agents_per_block is not None:
        fits = min(fits, agents_per_block // max(agents, 1))
    return max(1, min(cap, fits))


class Block(Runs):
    """R runs of compatible scenarios (same :func:`block_key`), stepped and recorded together.

    ``rows`` holds every run's step outcomes, shaped (R, steps + 1, columns), in the
    order of :func:`~mobilise.model.outcomes.step_columns` after ``step`` and
    ``quarter``; :meth:`frame` gives one run's frame. ``outcomes`` are the step
    outcomes recorded (the declared ones unless given).
    """

    def __init__(
        self,
        members: Sequence[Member],
        *,
        record_agents: bool = False,
        arms: Arms | None = None,
        outcomes: Sequence[StepOutcome] = STEP_OUTCOMES,
    ) -> None:
        super().__init__(members, arms=arms)
        self.names = self.crowd.names
        self.outcomes = tuple(outcomes)
        self.columns = step_columns(self.names, self.outcomes)
        self.rows = np.full((self.runs, self.quarters + 1, len(self.columns) - 2), np.nan)
        self.record_agents = record_agents
        self._agent_rows: list[Array] = []
        self._record()

    def step(self) -> None:
        """Advance every run one quarter and record it."""
        self.advance()
        self._record()

    def run(self) -> None:
        """Run every remaining quarter."""
        while self.step_count < self.quarters:
            self.step()

    def _record(self) -> None:
        values = [np.reshape(o.of(self), (self.runs, -1)) for o in self.outcomes]
        self.rows[:, self.step_count] = np.concatenate(values, axis=1)
        if self.record_agents:
            crowd = self.crowd
            self._agent_rows.append(np.stack([crowd.engagement, crowd.trust], axis=-1))

    # --- reading the runs back -----------------------------------------------------------------

    def quarters_of(self, run: int) -> list[str]:
        """Labels of run ``run``'s recorded steps (step 0: the quarter before its start)."""
        start = int(self.start_index[run])
        return [quarter_label(start + s - 1) for s in range(self.step_count + 1)]

    def frame(self, run: int) -> pd.DataFrame:
        """Run ``run``'s per-step frame: ``step``, ``quarter``, then every step outcome."""
        done = self.step_count + 1
        frame = pd.DataFrame(self.rows[run, :done], columns=self.columns[2:])
        frame.insert(0, "quarter", self.quarters_of(run))
        frame.insert(0, "step", np.arange(done))
        return frame

    def series(self, run: int) -> RunSeries:
        """Run ``run``'s recorded steps, as run outcomes read them."""
        steps = np.arange(self.step_count + 1)
        return RunSeries(
            rows=self.rows[run, : self.step_count + 1],
            columns={name: i for i, name in enumerate(self.columns[2:])},
            steps=steps,
            quarters=int(self.start_index[run]) - 1 + steps,
            mission=self.missions[run],
            types=self.names,
        )

    def agent_frame(self, run: int) -> pd.DataFrame:
        """Run ``run``'s per-agent engagement and trust at every step (``record_agents=True``)."""
        if not self.record_agents:
            raise ValueError("agent-level data was not recorded: pass record_agents=True")
        n, steps = self.crowd.size, len(self._agent_rows)
        stacked = np.concatenate([a[run] for a in self._agent_rows])
        types = np.array(self.names)[self.crowd.kind]
        return pd.DataFrame(
            {
                "step": np.repeat(np.arange(steps), n),
                "agent": np.tile(np.arange(n), steps),
                "actor_type": np.tile(types, steps),
                "engagement": stacked[:, 0],
                "trust": stacked[:, 1],
            }
        )
