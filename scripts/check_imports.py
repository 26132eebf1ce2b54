"""The house rules import-linter cannot express (run by `make lint-imports` after it).

1. No import of a private name across modules: ``from safecampus.x import _helper`` couples a
   module to another's internals, so a rename there breaks a caller nobody knew of. A name
   another module needs is public (no underscore, a docstring) or it moves.
2. Every app under ``safecampus/`` is named in the import contract (``[tool.importlinter]`` in
   pyproject.toml): a new app that no contract lists would be bound by no rule at all.

Tests are exempt from rule 1 (they may reach into a module to pin a detail) and so are
migrations (generated). Exit status 1 with one line per finding, 0 when clean.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "safecampus"
SKIPPED_PARTS = {"tests", "migrations"}


def is_private(name: str) -> bool:
    """``_x`` is private; ``__x__`` (a dunder such as ``__version__``) is not."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def absolute(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    """The module an ``ImportFrom`` names, with relative imports resolved."""
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def private_imports(path: Path) -> Iterator[str]:
    importer = module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        source = absolute(node, importer, path.name == "__init__.py")
        if source != PACKAGE and not source.startswith(PACKAGE + "."):
            continue
        for alias in node.names:
            if is_private(alias.name):
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                yield f"{where}: imports the private name {alias.name} from {source}"


def shipped_modules() -> Iterator[Path]:
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        if not SKIPPED_PARTS.intersection(path.relative_to(ROOT).parts):
            yield path


def unbound_apps() -> Iterator[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    text = repr(config["tool"]["importlinter"]["contracts"])
    for app in sorted(p.name for p in (ROOT / PACKAGE).iterdir() if (p / "apps.py").exists()):
        if f"'{PACKAGE}.{app}'" not in text:
            yield f"{PACKAGE}/{app}: no import contract names this app (pyproject.toml)"


def main() -> int:
    findings = [*unbound_apps()]
    for path in shipped_modules():
        findings.extend(private_imports(path))
    for line in findings:
        print(line)
    print(f"check_imports: {len(findings)} finding(s)", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
