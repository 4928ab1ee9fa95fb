"""Several missions at once: one block of runs per mission, sharing the actors' capacity.

A scenario with ``missions: [nhs, growth, ...]`` runs as a *nation*: for each mission, a
:class:`~mobilise.model.block.Block` of the same R runs, built from the scenario as that
mission alone sees it (:meth:`~mobilise.schema.scenario.Scenario.for_mission`: the same
seed, so the same agents, networks and owner draws as the mission run alone). What
couples them, each quarter:

1. every mission's agents respond to its signal, peers and costs (its own engagement);
2. each agent splits its one capacity across the missions by their pull on it, its
   mobilisation pressure for each (signal, alignment, trust, patience, peers, cost):
   ``share_im = max(m_im, 0)^gamma / sum_j max(m_ij, 0)^gamma`` over the missions where it
   is within reach (an even split where nothing pulls), so missions crowd each other out;
   its contributions, and a department's drive to deploy the budget, count that share;
3. spillovers: a mission whose progress rose last quarter adds its weight ``A[j, m]`` to
   each destination's ``S_m``, which scales the destination's aggregate contribution by
   ``2 / (1 + exp(-S_m))`` (1 without spillovers; Policy Priority Inference's logistic of
   spillovers, Guerrero and Castañeda 2020);
4. every mission's contributions move its progress; its owner and trust learn.

Outputs are per mission: each step outcome's columns, qualified ``<column>:<mission>``
(:func:`~mobilise.model.outcomes.mission_column`), mission by mission. A run gives the
same bits alone or in any block, as a single mission's does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from mobilise.model.block import Arms, Block, Member
from mobilise.model.outcomes import STEP_OUTCOMES, RunSeries, StepOutcome, mission_column
from mobilise.schema.scenario import Scenario
from mobilise.schema.schedule import schedule_key

Array = npt.NDArray[np.float64]


def mission_members(
    members: Sequence[Member], name: str, made: dict[Any, Scenario]
) -> list[Member]:
    """Each run of ``members`` as mission ``name`` alone runs it: its reforms, timing, budget.

    The run's scenario with the arm's reforms and timing in place, cut to the mission
    (:meth:`Scenario.for_mission`); one scenario object per arm and mission, kept in
    ``made`` (a block's arms are keyed by identity).
    """
    chosen = []
    for m in members:
        key = (id(m.scenario), tuple(m.reforms.items()), schedule_key(m.timing), name)
        if key not in made:
            joined = m.scenario.model_copy(
                update={
                    "reforms": {**m.scenario.reforms, **m.reforms},
                    "timing": {**m.scenario.timing, **m.timing},
                }
            )
            if joined.timing:  # a reform aimed at a mission the scenario does not run
                joined.check_timing(joined.timing, joined.reforms)
            made[key] = joined.for_mission(name)
        chosen.append(Member(made[key], m.seed, {}, {}, m.budget))
    return chosen


class Nation:
    """R runs of several missions at once: a block per mission, coupled each quarter.

    It reads as a :class:`Block` does (``rows``, ``columns``, :meth:`frame`, :meth:`step`,
    :meth:`run`); ``blocks`` holds each mission's block, in the scenario's order.
    """

    def __init__(
        self,
        members: Sequence[Member],
        *,
        record_agents: bool = False,
        arms: Arms | None = None,
        outcomes: Sequence[StepOutcome] = STEP_OUTCOMES,
    ) -> None:
        del arms  # each mission's arms are its own (keyed by its scenarios' identity)
        first = members[0].scenario
        self.mission_names = first.mission_names
        if any(m.scenario.mission_names != self.mission_names for m in members):
            raise ValueError("runs of a block of several missions must share their missions")
        self.members = list(members)
        self._made: dict[Any, Scenario] = {}  # alive while the blocks are
        self.blocks = [
            Block(mission_members(members, name, self._made), record_agents=record_agents,
                  outcomes=outcomes)
            for name in self.mission_names
        ]  # fmt: skip
        lead = self.blocks[0]
        self.runs, self.quarters, self.names = lead.runs, lead.quarters, lead.names
        self.start_index = lead.start_index
        self.record_agents = record_agents
        self.seeds = lead.seeds
        self.concentration = np.array([m.scenario.attention.concentration for m in members])
        self.spillover = np.stack([_spillover_matrix(m.scenario) for m in members])  # (R, M, M)
        self.spilling = bool(np.any(self.spillover != 0))
        self.rose = np.zeros((self.runs, len(self.blocks)), dtype=bool)
        self.columns = ["step", "quarter"] + [
            mission_column(c, name)
            for name, block in zip(self.mission_names, self.blocks, strict=True)
            for c in block.columns[2:]
        ]
        # step 0: the capacity split as agents stand at the start, and what it gives
        for block in self.blocks:
            block.crowd.pull(block.owners.signal, block.participation_cost())
        self._split()
        for block in self.blocks:
            block.contribution, block.aggregate = block.contribute()
            block.owners.contributions[:, 0] = block.contribution
            block.record()

    @property
    def step_count(self) -> int:
        """Quarters run so far (every mission's block is at the same step)."""
        return self.blocks[0].step_count

    @property
    def rows(self) -> Array:
        """Every run's step outcomes, every mission's side by side, (R, steps + 1, columns)."""
        return np.concatenate([block.rows for block in self.blocks], axis=2)

    def _split(self) -> None:
        """Each agent's share of its capacity for each mission, from their pulls on it."""
        runs, size = self.runs, self.blocks[0].crowd.size
        weights = np.zeros((len(self.blocks), runs * size))
        for m, block in enumerate(self.blocks):
            crowd = block.crowd
            pull = np.maximum(crowd.pressure, 0.0) ** self.concentration[crowd.live_run]
            weights[m, crowd.live] = np.where(crowd.live_ceiling > 0, pull, 0.0)
        total = weights.sum(axis=0)
        reachable = np.zeros_like(weights, dtype=bool)
        for m, block in enumerate(self.blocks):
            reachable[m, block.crowd.live] = block.crowd.live_ceiling > 0
        count = np.maximum(reachable.sum(axis=0), 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(total > 0, weights / total, reachable / count)
        for m, block in enumerate(self.blocks):
            block.crowd.split(share[m, block.crowd.live])

    def _lifts(self) -> list[Array | None]:
        """Each mission's spillover factor ``2 / (1 + exp(-S))`` now (None: no spillovers)."""
        if not self.spilling:
            return [None] * len(self.blocks)
        # S[r, m] = sum_j A[r, j, m] * rose[r, j]
        spill = np.einsum("rjm,rj->rm", self.spillover, self.rose.astype(float))
        lift = 2.0 / (1.0 + np.exp(-spill))
        return [lift[:, m] for m in range(len(self.blocks))]

    def step(self) -> None:
        """One quarter of every mission: all respond, capacity is split, each settles."""
        for block in self.blocks:
            block.respond()
        self._split()
        before = np.stack([block.progress for block in self.blocks], axis=1)
        for block, lift in zip(self.blocks, self._lifts(), strict=True):
            block.settle(lift)
            block.record()
        after = np.stack([block.progress for block in self.blocks], axis=1)
        self.rose = after > before

    def run(self) -> None:
        """Run every remaining quarter."""
        while self.step_count < self.quarters:
            self.step()

    # --- reading the runs back ------------------------------------------------------------

    def frame(self, run: int) -> pd.DataFrame:
        """Run ``run``'s per-step frame: ``step``, ``quarter``, every mission's outcomes."""
        frames = [block.frame(run) for block in self.blocks]
        joined = pd.concat(
            [frames[0][["step", "quarter"]]]
            + [f.drop(columns=["step", "quarter"]).add_suffix(f":{name}")
               for f, name in zip(frames, self.mission_names, strict=True)],
            axis=1,
        )  # fmt: skip
        return joined

    def series(self, run: int) -> dict[str, RunSeries]:
        """Run ``run``'s recorded steps, mission by mission, as run outcomes read them."""
        return {
            name: block.series(run) for name, block in zip(self.mission_names, self.blocks,
                                                          strict=True)
        }  # fmt: skip

    def agent_frame(self, run: int) -> pd.DataFrame:
        """Run ``run``'s per-agent engagement and trust, a ``mission`` column first."""
        frames = []
        for name, block in zip(self.mission_names, self.blocks, strict=True):
            frame = block.agent_frame(run)
            frame.insert(0, "mission", name)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)


def _spillover_matrix(scenario: Scenario) -> Array:
    """The scenario's spillover network as a matrix, rows origins, columns destinations."""
    names = scenario.mission_names
    matrix = np.zeros((len(names), len(names)))
    for origin, row in scenario.spillovers.items():
        for destination, weight in row.items():
            matrix[names.index(origin), names.index(destination)] = weight
    return matrix


def build_block(
    members: Sequence[Member],
    *,
    record_agents: bool = False,
    arms: Arms | None = None,
    outcomes: Sequence[StepOutcome] = STEP_OUTCOMES,
) -> Block | Nation:
    """The block for ``members``: a :class:`Nation` if they run several missions at once."""
    kind = Nation if members and members[0].scenario.several else Block
    return kind(members, record_agents=record_agents, arms=arms, outcomes=outcomes)
