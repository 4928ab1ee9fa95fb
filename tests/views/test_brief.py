"""The printable brief: self-contained HTML from the app's comparison and from a batch folder."""

import dataclasses
import html
import re

import pandas as pd
import pytest

from mobilise.cli import main
from mobilise.schema.reforms import REFORMS
from mobilise.views.brief import batch_brief, comparison_brief, render
from mobilise.views.headline import headline
from mobilise.views.workshop import (
    compare,
    constraint_sliders,
    make_settings,
    preset_settings,
    workshop_scenario,
)

from ..chromium import ARGS, CHROMIUM, require_chromium
from ..conftest import SCENARIOS

EXTERNAL = re.compile(
    r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import"""
)


def assert_self_contained(text: str) -> None:
    """No file, script, style sheet or font from anywhere else."""
    assert not EXTERNAL.search(text), EXTERNAL.search(text)
    assert "<script" not in text and "<link" not in text and "<img" not in text


@pytest.fixture(scope="module")
def app_brief(uk):
    settings = make_settings(
        **{**preset_settings("uk_2024", uk, replications=4, seed=7).model_dump(),
           "reforms": {"mission_councils": 1.0, "patient_capital": 0.5}}
    )  # fmt: skip
    scenario = workshop_scenario(uk, settings)
    comparison = compare(scenario, settings.reforms, replications=4, seed=7)
    brief = comparison_brief(
        settings, scenario, comparison, preset_file=SCENARIOS / "uk_2024.yaml", group="Table 4"
    )
    return brief, comparison, scenario


def test_the_apps_brief_says_what_was_asked_found_and_assumed(app_brief):
    brief, comparison, scenario = app_brief
    text = render(brief)
    assert_self_contained(text)
    assert text.count("<svg") == 1  # the fan chart, inline
    line = headline(comparison, scenario.mission_spec)
    assert line.sentence() in text and line.effect in text
    assert "Question." in text and "mission councils (1), patient capital (0.5)" in text
    for slider in constraint_sliders():  # each constraint with its source from the schema
        assert slider.source in html.unescape(text)
    for name in ("mission_councils", "patient_capital"):
        assert REFORMS[name].source in text
    provenance = brief.provenance
    assert provenance["git_commit"] and provenance["mobilise"]
    assert provenance["scenario_sha256"] == scenario.content_hash()
    assert provenance["master_seed"] == 7 and len(provenance["replication_seeds"]) == 4
    assert provenance["preset_file_sha256"]
    effects = brief.effects
    assert set(effects["outcome"]) == {"final_metric", "milestone_metric"}


def test_every_text_of_the_brief_is_escaped(app_brief):
    brief = dataclasses.replace(
        app_brief[0], question="<script>alert(1)</script>", headlines=["a & b"]
    )
    text = render(brief)
    assert "<script" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<li>a &amp; b</li>" in text and text.count("<svg") == 1  # the figure stays markup


def test_report_html_writes_a_brief_of_a_compare_folder(tmp_path, capsys):
    out = tmp_path / "cmp"
    main(["compare", str(SCENARIOS / "uk_2024.yaml"), "--reform", "pooled_budgets",
          "--replications", "3", "--workers", "1", "--out", str(out), "--quiet",
          "--ensemble", "none"])  # fmt: skip
    main(["report", str(out), "--html"])
    assert f"wrote {out / 'brief.html'}" in capsys.readouterr().out
    text = (out / "brief.html").read_text()
    assert_self_contained(text)
    runs = pd.read_csv(out / "runs.csv")
    met = int(runs.loc[runs["arm"] == "pooled_budgets", "milestone_met"].sum())
    assert f"met in {int(runs.loc[runs['arm'] == 'baseline', 'milestone_met'].sum())} of 3 runs " \
           "with government push alone" in text  # fmt: skip
    assert f"{met} of 3 runs with pooled budgets" in text
    assert REFORMS["pooled_budgets"].source in text
    brief = batch_brief(out)
    assert brief.provenance["design_sha256"] and brief.provenance["git_commit"]
    assert "uk_2024" in brief.provenance["scenarios"]


def test_report_html_on_an_empty_folder_is_one_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["report", str(tmp_path), "--html"])
    assert info.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_the_brief_opens_offline_and_prints_to_pdf(app_brief, tmp_path):
    sync_api = require_chromium()
    path = tmp_path / "brief.html"
    path.write_text(render(app_brief[0]))
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page()
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(path.as_uri())
        assert page.locator("svg").count() == 1
        assert page.locator("svg").bounding_box()["width"] > 500  # drawn, scaled to the page
        pdf = tmp_path / "brief.pdf"
        page.pdf(path=str(pdf), format="A4")
        browser.close()
    assert requests == [path.as_uri()]  # nothing fetched but the page itself
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", data)) >= 2


def test_a_brief_of_many_arms_tabulates_the_runs_that_met_the_milestone(tmp_path):
    experiment = tmp_path / "factorial.yaml"
    experiment.write_text(
        "name: small_factorial\n"
        f"scenarios: [{SCENARIOS / 'uk_2024.yaml'}]\n"
        "arms: {factorial: {reforms: [mission_councils, pooled_budgets, patient_capital]}}\n"
        "replications: 2\n"
        "seed: 4\n"
    )
    out = tmp_path / "out"
    main(["batch", str(experiment), "--out", str(out), "--workers", "1", "--quiet",
          "--ensemble", "none"])  # fmt: skip
    main(["report", str(out), "--html"])
    text = (out / "brief.html").read_text()
    assert_self_contained(text)
    assert "the 7 arms built from mission councils, patient capital, pooled budgets" in text
    runs = pd.read_csv(out / "runs.csv")
    for arm, rows in runs.groupby("arm"):
        label = "government push alone" if arm == "baseline" else arm.replace("_", " ").replace(
            "+", " + ")  # fmt: skip
        cells = f'<td>{label}</td><td class="number">{int(rows["milestone_met"].sum())} of 2</td>'
        assert cells in text, (arm, cells)


def test_a_batch_folder_without_runs_is_an_output_error_in_one_line(tmp_path, capsys):
    columns = ["run_id", "mission", "point", "arm", "replication", "seed"]
    pd.DataFrame(columns=columns).to_csv(tmp_path / "runs.csv", index=False)
    (tmp_path / "manifest.json").write_text('{"status": "complete", "runs_done": 0}')
    with pytest.raises(SystemExit) as info:
        main(["report", str(tmp_path), "--html"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'runs.csv'}: holds no runs (only a header)" in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "brief.html").exists()


def test_the_brief_says_when_each_reform_starts(uk):
    """The app's start dates, and a batch's timing, are in the brief beside each reform."""
    settings = make_settings(
        **{**preset_settings("uk_2024", uk, replications=3, seed=5).model_dump(),
           "reforms": {"mission_councils": 1.0, "pooled_budgets": 0.5},
           "starts": {"mission_councils": "2027Q1"}}
    )  # fmt: skip
    scenario = workshop_scenario(uk, settings)
    comparison = compare(scenario, settings.reforms, replications=3, seed=5,
                         timing=settings.timing())  # fmt: skip
    brief = comparison_brief(settings, scenario, comparison, group="Table 2")
    text = html.unescape(render(brief))
    assert "mission councils (1, from 2027Q1), pooled budgets (0.5)" in text
    rows = {row["reform"]: row["in force"] for row in brief.reforms}
    assert rows == {"mission councils": "from 2027Q1", "pooled budgets": "from the start"}
    # the effect in the brief is the comparison with that start, not from the start
    at_once = compare(scenario, settings.reforms, replications=3, seed=5)
    assert brief.effects.equals(comparison.effects())
    assert not comparison.effects()["mean_diff"].equals(at_once.effects()["mean_diff"])


def test_a_batch_brief_names_each_arms_timing(tmp_path, capsys):
    out = tmp_path / "late"
    main(["compare", str(SCENARIOS / "uk_2024.yaml"), "--reform", "pooled_budgets@2028Q1",
          "--replications", "2", "--workers", "1", "--out", str(out), "--quiet",
          "--no-figures"])  # fmt: skip
    brief = batch_brief(out)
    assert {r["reform"]: r["in force"] for r in brief.reforms} == {"pooled budgets": "from 2028Q1"}
