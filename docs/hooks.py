"""MkDocs hooks: the generated parts of the site, made from their declarations at build time.

A page asks for a generated part with a marker on a line of its own:

- ``<!-- fields: mobilise.schema.scenario.Scenario -->``: the model's fields (name, type,
  default, allowed values, description), then every model nested in it, from the pydantic
  declarations;
- ``<!-- outcomes: step -->`` / ``<!-- outcomes: run -->``: output columns, from
  ``mobilise.model.outcomes``;
- ``<!-- cli -->``: every command's ``--help``, from the click group;
- ``<!-- missions -->``, ``<!-- reforms -->``, ``<!-- reform_sizes -->``,
  ``<!-- criteria -->``: the catalogues;
- ``<!-- data: stylised_facts.csv -->``: a shipped data file as a table.

An unknown marker fails the build. Tutorials (``docs/tutorials/*.py``, cells in the
"percent" format of Jupytext and VS Code) are run once per build, each in an empty
folder, and rendered as pages with what each cell printed; a tutorial that raises fails
the build, so ``mkdocs build --strict`` in the test suite runs every tutorial.
"""

from __future__ import annotations

import contextlib
import csv
import inspect
import io
import os
import re
import tempfile
import types
import typing
from collections.abc import Callable, Iterator
from importlib import import_module
from pathlib import Path
from typing import Any

import annotated_types
import click
import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from pydantic import BaseModel
from pydantic.fields import FieldInfo

MARKER = re.compile(r"^<!-- (\w+)(?:: (.+?))? -->$", re.MULTILINE)
TUTORIALS = "tutorials"


# --- file formats from the pydantic declarations --------------------------------------


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _anchor(model: type[BaseModel]) -> str:
    return model.__name__.lower()


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    """The pydantic models an annotation may hold, at any depth, in order."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for argument in typing.get_args(annotation):
        yield from _models_in(argument)


def _type(annotation: Any) -> str:
    """An annotation in the words of a YAML file, models linked to their tables."""
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is type(None):
        return "null"
    if origin is typing.Annotated:
        tagged = [m.discriminator for m in arguments[1:] if getattr(m, "discriminator", None)]
        if tagged:  # a tagged union of models: name each by its tag
            return _tagged(arguments[0], tagged[0])
        return _type(arguments[0])
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type(a) for a in arguments)
    if origin is typing.Literal:
        return ("one of " if len(arguments) > 1 else "") + ", ".join(f"`{a}`" for a in arguments)
    if origin in (list, tuple):
        return f"list of {_type(arguments[0])}" if arguments else "list"
    if origin is dict:
        return f"mapping of {_type(arguments[0])} to {_type(arguments[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{_anchor(annotation)})"
    words = {int: "integer", float: "number", str: "text", bool: "true or false", Any: "any"}
    return words.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _tagged(union: Any, tag: str) -> str:
    """``fixed``, ``uniform``, ...: a tagged union's members by tag, linked to their tables."""
    members = []
    for model in typing.get_args(union):
        (value,) = typing.get_args(model.model_fields[tag].annotation)
        members.append(f"[`{value}`](#{_anchor(model)})")
    return f"a mapping with `{tag}`: " + ", ".join(members)


def _text(docstring: str | None) -> str:
    """A docstring's first paragraph as Markdown (reStructuredText ``code`` as `code`)."""
    first = (docstring or "").strip().split("\n\n")[0]
    return re.sub(r":\w+:`", "`", " ".join(first.split()).replace("``", "`"))


def _fields_in_order(model: type[BaseModel]) -> list[tuple[str, FieldInfo]]:
    """A model's fields, those it declares itself before those it inherits."""
    own = inspect.get_annotations(model)
    items = list(model.model_fields.items())
    return [i for i in items if i[0] in own] + [i for i in items if i[0] not in own]


def _yaml(value: Any) -> str:
    if isinstance(value, BaseModel):
        tags = {k: getattr(value, k) for k in ("dist",) if k in type(value).model_fields}
        value = tags | value.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    if isinstance(value, tuple) and value and not isinstance(value[0], int | float | str):
        value = [getattr(v, "name", str(v)) for v in value]  # e.g. actor type records
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000, sort_keys=False).strip()
    return f"`{text.removesuffix('...').strip()}`"


def _default(field: FieldInfo, documented: set[type[BaseModel]]) -> str:
    if field.is_required():
        return "required"
    factory = field.default_factory
    value = field.default if factory is None else factory()  # type: ignore[call-arg]
    if isinstance(value, BaseModel) and type(value) in documented:
        with contextlib.suppress(Exception):  # a model that has a default of its own
            if value == type(value)():
                return f"[its defaults](#{_anchor(type(value))})"
    return _yaml(value)


