"""The golden summaries: what the shipped scenarios give for fixed seeds.

``test_baseline.py`` compares fresh runs with ``tests/data/baseline.json``. When
a change to the model is intended, regenerate the file and commit it with the
change, so the diff shows how results moved:

    uv run python -m tests.baseline
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mobilise import load_scenario, run, summarise

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "tests" / "data" / "baseline.json"
CASES = {
    "uk_2024 seed 1": ("uk_2024.yaml", 1, {}),
    "uk_2024 seed 1, all civil-society reforms": (
        "uk_2024.yaml",
        1,
        {"mission_councils": 1.0, "multi_year_funding": 1.0, "time_for_civic_life": 0.5},
    ),
    "uk_early_1980s seed 2": ("uk_early_1980s.yaml", 2, {}),
    "technological_vaccine seed 3": ("technological_vaccine.yaml", 3, {}),
    "minimal_threshold": ("minimal_threshold.yaml", 1, {}),
}


def summaries() -> dict[str, dict[str, Any]]:
    """Summaries of every case, as JSON-ready dicts."""
    out = {}
    for name, (file, seed, reforms) in CASES.items():
        scenario = load_scenario(ROOT / "scenarios" / file)
        out[name] = json.loads(
            json.dumps(summarise(run(scenario, seed=seed, reforms=reforms), scenario))
        )
    return out


if __name__ == "__main__":
    BASELINE.write_text(json.dumps(summaries(), indent=2, sort_keys=True) + "\n")
    print(f"wrote {BASELINE}")
