"""Shared fixtures: the shipped scenarios, loaded once per session."""

from pathlib import Path

import pytest

from mobilise import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="session")
def uk():
    return load_scenario(SCENARIOS / "uk_2024.yaml")


@pytest.fixture(scope="session")
def minimal():
    return load_scenario(SCENARIOS / "minimal_threshold.yaml")


@pytest.fixture(scope="session")
def vaccine():
    return load_scenario(SCENARIOS / "technological_vaccine.yaml")