BOUNDS: tuple[tuple[type, str, str], ...] = (
    (annotated_types.Ge, "ge", "≥"),
    (annotated_types.Gt, "gt", ">"),
    (annotated_types.Le, "le", "≤"),
    (annotated_types.Lt, "lt", "<"),
    (annotated_types.MinLen, "min_length", "length ≥"),
    (annotated_types.MaxLen, "max_length", "length ≤"),
)


def _allowed(field: FieldInfo) -> str:
    found = []
    for item in field.metadata:
        for kind, attribute, sign in BOUNDS:
            if isinstance(item, kind):
                found.append(f"{sign} {getattr(item, attribute):g}")
    return ", ".join(found)


def _sections(root: type[BaseModel]) -> list[tuple[type[BaseModel], list[str]]]:
    """The root and every model nested in it (breadth first), with the paths it sits at."""
    order: list[type[BaseModel]] = [root]
    paths: dict[type[BaseModel], list[str]] = {root: []}
    queue = [(root, "")]
    while queue:
        model, prefix = queue.pop(0)
        for name, field in model.model_fields.items():
            key = field.alias or name
            origin = typing.get_origin(field.annotation)
            where = f"{prefix}{key}"
            if origin is dict or (origin in (typing.Union, types.UnionType) and any(
                typing.get_origin(a) is dict for a in typing.get_args(field.annotation)
            )):  # fmt: skip
                where += ".<name>"
            elif origin is list:
                where += "[]"
            for nested in _models_in(field.annotation):
                if nested not in paths:
                    order.append(nested)
                    paths[nested] = []
                    queue.append((nested, f"{where}."))
                if len(paths[nested]) < 4:
                    paths[nested].append(where)
    return [(model, paths[model]) for model in order]


def fields(target: str) -> str:
    """Tables of a pydantic model's fields and of each model nested in it."""
    module, _, name = target.rpartition(".")
    root = getattr(import_module(module), name)
    sections = _sections(root)
    documented = {model for model, _ in sections}
    lines: list[str] = []
    for model, paths in sections:
        lines += [f"### {model.__name__} {{#{_anchor(model)}}}", ""]
        if paths:
            lines += ["At " + ", ".join(f"`{p}`" for p in paths) + ".", ""]
        lines += [_text(model.__doc__), ""]
        lines += ["| field | type | default | allowed | description |", "|---|---|---|---|---|"]
        for key, field in _fields_in_order(model):
            tag = field.discriminator
            row = [
                f"`{field.alias or key}`",
                _tagged(field.annotation, tag) if isinstance(tag, str) else _type(field.annotation),
                _default(field, documented),
                _allowed(field),
                _text(field.description),
            ]
            lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
        lines.append("")
    return "\n".join(lines)


# --- outputs, commands, catalogues, data ---------------------------------------------


def outcomes(which: str) -> str:
    """The output columns of a run's time series (``step``) or of ``runs.csv`` (``run``)."""
    from mobilise.model import outcomes as declared

    chosen = {"step": declared.STEP_OUTCOMES, "run": declared.RUN_OUTCOMES}[which]
    lines = ["| column | what | unit | meaning |", "|---|---|---|---|"]
    for outcome in chosen:
        column = f"{outcome.name}_<type>" if outcome.per_type else outcome.name
        meaning = outcome.description + ("; one column per actor type" if outcome.per_type else "")
        if getattr(outcome, "per_reform", False):
            column, meaning = f"{outcome.name}_<reform>", meaning + "; one column per reform"
        if getattr(outcome, "effect", False):  # run outcomes only
            meaning += "; reported as each reform's paired effect in `effects.csv`"
        row = [f"`{column}`", outcome.label, outcome.unit, meaning]
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    return "\n".join(lines)


def cli(_: str | None = None) -> str:
    """Each command's summary and its ``--help``, as click prints it."""
    from mobilise.cli import cli as group

    top = click.Context(group, info_name="mobilise", terminal_width=100, max_content_width=100)
    lines = ["| command | what it does |", "|---|---|"]
    commands = sorted(group.commands.items())
    for name, command in commands:
        help_text = command.get_short_help_str(limit=120)
        lines.append(f"| [`mobilise {name}`](#mobilise-{name}) | {_cell(help_text)} |")
    lines.append("")
    for name, command in commands:
        context = click.Context(command, info_name=name, parent=top, terminal_width=100)
        lines += [f"### mobilise {name} {{#mobilise-{name}}}", "", "```text"]
        lines += [command.get_help(context), "```", ""]
    return "\n".join(lines)


def missions(_: str | None = None) -> str:
    """The mission catalogue."""
    from mobilise.schema.missions import MISSIONS

    lines = ["| mission | kind | metric | baseline → target | source |", "|---|---|---|---|---|"]
    for m in MISSIONS.values():
        goal = f"{m.baseline:g} → {m.target:g} by {m.key_milestone.quarter}"
        row = [f"`{m.name}`: {m.title}", m.kind, f"{m.metric} ({m.unit})", goal, m.source]
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    return "\n".join(lines)


