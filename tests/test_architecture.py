"""The shape of the code: layers import downwards only, SQL lives in the store, no import cycles.

Read from the source with `ast` (module-level imports; imports inside a function, such as the
app factory's blueprints, are deliberate late bindings), so a wrong import fails here before it
spreads.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("shared", "kiosk", "counter", "display", "booking", "admin")
FRONT_ENDS = ("kiosk", "counter", "display", "booking", "admin")
# Lower number = lower layer. A module may import its own layer and any lower one.
LAYERS = {
    "shared.i18n": 0, "shared.clock": 0, "shared.passwords": 0, "shared.redaction": 0, "shared.durable": 0,
    "shared.domain": 1,
    "shared.store": 2, "shared.office": 2, "shared.config_files": 2,
    "shared.services": 3,
    "shared.views": 4, "shared.tokens": 4, "shared.qr": 4, "shared.ticket_print": 4, "shared.report_pdf": 4, "shared.simulation": 4,
    "shared.web": 5, "shared.instance": 5,
    "shared.server": 6, "shared.cli": 6,
}
PURE = ("shared.domain", "shared.store", "shared.services", "shared.views")
WEB_LIBRARIES = ("flask", "flask_babel", "flask_login", "flask_wtf", "flask_limiter", "flask_socketio",
                 "socketio", "engineio", "werkzeug")
SQL_LIBRARIES = ("sqlite3", "sqlite_utils")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for package in PACKAGES for path in (REPO / package).rglob("*.py")}


def imports_of(name: str) -> set[str]:
    """Modules imported at module level: absolute names, relative ones resolved."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in MODULES else base)
    return found


def own(imported: str) -> str | None:
    """The product module an import names, or None for a library."""
    while imported and imported not in MODULES:
        imported = imported.rpartition(".")[0]
    return imported or None


def layer_of(name: str) -> int | None:
    for prefix, layer in sorted(LAYERS.items(), key=lambda item: -len(item[0])):
        if name == prefix or name.startswith(prefix + "."):
            return layer
    return None


def test_every_shared_module_has_a_layer():
    unplaced = [name for name in MODULES if name.startswith("shared.") and layer_of(name) is None]
    assert not unplaced, f"add these to LAYERS (and docs/ARCHITECTURE.md): {unplaced}"


@pytest.mark.parametrize("name", sorted(name for name in MODULES if name.startswith("shared.")))
def test_shared_imports_point_downwards(name):
    upward = [(imported, layer_of(imported)) for imported in filter(None, map(own, imports_of(name)))
              if imported.startswith("shared.") and layer_of(imported) > layer_of(name)]
    assert not upward, f"{name} (layer {layer_of(name)}) imports a higher layer: {upward}"
    assert not [imported for imported in map(own, imports_of(name)) if imported and
                imported.split(".")[0] in FRONT_ENDS], f"{name} imports a front end"


@pytest.mark.parametrize("name", sorted(name for name in MODULES if name.startswith(PURE)))
def test_domain_store_services_and_views_know_nothing_of_the_web(name):
    libraries = {imported.split(".")[0] for imported in imports_of(name)}
    assert not libraries & set(WEB_LIBRARIES), f"{name} imports {libraries & set(WEB_LIBRARIES)}"


def test_only_the_store_speaks_sql():
    speaking = sorted(name for name in MODULES if not name.startswith("shared.store")
                      and {imported.split(".")[0] for imported in imports_of(name)} & set(SQL_LIBRARIES))
    assert speaking == [], f"SQL outside shared/store: {speaking}"
    executing = sorted(name for name, path in MODULES.items() if not name.startswith("shared.store")
                       and ".execute(" in path.read_text(encoding="utf-8"))
    assert executing == [], f"statements run outside shared/store: {executing}"


@pytest.mark.parametrize("name", sorted(name for name in MODULES if name.split(".")[0] in FRONT_ENDS))
def test_front_ends_use_services_and_views_never_the_store(name):
    reaching = [imported for imported in filter(None, map(own, imports_of(name)))
                if imported.startswith(("shared.store", "shared.domain.events"))]
    assert not reaching, f"{name} reaches past services and views: {reaching}"
    source = MODULES[name].read_text(encoding="utf-8")
    for table in ("tickets", "counters", "accounts", "settings", "events", "screening", "idempotency"):
        assert f"db().{table}." not in source and f"db.{table}." not in source, f"{name} uses the store's {table}"


def test_no_class_in_shared_is_longer_than_300_lines():
    long = [(name, node.name, node.end_lineno - node.lineno + 1)
            for name, path in MODULES.items() if name.startswith("shared.")
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 > 300]
    assert long == []


def test_no_import_cycles():
    graph = {name: {target for target in map(own, imports_of(name)) if target and target != name}
             for name in MODULES}
    visiting, done, cycles = set(), set(), []

    def visit(name: str, trail: list[str]) -> None:
        if name in done:
            return
        if name in visiting:
            cycles.append(trail[trail.index(name):] + [name])
            return
        visiting.add(name)
        for target in sorted(graph[name]):
            visit(target, trail + [name])
        visiting.discard(name)
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
    assert cycles == []
