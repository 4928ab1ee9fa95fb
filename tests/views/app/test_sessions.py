"""Saved workshop sessions: one folder per group, read back exactly, never half written."""

import json

import pandas as pd
import pytest

from mobilise.schema.scenario import ScenarioError
from mobilise.views.app.sessions import Session, SessionStore, slug
from mobilise.views.headline import headline, log_entry
from mobilise.views.workshop import (
    compare,
    make_settings,
    preset_settings,
    workshop_scenario,
)


def settings_for(uk, **changes):
    base = preset_settings("uk_2024", uk, replications=3, seed=2).model_dump()
    return make_settings(**{**base, **changes})


def session_for(uk, group, **changes):
    settings = settings_for(uk, **changes)
    scenario = workshop_scenario(uk, settings)
    comparison = compare(scenario, settings.reforms, replications=3, seed=2)
    row = log_entry(settings, comparison, scenario.mission_spec, group=group)
    return Session(group, settings, comparison=comparison, shown_settings=settings, log=[row])


def test_group_names_become_folder_names():
    assert slug("Table 3 (north)") == "table-3-north"
    assert slug("  Équipe  B ") == "quipe-b"
    with pytest.raises(ScenarioError, match="at least one letter or digit"):
        slug("!!!")


def test_a_saved_session_comes_back_exactly(tmp_path, uk):
    store = SessionStore(tmp_path)
    session = session_for(uk, "Table 1", reforms={"pooled_budgets": 0.5})
    store.save(session)
    back = store.load("table 1")
    assert back.group == "Table 1" and back.settings == session.settings
    assert back.shown_settings == session.settings
    expected = session.comparison.runs.astype({"milestone_step": float})  # None -> NaN in CSV
    pd.testing.assert_frame_equal(back.comparison.runs, expected, check_dtype=False)
    pd.testing.assert_frame_equal(back.comparison.timeseries, session.comparison.timeseries)
    assert headline(back.comparison, uk.mission_spec) == headline(
        session.comparison, uk.mission_spec
    )
    assert len(back.log) == 1 and back.log[0]["group"] == "Table 1"
    assert store.groups() == {"table-1": "Table 1"}
    assert store.load("no such group") is None


def test_a_broken_session_is_one_line_and_the_others_still_read(tmp_path, uk):
    store = SessionStore(tmp_path)
    store.save(session_for(uk, "Good"))
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "session.json").write_text("{not json")
    sessions, problems = store.all()
    assert [s.group for s in sessions] == ["Good"]
    assert len(problems) == 1 and "bad/session.json" in problems[0] and "\n" not in problems[0]


def test_session_files_are_plain_json_and_csv(tmp_path, uk):
    store = SessionStore(tmp_path)
    store.save(session_for(uk, "Table 5"))
    record = json.loads((tmp_path / "table-5" / "session.json").read_text())
    assert record["group"] == "Table 5" and record["settings"]["seed"] == 2
    log = pd.read_csv(tmp_path / "table-5" / "log.csv")
    assert len(log) == 1 and log["group"].iloc[0] == "Table 5"


def test_the_app_command_refuses_an_empty_access_code_in_one_line(capsys):
    from mobilise.cli import main

    with pytest.raises(SystemExit) as info:
        main(["app", "--host", "0.0.0.0", "--access-code", " "])
    assert info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "access code cannot be empty" in err
