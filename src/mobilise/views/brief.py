"""A printable brief of a comparison: one self-contained HTML page to hand to a board.

Question, settings, headline, fan chart, effects with intervals, the effects across
plausible worlds (the full interval and the seed-only one, P(effect > 0), the share of
the spread that is the parameters', which arm does most, what would settle it), the
assumptions and their sources, and what made the numbers (version, commit, seeds,
hashes). A batch folder's numbers are its own tables' (``effects.csv``, ``ranks.csv``,
``drivers.csv``), so the brief and the files agree. Figures are
inline SVG and the style sheet is in the page, so it opens and prints with no network
and no other file. Made from the app (a download) or from a batch folder
(``mobilise report DIR --html``) by the same :func:`render`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from mobilise.analysis.effects import effect_drivers, rank_probabilities
from mobilise.analysis.report import (
    HEADLINE_OUTCOME,
    across_outcomes,
    all_effects,
    read_batch,
    read_members,
)
from mobilise.model.outcomes import EFFECT_OUTCOMES
from mobilise.running.design import in_memory, replication_seeds
from mobilise.running.export import environment, now
from mobilise.schema.levers import BASELINE
from mobilise.schema.missions import MISSIONS, Mission
from mobilise.schema.reforms import REFORMS
from mobilise.schema.scenario import Scenario, file_hash, load_scenario
from mobilise.schema.schedule import Timing, describe_timing
from mobilise.views.figure_style import arm_label, inline_svg, metric_scale, pretty
from mobilise.views.headline import effect_in_words, headline, input_words
from mobilise.views.plots import fan_chart
from mobilise.views.templating import render_template
from mobilise.views.workshop import Comparison, Settings, constraint_sliders
from mobilise.vocabulary import OutputError

FEW_ARMS = 3
"""Up to this many arms besides push alone, the brief says each in sentences; beyond, a table."""

FAN_CAPTION = "The key metric over time: each arm's median, the middle 50% and 90% of runs"

OUTCOME_LABELS = {
    "milestone_metric": "key metric when the key milestone is due",
    "final_metric": "key metric at the horizon",
}
"""How :data:`mobilise.model.outcomes.EFFECT_OUTCOMES` are named in the brief."""


@dataclass
class Brief:
    """Everything a brief says, as text and tables; :func:`render` lays it out."""

    title: str
    question: str
    settings: list[tuple[str, str]]
    headlines: list[str]
    figures: list[tuple[str, str]]
    effects: pd.DataFrame
    constraints: list[dict[str, str]]
    reforms: list[dict[str, str]]
    missions: list[Mission]
    provenance: dict[str, Any] = field(default_factory=dict)
    met: tuple[list[str], list[list[str]]] | None = None  # runs meeting the milestone, by arm
    worlds: str = ""  # which plausible worlds ran, members x seeds (or seed noise only)
    ranks: pd.DataFrame = field(default_factory=pd.DataFrame)  # which arm does most
    drivers: pd.DataFrame = field(default_factory=pd.DataFrame)  # what would settle it
    scenario: Scenario | None = None  # names the uncertain inputs in words


SEED_ONLY = (
    "Seed noise only: these runs used the scenario as written (no ensemble, or "
    "--ensemble none), so every interval below covers chance between runs, not what we "
    "don't know about the model's parameters."
)


def worlds_sentence(worlds: int, seeds: int, source: str = "") -> str:
    """How many plausible worlds and seeds the numbers cover, in one sentence."""
    if not worlds:
        return SEED_ONLY
    return (
        f"Across {worlds} plausible worlds × {seeds} seeds each ({worlds * seeds} runs per "
        f"arm): the first {worlds} members of the calibrated ensemble{source}, each a set of "
        "uncertain inputs the targets allow, run with the same seeds in every arm."
    )


# --- from the app ---------------------------------------------------------------------


def comparison_brief(
    settings: Settings,
    scenario: Scenario,
    comparison: Comparison,
    *,
    preset_file: Path | None = None,
    group: str = "",
    fan_svg: str | None = None,
) -> Brief:
    """The brief of a workshop comparison: the settings on screen and their result."""
    mission = scenario.mission_spec
    line = headline(comparison, mission, scenario)
    reforms = settings.described()
    question = (
        f"For the mission “{mission.title}”, under the structural constraints below "
        f"(preset {settings.preset}), how far does government push alone get by "
        f"{mission.key_milestone.quarter}, and what do "
        + (f"these enabling reforms change: {reforms}?" if reforms else "enabling reforms change?")
    )
    design = in_memory(
        scenario,
        {"with reforms": settings.reforms} if settings.reforms else {},
        replications=settings.replications,
        seed=settings.seed,
        timing={"with reforms": settings.timing()},
    )
    preset = load_scenario(preset_file) if preset_file is not None else None
    rows = [
        ("Group", group or "(not named)"),
        ("Scenario preset", settings.preset),
        ("Mission", f"{mission.name}: {mission.title}"),
        ("Quarters", f"{scenario.quarters} from {scenario.start}"),
        ("Reforms switched on", reforms or "none (government push alone only)"),
        (
            "Runs per arm",
            f"{comparison.runs_per_arm()}: {comparison.worlds} plausible worlds × "
            f"{comparison.seeds_per_world} seeds, paired by seed within each world"
            if comparison.worlds
            else f"{settings.replications}, paired by seed (seed noise only)",
        ),
        ("Master seed", str(settings.seed)),
    ]
    provenance = {
        **environment(),
        "generated": now(),
        "master_seed": settings.seed,
        "replication_seeds": replication_seeds(settings.seed, settings.replications),
        "scenario_sha256": scenario.content_hash(),
        "design_sha256": design.content_hash(),
        "preset_file": preset_file.name if preset_file else None,  # no server path
        "preset_file_sha256": file_hash(preset_file) if preset_file else None,
        "members": [int(m) for m in comparison.members.get("member", [])],
    }
    series = comparison.timeseries
    fan = fan_svg or inline_svg(fan_chart(series, str(series["mission"].iloc[0])), "fan chart")
    return Brief(
        title=f"{mission.title}: government push alone and enabling reforms",
        question=question,
        settings=rows,
        headlines=line.lines(),
        figures=[(FAN_CAPTION, fan)],
        effects=comparison.effects(),
        constraints=_constraint_rows(scenario, preset),
        reforms=_reform_rows(settings.reforms, {r: [t] for r, t in settings.timing().items()}),
        missions=[mission],
        provenance=provenance,
        worlds=worlds_sentence(comparison.worlds, comparison.seeds_per_world),
        drivers=(
            across_outcomes(partial(effect_drivers, members=comparison.members), comparison.runs)
            if comparison.reforms and not comparison.members.empty
            else pd.DataFrame()
        ),
        scenario=scenario,
    )


# --- from a batch folder --------------------------------------------------------------


def batch_brief(folder: Path) -> Brief:
    """The brief of a finished batch or compare folder, from its files and manifest."""
    runs, series = read_batch(folder)
    if runs.empty:
        raise OutputError(f"{folder}: runs.csv has no runs; nothing to brief")
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    scenarios = manifest.get("scenarios", {})
    loaded: dict[str, Scenario] = {}
    notes = []
    for name, record in scenarios.items():
        path = Path(record.get("file", ""))
        if path.is_file() and file_hash(path) == record.get("file_sha256"):
            loaded[name] = load_scenario(path)
        else:
            notes.append(f"{name}: the scenario file {path} is missing or has changed since")
    arms = manifest.get("arms") or {a: {} for a in dict.fromkeys(runs["arm"])}
    reforms_used = {r: max(s.get(r, 0.0) for s in arms.values()) for r in REFORMS}
    reforms_used = {r: s for r, s in reforms_used.items() if s > 0}
    timed: dict[str, list[Timing]] = {}  # each arm's timing of each reform it has
    schedules = manifest.get("timing", {})
    for arm, strengths in arms.items():
        for reform, strength in strengths.items():
            if strength > 0:
                given = schedules.get(arm, {}).get(reform)
                timed.setdefault(reform, []).append(Timing.model_validate(given or {}))
    missions = [MISSIONS[m] for m in dict.fromkeys(runs["mission"]) if m in MISSIONS]
    for scenario in loaded.values():
        spec = scenario.mission_spec
        if spec.name not in MISSIONS and spec not in missions:
            missions.append(spec)
    names = ", ".join(loaded) or ", ".join(dict.fromkeys(runs["scenario"]))
    other_arms = [a for a in arms if a != BASELINE]
    if len(other_arms) <= FEW_ARMS:
        changes = ", ".join(pretty(a) for a in other_arms) or "the arms"
    else:
        changes = f"the {len(other_arms)} arms built from " + ", ".join(
            pretty(r) for r in reforms_used
        )
    question = (
        f"Under {names}, how far does government push alone get each mission, and what do "
        f"{changes} change?"
    )
    n = runs.groupby(["mission", "point", "arm"]).size()
    rows = [
        ("Experiment", str(manifest.get("experiment", folder.name))),
        ("Scenarios", names),
        ("Missions", ", ".join(dict.fromkeys(runs["mission"]))),
        (
            "Arms",
            ", ".join(arm_label(a) for a in arms)
            if len(other_arms) <= FEW_ARMS
            else f"government push alone and {len(other_arms)} others (the table above)",
        ),
        ("Sweep points", str(runs["point"].nunique())),
        ("Runs per arm", f"{n.min()}" + (f" to {n.max()}" if n.max() != n.min() else "")),
        ("Master seed", str(manifest.get("master_seed", "not recorded"))),
        ("Command", str(manifest.get("command", "not recorded"))),
    ]
    figures = []
    for mission in dict.fromkeys(series["mission"]) if len(series) else []:
        points = sorted(series.loc[series["mission"] == mission, "point"].unique())[:3]
        for point in points:
            caption = f"{_mission_title(mission)}" + (f", sweep point {point}" if point else "")
            figures.append((caption, inline_svg(fan_chart(series, mission, point), caption)))
    constraints = []
    for name, scenario in loaded.items():
        constraints += [{**row, "scenario": name} for row in _constraint_rows(scenario, None)]
    provenance = {
        key: manifest.get(key)
        for key in (
            "mobilise", "git_commit", "python", "platform", "dependencies", "experiment_file",
            "experiment_file_sha256", "design_sha256", "scenarios", "master_seed",
            "replications", "executor", "started", "finished",
        )
        if key in manifest
    }  # fmt: skip
    provenance["brief_generated"] = now()
    if notes:
        provenance["notes"] = notes
    ensemble = manifest.get("ensemble") or None
    worlds = int(runs.loc[runs["member"] > 0, "member"].nunique()) if "member" in runs else 0
    seeds = int(manifest.get("replications") or 0) or int(runs["replication"].nunique())
    rows.insert(-2, ("Plausible worlds", f"{worlds} × {seeds} seeds" if worlds else "none"))
    if ensemble:
        provenance["ensemble"] = ensemble
    source = f" {Path(ensemble['path']).name}" if isinstance(ensemble, dict) else ""
    effects = _table_or(folder / "effects.csv", lambda: all_effects(runs))
    members = read_members(folder)
    return Brief(
        title=f"{manifest.get('experiment', folder.name)}: government push alone and reforms",
        question=question,
        settings=rows,
        headlines=_batch_headlines(runs, effects) if len(other_arms) <= FEW_ARMS else [],
        met=_met_table(runs) if len(other_arms) > FEW_ARMS else None,
        figures=figures,
        effects=effects,
        constraints=constraints,
        reforms=_reform_rows(reforms_used, timed),
        missions=missions,
        provenance=provenance,
        worlds=worlds_sentence(worlds, seeds, source),
        ranks=_table_or(folder / "ranks.csv", lambda: across_outcomes(rank_probabilities, runs)),
        drivers=_table_or(
            folder / "drivers.csv",
            lambda: (
                across_outcomes(partial(effect_drivers, members=members), runs)
                if members is not None
                else pd.DataFrame()
            ),
        ),
        scenario=next(iter(loaded.values()), None),
    )


def _table_or(path: Path, make: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """A table the batch wrote (so the brief shows its very numbers), or made from the runs."""
    return pd.read_csv(path) if path.exists() and path.stat().st_size else make()


def _met_table(runs: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """Runs that met the key milestone, 'k of n', one row per arm and a column per setting."""
    met = runs.assign(met=runs["milestone_met"].astype(str).str.lower().eq("true"))
    table = met.groupby(["arm", "mission", "point"], sort=False)["met"].agg(["sum", "count"])
    counts = {
        key: (int(k), int(n))
        for key, k, n in zip(table.index, table["sum"], table["count"], strict=True)
    }
    columns = list(dict.fromkeys(zip(runs["mission"], runs["point"], strict=True)))
    several = runs["point"].nunique() > 1
    headers = ["arm"] + [
        _mission_title(m).split(":")[0] + (f" (point {p})" if several else "") for m, p in columns
    ]
    arms = list(dict.fromkeys(runs["arm"]))
    arms.sort(key=lambda a: a != BASELINE)
    rows = []
    for arm in arms:
        cells = []
        for mission, point in columns:
            found = counts.get((arm, mission, point))
            cells.append(f"{found[0]} of {found[1]}" if found is not None else "")
        rows.append([arm_label(arm), *cells])
    return headers, rows


def _batch_headlines(runs: pd.DataFrame, effects: pd.DataFrame) -> list[str]:
    """Per mission and sweep point: k of n runs met the milestone, per arm.

    Across plausible worlds, each arm's effect in words too
    (:func:`~mobilise.views.headline.effect_in_words`).
    """
    lines = []
    for (mission, point), group in runs.groupby(["mission", "point"], sort=False):
        spec = MISSIONS.get(str(mission))
        key = spec.key_milestone if spec else None
        what = f"“{key.label}”, due {key.quarter}" if key else "the key milestone"
        counts = []
        for arm, rows in group.groupby("arm", sort=False):
            met = int(rows["milestone_met"].astype(str).str.lower().eq("true").sum())
            counts.append(f"{met} of {len(rows)} runs with {arm_label(str(arm))}")
        where = f" (sweep point {point})" if runs["point"].nunique() > 1 else ""
        lines.append(f"{_mission_title(str(mission))}{where}: milestone {what} met in "
                     + ", ".join(counts) + ".")  # fmt: skip
        rows = effects[(effects["mission"] == mission) & (effects["point"] == point)]
        rows = rows[rows["outcome"] == HEADLINE_OUTCOME] if "outcome" in rows else rows
        for row in rows.to_dict("records"):
            if spec is None or not row["members"] or "member" not in runs:
                continue
            if not (runs["member"] > 0).any():
                continue
            scale, quarter = metric_scale(spec), spec.key_milestone.quarter
            who = "all of them together" if row["arm"] == "together" else arm_label(row["arm"])
            lines.append(effect_in_words(pd.Series(row), scale, spec.metric, quarter, who))
    return lines


def _mission_title(mission: str) -> str:
    return MISSIONS[mission].title if mission in MISSIONS else f"Mission {mission}"


# --- shared rows ----------------------------------------------------------------------


def _constraint_rows(scenario: Scenario, preset: Scenario | None) -> list[dict[str, str]]:
    """Each structural constraint: value used, the preset's, unit and source (schema)."""
    rows = []
    for slider in constraint_sliders():
        value = getattr(scenario.constraints, slider.field)
        own = getattr(preset.constraints, slider.field) if preset is not None else value
        rows.append(
            {
                "constraint": slider.label,
                "value": f"{value:g}",
                "preset": f"{own:g}" + ("" if own == value else " (moved)"),
                "unit": slider.unit,
                "source": slider.source,
            }
        )
    return rows


