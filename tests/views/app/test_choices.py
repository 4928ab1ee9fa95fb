"""What the controls show: the record every control changes, and the settings it makes."""

import pytest

from mobilise.schema.reforms import REFORMS
from mobilise.schema.scenario import ScenarioError, load_scenario
from mobilise.views.app.choices import Choices
from mobilise.views.workshop import preset_settings

from ...conftest import SCENARIOS


def test_choices_show_settings_and_give_them_back(uk):
    settings = preset_settings("uk_2024", uk, replications=4, seed=9)
    choices = Choices.of(settings)
    assert choices.settings() == settings
    assert choices.on == () and set(choices.strengths) == set(REFORMS)


def test_switches_keep_catalogue_order_and_strengths_survive_off(uk):
    names = list(REFORMS)
    choices = Choices.of(preset_settings("uk_2024", uk, replications=2, seed=0))
    choices = choices.switched(names[3], True).switched(names[0], True)
    assert choices.on == (names[0], names[3])
    strong = Choices(**{**choices.__dict__, "strengths": {**choices.strengths, names[3]: 0.4}})
    back_on = strong.switched(names[3], False).switched(names[3], True)
    assert back_on.settings().reforms == {names[0]: 1.0, names[3]: 0.4}


def test_a_preset_brings_its_mission_and_every_constraint(uk):
    early = load_scenario(SCENARIOS / "uk_early_1980s.yaml")
    choices = Choices.of(preset_settings("uk_2024", uk, replications=2, seed=0))
    moved = choices.with_preset("uk_early_1980s", early)
    assert moved.preset == "uk_early_1980s"
    assert moved.mission == early.mission_spec.name
    assert moved.constraints == early.constraints.model_dump()


def test_a_seed_typed_wrong_is_one_sentence(uk):
    choices = Choices.of(preset_settings("uk_2024", uk, replications=2, seed=0))
    bad = Choices(**{**choices.__dict__, "seed_text": "two"})
    with pytest.raises(ScenarioError, match="whole number"):
        bad.settings()
