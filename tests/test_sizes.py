"""Sizes a newcomer can read: no function longer than 40 lines and no module longer than 400,
outside tests and benchmarks. Kept by a test, since they grow one honest change at a time."""

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("kb", "ingest", "evals", "application", "assist_api", "ui", "cli")
MAX_FUNCTION_LINES = 40
MAX_MODULE_LINES = 400


def sources() -> list[Path]:
    return [p for package in PACKAGES for p in (REPO / package).rglob("*.py")
            if not p.name.startswith("bench_") and "banks" not in p.parts]


def test_no_function_is_longer_than_40_lines():
    long = [f"{path.relative_to(REPO)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
            for path in sources() for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert long == []


def test_no_module_is_longer_than_400_lines():
    long = [f"{path.relative_to(REPO)} ({n} lines)" for path in sources()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES]
    assert long == []
