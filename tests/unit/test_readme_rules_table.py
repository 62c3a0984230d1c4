"""The README's "where each rule lives" table is true: each rule points at one file, and the
file exists (and, where the row names a function or constant after it, defines it)."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]


def rows():
    text = (ROOT / "README.md").read_text()
    table = text.split("## Where each rule lives", 1)[1].split("\n## ", 1)[0]
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0] not in ("rule", "---") and not set(cells[0]) <= {"-"}:
            yield cells[0], cells[1]


def test_every_rule_points_at_one_file_that_exists():
    seen = 0
    for rule, code in rows():
        seen += 1
        if code in ("—", "-", ""):
            continue
        first = re.match(r"`([^`]+)`", code)
        assert first, f"{rule!r}: the code column must start with one file in backticks"
        path = first.group(1)
        assert (ROOT / path).exists(), f"{rule!r}: {path} does not exist"
        files = re.findall(r"`([\w./-]+/[\w.-]*)`", code)
        assert files == [path], f"{rule!r}: one rule, one file (not {files})"
    assert seen > 30


def test_every_file_a_row_mentions_exists():
    for rule, code in rows():
        for path in re.findall(r"`([\w./-]+\.(?:py|ts|vue|yaml|sh))`", code):
            assert (ROOT / path).exists(), f"{rule!r}: {path} does not exist"
