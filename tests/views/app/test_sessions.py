"""Saved workshop sessions: one folder per group, read back exactly, never half written."""

import json

import pandas as pd
import pytest

from mobilise.schema.scenario import ScenarioError
from mobilise.views.app.codes import Backoff, new_code
from mobilise.views.app.sessions import (
    Session,
    SessionStore,
    folder_name,
    group_name,
    name_key,
)
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
    return Session(
        group, settings, comparison=comparison, shown_settings=settings, log=[row], key=new_code()
    )


def test_each_name_is_its_own_group_by_one_documented_rule():
    names = ["Группа 1", "Команда 1", "第三组", "TABLE 3!!", "Table 3", "Équipe B"]
    folders = [folder_name(group_name(n)) for n in names]
    assert len(set(folders)) == len(names)
    assert folders[0].startswith("группа-1-") and folders[2].startswith("第三组-")
    # the same group: canonical Unicode, case-folded, white space made one; nothing else
    assert name_key("  table \t 3 ") == name_key("Table 3") == name_key("TABLE 3")
    assert name_key("E\u0301quipe B") == name_key("Équipe B")  # é written two ways
    assert name_key("TABLE 3!!") != name_key("Table 3") and name_key("Tabel 3") != name_key(
        "Table 3"
    )
    assert group_name("  Table   3 ") == "Table 3"
    with pytest.raises(ScenarioError, match="at least one letter or digit"):
        group_name("!!!")
    with pytest.raises(ScenarioError, match="at most 60 characters"):
        group_name("x" * 61)


def test_a_saved_session_comes_back_exactly(tmp_path, uk):
    store = SessionStore(tmp_path)
    session = session_for(uk, "Table 1", reforms={"pooled_budgets": 0.5})
    assert store.claim(session) is session
    back = store.load(session.folder)
    assert back.group == "Table 1" and back.settings == session.settings
    assert back.shown_settings == session.settings and back.key == session.key
    expected = session.comparison.runs.astype({"milestone_step": float})  # None -> NaN in CSV
    pd.testing.assert_frame_equal(back.comparison.runs, expected, check_dtype=False)
    pd.testing.assert_frame_equal(back.comparison.timeseries, session.comparison.timeseries)
    assert headline(back.comparison, uk.mission_spec) == headline(
        session.comparison, uk.mission_spec
    )
    assert len(back.log) == 1 and back.log[0]["group"] == "Table 1"
    assert store.find("table   1").folder == session.folder
    assert store.find("no such group") is None and store.load("no-such-group") is None
    for outside in ("..", "../x", "/etc", "a/b", ""):  # a link names a folder, never a path
        assert store.load(outside) is None


def test_a_taken_name_cannot_be_claimed_again(tmp_path, uk):
    store = SessionStore(tmp_path)
    assert store.claim(session_for(uk, "Table 1")) is not None
    assert store.claim(session_for(uk, "TABLE  1")) is None
    assert store.claim(session_for(uk, "Table 1!")) is not None  # another name


def test_the_log_only_grows_and_keeps_each_rows_text(tmp_path, uk):
    store = SessionStore(tmp_path)
    session = session_for(uk, "Tisch 2")
    store.claim(session)
    first = (tmp_path / session.folder / "log.csv").read_text()
    store.append(session.folder, {"group": "Tisch 2", "seed": 3, "effect": 0.1})
    store.append(session.folder, {"group": "Tisch 2", "guess": "no guess", "seed": 4})
    lines = (tmp_path / session.folder / "log.csv").read_text().splitlines()
    assert "effect" not in first  # (a comparison without reforms has no effect column)
    assert lines[1] == first.splitlines()[1] + ",,"  # its text, and empty new cells
    rows = pd.read_csv(tmp_path / session.folder / "log.csv")
    assert list(rows["seed"]) == [2, 3, 4] and rows["guess"].iloc[2] == "no guess"
    store.save(session)  # saving the session never rewrites the log
    assert len(pd.read_csv(tmp_path / session.folder / "log.csv")) == 3


def test_a_session_opens_with_its_rejoin_code_and_wrong_codes_are_slowed(tmp_path, uk):
    now = [0.0]
    store = SessionStore(tmp_path, Backoff(free_tries=2, clock=lambda: now[0]))
    session = session_for(uk, "Tisch 5")
    store.claim(session)
    assert store.rejoin(session.folder, f" {session.key.upper()} ").group == "Tisch 5"
    for _ in range(2):
        with pytest.raises(ScenarioError, match="rejoin code is not right"):
            store.rejoin(session.folder, "nope12")
    with pytest.raises(ScenarioError, match="wait 1 second"):
        store.rejoin(session.folder, session.key)  # even the right code waits
    now[0] += 1.0
    assert store.rejoin(session.folder, session.key).group == "Tisch 5"


def test_a_broken_session_is_one_line_without_a_path_and_the_others_still_read(tmp_path, uk):
    store = SessionStore(tmp_path)
    store.claim(session_for(uk, "Good"))
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "session.json").write_text("{not json")
    sessions, problems = store.all()
    assert [s.group for s in sessions] == ["Good"]
    assert len(problems) == 1 and "folder 'bad'" in problems[0] and "\n" not in problems[0]
    assert str(tmp_path) not in problems[0]


def test_session_files_are_plain_json_and_csv(tmp_path, uk):
    store = SessionStore(tmp_path)
    session = session_for(uk, "Table 5")
    store.claim(session)
    record = json.loads((tmp_path / session.folder / "session.json").read_text())
    assert record["group"] == "Table 5" and record["settings"]["seed"] == 2
    assert record["key"] == session.key
    log = pd.read_csv(tmp_path / session.folder / "log.csv")
    assert len(log) == 1 and log["group"].iloc[0] == "Table 5"
