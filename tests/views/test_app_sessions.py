"""Saved workshop sessions, the facilitator's table, and the access code."""

import asyncio
import json

import pandas as pd
import pytest

from mobilise.schema.experiment import BASELINE
from mobilise.schema.scenario import ScenarioError
from mobilise.views.app_access import COOKIE, AccessCode, _token, new_code
from mobilise.views.app_sessions import Session, SessionStore, slug
from mobilise.views.facilitator import describe_effect, describe_moves, groups_table
from mobilise.views.headline import headline, log_entry
from mobilise.views.workshop import (
    WITH_REFORMS,
    compare,
    constraint_sliders,
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


def test_the_facilitator_table_has_each_groups_choices_and_effect(tmp_path, uk):
    store = SessionStore(tmp_path)
    one = session_for(uk, "Table 1", reforms={"social_partnership": 1.0})
    moved = {**uk.constraints.model_dump(), "union_density": 0.4}
    two = session_for(uk, "Table 2", reforms={"mission_councils": 1.0}, constraints=moved)
    two.log[0]["guess_met_runs_baseline"] = 2
    for session in (one, two):
        store.save(session)
    sessions, _ = store.all()
    table = groups_table(sessions, {"uk_2024": uk})
    assert list(table["group"]) == ["Table 1", "Table 2"]
    rows = table.set_index("group")
    assert rows.loc["Table 1", "reforms"] == "social_partnership=1"
    assert rows.loc["Table 1", "moved"] == ""
    assert rows.loc["Table 2", "moved"] == "union_density: 0.22 -> 0.4"
    assert rows.loc["Table 2", "guess_met_runs_baseline"] == 2
    for session in (one, two):
        line = headline(session.comparison, uk.mission_spec)
        row = rows.loc[session.group]
        assert row["met_runs_baseline"] == line.met[BASELINE]
        assert row["met_runs_with_reforms"] == line.met[WITH_REFORMS]
        assert row["effect"] == pytest.approx(session.log[0]["effect"])
    text = describe_effect(rows.loc["Table 2"].to_dict())
    assert text.endswith("percentage points") and "[" in text
    sliders = constraint_sliders()
    assert describe_moves(rows.loc["Table 2"].to_dict(), sliders) == "Union density 0.22 → 0.4"
    csv = pd.read_csv(pd.io.common.StringIO(table.to_csv(index=False)))
    assert list(csv["group"]) == ["Table 1", "Table 2"]


# --- the access code ------------------------------------------------------------------


def call(app, scope):
    """Run an ASGI app on one request; return the messages it sent."""
    sent = []

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


async def inner(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"the app"})


def http(path="/", query=b"", cookie=None):
    headers = [(b"cookie", f"{COOKIE}={cookie}".encode())] if cookie else []
    return {"type": "http", "path": path, "query_string": query, "headers": headers}


def test_the_access_code_keeps_out_who_has_not_got_it():
    app = AccessCode(inner, "k7m2pq")
    closed = call(app, http())
    assert closed[0]["status"] == 401 and b"access code" in closed[1]["body"]
    wrong = call(app, http(query=b"code=nope"))
    assert wrong[0]["status"] == 401 and b"not right" in wrong[1]["body"]
    right = call(app, http("/facilitator", b"code=k7m2pq"))
    headers = dict(right[0]["headers"])
    assert right[0]["status"] == 303 and headers[b"location"] == b"/facilitator"
    assert f"{COOKIE}={_token('k7m2pq')}".encode() in headers[b"set-cookie"]
    assert call(app, http(cookie=_token("k7m2pq")))[1]["body"] == b"the app"
    assert call(app, http(cookie=_token("other")))[0]["status"] == 401
    socket = call(app, {"type": "websocket", "path": "/jupyter", "headers": []})
    assert socket == [{"type": "websocket.close", "code": 4401}]


def test_new_codes_are_short_and_unambiguous():
    codes = {new_code() for _ in range(50)}
    assert len(codes) > 45
    assert all(len(c) == 6 and not set(c) & set("01ilo") for c in codes)


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
