"""The package's wiring: layer contracts (import-linter, as CI runs them), no import cycle anywhere, and no
import inside a function without its reason."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_layer_contracts_hold():
    """pyproject.toml [tool.importlinter]: each layer imports only the layers below it."""
    lint = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def _cycle(graph) -> list[str]:
    """One import cycle among the package's modules (imports inside functions included), or []."""
    modules = sorted(graph.modules)
    state, stack = {}, []

    def visit(module):
        state[module] = "open"
        stack.append(module)
        for other in sorted(graph.find_modules_directly_imported_by(module)):
            if state.get(other) == "open":
                return stack[stack.index(other):] + [other]
            if other not in state and (found := visit(other)):
                return found
        state[module] = "done"
        stack.pop()
        return []

    for module in modules:
        if module not in state and (found := visit(module)):
            return found
    return []


def test_no_import_cycle():
    grimp = pytest.importorskip("grimp")
    sys.setrecursionlimit(10_000)
    graph = grimp.build_graph("stilts_utils")
    cycle = _cycle(graph)
    assert not cycle, " -> ".join(cycle)


def test_no_task_name_outside_the_task_modules():
    """Task facts live in tasks/: no other module names a task (a new target needs no edit elsewhere)."""
    import re

    from stilts_utils.metrics import METRICS
    from stilts_utils.tasks import scored_tasks

    REGISTRY = scored_tasks()  # the study tasks and the score-only ones (Mewsli-X, LAReQA)
    # metric names (squad_v1, mlqa, ...) may coincide with task names; comparing with one never may
    names = "|".join(sorted(set(REGISTRY) - set(METRICS), key=len, reverse=True))
    every = "|".join(sorted(REGISTRY, key=len, reverse=True))
    pattern = re.compile(rf"""["'](?:{names})["']|(?:==|!=|\bin)\s*\(?["'](?:{every})["']""")
    found = []
    for path in sorted((ROOT / "stilts_utils").rglob("*.py")):
        rel = path.relative_to(ROOT / "stilts_utils").as_posix()
        if rel.startswith(("tasks/", "sandbox/")):  # the registry itself; the sandbox writes those tasks' files
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line.split("#")[0]):
                found.append(f"{rel}:{n}: {line.strip()}")
    assert not found, "\n".join(found)


def test_no_world_branch_outside_the_worlds_module():
    """Sandbox vs hub differences live behind study/worlds.py, not in `if study.world == ...` branches."""
    found = []
    for path in sorted((ROOT / "stilts_utils").rglob("*.py")):
        rel = path.relative_to(ROOT / "stilts_utils").as_posix()
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if "world ==" in line or "world !=" in line:
                found.append(f"{rel}:{n}: {line.strip()}")
    assert not found, "\n".join(found)


def _unexplained_lazy_imports(path: Path) -> list[int]:
    """Lines of the imports inside a function body with no `# lazy` comment on that line or the line above."""
    lines = path.read_text().splitlines()

    def reasoned(n: int) -> bool:  # 1-based line numbers
        return any("# lazy" in lines[i - 1] for i in (n, n - 1) if i >= 1)

    found = []

    def visit(node, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if in_function and isinstance(child, (ast.Import, ast.ImportFrom)) and not reasoned(child.lineno):
                found.append(child.lineno)
            visit(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    visit(ast.parse("\n".join(lines), str(path)), False)
    return found


def test_lazy_imports_say_why():
    """Imports sit at the top of their module unless importing late is what keeps validation, bad-input errors,
    `--dry-run` and `--version` fast (or keeps one command's libraries out of the others): each import inside a
    function says why on its line or the line above, `# lazy: <reason>`."""
    found = [f"stilts_utils/{path.relative_to(ROOT / 'stilts_utils').as_posix()}:{n}"
             for path in sorted((ROOT / "stilts_utils").rglob("*.py")) for n in _unexplained_lazy_imports(path)]
    assert not found, "imports inside a function without a `# lazy: <reason>` comment (move it to the top, or " \
                      "say why it must wait):\n" + "\n".join(found)


def test_the_lazy_import_check_can_fail(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import os\n\n\ndef f():\n    import json\n    # lazy: torch (1 s)\n    import torch\n"
                      "    from a import b  # lazy: as above\n    from c import d\n\n\nclass K:\n"
                      "    def m(self):\n        import yaml\n")
    assert _unexplained_lazy_imports(sample) == [5, 14]
