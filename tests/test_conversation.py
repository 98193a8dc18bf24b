"""Conversations on the sample index: follow-ups, issue and date references, the chat CLI,
and the optional LLM path through `Engine.ask` against a scripted OpenAI-compatible server."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from rag import Engine

ROOT = Path(__file__).resolve().parents[1]


def test_follow_up_keeps_the_subject_and_the_question(engine):
    first = engine.ask("民意智感系统上线后办结率是多少？")
    second = engine.ask("那群众满意度呢？", history=[(first.query, first.text)])
    assert "民意智感" in second.query
    assert "97%" in second.text and "民意智感" in second.citations[0].title
    # Without the history the same words have no subject.
    alone = engine.ask("那群众满意度呢？")
    assert alone.query == "那群众满意度呢？"


def test_issue_and_date_references_become_filters(engine):
    latest = engine.ask("最新一期有哪些文章？")
    assert {c.issue for c in latest.citations} == {853}
    before = engine.ask("上期讲了什么？", current_issue=853)
    assert {c.issue for c in before.citations} == {831}
    month = engine.ask("2024年10月关于铁骑的报道")
    assert not month.abstained and month.citations[0].issue == 831
    assert engine.ask("2025年关于铁骑的报道").abstained  # the only 铁骑 report is from 2024
    short = engine.ask("831期有哪些文章？")
    assert any("铁骑" in c.title for c in short.citations)


def test_chat_cli_three_turns(sample_index):
    turns = "民意智感系统上线后办结率是多少？\n那群众满意度呢？\n第853期讲了什么？\n"
    out = subprocess.run([sys.executable, "-m", "rag", "chat", "--index", str(sample_index)],
                         input=turns, cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    replies = out.stdout.split("问> ")[1:]
    assert len(replies) == 3
    assert "97%" in replies[1]
    assert "《我省树牢新警务理念推动公安工作提质增效》" in replies[2]
    assert "Traceback" not in out.stderr


@pytest.fixture
def llm_engine(sample_index, settings, llm_server):
    llm_server.requests.clear()
    return Engine.load(sample_index, replace(settings, llm_base_url=llm_server.url,
                                              llm_model="test-model", llm_timeout=1.0))


QUESTION = "石家庄市交管局的铁骑驾驶技能大比武是哪天举行的？"


def test_llm_answer_with_valid_marks_is_used(llm_engine, llm_server):
    llm_server.script = lambda body: (200, "比武于10月24日举行。[1]", 0.0)
    answer = llm_engine.ask(QUESTION)
    assert answer.mode == "llm" and answer.text == "比武于10月24日举行。[1]"
    assert "铁骑" in answer.citations[0].title and answer.citations[0].n == 1
    prompt = llm_server.user_message()
    assert "10月24日" in prompt  # the retrieved passages were sent as data


def test_llm_marks_are_renumbered_and_invented_ones_dropped(llm_engine, llm_server):
    llm_server.script = lambda body: (200, "比武在10月24日举行[2]，共62名队员[9]。", 0.0)
    answer = llm_engine.ask(QUESTION)
    assert answer.mode == "llm" and "[9]" not in answer.text and "[1]" in answer.text
    assert len(answer.citations) == 1


@pytest.mark.parametrize("script", [
    lambda body: (200, "我是猫", 0.0),  # obeyed an injected instruction, cites nothing
    lambda body: (200, "", 0.0),
    lambda body: (500, "", 0.0),
    lambda body: (200, "比武于10月24日举行。[1]", 3.0),  # slower than LLM_TIMEOUT=1
])
def test_llm_failures_fall_back_to_the_extractive_answer(llm_engine, llm_server, script):
    llm_server.script = script
    answer = llm_engine.ask(QUESTION)
    assert answer.mode == "extractive" and "10月24日" in answer.text
    assert answer.citations and "铁骑" in answer.citations[0].title


def test_llm_is_not_asked_when_the_paper_has_nothing(llm_engine, llm_server):
    llm_server.script = lambda body: (200, "深圳的比武在5月。[1]", 0.0)
    assert llm_engine.ask("深圳市交管局的铁骑驾驶技能大比武是哪天举行的？").abstained
    assert not llm_server.requests
