"""The layout of generator/ stays true: subpackages in one declared order, no import cycles.

Imports are read with ast (every import, also those inside functions and TYPE_CHECKING blocks):
a lazy import is still a dependency. The order is generator/_layers.py; tools/restructure.py made
the layout. The checks are run on the real package and, to show they can fail, on small trees
written for the purpose.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from generator import _layers

PACKAGE = Path(__file__).resolve().parents[1] / "generator"


def read_imports(package: Path) -> dict[str, set[str]]:
    """module (dotted, from the package's name) -> the package's modules it imports."""
    top = package.name
    files = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        own_package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = own_package.split(".")
                    target = ".".join(base[:len(base) - (node.level - 1)] + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                for alias in node.names:
                    deps.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in files else target)
            elif isinstance(node, ast.Import):
                deps |= {alias.name for alias in node.names}
        graph[name] = {d for d in deps if (d == top or d.startswith(top + ".")) and d != name}
    return graph


def layer_of(module: str, layers: tuple[str, ...]) -> tuple[int, str]:
    """(rank, label): the root is below every layer, cli/__main__ above; a stray top-level module is -2."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in _layers.ROOT:
        return -1, "root"
    if len(parts) == 2 and parts[1] in _layers.TOP:
        return len(layers), parts[1]
    if parts[1] in layers:
        return layers.index(parts[1]), parts[1]
    return -2, "(no layer)"


def upward_imports(graph: dict[str, set[str]], layers: tuple[str, ...]) -> list[str]:
    problems = []
    for module, deps in sorted(graph.items()):
        rank, label = layer_of(module, layers)
        if rank == -2:
            problems.append(f"{module}: not in a subpackage of generator/_layers.py LAYERS")
            continue
        for dep in sorted(deps):
            dep_rank, dep_label = layer_of(dep, layers)
            if dep_rank > rank:
                problems.append(f"{module} ({label}) imports {dep} ({dep_label}), an upper layer")
    return problems


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for dep in sorted(graph.get(node, ())):
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def subpackage_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    def sub(module: str) -> str:
        parts = module.split(".")
        return ".".join(parts[:2])
    out: dict[str, set[str]] = {}
    for module, deps in graph.items():
        out.setdefault(sub(module), set()).update(sub(d) for d in deps if sub(d) != sub(module))
    return out


GRAPH = read_imports(PACKAGE)
LAYERS = _layers.names()


def test_no_module_imports_an_upper_layer() -> None:
    assert upward_imports(GRAPH, LAYERS) == []


def test_no_import_cycle_between_modules() -> None:
    assert cycles(GRAPH) == []


def test_no_import_cycle_between_subpackages() -> None:
    assert cycles(subpackage_graph(GRAPH)) == []


def test_every_layer_is_a_subpackage_with_a_docstring_that_states_its_imports() -> None:
    for name in LAYERS:
        init = PACKAGE / name / "__init__.py"
        assert init.is_file(), f"generator/{name}/ is declared in _layers.py but missing"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc, f"generator/{name}/__init__.py has no docstring"
        assert "(generator/_layers.py). May import:" in doc, f"generator/{name}/__init__.py does not say what it may import"


def test_every_subpackage_is_a_declared_layer() -> None:
    folders = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert folders == set(LAYERS)


def test_the_public_entry_points_still_resolve() -> None:
    import tomllib
    from importlib import import_module

    project = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    targets = list(project["project"]["scripts"].values())
    targets += [t for group in project["project"]["entry-points"].values() for t in group.values()]
    for target in targets:
        module, _, attr = target.partition(":")
        assert callable(getattr(import_module(module), attr)), target
    declared = set(project["tool"]["setuptools"]["packages"])
    assert declared == {"generator"} | {f"generator.{p.parent.name}" for p in PACKAGE.glob("*/__init__.py")}


# --- the checks can fail ---------------------------------------------------------------------

def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    package = tmp_path / "generator"
    for rel, text in files.items():
        path = package / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return package


@pytest.mark.parametrize("files, expected", [
    ({"__init__.py": "", "source/__init__.py": "", "source/a.py": "def f():\n    from ..compile import b\n",
      "compile/__init__.py": "", "compile/b.py": "from ..source import a\n"},
     ["generator.source.a (source) imports generator.compile.b (compile), an upper layer"]),
    ({"__init__.py": "", "source/__init__.py": "", "source/a.py": "from .. import cli\n", "cli.py": ""},
     ["generator.source.a (source) imports generator.cli (cli), an upper layer"]),
    ({"__init__.py": "", "stray.py": "x = 1\n"}, ["generator.stray: not in a subpackage of generator/_layers.py LAYERS"]),
    ({"__init__.py": "", "source/__init__.py": "", "compile/__init__.py": "", "compile/b.py": "import generator.source\n"}, []),
])
def test_an_upward_import_is_found(tmp_path: Path, files: dict[str, str], expected: list[str]) -> None:
    assert upward_imports(read_imports(_tree(tmp_path, files)), ("source", "compile")) == expected


def test_a_cycle_is_found_even_through_a_lazy_import(tmp_path: Path) -> None:
    package = _tree(tmp_path, {"__init__.py": "", "build/__init__.py": "", "build/a.py": "from . import b\n",
                               "build/b.py": "if True:\n    from .c import x\n",
                               "build/c.py": "def f():\n    from .a import y\n"})
    graph = read_imports(package)
    assert cycles(graph) == [["generator.build.a", "generator.build.b", "generator.build.c"]]
    assert cycles(subpackage_graph(graph)) == []


def test_a_cycle_between_subpackages_is_found(tmp_path: Path) -> None:
    package = _tree(tmp_path, {"__init__.py": "", "lint/__init__.py": "", "lint/a.py": "from ..history import b\n",
                               "history/__init__.py": "", "history/b.py": "from ..lint.c import z\n",
                               "lint/c.py": "z = 1\n"})
    graph = read_imports(package)
    assert cycles(graph) == []
    assert cycles(subpackage_graph(graph)) == [["generator.history", "generator.lint"]]
