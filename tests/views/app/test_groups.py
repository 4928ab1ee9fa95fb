"""The facilitator's table of the room: every saved group's choices, result and guess."""

import pandas as pd
import pytest

from mobilise.schema.experiment import BASELINE
from mobilise.views.app.groups import (
    describe_effect,
    describe_guess,
    describe_moves,
    describe_reforms,
    groups_table,
)
from mobilise.views.app.sessions import SessionStore
from mobilise.views.headline import headline
from mobilise.views.workshop import WITH_REFORMS, constraint_sliders

from .test_sessions import session_for


def test_the_facilitator_table_has_each_groups_choices_and_effect(tmp_path, uk):
    store = SessionStore(tmp_path)
    one = session_for(uk, "Table 1", reforms={"social_partnership": 1.0})
    moved = {**uk.constraints.model_dump(), "union_density": 0.4}
    two = session_for(uk, "Table 2", reforms={"mission_councils": 1.0}, constraints=moved)
    two.log[0].update(guess="made", guess_met_runs_baseline=2)
    for session in (one, two):
        store.claim(session)
    sessions, _ = store.all()
    table = groups_table(sessions, {"uk_2024": uk})
    assert list(table["group"]) == ["Table 1", "Table 2"]
    rows = table.set_index("group")
    assert rows.loc["Table 1", "reforms"] == "social_partnership=1"  # the CSV: data names
    assert describe_reforms(rows.loc["Table 1"].to_dict()) == "social partnership (1)"  # page
    assert describe_guess(rows.loc["Table 2"].to_dict()) == "government push alone: 2 of 3 runs"
    assert describe_guess(rows.loc["Table 1"].to_dict()) == "–"
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


def test_a_revealed_result_without_a_guess_says_no_guess(tmp_path, uk):
    store = SessionStore(tmp_path)
    session = session_for(uk, "Table 3", reforms={"mission_councils": 1.0})
    session.log[0].update(guess="no guess", guess_met_runs_baseline=None)
    store.claim(session)
    sessions, _ = store.all()
    row = groups_table(sessions, {"uk_2024": uk}).iloc[0].to_dict()
    assert row["guess"] == "no guess" and describe_guess(row) == "no guess"
