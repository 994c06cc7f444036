"""Count import cycles between the project's apps (used for the layering issue; run from the repository root).

Prints every app-to-app import edge, the pairs of apps that import each other (directly or through other apps),
and the strongly connected groups of apps. Migrations are left out: they name other apps only in dependencies.
"""

from __future__ import annotations

import itertools
import sys

import grimp

APPS = [
    "core",
    "accounts",
    "audit",
    "tenants",
    "sharing",
    "notifications",
    "risks",
    "objectives",
    "controls",
    "incidents",
    "reviews",
    "policies",
    "training",
    "backups",
]


def main() -> int:
    sys.path.insert(0, ".")
    # Imports under `if TYPE_CHECKING:` only name types (as in the import-linter contracts).
    graph = grimp.build_graph(*APPS, cache_dir=None, exclude_type_checking_imports=True)
    edges: dict[str, set[str]] = {app: set() for app in APPS}
    for importer in graph.modules:
        if ".migrations" in importer:
            continue
        source = importer.split(".")[0]
        for imported in graph.find_modules_directly_imported_by(importer):
            target = imported.split(".")[0]
            if target != source and target in edges:
                edges[source].add(target)
    for app in APPS:
        print(f"{app} -> {', '.join(sorted(edges[app])) or '-'}")

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            node = todo.pop()
            for nxt in edges[node]:
                if nxt == goal:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return False

    direct = [(a, b) for a, b in itertools.combinations(APPS, 2) if b in edges[a] and a in edges[b]]
    indirect = [(a, b) for a, b in itertools.combinations(APPS, 2) if reaches(a, b) and reaches(b, a)]
    groups: list[set[str]] = []
    for app in APPS:
        group = {app} | {other for other in APPS if other != app and reaches(app, other) and reaches(other, app)}
        if len(group) > 1 and group not in groups:
            groups.append(group)
    print(f"\napp pairs importing each other directly: {len(direct)}")
    for a, b in direct:
        print(f"  {a} <-> {b}")
    print(f"app pairs on a cycle (direct or through other apps): {len(indirect)}")
    print(f"strongly connected groups of apps: {len(groups)}")
    for group in groups:
        print(f"  {sorted(group)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
