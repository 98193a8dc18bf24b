"""Follow-up questions made standalone without an LLM."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.search.followup import entities, harvest_terms, is_incomplete, rewrite

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
SYSTEM = [("民意智感系统上线后办结率是多少？", "办结率达99%。[1]")]


@pytest.fixture(scope="module")
def vocabulary() -> set[str]:
    return harvest_terms(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt")))


def test_brief_example_without_vocabulary() -> None:
    query = rewrite("那群众满意度呢？", SYSTEM)
    assert "民意智感" in query and "群众满意度" in query
    assert "呢" not in query and "那" not in query


def test_brief_example_with_corpus_vocabulary(vocabulary: set[str]) -> None:
    assert "民意智感系统" in vocabulary  # quoted in issue 831
    assert rewrite("那群众满意度呢？", SYSTEM, vocabulary) == "民意智感系统 群众满意度多少？"


@pytest.mark.parametrize(
    "question",
    [
        "什么是电信诈骗？",
        "张家口民意智感系统的群众满意度是多少？",
        "香河县公安局的“微恳谈”活动有什么成效？",
        "第853期讲了什么？",
        "有关于反诈的文章吗？",
        "你好",
        "谢谢！",
    ],
)
def test_complete_questions_are_unchanged(question: str) -> None:
    assert not is_incomplete(question)
    assert rewrite(question, SYSTEM) == question


def test_no_history_no_change() -> None:
    assert rewrite("那群众满意度呢？", []) == "那群众满意度呢？"


def test_nothing_to_carry_no_change() -> None:
    history = [("你好", "你好！"), ("谢谢", "不客气。")]
    assert rewrite("那群众满意度呢？", history) == "那群众满意度呢？"


@pytest.mark.parametrize(
    "question",
    ["那群众满意度呢？", "它的办结率是多少", "还有呢？", "满意度多少？", "他们是怎么做的？"],
)
def test_incomplete_questions(question: str) -> None:
    assert is_incomplete(question)


def test_pronoun_is_replaced_by_the_subject(vocabulary: set[str]) -> None:
    assert rewrite("它的办结率是多少？", SYSTEM, vocabulary) == "民意智感系统 办结率是多少"
    history = [("香河县公安局的“微恳谈”活动有什么成效？", "...")]
    assert rewrite("他们是怎么做的？", history) == "香河县 微恳谈 是怎么做的"


def test_issue_reference_is_carried() -> None:
    history = [("第831期讲了什么？", "...")]
    assert rewrite("那张家口的系统呢？", history) == "第831期 张家口的系统"
    dated = [("2024年10月张家口警方做了什么？", "...")]
    assert rewrite("满意度多少？", dated).startswith("2024年10月 张家口")


def test_new_name_is_asked_the_previous_question() -> None:
    history = [("张家口市公安局的民意智感系统办结率是多少？", "...")]
    assert rewrite("那衡水呢？", history) == "衡水公安局的民意智感系统办结率是多少？"
    assert rewrite("那第853期呢？", [("第831期讲了什么？", "...")]) == "第853期讲了什么？"
    dated = [("2024年10月张家口警方做了什么？", "...")]
    assert rewrite("那衡水警方呢？", dated) == "2024年10月衡水警方做了什么？"
    assert rewrite("那“掌上办”呢？", [("“一窗通办”是什么？", "...")]) == "“掌上办”是什么？"
    assert rewrite("那郭建博呢？", [("张哲报道了什么？", "...")]) == "郭建博报道了什么？"


def test_more_of_the_same_repeats_the_question() -> None:
    history = [("2024年10月张家口警方做了什么？", "...")]
    assert rewrite("还有呢？", history) == "2024年10月张家口警方做了什么？"


def test_chain_of_follow_ups_uses_the_latest_subject(vocabulary: set[str]) -> None:
    first = "张家口市公安局的民意智感系统办结率是多少？"
    second = rewrite("那衡水呢？", [(first, "...")], vocabulary)
    history = [(first, "..."), (second, "...")]
    third = rewrite("那群众满意度呢？", history, vocabulary)
    assert third == "衡水 民意智感系统 群众满意度多少？"


def test_answers_are_not_mined() -> None:
    history = [("第831期讲了什么？", "张家口市公安局打造“民意智感系统”……")]
    assert "民意智感" not in rewrite("那群众满意度呢？", history)


def test_entities(vocabulary: set[str]) -> None:
    found = entities("香河县公安局的“微恳谈”活动有什么成效？")
    assert [(e.text, e.kind) for e in found] == [("香河县", "name"), ("微恳谈", "term")]
    assert [e.text for e in entities("民意智感系统上线了", vocabulary)] == ["民意智感系统"]
    assert [e.text for e in entities("梁胜利写了什么")] == ["梁胜利"]
    assert [e for e in entities("群众满意度是多少") if e.kind == "name"] == []  # ns on 满意度


def test_is_deterministic(vocabulary: set[str]) -> None:
    runs = {rewrite("那群众满意度呢？", SYSTEM, vocabulary) for _ in range(5)}
    assert len(runs) == 1
