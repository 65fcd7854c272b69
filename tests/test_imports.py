"""The package's import graph: which part may import which, and no cycles. Parsed from the
source (every import, at module level or inside a function), so an import added anywhere is
checked; imports under `if TYPE_CHECKING:` are annotations only and are left out."""

import ast
import subprocess
import sys
from pathlib import Path

import ganforge

PACKAGE = Path(ganforge.__file__).resolve().parent

# Each part of the package, and the parts it may import. Lower layers know nothing of higher
# ones: metrics never import training, theory never imports experiments, viz draws what it is
# given. A new module in an existing part needs no change here.
ALLOWED: dict[str, set[str]] = {
    "errors": set(), "version": set(), "files": set(), "seeding": set(), "presets": set(),
    "durations": set(), "provenance": {"version"},
    "device": {"errors"}, "memory": {"errors"}, "run_lock": {"errors"},
    "settings": {"errors"},
    "objectives": set(),
    "models": {"errors"},
    "config": {"errors", "settings", "models", "objectives", "device", "memory", "data",
               "provenance"},
    "data": {"errors", "files", "memory"},
    "viz": {"files", "data", "objectives"},
    "checkpoint": {"errors", "files"},
    "batchnorm": {"errors"},  # takes a Sampler and a RunConfig, named for annotations only
    "sampler": {"batchnorm", "checkpoint", "config", "data", "device", "errors", "memory",
                "models"},
    "metrics": {"errors", "files", "data"},
    "rejection": {"batchnorm", "checkpoint", "data", "device", "errors", "memory", "models",
                  "objectives", "sampler"},
    "evaluation": {"checkpoint", "data", "errors", "metrics", "rejection", "sampler", "version"},
    "temperature": {"batchnorm", "checkpoint", "config", "data", "errors", "evaluation", "files",
                    "metrics", "sampler", "version"},
    "analysis": {"data", "metrics", "sampler"},
    "report": {"analysis", "checkpoint", "data", "durations", "errors", "files", "metrics",
               "objectives", "provenance", "sampler", "viz"},
    "training": {"checkpoint", "config", "data", "device", "durations", "errors", "files",
                 "models", "objectives", "provenance", "report", "run_lock", "sampler", "seeding",
                 "viz", "version"},
    "theory": {"config", "data", "errors", "files", "models", "objectives", "training", "viz"},
    "experiments": {"config", "data", "files", "metrics", "training", "viz"},
    "generator": {"sampler"},  # the deprecated name
    "cli": {"config", "errors", "settings", "version", "data", "training", "sampler", "files",
            "memory",
            "viz", "evaluation", "metrics", "objectives", "theory", "experiments", "analysis",
            "report", "rejection", "temperature", "batchnorm"},
    "__main__": {"cli"},
    "__init__": {"config", "errors", "version", "data", "evaluation", "sampler", "training",
                 "analysis", "report", "rejection", "temperature"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(tree: ast.AST, modules: set[str]) -> set[str]:
    """The ganforge modules a parsed file imports (a `from package import submodule` counts
    as importing the submodule)."""
    found: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if _is_type_checking_block(node):
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("ganforge")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ganforge"):
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in modules else node.module)
        stack.extend(ast.iter_child_nodes(node))
    return found


def import_graph() -> dict[str, set[str]]:
    files = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    modules = set(files)
    return {name: _imports(ast.parse(path.read_text(encoding="utf-8")), modules) - {name}
            for name, path in files.items()}


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a list of nodes, or None (depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_each_part_imports_only_what_it_may():
    graph = import_graph()
    unlisted = {_part(m) for m in graph} - set(ALLOWED)
    assert not unlisted, f"parts missing from ALLOWED: {unlisted}"
    violations = sorted(f"{module} -> {target}" for module, targets in graph.items()
                        for target in targets
                        if _part(target) != _part(module)
                        and _part(target) not in ALLOWED[_part(module)])
    assert not violations, violations


def test_the_package_has_no_import_cycles():
    graph = import_graph()
    assert _find_cycle(graph) is None, " -> ".join(_find_cycle(graph) or [])
    parts: dict[str, set[str]] = {}
    for module, targets in graph.items():
        parts.setdefault(_part(module), set()).update(
            _part(t) for t in targets if _part(t) != _part(module))
    assert _find_cycle(parts) is None, " -> ".join(_find_cycle(parts) or [])


def test_the_cycle_finder_finds_a_cycle():
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None


def test_metrics_import_nothing_from_training():
    code = ("import sys, ganforge.metrics, ganforge.metrics.registry; "
            "bad = [m for m in sys.modules if m.startswith('ganforge.training')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_the_public_api_is_exported():
    for name in ("train", "evaluate", "load_generator", "Sampler", "RunConfig", "Config",
                 "load_config", "apply_overrides", "build_dataset", "validate"):
        assert hasattr(ganforge, name) and name in ganforge.__all__