def _reform_rows(
    reforms: dict[str, float], timing: dict[str, list[Timing]] | None = None
) -> list[dict[str, str]]:
    """Each reform: strength, when it is in force (each arm's timing), what, relaxes, source."""
    timing = timing or {}
    return [
        {
            "reform": pretty(name),
            "strength": f"{strength:g}",
            "in force": "; ".join(dict.fromkeys(describe_timing(t) for t in timing[name]))
            if name in timing
            else describe_timing(None),
            "what": REFORMS[name].description,
            "relaxes": REFORMS[name].relaxes,
            "source": REFORMS[name].source,
        }
        for name, strength in reforms.items()
    ]


# --- the page -------------------------------------------------------------------------


def render(brief: Brief) -> str:
    """The brief as one self-contained HTML page (inline SVG and style, no external files)."""
    return render_template("brief.html.j2", brief_context(brief))


Table = dict[str, Any]
"""A table for the template: ``headers``, ``rows`` (text cells) and ``numbers`` (the
indices of right-aligned columns)."""


def _table(headers: list[str], rows: list[list[str]], numbers: set[int] | None = None) -> Table:
    return {"headers": headers, "rows": [[str(c) for c in row] for row in rows],
            "numbers": numbers or set()}  # fmt: skip


def brief_context(brief: Brief) -> dict[str, Any]:
    """What the brief's template shows, as text and tables: a pure function of the brief.

    Only the figures are markup (inline SVG drawn by :mod:`mobilise.views.plots`); every
    other value is escaped by the template.
    """
    constraint_columns = (
        ["scenario"] if brief.constraints and "scenario" in brief.constraints[0] else []
    )
    constraint_columns += ["constraint", "value", "preset", "unit", "source"]
    reform_columns = ["reform", "strength", "what", "relaxes", "source"]
    met = None
    if brief.met is not None:
        headers, rows = brief.met
        met = _table(headers, rows, numbers=set(range(1, len(headers))))
    return {
        "title": brief.title,
        "question": brief.question,
        "headlines": brief.headlines,
        "met": met,
        "settings": _table(["setting", "value"], [list(row) for row in brief.settings]),
        "figures": [{"caption": c, "svg": Markup(svg)} for c, svg in brief.figures],
        "effects": _effects_table(brief.effects) if not brief.effects.empty else None,
        "worlds": brief.worlds,
        "seed_only": brief.worlds == SEED_ONLY,
        "across": _worlds_table(brief.effects, brief.worlds == SEED_ONLY)
        if not brief.effects.empty
        else None,
        "ranks": _ranks_table(brief.ranks),
        "settle": _settle_table(brief.drivers, brief.scenario),
        "constraints": _table(
            constraint_columns,
            [[r.get(c, "") for c in constraint_columns] for r in brief.constraints],
        ),
        "reforms": _table(reform_columns, [[r[c] for c in reform_columns] for r in brief.reforms])
        if brief.reforms
        else None,
        "missions": _table(
            ["mission", "key metric", "key milestone", "source"],
            [
                [
                    m.title,
                    m.metric,
                    f"{m.key_milestone.label} ({m.key_milestone.quarter})",
                    m.source,
                ]
                for m in brief.missions
            ],
        ),
        "provenance": json.dumps(brief.provenance, indent=2, default=str),
    }


