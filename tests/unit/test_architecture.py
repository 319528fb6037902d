"""The shape of the code (docs/architecture.md): areas import only what they build on, and
plain rule modules import no web framework.

Imports inside ``if TYPE_CHECKING:`` are for type hints only and are not counted; nor are
string references between models (``relationship("CohortMember")``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent.parent / "audit_app"

# What each area builds on, lowest first. An area's models and rules may import only core/
# and these; "*" means any area (the areas that gather everything).
BUILDS_ON: dict[str, set[str]] = {
    "core": set(),
    "agencies": {"core"},
    "accounts": {"core", "agencies"},
    "questionnaires": {"core", "agencies", "accounts"},
    "audits": {"core", "agencies", "accounts", "questionnaires"},
    "cohort": {"core", "agencies", "accounts", "questionnaires", "audits"},
    "returns": {"core", "agencies", "accounts", "questionnaires", "audits", "cohort"},
    "workbooks": {"core", "agencies", "accounts", "questionnaires", "audits", "cohort", "returns"},
    "panel": {"core", "agencies", "accounts", "questionnaires", "audits", "cohort", "returns"},
    "actions": {
        "core",
        "agencies",
        "accounts",
        "questionnaires",
        "audits",
        "cohort",
        "returns",
        "panel",
    },
    "exports": {"*"},
    "home": {"*"},
}

# Modules that are the web layer: they may use Flask, and a page may show what other areas
# hold (the audit page shows the returns matrix), so they may import any area's rules.
WEB_MODULES = {"views", "forms", "section_forms", "field_handlers", "blueprint", "pages"}
# Leaf modules beside the areas that any area may use (they import no area): the charts.
SHARED_MODULES = {"charts"}
CORE_WEB_MODULES = {
    "access",
    "commit_point",
    "web",
    "security",
    "error_pages",
    "navigation",
    "forms",
}
# Plain helpers that happen to live in a web package.
PLAIN_UTILITIES = {"werkzeug.security"}
WEB_PACKAGES = ("flask", "flask_login", "flask_wtf", "wtforms", "werkzeug", "govuk_frontend_wtf")


def _is_web(module: Path) -> bool:
    name = module.stem
    if module.parent.name == "core":
        return name in CORE_WEB_MODULES or name.endswith("_views")
    return (
        name in WEB_MODULES
        or name.endswith(("_views", "_forms"))
        or "field_handlers" in module.parts
    )


def _runtime_imports(module: Path) -> list[tuple[int, str]]:
    """(line, module name) of every import not under ``if TYPE_CHECKING:``."""
    tree = ast.parse(module.read_text())
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                typing_only.update(id(n) for n in ast.walk(child))
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "audit_app":
                found += [(node.lineno, f"audit_app.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


AREA_MODULES = sorted(path for area in BUILDS_ON for path in (PACKAGE / area).rglob("*.py"))


def test_every_area_is_known() -> None:
    areas = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert areas == set(BUILDS_ON)


@pytest.mark.parametrize("module", AREA_MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_areas_import_only_what_they_build_on(module: Path) -> None:
    area = module.relative_to(PACKAGE).parts[0]
    allowed = BUILDS_ON[area] | {area}
    web = _is_web(module)
    wrong = []
    for line, name in _runtime_imports(module):
        if not name.startswith("audit_app."):
            continue
        target = name.split(".")[1]
        if target == "models" and area in ("exports", "home"):
            continue
        if target in SHARED_MODULES and area != "core":
            continue
        if target not in BUILDS_ON:
            wrong.append(
                f"line {line}: {name} (only the app factory, CLI and demo sit above areas)"
            )
        elif area == "core" and target != "core":
            wrong.append(f"line {line}: {name} (core imports no area)")
        elif not web and "*" not in allowed and target not in allowed:
            wrong.append(f"line {line}: {name} ({area} does not build on {target})")
    assert wrong == []


@pytest.mark.parametrize(
    "module",
    [m for m in AREA_MODULES if not _is_web(m) and m.name != "__init__.py"],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_plain_rules_import_no_web_framework(module: Path) -> None:
    web = [
        f"line {line}: {name}"
        for line, name in _runtime_imports(module)
        if name.split(".")[0] in WEB_PACKAGES and name not in PLAIN_UTILITIES
    ]
    assert web == []
