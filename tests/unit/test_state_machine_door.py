"""The state machine is the only door: no code but `lianxin/cases.py` (which asks
`lianxin/workflow.py` for the status, and writes through `lianxin/casestore.py`) writes a
case's `status`, and nothing but the case store writes to `cases` at all. Read from the
source, so a new write that bypasses them fails here before it reaches a case."""

import ast
import pathlib

from lianxin import workflow

ROOT = pathlib.Path(__file__).resolve().parents[2]
ALLOWED = {"lianxin/cases.py", "lianxin/workflow.py", "lianxin/casestore.py"}
WRITES = {
    "update_one",
    "update_many",
    "find_one_and_update",
    "replace_one",
    "insert_one",
    "insert_many",
    "find_one_and_replace",
    "bulk_write",
}


def _sources():
    for folder in ("lianxin", "services", "gateway"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel not in ALLOWED:
                yield rel, ast.parse(path.read_text(encoding="utf-8"))


def _mentions_status(node):
    return any(
        isinstance(k, ast.Constant)
        and (k.value == "status" or k.value == "$set" and _mentions_status(v))
        for d in ast.walk(node)
        if isinstance(d, ast.Dict)
        for k, v in zip(d.keys, d.values)
    )


def _is_cases_write(call):
    f = call.func
    return (
        isinstance(f, ast.Attribute)
        and f.attr in WRITES
        and isinstance(f.value, ast.Attribute)
        and f.value.attr == "cases"
    )


def bypasses(sources=None):
    found = []
    for rel, tree in sources or _sources():
        for node in ast.walk(tree):
            # case["status"] = …, or a literal case-state given to a variable named case
            if isinstance(node, ast.Assign):
                for t in node.targets:
                    if (
                        isinstance(t, ast.Subscript)
                        and isinstance(t.slice, ast.Constant)
                        and t.slice.value == "status"
                        and isinstance(t.value, ast.Name)
                        and "case" in t.value.id
                    ):
                        value = node.value
                        asks = (
                            isinstance(value, ast.Call)
                            and isinstance(value.func, ast.Attribute)
                            and isinstance(value.func.value, ast.Name)
                            and value.func.value.id == "workflow"
                        )
                        if not asks:
                            found.append(f"{rel}:{node.lineno} sets case status itself")
            # db.cases.update_one(filter, {"$set": {"status": …}}) and the like
            if isinstance(node, ast.Call) and _is_cases_write(node):
                written = (
                    node.args[1:]
                    if node.func.attr not in ("insert_one", "insert_many")
                    else node.args
                )
                for arg in written:
                    if _mentions_status(arg):
                        found.append(f"{rel}:{node.lineno} writes status to cases")
    return found


def test_no_code_writes_a_case_status_outside_the_workflow():
    assert bypasses() == []


def test_only_the_case_store_writes_to_cases():
    writers = [
        f"{rel}:{node.lineno}"
        for rel, tree in _sources()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _is_cases_write(node)
    ]
    assert writers == []


def test_the_check_finds_a_bypass():
    """The check itself can fail: a module that sets the status by hand is found."""
    probe = ast.parse(
        'def f(db, case):\n    case["status"] = "closed"\n'
        '    db.cases.update_one({"_id": 1}, {"$set": {"status": "closed"}})\n'
        '    case["status"] = workflow.check("close", case["status"], "citizen")\n'
    )
    assert bypasses([("probe.py", probe)]) == [
        "probe.py:2 sets case status itself",
        "probe.py:3 writes status to cases",
    ]


def test_every_status_a_case_can_have_is_in_the_table():
    targets = {t for _, t, _ in workflow.TRANSITIONS.values() if t}
    assert targets <= set(workflow.STATES)