def number(value: float | None, factor: float, signed: bool = False) -> str:
    """A number of a brief's table: a share in points (1 decimal), else 3 decimals or none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    scaled = value * factor
    decimals = 1 if factor == 100 else (0 if abs(scaled) >= 100 else 3)
    return f"{scaled:{'+' if signed else ''},.{decimals}f}"


def _order(row: Mapping[Any, Any]) -> tuple[Any, ...]:
    """Rows of one setting and arm together, the question's outcome (milestone) first."""
    outcome = row.get("outcome", HEADLINE_OUTCOME)
    rank = EFFECT_OUTCOMES.index(outcome) if outcome in EFFECT_OUTCOMES else 9
    return (row["mission"], row["point"], row["arm"], -rank)


def _setting(row: Mapping[Any, Any]) -> str:
    return f"{row['mission']}" + (f" (point {row['point']})" if row["point"] else "")


def _worlds_table(effects: pd.DataFrame, seed_only: bool) -> Table:
    """Each effect across plausible worlds: the full interval, the seeds' alone, P(> 0), share."""
    rows = []
    for row in sorted(effects.to_dict("records"), key=_order):
        scale = metric_scale(row["mission"])
        f = scale.factor
        share = row["parameter_share"]
        rows.append(
            [
                _setting(row),
                arm_label(row["arm"]),
                OUTCOME_LABELS.get(row["outcome"], row["outcome"]) + f", {scale.diff_unit}",
                number(row["mean_diff"], f, True),
                f"{number(row['low'], f, True)} to {number(row['high'], f, True)}",
                f"{number(row['seed_low'], f, True)} to {number(row['seed_high'], f, True)}",
                number(row["p_positive"], 100) + "%",
                "n/a" if _missing(share) or seed_only else f"{number(share, 100)}%",
                f"as written × {int(row['n'])}"
                if seed_only
                else f"{int(row['members'])} × {int(row['n']) // max(1, int(row['members']))}",
            ]
        )
    headers = [
        "mission",
        "arm",
        "effect on",
        "mean",
        "95% over worlds and seeds",
        "95% over seeds alone",
        "P(effect > 0)",
        "share of the variance from parameters",
        "worlds × seeds",
    ]
    return _table(headers, rows, numbers={3, 4, 5, 6, 7, 8})


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _ranks_table(ranks: pd.DataFrame) -> Table | None:
    """Which arm has the largest effect on the question's outcome, and how often."""
    if ranks.empty:
        return None
    chosen = ranks[ranks["outcome"] == HEADLINE_OUTCOME]
    if chosen.groupby(["mission", "point"]).size().max() < 2:
        return None  # one arm: it is always first
    rows = [
        [_setting(r), arm_label(r["arm"]), f"{number(r['p_first'], 100)}%",
         f"{r['mean_rank']:.2f}"]
        for r in chosen.sort_values(["mission", "point", "p_first"], ascending=[True, True, False])
        .to_dict("records")
    ]  # fmt: skip
    headers = ["mission", "arm", "P(largest effect)", "mean rank (1 = largest)"]
    return _table(headers, rows, numbers={2, 3})


