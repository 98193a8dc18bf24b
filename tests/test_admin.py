"""The admins' index lifecycle: add, replace, remove, stats, reload, and nothing ever lost."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from rag import CorpusError, Engine, add_files, remove_source
from rag.audit import QueryLog
from rag.index.store import load_index

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
NEW = "001_46bd6e34c8861008.txt"  # issue 853, the one "published this week"


def build_name(index: Path) -> str:
    return (index / "current").resolve().name


def test_add_indexes_only_the_new_issue(four, settings):
    before = load_index(four)
    result = add_files([CORPUS / NEW], four, settings)
    after = load_index(four)
    assert result["added"] == [NEW] and not result["skipped"]
    new_chunks = len(after.chunks) - len(before.chunks)
    assert new_chunks > 0 and result["embedded"] == new_chunks  # nothing else re-embedded
    engine = Engine.load(four, settings)
    assert "6个小时" in engine.ask("保定市公安局侦破盗窃车内财物案用了多长时间？").text
    assert {i.number for i in engine.issues()} >= {831, 853}


def test_an_issue_already_indexed_is_skipped_and_nothing_rewritten(four, settings):
    name = build_name(four)
    result = add_files([CORPUS / "000_901c193272ce665a.txt"], four, settings)
    assert result["skipped"] == ["000_901c193272ce665a.txt"] and not result["added"]
    assert build_name(four) == name


def test_a_changed_file_replaces_its_old_chunks_reusing_unchanged_vectors(four, settings,
                                                                         tmp_path):
    edited = tmp_path / "000_901c193272ce665a.txt"
    text = (CORPUS / edited.name).read_text(encoding="utf-8")
    edited.write_text(text.replace("62名铁骑精英", "64名铁骑精英"), encoding="utf-8")
    before = load_index(four)
    result = add_files([edited], four, settings)
    after = load_index(four)
    assert result["replaced"] == [edited.name]
    assert len(after.chunks) == len(before.chunks)
    assert 0 < result["embedded"] <= 3  # only the chunks carrying the edited headline
    engine = Engine.load(four, settings)
    assert "64名" in engine.search("铁骑精英 科目 角逐", k=1)[0].subtitle


def test_remove_takes_an_issue_out_without_embedding(four, settings):
    add_files([CORPUS / NEW], four, settings)
    result = remove_source(NEW, four, settings)
    assert result["embedded"] == 0 and result["removed"] == NEW
    engine = Engine.load(four, settings)
    assert all(i.source != NEW for i in engine.issues())
    assert engine.search("新警务理念", k=5, issue=853) == []
    with pytest.raises(CorpusError, match="not in the index"):
        remove_source("nope.txt", four, settings)


def test_gbk_copy_is_read_and_a_duplicate_issue_number_is_warned(four, settings, tmp_path):
    text = (CORPUS / NEW).read_text(encoding="utf-8")
    gbk = tmp_path / "853_gbk.txt"
    gbk.write_bytes(text.encode("gb18030"))
    add_files([CORPUS / NEW], four, settings)
    result = add_files([gbk], four, settings)  # the same issue, saved again: one copy kept
    assert result["reasons"] == [f"853_gbk.txt: 第853期 (2025-04-15) is indexed as {NEW}"]
    # Another issue misprinting 853 as its number (another date) is kept beside it.
    gbk.write_bytes(text.replace("2025年4月15日", "2025年4月22日", 1).encode("gb18030"))
    result = add_files([gbk], four, settings)
    assert result["added"] == ["853_gbk.txt"]
    assert any("853_gbk.txt" in w and "also claimed" in w for w in result["warnings"])
    engine = Engine.load(four, settings)
    sources = {i.source for i in engine.issues() if i.number == 853}
    assert sources == {NEW, "853_gbk.txt"}  # both kept, told apart by file
    titles = [a.title for a in engine.articles(source="853_gbk.txt")]
    assert "我省树牢新警务理念推动公安工作提质增效" in titles


def test_unreadable_files_are_named_and_the_index_untouched(four, settings, tmp_path):
    (tmp_path / "scan.txt").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "empty.txt").write_bytes(b"")
    name = build_name(four)
    result = add_files([tmp_path / "scan.txt", tmp_path / "empty.txt"], four, settings)
    assert not result["added"] and build_name(four) == name
    assert result["failed"] == ["scan.txt", "empty.txt"]
    assert result["reasons"][1] == "empty.txt: unreadable (empty file)"
    assert result["summary"].startswith("nothing added; skipped 2: scan.txt: unreadable")
    with pytest.raises(CorpusError, match="does not exist"):
        add_files([tmp_path / "missing.txt"], four, settings)


def test_a_file_without_articles_is_warned(four, settings, tmp_path):
    header_only = tmp_path / "header_only.txt"
    header_only.write_text("2025年1月7日 星期二\n\n第890期 本刊今日4版\n\n邮发代号 17-77\n",
                           encoding="utf-8")
    result = add_files([header_only], four, settings)
    assert any("header_only.txt" in w and "no article" in w for w in result["warnings"])


def test_a_failed_write_keeps_the_previous_index(four, settings, monkeypatch):
    import bm25s

    name = build_name(four)

    def broken_save(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(bm25s.BM25, "save", broken_save)
    with pytest.raises(OSError):
        add_files([CORPUS / NEW], four, settings)
    assert build_name(four) == name
    assert not [p for p in (four / "builds").iterdir() if p.name.startswith(".tmp-")]
    Engine.load(four, settings)  # still loads


def big_issue(path: Path) -> Path:
    """An issue long enough that embedding it takes seconds."""
    paras = []
    for n in range(1500):
        paras.append(f"第{n}段：某县公安局第{n}派出所民警走访辖区第{n}个社区，排查隐患{n * 3}处，"
                     f"化解矛盾纠纷{n}起，为群众办理实事{n + 7}件，受到群众好评。")
    text = ("2025年6月10日 星期二\n\n第901期 本刊今日4版\n\n某县公安深入开展社区走访\n\n"
            "□ 测试员\n\n" + "\n\n".join(paras) + "\n")
    path.write_text(text, encoding="utf-8")
    return path


def test_an_add_killed_midway_leaves_the_previous_index_intact(four, settings, tmp_path):
    name = build_name(four)
    before = len(load_index(four).chunks)
    big = big_issue(tmp_path / "901.txt")
    proc = subprocess.Popen([sys.executable, "-m", "rag", "add", str(big), "--index", str(four)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    # Killed once it has begun writing its build (embedding runs beside the writing): a fixed
    # sleep let a fast machine finish the add first.
    deadline = time.monotonic() + 120
    while not any(p.name.startswith(".tmp-") for p in (four / "builds").iterdir()):
        assert proc.poll() is None and time.monotonic() < deadline, "the add never began a build"
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert build_name(four) == name
    assert len(Engine.load(four, settings).data.chunks) == before
    # And the next add works, clearing whatever the killed one left.
    result = add_files([CORPUS / NEW], four, settings)
    assert result["added"] == [NEW]
    assert [p.name for p in (four / "builds").iterdir()] == [build_name(four)]


def test_a_running_engine_picks_up_a_newer_build(four, settings):
    engine = Engine.load(four, settings)
    assert engine.ask("桥西分局绘制了多少高频执法流程图？").abstained
    add_files([CORPUS / NEW], four, settings)
    assert engine.reload() is True
    assert "5大类60小项" in engine.ask("桥西分局绘制了多少高频执法流程图？").text
    assert engine.reload() is False  # nothing newer


def test_concurrent_adds_wait_for_each_other(four, settings, tmp_path):
    other = tmp_path / "900.txt"
    shutil.copy(ROOT / "tests" / "data" / "issue_900_p1.txt", other)
    errors = []

    def add(path):
        try:
            add_files([path], four, settings)
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=add, args=(p,)) for p in (CORPUS / NEW, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    sources = {i.source for i in Engine.load(four, settings).issues()}
    assert {NEW, "900.txt"} <= sources  # neither update lost


def test_stats_json_lists_issues_counts_model_and_warnings(four):
    out = subprocess.run([sys.executable, "-m", "rag", "stats", "--index", str(four), "--json"],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    stats = json.loads(out.stdout)
    assert stats["model"] == "use-multilingual-v3" and stats["issues"] == 4
    assert stats["articles"] > 0 and stats["chunks"] > 0 and stats["size_mb"] > 0
    assert stats["built_at"]
    numbers = {i["number"] for i in stats["issues_list"]}
    assert 831 in numbers and None in numbers
    assert sum("no issue number" in w for w in stats["warnings"]) == 3


def test_query_log_records_cli_questions(sample_index, tmp_path):
    log = tmp_path / "queries.sqlite3"
    env = {**os.environ, "QUERY_LOG": str(log)}
    subprocess.run([sys.executable, "-m", "rag", "ask", "第831期讲了什么？", "--index",
                    str(sample_index)], cwd=ROOT, env=env, check=True, capture_output=True)
    (row,) = QueryLog(log).rows()
    assert row["question"] == "第831期讲了什么？" and row["channel"] == "cli"
    assert "铁骑" in row["answer"] and json.loads(row["citations"])[0]["issue"] == 831
    assert row["latency_ms"] > 0


def test_bm25_after_an_add_equals_bm25s_built_from_scratch(four, settings):
    import bm25s
    import numpy as np

    from rag.index.tokens import read_tokens

    add_files([CORPUS / NEW], four, settings)
    data = load_index(four)
    fresh = bm25s.BM25()
    fresh.index(read_tokens(data.path), show_progress=False)
    for query in (["铁骑", "大比武"], ["新警务", "理念", "公安"], ["不存在的词"]):
        assert np.allclose(data.bm25.get_scores(query), fresh.get_scores(query), atol=1e-5)
    assert data.doc_freqs["铁骑"] == sum("铁骑" in t for t in read_tokens(data.path))


def test_embedding_many_chunks_uses_every_core_and_gives_the_same_vectors(settings):
    import numpy as np

    from rag.index.encode import MIN_PARALLEL_TEXTS, embed_texts, worker_count

    cores = len(os.sched_getaffinity(0))
    if cores < 2:
        pytest.skip("one core: nothing to parallelise")
    texts = [f"第{n}段：某县公安局民警走访第{n}个社区，排查隐患{n * 3}处。" for n in range(300)]
    assert worker_count(settings, len(texts)) == 2 and len(texts) >= MIN_PARALLEL_TEXTS
    assert worker_count(settings, 10) == 1
    parallel = embed_texts(texts, settings)
    one = np.concatenate([embed_texts(texts[i:i + 100], settings) for i in (0, 100, 200)])
    assert parallel.shape == (300, 512) and np.allclose(parallel, one, atol=1e-5)
