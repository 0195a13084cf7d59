"""The apps of ``openimi/`` form layers: an app imports only from apps in lower layers.

Every non-test, non-migration module is parsed with ``ast`` (module-level imports and any
remaining function-level ones alike), the imports between apps are collected into a graph, and
the test fails on a cycle between apps (naming it) and on any import that goes up the layers.
See docs/architecture.md, "Layout".
"""

import ast
from collections import defaultdict
from pathlib import Path

import openimi

PACKAGE = Path(openimi.__file__).parent

# app -> layer; an app may import from apps with a lower number only (its own app aside).
# notifications sit low, beside core: they need only lib (the user model through
# get_user_model()), and accounts and the directory send mail through them. questionnaires and
# translation need only core and accounts; exchanges build on all of them. A ForeignKey given as a
# string ("directory.Authority") is no import and is not constrained here.
LAYERS = {
    "lib": 0,
    "core": 1,
    "notifications": 1,
    "accounts": 2,
    "directory": 3,
    "questionnaires": 4,
    "translation": 4,
    "exchanges": 5,
    "alerts": 5,
    "privacy": 6,
    "operator": 6,
    "statistics": 6,
    "api": 7,
    "web": 7,
}

# Leaf modules every app may import: they import nothing of another app (``audit`` imports only
# ``privacy.models``), so they form a bottom layer of their own.
BOTTOM = (
    "openimi.privacy.audit",
    "openimi.privacy.models",
    "openimi.privacy.personal_data",
    "openimi.api.schemas",
    "openimi.web.admin_site",
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = module.split(".")
        base = base[: len(base) - node.level + (1 if is_package else 0)]
        target = ".".join([*base, node.module] if node.module else base)
    else:
        target = node.module or ""
    # ``from openimi.privacy import audit`` imports the module openimi.privacy.audit.
    return [target] + [f"{target}.{alias.name}" for alias in node.names]


def _is_bottom(name: str) -> bool:
    return any(name == leaf or name.startswith(leaf + ".") for leaf in BOTTOM)


def app_imports() -> dict[tuple[str, str], set[str]]:
    """(importing app, imported app) -> {"path:line", ...} for every import between two apps."""
    edges: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if len(relative.parts) < 2 or "tests" in relative.parts or "migrations" in relative.parts:
            continue
        app = relative.parts[0]
        module = _module_name(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for name in _imported(node, module, path.name == "__init__.py"):
                parts = name.split(".")
                if parts[0] != "openimi" or len(parts) < 2 or _is_bottom(name):
                    continue
                target = parts[1]
                if target != app and (PACKAGE / target).is_dir():
                    edges[(app, target)].add(f"openimi/{relative}:{node.lineno}")
    return edges


def _components(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one app (Tarjan): each holds a cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(components)


def _shortest_cycle(graph: dict[str, set[str]], start: str) -> list[str]:
    """The shortest path start -> ... -> start (breadth first)."""
    paths = [[start, nxt] for nxt in sorted(graph.get(start, ()))]
    seen: set[str] = set()
    while paths:
        path = paths.pop(0)
        if path[-1] == start:
            return path
        if path[-1] in seen:
            continue
        seen.add(path[-1])
        paths.extend([*path, nxt] for nxt in sorted(graph.get(path[-1], ())))
    return []


def test_every_app_has_a_layer():
    apps = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists() and p.name != "tests"}
    assert apps == set(LAYERS)


def test_the_bottom_modules_import_no_app():
    """What makes them importable from everywhere: they import only each other (and libraries)."""
    for leaf in BOTTOM:
        path = PACKAGE.parent.joinpath(*leaf.split(".")).with_suffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for name in _imported(node, leaf, False):
                    assert not name.startswith("openimi.") or _is_bottom(name), f"{leaf} imports {name}"


def test_no_cycle_between_apps():
    edges = app_imports()
    graph: dict[str, set[str]] = defaultdict(set)
    for app, target in edges:
        graph[app].add(target)
    found = []
    for component in _components(graph):
        members = set(component)
        inner = {a: {b for b in graph[a] if b in members} for a in component}
        cycles = {" -> ".join(_shortest_cycle(inner, app)) for app in component}
        found.append(
            "cycle between "
            + ", ".join(component)
            + ":\n  "
            + "\n  ".join(sorted(cycles))
            + "\n  through "
            + "; ".join(
                f"{a} -> {b} at {', '.join(sorted(places))}"
                for (a, b), places in sorted(edges.items())
                if a in members and b in members
            )
        )
    assert not found, "\n".join(found)


def test_no_import_goes_up_the_layers():
    upward = {
        f"{app} (layer {LAYERS[app]}) imports {target} (layer {LAYERS[target]}) at {', '.join(sorted(places))}"
        for (app, target), places in app_imports().items()
        if LAYERS[target] >= LAYERS[app]
    }
    assert not upward, "\n".join(sorted(upward))