def reforms(_: str | None = None) -> str:
    """The reform catalogue, in the order reforms compose."""
    from mobilise.schema.reforms import REFORMS

    lines = ["| reform | what it does | relaxes | widens reach of | source |"]
    lines.append("|---|---|---|---|---|")
    for r in REFORMS.values():
        row = [f"`{r.name}`", r.description, r.relaxes, ", ".join(r.widens), r.source]
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    return "\n".join(lines)


def reform_sizes(_: str | None = None) -> str:
    """Each reform's sizes at full strength: default, bounds and meaning."""
    from mobilise.schema.reforms import REFORMS

    lines = ["| reform | size | default | allowed | meaning |", "|---|---|---|---|---|"]
    for r in REFORMS.values():
        for name, field in r.sizes.model_fields.items():
            row = [f"`{r.name}`", f"`{name}`", f"{field.default:g}", _allowed(field)]
            lines.append(
                "| " + " | ".join(_cell(c) for c in [*row, _text(field.description)]) + " |"
            )
    return "\n".join(lines)


def criteria(_: str | None = None) -> str:
    """The robustness criteria."""
    from mobilise.schema.criteria import CRITERIA

    lines = ["| column | criterion | better | definition | source |", "|---|---|---|---|---|"]
    for c in CRITERIA:
        better = "higher" if c.higher_is_better else "lower"
        row = [f"`{c.name}`", c.label, better, c.definition, c.source]
        lines.append("| " + " | ".join(_cell(x) for x in row) + " |")
    return "\n".join(lines)


def data(name: str) -> str:
    """A shipped CSV file as a table."""
    from mobilise.schema.shipped import shipped_data

    with shipped_data(name).open(newline="") as handle:
        rows = list(csv.reader(handle))
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows[1:]]
    return "\n".join(lines)


GENERATORS: dict[str, Callable[[str], str]] = {
    "fields": fields,
    "outcomes": outcomes,
    "cli": cli,
    "missions": missions,
    "reforms": reforms,
    "reform_sizes": reform_sizes,
    "criteria": criteria,
    "data": data,
}


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Replace each marker with what it generates; an unknown one fails the build."""

    def generate(match: re.Match[str]) -> str:
        kind, argument = match.group(1), match.group(2)
        if kind not in GENERATORS:
            raise PluginError(f"{page.file.src_uri}: unknown marker '{match.group(0)}'")
        try:
            return GENERATORS[kind](argument)
        except Exception as exc:  # a marker naming something that is not there
            raise PluginError(f"{page.file.src_uri}: {match.group(0)}: {exc!r}") from exc

    return MARKER.sub(generate, markdown)


# --- tutorials --------------------------------------------------------------------------


def _cells(source: str) -> list[tuple[str, str]]:
    """``(kind, text)`` cells of a percent-format script: ``markdown`` or ``code``."""
    cells: list[tuple[str, list[str]]] = []
    for line in source.splitlines():
        if line.startswith("# %%"):
            cells.append(("markdown" if "[markdown]" in line else "code", []))
        elif cells:
            cells[-1][1].append(line)
    return [(kind, "\n".join(lines).strip("\n")) for kind, lines in cells]


def _markdown(text: str) -> str:
    return "\n".join(line.removeprefix("#").removeprefix(" ") for line in text.splitlines())


def tutorial(path: Path) -> str:
    """The tutorial as a page: its text, its code and what each cell printed when run."""
    namespace: dict[str, Any] = {"__name__": "__main__", "__file__": str(path)}
    parts: list[str] = []
    here = Path.cwd()
    with tempfile.TemporaryDirectory(prefix=f"{path.stem}-") as folder:
        os.chdir(folder)
        try:
            for number, (kind, text) in enumerate(_cells(path.read_text()), start=1):
                if kind == "markdown":
                    parts.append(_markdown(text))
                    continue
                printed = io.StringIO()
                try:
                    with contextlib.redirect_stdout(printed):
                        exec(compile(text, f"{path}, cell {number}", "exec"), namespace)
                except Exception as exc:
                    raise PluginError(f"{path.name}: cell {number} raised {exc!r}") from exc
                parts.append(f"```python\n{text}\n```")
                if printed.getvalue().strip():
                    parts.append(f"```text\n{printed.getvalue().rstrip()}\n```")
        finally:
            os.chdir(here)
    parts.append(f"[Download the script]({path.name}) and run it with `python {path.name}`.")
    return "\n\n".join(parts) + "\n"


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add a page for each tutorial script, made by running it."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    for path in sorted((Path(config.docs_dir) / TUTORIALS).glob("*.py")):
        uri = f"{TUTORIALS}/{path.stem}.md"
        files.append(File.generated(config, uri, content=tutorial(path)))
    return files
