"""Questions about the archive answered from metadata: which articles cover a topic."""

from __future__ import annotations

import pytest

from rag.search.refs import resolve_refs


@pytest.mark.parametrize("question, asks", [
    ("哪篇报道讲了铁骑驾驶技能大比武？", True),
    ("有哪些关于民意智感系统的文章？", True),
    ("哪些文章报道了反诈？", True),
    ("关于冬季交通安全有什么报道？", True),
    ("民警采取了哪些措施？", False),
    ("第853期有哪些文章？", False),  # the contents of an issue, not a topic
    ("群众满意度上升到了多少？", False),
])
def test_which_articles_questions_are_recognised(question, asks):
    assert resolve_refs(question, [(853, "2025-04-15")]).asks_articles is asks


def test_which_articles_lists_titles_with_issue_and_date(engine):
    answer = engine.ask("哪篇报道讲了铁骑驾驶技能大比武？")
    assert not answer.abstained and answer.mode == "metadata"
    first = answer.citations[0]
    assert "铁骑" in first.title and first.issue == 831 and first.date == "2024-10-29"
    assert f"《{first.title}》（第831期，2024-10-29）[1]" in answer.text


def test_every_listed_article_is_about_the_topic(engine):
    answer = engine.ask("哪些文章报道了反诈？")
    assert answer.citations
    for c in answer.citations:
        assert "反诈" in engine.article(c.article_id).text


def test_which_articles_on_a_topic_the_paper_never_covered_is_refused(engine):
    answer = engine.ask("哪篇报道讲了火星探测器着陆？")
    assert answer.abstained and not answer.citations
