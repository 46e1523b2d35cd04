"""The floor plan, checked on the source: xapi is a library that never imports the application, and no module
reaches a service through its own package's ``__init__`` (services come from lti_tool.services)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _modules(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _dotted(path: Path) -> list[str]:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _package_of(path: Path) -> list[str]:
    parts = _dotted(path)
    return parts if path.name == "__init__.py" else parts[:-1]


def _imported(path: Path, tree: ast.AST):
    """(module imported, names taken from it) for every import in the file, relative ones resolved."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split("."), []
        elif isinstance(node, ast.ImportFrom):
            base = _package_of(path)
            if node.level:
                base = base[:len(base) - (node.level - 1)]
            else:
                base = []
            yield base + (node.module.split(".") if node.module else []), [a.name for a in node.names]


def test_xapi_imports_nothing_from_lti_tool():
    offenders = [f"{path.relative_to(ROOT)} imports {'.'.join(module)}"
                 for path, tree in _modules("xapi") for module, _names in _imported(path, tree)
                 if module[:1] == ["lti_tool"]]
    assert offenders == []


def test_no_module_imports_its_own_package_init_for_a_service():
    offenders = []
    for path, tree in _modules("lti_tool"):
        own = _package_of(path)
        for module, names in _imported(path, tree):
            is_ancestor = module == own[:len(module)] and (ROOT.joinpath(*module) / "__init__.py").exists()
            if not is_ancestor or path == ROOT.joinpath(*module) / "__init__.py":
                continue
            folder = ROOT.joinpath(*module)
            not_submodules = [n for n in names if not ((folder / f"{n}.py").exists() or (folder / n).is_dir())]
            if not names or not_submodules:
                offenders.append(f"{path.relative_to(ROOT)} imports {not_submodules or 'the package'} "
                                 f"from {'.'.join(module)}/__init__.py")
    assert offenders == []


def test_the_contract_test_sees_an_upward_import(tmp_path):
    """The check above can fail: an upward import of a name from lti_tool/__init__ is found."""
    path = ROOT / "lti_tool" / "player" / "example.py"
    tree = ast.parse("from .. import database\nfrom .. import services\n")
    found = [(m, n) for m, n in _imported(path, tree)]
    assert found == [(["lti_tool"], ["database"]), (["lti_tool"], ["services"])]
    folder = ROOT / "lti_tool"
    assert not (folder / "database.py").exists() and (folder / "services.py").exists()