def _settle_table(drivers: pd.DataFrame, scenario: Scenario | None) -> Table | None:
    """For each effect on the question's outcome, the inputs behind its spread across worlds."""
    if drivers.empty:
        return None
    chosen = drivers[drivers["outcome"] == HEADLINE_OUTCOME].sort_values(
        ["mission", "point", "arm", "rank"]
    )
    rows = [
        [
            _setting(r),
            arm_label(r["arm"]),
            str(int(r["rank"])),
            input_words(str(r["input"]), scenario),
            f"{r['rho']:+.2f}",
            f"{number(r['share'], 100)}%",
            "yes" if str(r["beyond_noise"]).lower() == "true" else "no (could be chance)",
        ]
        for r in chosen.to_dict("records")
    ]
    headers = ["mission", "arm", "rank", "uncertain input", "Spearman rho across worlds",
               "share of the spread it explains", "stands out from chance"]  # fmt: skip
    return _table(headers, rows, numbers={2, 4, 5})


def _effects_table(effects: pd.DataFrame) -> Table:
    rows: list[list[Any]] = []
    for row in effects.to_dict("records"):
        scale = metric_scale(row["mission"])
        f = scale.factor
        order = EFFECT_OUTCOMES.index(row["outcome"]) if row["outcome"] in EFFECT_OUTCOMES else 9
        rows.append(
            [
                (row["mission"], row["point"], row["arm"], -order),
                f"{row['mission']}" + (f" (point {row['point']})" if row["point"] else ""),
                arm_label(row["arm"]),
                OUTCOME_LABELS.get(row["outcome"], row["outcome"]) + f", {scale.level_unit}",
                str(row["n"]),
                number(row["baseline_mean"], f),
                number(row["arm_mean"], f),
                f"{number(row['mean_diff'], f, True)} [{number(row['t_low'], f, True)}, "
                f"{number(row['t_high'], f, True)}]",
                f"{number(row['p_met_baseline'], 100)}% → {number(row['p_met_arm'], 100)}%",
                f"{number(row['diff_met'], 100, True)} [{number(row['diff_met_low'], 100, True)}, "
                f"{number(row['diff_met_high'], 100, True)}]",
            ]
        )
    rows = [row[1:] for row in sorted(rows, key=lambda r: r[0])]  # the question's outcome first
    headers = [
        "mission",
        "arm",
        "outcome",
        "paired runs",
        "government push alone",
        "arm",
        "effect [95% t interval]",
        "milestone met",
        "difference in met, points [95%]",
    ]
    return _table(headers, rows, numbers={3, 4, 5, 6, 8})


def write_batch_brief(folder: Path) -> Path:
    """Write ``brief.html`` into a batch folder and return its path."""
    path = folder / "brief.html"
    path.write_text(render(batch_brief(folder)))
    return path
