# %% [markdown]
# # A first comparison
#
# The README's first command compares government push alone with three enabling reforms.
# This tutorial asks the same question from Python, step by step: one run, then a paired
# comparison of many, then the effects with their 95% intervals. It ends by checking that
# the library and the `mobilise compare` command give the same numbers, byte for byte.
#
# Run it as a script (`python first_comparison.py`) or cell by cell in an editor that knows
# the `# %%` cells (VS Code, Jupytext). It writes into the folder you run it from.

# %%
from pathlib import Path

import pandas as pd

from mobilise import load_scenario, run, summarise

scenario = load_scenario("uk_2024")  # a shipped scenario, by name
mission = scenario.mission_spec
print(f"{scenario.name}: {mission.title}")
print(f"{mission.metric}: {mission.baseline:g} now, target {mission.target:g}")
milestone = mission.key_milestone
print(f"key milestone: {milestone.value:g} by {milestone.quarter}")

# %% [markdown]
# ## One run
#
# `run` steps the model to its horizon (40 quarters) and returns one row per quarter.
# Reforms are given by name with a strength in [0, 1]; strength 0 is exactly the baseline.

# %%
frame = run(scenario, seed=1, reforms={"social_partnership": 1.0})
every_two_years = frame[["quarter", "metric", "engaged_union", "reach_union"]].iloc[::8]
print(every_two_years.to_string(index=False))

summary = summarise(frame, scenario)
print("milestone met:", summary["milestone_met"])
print("final metric:", round(summary["final_metric"], 3))

# %% [markdown]
# One run is one draw of a noisy world: a different seed gives a different path. A reform's
# effect is the difference it makes *in the same world*, so a comparison runs each arm on the
# same seeds (common random numbers) and reports the paired differences.
#
# The numbers nobody has measured (how strongly actors answer a signal, how far a reform
# reaches) are uncertain too. The scenario names a calibrated ensemble of *plausible worlds*:
# settings of those numbers, each consistent with the UK record. A comparison runs every arm
# in each world it is given, on that world's own seeds.
#
# ## A paired comparison across plausible worlds
#
# `comparison` is the design `mobilise compare` runs: government push alone, each reform
# alone, and all of them together, on the same replication seeds within each member of the
# scenario's ensemble (`Uncertainty(ensemble=None)`: the scenario's own; here its first four
# members, three seeds each). `run_batch` runs a design on an executor (here in this process)
# and writes the runs to a folder; `write_tables` adds the paired effects.

# %%
from mobilise.analysis.report import write_tables
from mobilise.running.batch import run_batch
from mobilise.running.design import Uncertainty, comparison
from mobilise.running.executors import SequentialExecutor

reforms = {"mission_councils": 1.0, "social_partnership": 1.0}
worlds = Uncertainty(ensemble=None, members=4)
design = comparison("uk_2024", reforms, replications=3, seed=0, uncertainty=worlds)
print(sorted(design.arms), "in members", design.members_of("uk_2024"))
result = run_batch(design, Path("library"), SequentialExecutor(), progress=False)
write_tables(result.out)
print(f"{result.done} runs done, {result.failed} failed")

# %% [markdown]
# `effects.csv` has one row per arm and outcome: the mean paired difference from government
# push alone, its 95% interval over members and seeds (`low`, `high`), the interval seeds
# alone would give (`seed_low`, `seed_high`), how often it is positive, the share of its
# variance that comes from the worlds rather than the seeds, and how often each arm met
# the milestone. The key metric is read when the milestone is due (`milestone_metric`) and
# at the horizon (`final_metric`).

# %%
effects = pd.read_csv("library/effects.csv")
columns = ["arm", "outcome", "n", "mean_diff", "low", "high", "seed_low", "seed_high"]
print(effects[[*columns, "p_positive", "parameter_share"]].round(3).to_string(index=False))

# %% [markdown]
# With four worlds and three seeds the intervals are rough; the README's comparison runs
# forty worlds with ten seeds each. `Uncertainty()` (the library's default, and
# `--ensemble none`) runs the scenario as written, where the intervals are seeds alone.
#
# ## The command gives the same numbers
#
# `mobilise compare` is a thin face over the same functions: with the same scenario,
# reforms, replications and seed it writes the same runs and effects, to the byte.

# %%
import subprocess
import sys

command = [sys.executable, "-m", "mobilise", "compare", "uk_2024"]
command += ["--reform", "mission_councils", "--reform", "social_partnership"]
command += ["--members", "4", "--replications", "3", "--seed", "0"]
command += ["--workers", "1", "--quiet", "--no-figures", "--out", "command"]
subprocess.run(command, check=True, capture_output=True)
for name in ("runs.csv", "effects.csv"):
    same = Path("library", name).read_bytes() == Path("command", name).read_bytes()
    print(f"{name}: {'the same bytes' if same else 'DIFFERENT'}")
    assert same, name
