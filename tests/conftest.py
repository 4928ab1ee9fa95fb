"""Shared fixtures: the shipped scenarios, loaded once per session."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from mobilise import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


def movable(name: str) -> dict[str, Any]:
    """A shipped scenario as data, naming its calibration and ensemble by their full paths.

    Written anywhere, it still finds them.
    """
    data = yaml.safe_load((SCENARIOS / f"{name}.yaml").read_text())
    for key in ("calibration", "ensemble"):
        if data.get(key):
            data[key] = str(SCENARIOS / data[key])
    return data


@pytest.fixture(scope="session")
def uk():
    return load_scenario(SCENARIOS / "uk_2024.yaml")


@pytest.fixture(scope="session")
def minimal():
    return load_scenario(SCENARIOS / "minimal_threshold.yaml")


@pytest.fixture(scope="session")
def vaccine():
    return load_scenario(SCENARIOS / "technological_vaccine.yaml")
