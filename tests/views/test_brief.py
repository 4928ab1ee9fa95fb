"""The printable brief: self-contained HTML from the app's comparison and from a batch folder."""

import dataclasses
import html
import re

import pandas as pd
import pytest

from mobilise.cli import main
from mobilise.schema.ensemble import choose_ensemble
from mobilise.schema.missions import MISSIONS
from mobilise.schema.reforms import REFORMS
from mobilise.views.brief import SEED_ONLY, batch_brief, comparison_brief, render
from mobilise.views.figure_style import metric_scale
from mobilise.views.headline import effect_in_words, headline
from mobilise.views.workshop import (
    compare,
    constraint_sliders,
    make_settings,
    members_of,
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
    assert line.sentence() in html.unescape(text) and line.effect in html.unescape(text)
    assert SEED_ONLY in html.unescape(text)  # run without an ensemble: it says so
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
    assert SEED_ONLY in html.unescape(text) and "as written × 3" in text  # --ensemble none
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


def test_the_brief_of_a_five_mission_compare_shows_every_mission(tmp_path):
    """Each mission's title, fan chart and effect, the effect being its columns' paired mean."""
    out = tmp_path / "five"
    main(["compare", str(SCENARIOS / "uk_2024_five_missions.yaml"), "--reform", "pooled_budgets",
          "--replications", "3", "--workers", "1", "--out", str(out), "--quiet",
          "--no-figures"])  # fmt: skip
    brief = batch_brief(out)
    names = ["growth", "clean_energy", "safer_streets", "opportunity", "nhs"]
    assert [m.name for m in brief.missions] == names
    assert len(brief.figures) == 5
    text = render(brief)
    runs = pd.read_csv(out / "runs.csv")
    arm, base = runs[runs["arm"] == "pooled_budgets"], runs[runs["arm"] == "baseline"]
    effects = brief.effects.set_index(["mission", "outcome"])
    for mission in brief.missions:
        assert html.escape(mission.title) in text, mission.name
        column = f"final_metric:{mission.name}"
        expected = arm.set_index("replication")[column] - base.set_index("replication")[column]
        assert effects.loc[(mission.name, "final_metric"), "mean_diff"] == pytest.approx(
            expected.mean()
        )


def table_rows(text, header):
    """The body rows of the brief's table whose header row holds ``header``, as cell texts."""
    for table in re.findall(r"<table>.*?</table>", text, re.S):
        if header in table:
            body = table.split("</thead>")[1]
            rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
            return [[html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r)] for r in rows]
    raise AssertionError(f"no table with {header!r}")


def points(cell):
    """The numbers of a cell ('+3.1 to -0.4', '83.3%')."""
    return [float(x) for x in re.findall(r"[+-]?\d+(?:\.\d+)?", cell.replace(",", ""))]


def test_a_compare_folders_brief_shows_its_effects_csv_across_worlds(tmp_path):
    """The brief's plausible-worlds tables hold effects.csv's, ranks.csv's and drivers.csv's.

    And it says how many worlds and seeds.
    """
    out = tmp_path / "worlds"
    main(["compare", str(SCENARIOS / "uk_2024.yaml"), "--reform", "mission_councils",
          "--reform", "pooled_budgets", "--members", "6", "--replications", "2",
          "--workers", "1", "--out", str(out), "--quiet", "--no-figures"])  # fmt: skip
    main(["report", str(out), "--html"])
    text = (out / "brief.html").read_text()
    assert_self_contained(text)
    assert "Across 6 plausible worlds × 2 seeds each (12 runs per arm)" in html.unescape(text)
    effects = pd.read_csv(out / "effects.csv")
    rows = table_rows(text, "95% over worlds and seeds")
    assert len(rows) == len(effects)
    labels = {"key metric when the key milestone is due": "milestone_metric",
              "key metric at the horizon": "final_metric"}  # fmt: skip
    for cells in rows:
        arm = {"mission councils": "mission_councils", "pooled budgets": "pooled_budgets"}.get(
            cells[1], cells[1])  # fmt: skip
        outcome = labels[cells[2].split(",")[0]]
        row = effects[(effects["arm"] == arm) & (effects["outcome"] == outcome)].iloc[0]
        shown = [*points(cells[3]), *points(cells[4]), *points(cells[5]), *points(cells[6]),
                 *points(cells[7])]  # fmt: skip
        expected = [row["mean_diff"], row["low"], row["high"], row["seed_low"], row["seed_high"],
                    row["p_positive"], row["parameter_share"]]  # fmt: skip
        assert shown == pytest.approx([100 * v for v in expected], abs=0.051), (cells, row)
        assert cells[8] == f"{row['members']} × {row['n'] // row['members']}" == "6 × 2"
    ranks = pd.read_csv(out / "ranks.csv")
    ranks = ranks[ranks["outcome"] == "milestone_metric"].set_index("arm")
    for cells in table_rows(text, "P(largest effect)"):
        arm = cells[1].replace(" ", "_") if cells[1] != "together" else "together"
        assert points(cells[2])[0] == pytest.approx(100 * ranks.loc[arm, "p_first"], abs=0.051)
    drivers = pd.read_csv(out / "drivers.csv")
    drivers = drivers[drivers["outcome"] == "milestone_metric"]
    ordered = drivers.sort_values(["mission", "point", "arm", "rank"])
    shown = table_rows(text, "uncertain input")
    assert [c[3].rsplit(" (", 1)[1].rstrip(")") for c in shown] == list(ordered["input"])
    assert [float(c[4]) for c in shown] == pytest.approx(list(ordered["rho"]), abs=0.0051)
    # the headline says each arm's effect in words, from the same rows
    together = effects[(effects["arm"] == "together") & (effects["outcome"] == "milestone_metric")]
    nhs = MISSIONS["nhs"]
    sentence = effect_in_words(together.iloc[0], metric_scale(nhs), nhs.metric,
                               nhs.key_milestone.quarter, "all of them together")  # fmt: skip
    assert sentence in html.unescape(text)


def test_the_apps_brief_across_worlds_is_the_comparisons(uk):
    """The app's download with an ensemble: the comparison's effects, worlds x seeds, words."""
    ensemble = choose_ensemble(SCENARIOS / "uk_2024.yaml", uk)
    settings = make_settings(
        **{**preset_settings("uk_2024", uk, replications=2, seed=9, members=5).model_dump(),
           "reforms": {"pooled_budgets": 1.0}}
    )  # fmt: skip
    scenario = workshop_scenario(uk, settings)
    comparison = compare(scenario, settings.reforms, replications=2, seed=9,
                         ensemble=members_of(ensemble, settings))  # fmt: skip
    brief = comparison_brief(settings, scenario, comparison, group="Table 1")
    text = html.unescape(render(brief))
    assert "Across 5 plausible worlds × 2 seeds each (10 runs per arm)" in text
    line = headline(comparison, scenario.mission_spec, scenario)
    for sentence in (line.effect, line.chances, line.settle):
        assert sentence and sentence in text
    effects = comparison.effects()
    for cells in table_rows(render(brief), "95% over worlds and seeds"):
        outcome = "milestone_metric" if "milestone" in cells[2] else "final_metric"
        row = effects[effects["outcome"] == outcome].iloc[0]
        assert points(cells[4]) == pytest.approx([100 * row["low"], 100 * row["high"]], abs=0.051)
    assert brief.provenance["members"] == list(ensemble.members[:5])
