"""Layers point down only (docs/architecture.md, "Layers"): a module may import from its own
layer and the layers below it, never from one above. Every module of the three packages must be
placed in a layer, so a new module is placed on purpose. The imports are read with `ast`
(including those inside functions, which run just the same); a name imported from a package is
resolved to the module that defines it, and importing `a.b.c` also runs `a` and `a.b`."""
from __future__ import annotations

import ast
import importlib
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("monitor", "crawler", "alerts")

#: bottom to top; "x" is the module x, "x.*" is x and everything below it; the longest match wins
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("monitor", "monitor.finding", "monitor.categories", "monitor.csvsafe", "monitor.exitcodes", "monitor.progress",
              "monitor.results", "monitor.scraped", "monitor.store", "monitor.runs", "monitor.lock", "monitor.charset", "monitor.outcomes",
              "monitor.months")),
    ("report library", ("monitor.reports.*",)),
    ("definitions", ("monitor.sentences", "monitor.kinds", "monitor.config", "monitor.workdays")),
    ("store", ("monitor.observations", "monitor.item_observations", "monitor.report_store", "monitor.findings", "monitor.messages",
               "monitor.output", "monitor.stats")),
    ("crawler", ("crawler.*",)),
    ("checks", ("monitor.checks.*", "monitor.reports.checks")),
    ("operations", ("monitor.evaluation", "monitor.probes", "monitor.report_inputs", "monitor.link_inputs", "monitor.crawl",
                    "monitor.cli_context")),
    ("alerts", ("alerts.*",)),
    ("app", ("monitor.daily", "monitor.jobs", "monitor.service", "monitor.cli", "monitor.discover_cli", "monitor.reports.cli",
             "monitor.web.*", "monitor.demo.*")),
]


def layer_of(module: str) -> int | None:
    best, found = -1, None
    for index, (_, patterns) in enumerate(LAYERS):
        for pattern in patterns:
            base = pattern.removesuffix(".*")
            if module == base or (pattern.endswith(".*") and module.startswith(base + ".")):
                if len(base) > best:
                    best, found = len(base), index
    return found


def project_modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            out[name] = path
    return out


def _ours(name: str) -> bool:
    return name.split(".")[0] in PACKAGES


def _defining_module(package: str, name: str) -> str:
    """`from package import name`: the submodule `name`, or the module that defines `name`."""
    try:
        return importlib.import_module(f"{package}.{name}").__name__
    except ModuleNotFoundError:
        pass
    value = getattr(importlib.import_module(package), name)
    if isinstance(value, ModuleType):
        return value.__name__
    defined = getattr(value, "__module__", None)
    return defined if isinstance(defined, str) and _ours(defined) else package


def imported_modules(path: Path) -> set[str]:
    """The project modules `path` imports, with the packages each import runs on the way."""
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(a.name for a in node.names if _ours(a.name))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and _ours(node.module):
            targets.update(_defining_module(node.module, a.name) for a in node.names)
    with_parents = set(targets)
    for target in targets:
        parts = target.split(".")
        with_parents.update(".".join(parts[:n]) for n in range(1, len(parts)))
    return with_parents


def test_every_module_is_in_a_layer():
    unplaced = sorted(m for m in project_modules() if layer_of(m) is None)
    assert not unplaced, f"place these modules in a layer (tests/test_layers.py, docs/architecture.md): {unplaced}"


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_point_down_only(package: str):
    upward = []
    for module, path in sorted(project_modules().items()):
        if module.split(".")[0] != package or layer_of(module) is None:
            continue
        own = layer_of(module)
        for target in sorted(imported_modules(path)):
            theirs = layer_of(target)
            if theirs is not None and theirs > own:
                upward.append(f"{module} ({LAYERS[own][0]}) imports {target} ({LAYERS[theirs][0]})")
    assert not upward, "imports from a layer above:\n" + "\n".join(upward)


def test_the_check_sees_an_upward_import(tmp_path):
    """The test itself: a store-layer module importing the checks is caught, a downward one is not."""
    bad = tmp_path / "bad.py"
    bad.write_text("from monitor.checks.reports import ReportListing\nimport monitor.store\n")
    found = imported_modules(bad)
    assert {"monitor.checks.reports", "monitor.checks", "monitor", "monitor.store"} <= found
    assert layer_of("monitor.checks.reports") > layer_of("monitor.report_store") > layer_of("monitor.store")
    assert _defining_module("monitor.reports", "parse_report") == "monitor.reports.parse"
