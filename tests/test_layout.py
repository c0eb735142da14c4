"""The shape of the code base, as checks that fail when it drifts: one-way imports with no cycles, pure
transforms, public names declared, and bounded module and function sizes."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("flows", "transforms")
# compiled kernels are long by nature: one numba function per pass, kept in one file for the JIT cache
SIZE_EXEMPT = {"transforms/kernels.py", "transforms/dedup/kernels.py"}
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 80
# a transform computes; it does not orchestrate, touch the file system or read the environment
IMPURE_IN_TRANSFORMS = {
    "prefect",
    "flows",
    "os",
    "pathlib",
    "shutil",
    "glob",
    "subprocess",
    "sqlite3",
    "redis",
}


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            rel = path.relative_to(ROOT).with_suffix("")
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            out[".".join(parts)] = path
    return out


MODULES = _modules()


def _resolve(module: str, node: ast.ImportFrom) -> str | None:
    if node.level == 0:
        return node.module
    base = module.split(".")
    is_pkg = MODULES[module].name == "__init__.py"
    base = base if is_pkg else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str) -> list[tuple[str, list[str], int]]:
    """(imported module, names, line) for every import of the module, wherever it stands."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, [], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            if target and target != "__future__":
                found.append((target, [a.name for a in node.names], node.lineno))
    return found


def _project_edges(module: str) -> set[str]:
    edges = set()
    for target, names, _ in _imports(module):
        if target in MODULES:
            edges.add(target)
        edges |= {f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES}
    return edges - {module}


def _declared_all(module: str) -> list[str] | None:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            return list(ast.literal_eval(node.value))
    return None


def test_the_walk_finds_both_packages() -> None:
    assert "flows.pipeline" in MODULES and "transforms.clean" in MODULES


def test_transforms_never_import_flows() -> None:
    wrong = [
        (m, t, line)
        for m in MODULES
        if m.startswith("transforms")
        for t, _, line in _imports(m)
        if t.split(".")[0] in IMPURE_IN_TRANSFORMS
    ]
    assert wrong == []


def test_no_import_cycle() -> None:
    graph = {m: _project_edges(m) for m in MODULES}
    # a package's __init__ re-exporting its submodules is not a cycle with them
    for m in graph:
        graph[m] = {t for t in graph[m] if not (m.startswith(t + ".") and MODULES[t].name == "__init__.py")}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(m: str, stack: list[str]) -> None:
        state[m] = 1
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                cycles.append(stack[stack.index(t) :] + [t] if t in stack else [m, t])
            elif t not in state:
                visit(t, stack + [t])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert cycles == []


def test_every_imported_name_is_public_in_its_module() -> None:
    missing = []
    for m in MODULES:
        for target, names, line in _imports(m):
            if target not in MODULES or target == m:
                continue
            names = [n for n in names if f"{target}.{n}" not in MODULES]  # submodules of a package
            declared = _declared_all(target)
            if not names:
                continue
            if declared is None:
                missing.append(f"{target} has no __all__ (imported by {m}:{line})")
                continue
            missing += [f"{m}:{line} imports {target}.{n}" for n in names if n not in declared]
    assert missing == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_and_function_sizes(module: str) -> None:
    path = MODULES[module]
    rel = str(path.relative_to(ROOT))
    if rel in SIZE_EXEMPT:
        pytest.skip("compiled kernels")
    source = path.read_text(encoding="utf-8")
    assert source.count("\n") <= MAX_MODULE_LINES, f"{rel} has {source.count(chr(10))} lines"
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == [], rel
