# %% [markdown]
# # An experiment from Python
#
# An experiment file says which runs to make; the shipped ones are nameable, and a
# design can also be written as a dictionary. This tutorial sweeps one structural
# constraint, union density, with and without social partnership, and reads how the
# reform's effect changes with the structure it works in.

# %%
from pathlib import Path

import pandas as pd

from mobilise.analysis.report import write_tables
from mobilise.running.batch import run_batch
from mobilise.running.design import load_experiment, parse_experiment
from mobilise.running.executors import SequentialExecutor

shipped = load_experiment("structures_sweep")  # by name, from any folder
print(shipped.experiment.description)
print(len(shipped.points), "sweep points x", len(shipped.arms), "arms x",
      shipped.experiment.replications, "replications")  # fmt: skip

# %% [markdown]
# That sweep is 800 runs. A smaller one, written as a dictionary with the fields an
# experiment file has (see the [reference](../reference/experiment.md)):

# %%
design = parse_experiment(
    {
        "name": "union_density",
        "scenarios": ["uk_2024"],
        "arms": {"single": ["social_partnership"]},
        "sweep": {"grid": {"constraints.union_density": [0.10, 0.22, 0.50]}},
        "replications": 8,
        "seed": 7,
        "record": {"every": 4},
    },
    source="union_density",
)
result = run_batch(design, Path("union_density"), SequentialExecutor(), progress=False)
write_tables(result.out)
print(f"{result.done} runs done, {result.failed} failed")

# %% [markdown]
# `runs.csv` has a column for each swept field, so every run knows the structure it ran
# in; `effects.csv` has one row per sweep point, arm and outcome (`point` numbers the
# points in the order of the grid).

# %%
runs = pd.read_csv("union_density/runs.csv")
by_density = runs.groupby(["constraints.union_density", "arm"])["milestone_metric"].mean()
print(by_density.unstack().round(3).to_string())

effects = pd.read_csv("union_density/effects.csv")
effects = effects[effects["outcome"] == "milestone_metric"]
points = runs.groupby("point")["constraints.union_density"].first()
effects = effects.assign(union_density=effects["point"].map(points))
print(effects[["union_density", "arm", "n", "mean_diff", "t_low", "t_high"]].round(4)
      .to_string(index=False))  # fmt: skip
assert sorted(effects["union_density"]) == [0.10, 0.22, 0.50]

# %% [markdown]
# Each effect is paired: the same eight seeds in both arms at each point. Whether social
# partnership matters more where unions are strong is a question for more replications
# (or `--precision`), and for the ensembles of plausible parameters in
# [What we don't know](../guides/uncertainty.md).
