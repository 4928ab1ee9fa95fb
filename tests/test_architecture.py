"""The house reads top-down: no import cycles, and imports point down the layers.

Every import counts: those inside functions, and those under ``if TYPE_CHECKING:``
(an annotation that names a class of a higher floor couples the floors as much as a
call does).
"""

import ast
from pathlib import Path

from .conftest import ROOT

PACKAGE = ROOT / "src" / "mobilise"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Modules of the package that ``path`` imports, at any depth, TYPE_CHECKING included."""
    tree = ast.parse(path.read_text())
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rsplit(".", 1)[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("mobilise"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            if target.startswith("mobilise"):
                found.add(target)
                found.update(f"{target}.{a.name}" for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    edges = {}
    for name, path in modules.items():
        targets = {t for t in imports_of(path) if t in modules and t != name}
        edges[name] = targets
    return edges


PENDING_CYCLES: dict[frozenset[str], str] = {}
"""Cycles that only ``TYPE_CHECKING`` imports close, each being undone by the work named.

Remove an entry with that work: the test then holds the house to zero cycles."""


def test_no_import_cycles():
    edges = graph()
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                walk(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            walk(node)
    cycles = [c for c in cycles if frozenset(c) not in PENDING_CYCLES]
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


LAYERS = ("vocabulary", "schema", "model", "running", "analysis", "views", "cli")
"""Floors of the house, ground first: a module imports only its own floor and those below."""


FACADE = ("mobilise", "mobilise.__main__")
"""The package's faces above every floor: the public API and ``python -m mobilise``."""


def layer_of(module: str) -> int | None:
    """The floor of ``mobilise.<floor>[.…]``; None for the facade."""
    return None if module in FACADE else LAYERS.index(module.split(".")[1])


def test_every_module_lives_on_a_floor():
    homeless = [m for m in graph() if m not in FACADE and m.split(".")[1] not in LAYERS]
    assert not homeless, f"modules outside the layers {LAYERS}: {homeless}"


def test_imports_point_down_the_layers():
    upward = []
    for module, targets in graph().items():
        floor = layer_of(module)
        if floor is None:
            continue  # the facade re-exports the public API from every floor
        for target in targets:
            target_floor = layer_of(target)
            if target_floor is None:
                upward.append(f"{module} imports the facade '{target}'")
            elif target_floor > floor:
                upward.append(f"{module} ({LAYERS[floor]}) -> {target} ({LAYERS[target_floor]})")
    assert not upward, "imports pointing up:\n" + "\n".join(sorted(upward))


def test_the_layer_check_sees_cross_floor_edges():
    """The check is not vacuous: the graph does record cross-floor edges."""
    edges = graph()
    assert "mobilise.schema.scenario" in edges["mobilise.model.model"]
    assert any(layer_of(t) == LAYERS.index("model") for t in edges["mobilise.running.simulate"])


EXERCISED_ELSEWHERE = {
    # commands are tested beside what they compute, through the real command
    "cli/assumptions": (
        "analysis/test_sensitivity",
        "analysis/test_calibration",
        "analysis/test_patterns",
    ),
    "cli/robust": ("analysis/test_robust",),
    # executors are tested through the batches they run (sequential, pool, Dask)
    "running/executors/base": ("running/test_batch",),
    "running/executors/local": ("running/test_batch", "test_extension"),
    "running/executors/dask": ("running/test_batch",),
    # the app's components are tested in a real browser, against the library
    **{
        f"views/app/{name}": ("views/app/test_pages", "views/app/test_room")
        for name in (
            "config",
            "controls",
            "facilitator",
            "group",
            "results",
            "server",
            "state",
            "step",
        )
    },
    "views/plots_assumptions": ("analysis/test_sensitivity", "analysis/test_discovery"),
    "views/plots_robustness": ("analysis/test_robust",),
}
"""Modules without a test module of their own, and the test modules that exercise them."""


def test_tests_mirror_the_package():
    """Each module has ``tests/<floor>/test_<module>.py``, or is listed with what tests it."""
    tests = ROOT / "tests"
    unmirrored = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).with_suffix("")
        if relative.name in ("__init__", "__main__"):
            continue
        mirror = tests / relative.parent / f"test_{relative.name}.py"
        elsewhere = EXERCISED_ELSEWHERE.get(relative.as_posix())
        if elsewhere:
            missing = [t for t in elsewhere if not (tests / f"{t}.py").exists()]
            assert not missing, f"{relative}: listed test modules do not exist: {missing}"
            assert not mirror.exists(), f"{relative} has {mirror.name}: drop it from the list"
        elif not mirror.exists():
            unmirrored.append(f"{relative} (expected {mirror.relative_to(ROOT)})")
    assert not unmirrored, "modules without tests:\n" + "\n".join(unmirrored)


def test_the_app_sits_on_top_of_the_views():
    """Only the app command imports the app: figures, briefs and headlines never need Solara."""
    edges = graph()
    into_app = sorted(
        module
        for module, targets in edges.items()
        if not module.startswith("mobilise.views.app")
        and any(t.startswith("mobilise.views.app") for t in targets)
    )
    assert into_app == ["mobilise.cli.workshop"]
