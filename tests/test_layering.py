"""Layering of the engine and the primitives, read from the source (ast), not from a running process.

* primitives import the engine's model and display list; the engine reaches the primitives through
  one registry module (symbolreel.nodes) and nowhere else;
* no import cycle runs through both engine/ and primitives/ (nor any cycle at all among them);
* an import inside a function exists only to keep an import light, and says so ("deferred").
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = "symbolreel.nodes"
FOLDERS = {"engine": "symbolreel", "primitives": "symbolreel.primitives"}


def _module_name(path: Path) -> str:
    for folder, package in FOLDERS.items():
        base = ROOT / folder
        if base in path.parents:
            parts = list(path.relative_to(base).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            return ".".join([package, *parts])
    raise ValueError(path)


def _sources() -> dict:
    out = {}
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "__pycache__" not in path.parts:
                out[_module_name(path)] = path
    return out


SOURCES = _sources()


def _is_package(name: str) -> bool:
    return SOURCES[name].name == "__init__.py"


def _resolve(current: str, node) -> list:
    """Modules (of SOURCES, or outside ones by name) an import statement loads."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if node.level:
        base = current if _is_package(current) else current.rpartition(".")[0]
        for _ in range(node.level - 1):
            base = base.rpartition(".")[0]
        target = f"{base}.{node.module}" if node.module else base
    else:
        target = node.module
    subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in SOURCES]
    # `from package import submodule` loads the submodule (its package is already loading when it is ours)
    return subs if len(subs) == len(node.names) else [target, *subs]


def _imports() -> dict:
    """module -> [(imported module, line, inside a function, source line and the one above)]."""
    out = {}
    for name, path in SOURCES.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines), str(path))
        found = []

        def visit(node, in_function):
            for child in ast.iter_child_nodes(node):
                inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                if isinstance(child, (ast.Import, ast.ImportFrom)):
                    if isinstance(child, ast.ImportFrom) and child.module == "__future__":
                        continue
                    text = "\n".join(lines[max(child.lineno - 2, 0):child.end_lineno])
                    for target in _resolve(name, child):
                        found.append((target, child.lineno, in_function, text))
                visit(child, inner)

        visit(tree, False)
        out[name] = found
    return out


IMPORTS = _imports()


def _ours(target: str) -> str | None:
    """The module of SOURCES that importing ``target`` runs last (None for outside modules)."""
    found = target
    while found and found not in SOURCES:
        found = found.rpartition(".")[0]
    if found == "symbolreel" and target != "symbolreel":
        return None  # symbolreel.animators, symbolreel.fonts...: other top-level folders
    return found or None


def _graph() -> dict:
    graph = {name: set() for name in SOURCES}
    for name, found in IMPORTS.items():
        for target, *_ in found:
            mod = _ours(target)
            if mod is None or mod == name:
                continue
            graph[name].add(mod)
            parent = mod.rpartition(".")[0]
            while parent:  # importing a.b.c runs a/__init__ and a/b/__init__ first (unless we are inside them)
                if parent in SOURCES and not (name == parent or name.startswith(parent + ".")):
                    graph[name].add(parent)
                parent = parent.rpartition(".")[0]
    return graph


def _cycles(graph: dict) -> list:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


def _is_primitive(name: str) -> bool:
    return name == "symbolreel.primitives" or name.startswith("symbolreel.primitives.")


def test_the_sources_were_found():
    assert {"symbolreel.nodes", "symbolreel.node", "symbolreel.scene", "symbolreel.primitives.text.typeset",
            "symbolreel.primitives.road.camera", "symbolreel.backends.skia.draw"} <= set(SOURCES)
    assert any(_is_primitive(t) for t, *_ in IMPORTS[REGISTRY])


def test_only_the_registry_imports_primitives():
    bad = [f"{SOURCES[name].relative_to(ROOT)}:{line} imports {target}"
           for name, found in IMPORTS.items() if not _is_primitive(name) and name != REGISTRY
           for target, line, _, _ in found if _is_primitive(target)]
    assert not bad, "engine modules other than symbolreel/nodes.py import primitives:\n" + "\n".join(bad)


# what primitives may use of the engine: the model, the display list and their helpers (no backend,
# no compile/raster/api/sinks)
ALLOWED_FOR_PRIMITIVES = {f"symbolreel.{m}" for m in (
    "node", "fields", "errors", "limits", "scene", "colors", "ir", "records",   # model and display list
    "annotate", "pathops", "jit", "fonts_access", "lane_formats")}             # geometry, kernels, fonts, labels


def test_primitives_use_only_the_model_and_display_list():
    bad = [f"{SOURCES[name].relative_to(ROOT)}:{line} imports {target}"
           for name, found in IMPORTS.items() if _is_primitive(name)
           for target, line, _, _ in found
           if (mod := _ours(target)) not in (None, "symbolreel")  # the package root itself loads nothing
           and not _is_primitive(mod) and mod not in ALLOWED_FOR_PRIMITIVES]
    assert not bad, "primitives import engine modules beyond the model and the IR:\n" + "\n".join(bad)


def test_primitives_never_import_the_registry():
    bad = [f"{SOURCES[name].relative_to(ROOT)}:{line}" for name, found in IMPORTS.items() if _is_primitive(name)
           for target, line, _, _ in found if _ours(target) == REGISTRY]
    assert not bad, "primitives import the registry (a cycle): " + ", ".join(bad)


def test_no_import_cycles_in_engine_and_primitives():
    cycles = _cycles(_graph())
    across = [c for c in cycles if any(map(_is_primitive, c)) and not all(map(_is_primitive, c))]
    assert not across, f"engine <-> primitives import cycles: {across}"
    assert not cycles, f"import cycles: {cycles}"


def test_function_level_imports_say_why():
    bad = [f"{SOURCES[name].relative_to(ROOT)}:{line}: {text.splitlines()[-1].strip()}"
           for name, found in IMPORTS.items() for _, line, inside, text in found
           if inside and "deferred" not in text]
    assert not bad, ("imports inside functions must be deferred on purpose (light imports) and say so "
                     "with a '# deferred: ...' comment; move the others to the top:\n" + "\n".join(bad))


def test_the_checks_see_a_violation():
    # the graph and the checks themselves: a made-up cycle through the registry is found
    graph = _graph()
    graph["symbolreel.primitives.text.node"] = graph["symbolreel.primitives.text.node"] | {REGISTRY}
    assert any(REGISTRY in c and "symbolreel.primitives.text.node" in c for c in _cycles(graph))
