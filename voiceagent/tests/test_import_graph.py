"""The project's import graph has no cycle but the documented services ↔ tasks one.

Built with grimp from every import statement, function-level ones included (a
deferred import hides a cycle from Python, not from the design), except those under
``if TYPE_CHECKING:``. Tests and migrations are left out. The one allowed cycle is
``<app>.services ↔ <app>.tasks`` (or an app's other service module, ``*_services``):
services enqueue tasks after commit, and tasks (the Celery entry points) call services
(docs/architecture.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

import grimp
import pytest

pytestmark = pytest.mark.embedded_pass_only  # no database or service: run once

PACKAGES = (
    "accounts",
    "agents",
    "appointments",
    "calls",
    "contacts",
    "dashboard",
    "notifications",
    "outbound",
    "phone_numbers",
    "voiceagent",
)
ROOT = Path(__file__).resolve().parents[2]


def _in_graph(module: str) -> bool:
    parts = module.split(".")
    return not ({"tests", "migrations"} & set(parts)) and parts[-1] != "conftest"


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iteratively (no recursion limit to worry about)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    components.append(component)
    return components


def _a_cycle(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """A shortest cycle through the component's first module that is not a service or a
    task (a cycle through those alone may be the allowed pair), by breadth-first search."""
    others = {m for m in component if not (_is_service(m) or m.endswith(".tasks"))}
    start = min(others or component)
    paths = {successor: [start, successor] for successor in graph[start] & component}
    queue = list(paths)
    while queue:
        node = queue.pop(0)
        if node == start:
            return paths[node]
        for successor in sorted(graph[node] & component):
            if successor not in paths:
                paths[successor] = [*paths[node], successor]
                queue.append(successor)
    return sorted(component)  # pragma: no cover (a component always holds a cycle)


def _is_service(module: str) -> bool:
    name = module.rsplit(".", 1)[-1]
    return name == "services" or name.endswith("_services")


def _allowed(component: set[str]) -> bool:
    """One app's tasks module and its service modules (``services``, ``*_services``)."""
    apps = {module.split(".")[0] for module in component}
    if len(apps) != 1:
        return False
    (app,) = apps
    return f"{app}.tasks" in component and all(
        module == f"{app}.tasks" or (module.count(".") == 1 and _is_service(module))
        for module in component
    )


def test_no_import_cycle_outside_services_and_tasks() -> None:
    if str(ROOT) not in sys.path:  # grimp finds packages on the path
        sys.path.insert(0, str(ROOT))
    imports = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True, cache_dir=None)
    modules = {module for module in imports.modules if _in_graph(module)}
    graph = {
        module: {m for m in imports.find_modules_directly_imported_by(module) if m in modules}
        for module in modules
    }
    cycles = [
        " → ".join(_a_cycle(graph, component))
        + f"\n  ({len(component)} modules: "
        + ", ".join(sorted(component))
        + ")"
        for component in _strongly_connected(graph)
        if len(component) > 1 and not _allowed(component)
    ]
    assert not cycles, "Import cycles:\n" + "\n".join(cycles)


def test_the_check_sees_a_cycle() -> None:
    graph = {"a.x": {"a.y"}, "a.y": {"b.z"}, "b.z": {"a.x"}, "a.services": {"a.tasks"}}
    graph["a.tasks"] = {"a.services"}
    components = [c for c in _strongly_connected(graph) if len(c) > 1]
    assert sorted(map(sorted, components)) == [["a.services", "a.tasks"], ["a.x", "a.y", "b.z"]]
    assert [_allowed(c) for c in sorted(components, key=min)] == [True, False]
    assert _a_cycle(graph, {"a.x", "a.y", "b.z"}) == ["a.x", "a.y", "b.z", "a.x"]
