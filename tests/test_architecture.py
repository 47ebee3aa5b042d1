"""The package's wiring: layer contracts (import-linter, as CI runs them) and no import cycle anywhere."""
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
