"""Smoke tests of the benchmark: the synthetic archive parses like the paper, run.py reports."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # bench/ is a folder of scripts, not an installed package
    sys.path.insert(0, str(ROOT))

from bench.generate import generate, make_questions  # noqa: E402


def test_generate_is_reproducible_and_prefix_stable(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", 3, seed=0)
    b = generate(tmp_path / "b", 2, seed=0)
    c = generate(tmp_path / "c", 2, seed=1)
    assert [p.name for p in a[:2]] == [p.name for p in b]  # issue i does not depend on N
    assert a[0].read_text(encoding="utf-8") == b[0].read_text(encoding="utf-8")
    assert a[0].name != c[0].name
    # A rerun into the same folder replaces the archive rather than adding to it.
    generate(tmp_path / "a", 2, seed=0)
    assert len(list((tmp_path / "a").glob("*.txt"))) == 2


def test_generated_issue_looks_like_the_paper(tmp_path: Path) -> None:
    [path] = generate(tmp_path, 1, seed=0)
    text = path.read_text(encoding="utf-8")
    assert 10_000 <= len(text.encode("utf-8")) <= 24_000
    assert re.search(r"^2022年4月26日 星期二$", text, re.M)
    assert re.search(r"^第700期 本刊今日4版$", text, re.M)
    assert re.search(r"^[\u4e00-\u9fff ]+ 摄$", text, re.M)
    assert re.search(r"^责编：", text, re.M)
    assert re.search(r"^(□ |本报讯（|河北法制报讯 （)", text, re.M)


def test_generated_issues_parse_with_the_real_parser(tmp_path: Path) -> None:
    parse = pytest.importorskip("rag.ingest.parse")
    paths = generate(tmp_path, 3, seed=0)
    result = parse.parse_corpus(tmp_path)
    issues = result[0] if isinstance(result, tuple) else result
    assert sorted(i.source for i in issues) == sorted(p.name for p in paths)
    by_number = {i.number: i for i in issues}
    assert sorted(by_number) == [700, 701, 702]
    assert by_number[701].date == "2022-05-03"
    for issue in issues:
        assert not issue.warnings
        articles = [a for a in issue.articles if a.kind != "photo"]
        assert 6 <= len(articles) <= 16
        assert any(a.kind == "photo" for a in issue.articles)
        assert all(a.title and a.paragraphs for a in articles)
        assert sum(bool(a.authors) for a in articles) >= len(articles) - 1


def test_questions_come_from_the_files(tmp_path: Path) -> None:
    paths = generate(tmp_path, 2, seed=0)
    questions = make_questions(paths, 10, seed=0)
    assert len(questions) == 10
    texts = {p.name: p.read_text(encoding="utf-8").replace("\n", "") for p in paths}
    for q in questions:
        assert "多少" in q["question"] and q["question"].endswith("？")
        assert q["answer"] in texts[q["source"]]


def _engine_ready() -> bool:
    try:
        from rag import Engine, build_index  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not _engine_ready(), reason="rag.Engine / build_index not there yet")
def test_run_writes_the_figures(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--issues", "2", "--questions", "30",
         "--work", str(tmp_path / "work"), "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert out.is_file(), proc.stdout[-2000:] + proc.stderr[-2000:]
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["n_issues"] == 2
    for key in ("build_s", "issues_per_s", "chunks_per_s", "load_s", "ask_p50_ms", "ask_p95_ms",
                "search_p50_ms", "search_p95_ms", "rss_mb", "index_mb", "add_one_s",
                "citation_right", "answer_right"):
        assert key in figures["ours"], key
    for key in ("build_s", "search_p50_ms", "search_p95_ms", "rss_mb", "citation_right"):
        assert key in figures["baseline"], key
    assert figures["ours"]["build_s"] > 0 and figures["baseline"]["build_s"] > 0
    assert "ours/baseline" in proc.stdout


@pytest.mark.skipif(not _engine_ready(), reason="rag.Engine / build_index not there yet")
def test_ops_index_is_seeded_and_takes_an_add(tmp_path: Path) -> None:
    import numpy as np

    from bench import ops
    from bench.generate import write_issue
    from rag.index.store import load_outline

    generate(tmp_path / "corpus", 3, seed=0)
    for name in ("a", "b"):
        ops.build(tmp_path / "corpus", tmp_path / name, seed=0)
    a, b = (np.load(tmp_path / n / "current" / "vectors.npy") for n in ("a", "b"))
    assert a.shape[1] == ops.DIM and np.array_equal(a, b)  # the same archive, the same vectors
    assert np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)
    assert ops.fresh(tmp_path / "a") and not ops.fresh(tmp_path / "missing")
    (tmp_path / "extra").mkdir()
    new = write_issue(tmp_path / "extra", 3, seed=0)
    assert ops.api_add(tmp_path / "a", new) > 0  # a fresh process that adds, or fails
    assert [i.number for i in load_outline(tmp_path / "a").issues] == [700, 701, 702, 703]
