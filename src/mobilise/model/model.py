"""MissionModel: Mesa's face over one run of the model (a block of one).

The model is written once (:class:`~mobilise.model.runs.Runs`); this class gives
one run Mesa's interface: ``rng=``, ``step()`` and ``running``, agents of one class
per actor type as views over the run's arrays, and a ``datacollector`` whose model
reporters are the declared step outcomes. So ``mesa.batch_run`` and Mesa's SolaraViz
work on it as on any Mesa model (docs/guides/mesa.md).
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd
from mesa.experimental.scenarios import Scenario as MesaScenario

from mobilise.model.agents import Actor, agent_classes_for
from mobilise.model.block import Block, Member
from mobilise.model.network import Ties, build_ties
from mobilise.model.outcomes import STEP_OUTCOMES, StepOutcome
from mobilise.model.population import Population
from mobilise.model.progress import NO_EVIDENCE, delivery_against_roadmap
from mobilise.schema.scenario import Scenario, resolve_scenario
from mobilise.vocabulary import quarter_label

DEFAULT_SCENARIO = "uk_2024"
"""The scenario a model runs when none is named."""

RNG = int | np.integer[Any] | np.random.SeedSequence | np.random.Generator | np.random.BitGenerator


class MissionScenario(MesaScenario):  # type: ignore[misc]  # mesa has no type information
    """What Mesa sees as the model's scenario: the mobilise scenario it was built from.

    Mesa reserves ``model.scenario`` for its own parameter object, and SolaraViz's
    Reset rebuilds a model with a new instance of that object's class as ``scenario``.
    Each model's class is made for its mobilise scenario (:meth:`bound`), so a new
    instance still names it and Reset rebuilds the same scenario, with the sliders'
    overrides applied afresh.
    """

    source: Scenario | None = None

    @classmethod
    def bound(cls, source: Scenario) -> type[MissionScenario]:
        """A subclass whose instances name ``source``."""
        namespace = {"__annotations__": {"source": "Scenario"}, "source": source}
        return type(cls.__name__, (cls,), namespace)


@contextmanager
def _garbage_collection_paused() -> Iterator[None]:
    """Pause the cyclic collector while Mesa registers agents.

    Creating N agents allocates millions of tracked objects; the collector's
    full passes over them made construction grow faster than N (measured in
    benchmarks/bench_model.py). Nothing cyclic is freed here, so pausing is safe.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def field_path(name: str) -> str:
    """The scenario field a keyword sets: ``influence__signal`` is ``influence.signal``."""
    return name.replace("__", ".")


def run_seed(rng: RNG | str | None) -> int:
    """The run's seed from Mesa's ``rng``: an integer is the seed; None, fresh OS entropy.

    A Generator, BitGenerator or SeedSequence gives a seed drawn from it; an integer
    written as text (a form's input, as SolaraViz's) is that integer. Every draw of the
    run comes from named streams of this one integer (:mod:`mobilise.model.streams`).
    """
    if rng is None:
        entropy: int = np.random.SeedSequence().entropy  # type: ignore[assignment]
        return entropy
    if isinstance(rng, str):
        if not rng.strip().isdigit():
            raise ValueError(f"rng: expected a seed, a whole number >= 0, found {rng!r}")
        return int(rng)
    if isinstance(rng, int | np.integer):
        return int(rng)
    return int(np.random.default_rng(rng).integers(2**63))


