"""The shape of the code: imports flow one way, ingest → index → search → answer → engine."""

from __future__ import annotations

import ast
from pathlib import Path

from rag import Engine, add_files
from rag.index.store import load_index

ROOT = Path(__file__).resolve().parents[1]
#: Each stage may import the foundation and the stages before it, never one after it.
ORDER = ["ingest", "index", "search", "answer"]
FOUNDATION = {"rag.types", "rag.errors", "rag.settings", "rag.text", "rag.dictionary"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def test_stages_import_only_the_foundation_and_earlier_stages():
    wrong = []
    for stage, name in enumerate(ORDER):
        allowed = {f"rag.{s}" for s in ORDER[: stage + 1]} | FOUNDATION
        for path in (ROOT / "rag" / name).rglob("*.py"):
            for imported in _imports(path):
                if imported.startswith("rag") and not any(
                        imported == a or imported.startswith(a + ".") for a in allowed):
                    wrong.append(f"{_module(path)} imports {imported}")
    assert not wrong, wrong


def test_foundation_imports_no_stage_and_bot_only_the_public_api():
    for name in FOUNDATION:
        path = ROOT / (name.replace(".", "/") + ".py")
        assert not [m for m in _imports(path) if m.startswith("rag") and m not in FOUNDATION]
    for path in (ROOT / "bot").rglob("*.py"):
        assert not [m for m in _imports(path) if m.startswith("rag.")], path


def test_no_import_circle_between_modules():
    graph = {_module(p): {m for m in _imports(p) if m.startswith(("rag", "bot", "bench"))}
             for d in ("rag", "bot", "bench") for p in (ROOT / d).rglob("*.py")}
    graph = {m: {d for d in deps if d in graph and d != m} for m, deps in graph.items()}
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for d in graph[m]:
            assert state.get(d) != 1, " → ".join([*path, m, d])
            if d not in state:
                visit(d, [*path, m])
        state[m] = 2

    for m in graph:
        if m not in state:
            visit(m, [])


def test_loaded_issues_are_issues_and_survive_an_add(index_copy, settings):
    """Issues travel as `Issue`s; reading or adding never edits the loaded build's issues
    (reading them used to pop their "articles" key: a second read raised KeyError)."""
    data = load_index(index_copy)
    first = [(i.source, [a.id for a in i.articles]) for i in data.issues]
    assert first == [(i.source, [a.id for a in i.articles]) for i in data.issues]
    assert all(articles for _, articles in first)
    add_files([ROOT / "tests" / "data" / "issue_900_p1.txt"], index_copy, settings)
    assert first == [(i.source, [a.id for a in i.articles]) for i in data.issues]
    engine = Engine.load(index_copy, settings)
    assert engine.issues() == engine.issues()
    assert {i.number for i in engine.issues()} >= {831, 853, 900}
