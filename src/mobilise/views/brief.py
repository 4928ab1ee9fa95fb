"""A printable brief of a comparison: one self-contained HTML page to hand to a board.

Question, settings, headline, fan chart, effects with intervals, the assumptions and
their sources, and what made the numbers (version, commit, seeds, hashes). Figures are
inline SVG and the style sheet is in the page, so it opens and prints with no network
and no other file. Made from the app (a download) or from a batch folder
(``mobilise report DIR --html``) by the same :func:`render`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from mobilise.analysis.report import all_effects, read_batch
from mobilise.model.outcomes import EFFECT_OUTCOMES
from mobilise.running.design import in_memory, replication_seeds
from mobilise.running.export import environment, now
from mobilise.schema.levers import BASELINE
from mobilise.schema.missions import MISSIONS, Mission
from mobilise.schema.reforms import REFORMS
from mobilise.schema.scenario import Scenario, file_hash, load_scenario
from mobilise.views.figure_style import arm_label, inline_svg, metric_scale, pretty
from mobilise.views.headline import headline
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
    line = headline(comparison, mission)
    reforms = ", ".join(f"{pretty(r)} ({s:g})" for r, s in settings.reforms.items())
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
    )
    preset = load_scenario(preset_file) if preset_file is not None else None
    rows = [
        ("Group", group or "(not named)"),
        ("Scenario preset", settings.preset),
        ("Mission", f"{mission.name}: {mission.title}"),
        ("Quarters", f"{scenario.quarters} from {scenario.start}"),
        ("Reforms switched on", reforms or "none (government push alone only)"),
        ("Runs per arm", f"{settings.replications}, paired by seed"),
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
    }
    series = comparison.timeseries
    fan = fan_svg or inline_svg(fan_chart(series, str(series["mission"].iloc[0])), "fan chart")
    return Brief(
        title=f"{mission.title}: government push alone and enabling reforms",
        question=question,
        settings=rows,
        headlines=[s for s in (line.sentence(), line.effect, line.caution) if s],
        figures=[(FAN_CAPTION, fan)],
        effects=comparison.effects(),
        constraints=_constraint_rows(scenario, preset),
        reforms=_reform_rows(settings.reforms),
        missions=[mission],
        provenance=provenance,
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
    return Brief(
        title=f"{manifest.get('experiment', folder.name)}: government push alone and reforms",
        question=question,
        settings=rows,
        headlines=_batch_headlines(runs) if len(other_arms) <= FEW_ARMS else [],
        met=_met_table(runs) if len(other_arms) > FEW_ARMS else None,
        figures=figures,
        effects=all_effects(runs),
        constraints=constraints,
        reforms=_reform_rows(reforms_used),
        missions=missions,
        provenance=provenance,
    )


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


def _batch_headlines(runs: pd.DataFrame) -> list[str]:
    """One sentence per mission and sweep point: k of n runs met the milestone, per arm."""
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


def _reform_rows(reforms: dict[str, float]) -> list[dict[str, str]]:
    return [
        {
            "reform": pretty(name),
            "strength": f"{strength:g}",
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


def _effects_table(effects: pd.DataFrame) -> Table:
    rows: list[list[Any]] = []
    for row in effects.to_dict("records"):
        scale = metric_scale(row["mission"])
        f = scale.factor

        def number(value: float | None, signed: bool = False, factor: float = f) -> str:
            if value is None or (isinstance(value, float) and math.isnan(value)):
                return "n/a"
            scaled = value * factor
            decimals = 1 if factor == 100 else (0 if abs(scaled) >= 100 else 3)
            return f"{scaled:{'+' if signed else ''},.{decimals}f}"

        order = EFFECT_OUTCOMES.index(row["outcome"]) if row["outcome"] in EFFECT_OUTCOMES else 9
        rows.append(
            [
                (row["mission"], row["point"], row["arm"], -order),
                f"{row['mission']}" + (f" (point {row['point']})" if row["point"] else ""),
                arm_label(row["arm"]),
                OUTCOME_LABELS.get(row["outcome"], row["outcome"]) + f", {scale.level_unit}",
                str(row["n"]),
                number(row["baseline_mean"]),
                number(row["arm_mean"]),
                f"{number(row['mean_diff'], True)} [{number(row['t_low'], True)}, "
                f"{number(row['t_high'], True)}]",
                f"{number(row['p_met_baseline'], factor=100)}% → "
                f"{number(row['p_met_arm'], factor=100)}%",
                f"{number(row['diff_met'], True, 100)} [{number(row['diff_met_low'], True, 100)}, "
                f"{number(row['diff_met_high'], True, 100)}]",
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
