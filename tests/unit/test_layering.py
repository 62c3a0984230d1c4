"""Each service imports only the shared package `lianxin` (and itself), never another service
and never the gateway; `lianxin` imports no service and no gateway. What one service needs of
another it asks over the bus (docs/decisions/0018)."""

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]


def imported(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_services_import_only_lianxin_and_themselves():
    wrong = []
    for path in sorted((ROOT / "services").glob("*/*.py")):
        own = f"services.{path.parent.name}"
        for name in imported(path):
            top = name.split(".")
            if top[0] == "gateway" or (top[0] == "services" and ".".join(top[:2]) != own):
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert wrong == []


def test_lianxin_imports_no_service_and_no_gateway():
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / "lianxin").glob("*.py"))
        for name in imported(path)
        if name.split(".")[0] in ("services", "gateway")
    ]
    assert wrong == []