class MissionModel(mesa.Model):  # type: ignore[misc]  # mesa has no type information
    """One run of a scenario, stepped a quarter at a time.

    ``scenario`` is a name (``"uk_2024"``), a path or a :class:`Scenario`; ``rng`` has
    Mesa's meaning (an integer seed, a Generator or SeedSequence, or None for fresh
    entropy), ``seed=`` being the same; ``reforms`` add to (and override) the
    scenario's own. Any other keyword sets a scenario field, as ``--set`` does:
    ``MissionModel("uk_2024", **{"influence.signal": 2.0})`` or, as a plain keyword,
    ``influence__signal=2.0``.

    ``record_agents`` keeps per-agent engagement and trust for :meth:`agent_frame`;
    ``mesa_agents=False`` skips the Mesa agents (the results are the same);
    ``agent_classes`` gives an actor type's agent class by its name (a UK type has its
    own, another type one made for it); ``outcomes`` are the step outcomes recorded
    and collected.
    """

    def __init__(
        self,
        scenario: str | Path | Scenario | MesaScenario = DEFAULT_SCENARIO,
        rng: RNG | str | None = None,
        *,
        reforms: Mapping[str, float] | None = None,
        record_agents: bool = False,
        mesa_agents: bool = True,
        agent_classes: Mapping[str, type[Actor]] | None = None,
        outcomes: Sequence[StepOutcome] = STEP_OUTCOMES,
        **overrides: Any,
    ) -> None:
        seed_alias = overrides.pop("seed", None)
        if seed_alias is not None and rng is not None:
            raise ValueError("pass rng or seed (the same thing), not both")
        self.seed = run_seed(rng if seed_alias is None else seed_alias)
        source = _source(scenario)
        super().__init__(scenario=MissionScenario.bound(source)(rng=self.seed, _scenario_id=0))
        for name, value in overrides.items():
            source = source.updated(field_path(name), value)
        self.block = Block(
            [Member(source, self.seed, dict(reforms or {}))],
            record_agents=record_agents,
            outcomes=outcomes,
        )
        self.inputs = self.block.inputs[0]  # the scenario as given, overrides and reforms in
        self.params = self.block.params[0]  # ... and the reforms applied
        self.mission = self.params.mission_spec
        self.crowd = self.block.crowd
        self.record_agents = record_agents
        self.agent_classes = agent_classes_for(self.params.actor_types, agent_classes)
        if mesa_agents:
            self._create_agents()
        self.datacollector = mesa.DataCollector(
            model_reporters={
                column: functools.partial(_recorded, column=i)
                for i, column in enumerate(self.block.columns[2:])
            }
        )
        self.datacollector.collect(self)

    def _create_agents(self) -> None:
        """One Mesa agent per agent of the run, of its type's agent class."""
        with _garbage_collection_paused():
            for name, part in self.crowd.slices.items():
                if part.stop > part.start:
                    indices = list(range(part.start, part.stop))
                    self.agent_classes[name].create_agents(self, len(indices), indices, self.crowd)

    # --- Mesa's interface ----------------------------------------------------------------------

    def step(self) -> None:
        """Advance one quarter and collect its outcomes; past the horizon, nothing moves."""
        if self.block.step_count >= self.params.quarters:
            self.running = False
            return
        self.block.step()
        self.datacollector.collect(self)
        if self.block.step_count >= self.params.quarters:
            self.running = False

    def run(self) -> pd.DataFrame:
        """Run every remaining quarter and return the per-step frame."""
        while self.block.step_count < self.params.quarters:
            self.step()
        return self.to_frame()

    # --- the run now ---------------------------------------------------------------------------

    @property
    def population(self) -> Population:
        """The run's agents now, as arrays (read them; set values through the agents)."""
        return self.crowd.population(0)

    @functools.cached_property
    def ties(self) -> Ties:
        """The run's whole network (every tie, not only those the step uses), built when asked."""
        return build_ties(self.params.network, self.block.populations[0], self.seed)

    @property
    def progress(self) -> float:
        """Mission progress P now."""
        return float(self.block.progress[0])

    @property
    def delivery(self) -> float:
        """Delivery against the roadmap, as the mission owner last judged it."""
        return float(self.block.delivery[0])

    @property
    def credibility(self) -> float:
        """The mission owner's credibility now."""
        return float(self.block.owners.credibility[0])

    @property
    def government_drive(self) -> float:
        """Government's engaged share (silos keep the rest out of reach): what its money covers."""
        return float(self.crowd.government_drive()[0])

    def set_horizon(self, index: int, horizon: float) -> None:
        """Set agent ``index``'s planning horizon, and so its patience."""
        self.crowd.set_value("horizon", 0, index, horizon)

    def roadmap_progress(self, step: int) -> float:
        """Progress the roadmap expects by ``step``: straight from P(0) to the key milestone."""
        return float(self.block.roadmap(step)[0])

    def trend_progress(self, step: int) -> float:
        """Where progress would be by ``step`` with nobody mobilised: the pre-mission trend."""
        block = self.block
        return float(block.start_progress[0] * (1.0 - block.decay[0]) ** max(step, 0))

    def delivery_against_roadmap(self, observed: float, step: int) -> float:
        """What the mission has changed, as a share of what its roadmap promised, by ``step``.

        Neutral (1/2) before any evidence (see :mod:`mobilise.model.progress`).
        """
        if step <= 0:
            return NO_EVIDENCE
        block = self.block
        return float(
            delivery_against_roadmap(
                np.array([observed]),
                block.start_progress[:1],
                block.target_progress[:1],
                block.decay[:1],
                block.key_step[:1],
                np.array([step]),
            )[0]
        )

    # --- data ----------------------------------------------------------------------------------

    def quarter(self, step: int) -> str:
        """Label of the quarter that ends at ``step`` (step 0: the quarter before start)."""
        return quarter_label(int(self.block.start_index[0]) + step - 1)

    def to_frame(self) -> pd.DataFrame:
        """The per-step model frame: one row per recorded step, columns as declared."""
        return self.block.frame(0)

    def agent_frame(self) -> pd.DataFrame:
        """Per-agent engagement and trust at every recorded step (``record_agents=True``)."""
        return self.block.agent_frame(0)


def _recorded(model: MissionModel, column: int) -> float:
    """A Mesa model reporter: one recorded step outcome of the current step."""
    return float(model.block.rows[0, model.block.step_count, column])


def _source(scenario: str | Path | Scenario | MesaScenario) -> Scenario:
    """The mobilise scenario named by ``scenario`` (Mesa's own, after SolaraViz's Reset)."""
    if isinstance(scenario, MesaScenario):
        source = getattr(scenario, "source", None)
        return resolve_scenario(DEFAULT_SCENARIO if source is None else source)
    return resolve_scenario(scenario)
