"""The layout rules of the README's architecture section, checked on the source itself: no two
modules import each other, the subsidy depends on the programme and never the reverse, and the mock
FranceConnect can be removed without touching anything else."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("backend", "core", "conseillers", "mandats", "idp", "franceconnect_mock")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[_module_name(path)] = path
    return modules


MODULES = _project_modules()


def _resolve(name: str) -> str | None:
    """The project module an import names: the longest dotted prefix that is one."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in MODULES:
            return candidate
        parts.pop()
    return None


def _imports(module: str) -> set[str]:
    """Every project module `module` imports, at the top or inside a function."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {target for name in names if (target := _resolve(name)) not in (None, module)}
    return found


GRAPH = {module: _imports(module) for module in MODULES}


def test_no_two_modules_import_each_other():
    mutual = sorted(
        f"{a} ↔ {b}" for a, targets in GRAPH.items() for b in targets if a < b and a in GRAPH[b]
    )
    assert mutual == []


def _importers_of(prefix: str, *, outside: str) -> list[str]:
    return sorted(
        f"{module} → {target}"
        for module, targets in GRAPH.items()
        if not (module == outside or module.startswith(outside + "."))
        for target in targets
        if target == prefix or target.startswith(prefix + ".")
    )


def test_the_programme_never_imports_its_subsidy():
    programme = [
        edge
        for edge in _importers_of("conseillers.subsidy", outside="conseillers.subsidy")
        if edge.startswith("conseillers")
    ]
    assert programme == []


@pytest.mark.parametrize("package", ["franceconnect_mock"])
def test_the_mock_provider_is_imported_by_nobody(package):
    assert _importers_of(package, outside=package) == []


def test_the_graph_sees_imports_inside_functions():
    # The checks above are only as good as the graph: a known lazy import must be in it.
    assert GRAPH and all(isinstance(targets, set) for targets in GRAPH.values())
    assert "core.models" in GRAPH["core.views"]
