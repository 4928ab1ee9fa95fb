"""Reading what a modeller writes: bytes, then YAML, then a validated object, strictly.

Every file the CLI reads goes through here, so every kind gets the same guards:

- a size limit (:data:`MAX_FILE_BYTES`), read before parsing; binary and non-UTF-8
  files are refused in one line;
- YAML read by the rules of YAML 1.2's core schema, not PyYAML's YAML 1.1 ones: only
  ``true``/``false`` are booleans (``yes``, ``on`` stay text), numbers are decimal
  (``010`` is ten, ``1:30`` is text) and dates stay text;
- duplicate keys are refused (YAML says keys are unique; PyYAML keeps the last);
  keys are text;
- nesting deeper than :data:`MAX_DEPTH` and aliases expanding past
  :data:`MAX_NODES` are refused before anything recurses over them;
- validation is pydantic's strict mode (:func:`validated`): a quoted ``"600"`` is not
  a number and ``true`` is not 1.

Every problem is a :class:`ScenarioError` whose message is one line: the file, where,
what was expected and what was found.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from mobilise.schema.distributions import DISTRIBUTION_FAMILIES
from mobilise.vocabulary import ScenarioError

MAX_FILE_BYTES = 2 * 1024 * 1024
"""The largest input file read (2 MiB): the shipped scenarios are under 10 KiB, and an
explicit list of values for 100,000 agents fits."""

MAX_DEPTH = 64
"""The deepest nesting of mappings and lists (a scenario needs about 8)."""

MAX_NODES = 1_000_000
"""The most values a file may hold once its aliases are expanded (no 'billion laughs')."""


class _Resolver(BaseResolver):
    """YAML 1.2 core schema: which plain scalars are null, booleans, integers and floats."""


_CORE = (
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^[-+]?[0-9]+$", list("-+0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+.0123456789"),
    ),
    ("tag:yaml.org,2002:merge", r"^<<$", ["<"]),
)
for _tag, _pattern, _first in _CORE:
    _Resolver.add_implicit_resolver(_tag, re.compile(_pattern), _first)


class _Constructor(SafeConstructor):
    """Safe construction, with unique text keys and YAML 1.2 numbers."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                raise _RefusedError(f"line {line}: a key must be text, found {key!r}")
            if key in seen:
                first = seen[key]
                raise _RefusedError(f"line {line}: key '{key}' appears twice (also line {first})")
            seen[key] = line
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: ScalarNode) -> int:
        return int(str(self.construct_scalar(node)), 10)

    def construct_yaml_float(self, node: ScalarNode) -> float:
        text = str(self.construct_scalar(node)).lower()
        special = {".inf": "inf", "+.inf": "inf", "-.inf": "-inf", ".nan": "nan"}
        return float(special.get(text, text))


# (types-PyYAML types add_constructor for the shipped loaders only)
_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)  # type: ignore[type-var]
_Constructor.add_constructor("tag:yaml.org,2002:float", _Constructor.construct_yaml_float)  # type: ignore[type-var]


class _Loader(Reader, Scanner, Parser, Composer, _Constructor, _Resolver):
    """The pure-Python loader (the C one cannot be limited), with the rules above."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        _Constructor.__init__(self)
        _Resolver.__init__(self)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise _RefusedError(f"line {mark.line + 1}: nested deeper than {MAX_DEPTH} levels")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _RefusedError(Exception):
    """A rule of this module broken while loading; the message says where."""


def _expanded_size(node: Node, memo: dict[int, int], visiting: set[int]) -> int:
    """How many values ``node`` stands for once every alias is expanded."""
    key = id(node)
    if key in memo:
        return memo[key]
    if key in visiting:
        raise _RefusedError(f"line {node.start_mark.line + 1}: an alias refers to itself")
    visiting.add(key)
    size = 1
    if isinstance(node, SequenceNode):
        size += sum(_expanded_size(child, memo, visiting) for child in node.value)
    elif isinstance(node, MappingNode):
        for k, v in node.value:
            size += _expanded_size(k, memo, visiting) + _expanded_size(v, memo, visiting)
            if size > MAX_NODES:
                break
    visiting.discard(key)
    if size > MAX_NODES:
        raise _RefusedError(f"holds more than {MAX_NODES:,} values once its aliases are expanded")
    memo[key] = size
    return size


def read_text(path: str | Path, kind: str = "YAML") -> str:
    """A file's text: at most :data:`MAX_FILE_BYTES`, UTF-8, not binary; one line if not.

    ``kind`` names what the file should hold (``YAML``, ``CSV``, ``JSON``), for the message.
    """
    path = Path(path)
    try:
        if path.is_dir():
            raise ScenarioError(f"{path}: is a folder; expected a {kind} file")
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read file ({exc.strerror})") from None
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError(
            f"{path}: larger than {MAX_FILE_BYTES // 1024 // 1024} MiB; expected a {kind} file"
        )
    if b"\0" in data:
        raise ScenarioError(f"{path}: a binary file (it holds NUL bytes); expected {kind} text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            f"expected {kind} text in UTF-8"
        ) from None


def parse_yaml(text: str, source: str) -> Any:
    """The data of one YAML document, by the rules in the module docstring."""
    loader = None
    try:
        loader = _Loader(text)  # it checks the characters at once
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node, {}, set())
        return loader.construct_document(node)
    except _RefusedError as exc:
        raise ScenarioError(f"{source}: {exc}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{source}: {_yaml_problem(exc)}") from None
    except (ValueError, TypeError, OverflowError) as exc:  # an explicit tag that cannot hold
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ScenarioError(f"{source}: YAML value cannot be read: {first}") from None
    finally:
        if loader is not None:
            loader.dispose()


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"{where}YAML syntax error: {problem}"


def read_yaml(path: str | Path) -> Any:
    """Parse a YAML file strictly, turning any read, size or syntax problem into one line."""
    return parse_yaml(read_text(path), str(path))


def validated[M: BaseModel](model: type[M], data: Any, source: str, what: str) -> M:
    """``data`` from a file validated as ``model`` in pydantic's strict mode, or one line.

    ``what`` names the fields a mapping was expected to hold ("scenario", "experiment").
    """
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "an empty file"
        raise ScenarioError(f"{source}: expected a mapping of {what} fields, found {kind}")
    try:
        return model.model_validate(data, strict=True)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(source, exc)) from None


def format_validation_error(source: str, error: ValidationError) -> str:
    """One line naming the file, the first failing field, what was expected and found."""
    errors = error.errors(include_url=False)
    # In a union (a mission by name or inline), report the branch the user meant:
    # the error that is not "expected a plain string/number".
    specific = [e for e in errors if not e["loc"] or str(e["loc"][-1]) not in _SCALAR_BRANCHES]
    first = (specific or errors)[0]
    loc = _format_loc(first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    found = first.get("input")
    where = f"{source}: {loc}" if loc else source
    if first["type"] in {"missing"}:
        return f"{where}: required field is missing"
    if "unknown key" in message or isinstance(found, dict | list):
        return f"{where}: {message}"
    return f"{where}: {message} (found {_short(found)})"


_SCALAR_BRANCHES = {"str", "int", "float", "bool"}


def _short(value: Any) -> str:
    """``repr`` of a found value, cut to one readable line."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _format_loc(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item in DISTRIBUTION_FAMILIES:
            continue  # the discriminator tag pydantic adds; the user never wrote it
        elif str(item).startswith("function-") or str(item)[:1].isupper():
            continue  # validator wrappers and union branch names (e.g. ``Mission``)
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


def file_hash(path: str | Path) -> str:
    """SHA-256 of a file's bytes, for manifests."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
