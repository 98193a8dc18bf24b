"""Questions about the archive answered from metadata: which articles cover a topic."""

from __future__ import annotations

import pytest

from rag.search.asks import topic_of
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


@pytest.mark.parametrize("question, asks", [
    ("香河校园安全的报道是谁写的？", True),
    ("铁骑比武的报道作者是谁？", True),
    ("谁写了关于赵云的报道？", True),
    ("写赵云的那篇文章的记者是谁？", True),
    ("故城民警为迷路老人找到家人 作者", True),
    ("铁骑比武那篇报道的记者", True),
    ("感谢信是谁写的？", False),  # a question about the story, not its byline
    ("《论自由》的作者是谁？", False),  # a book the text may name
    ("帮助高先生的民警是谁？", False),
])
def test_author_questions_are_recognised(question, asks):
    refs = resolve_refs(question, [(853, "2025-04-15")])
    assert refs.asks_author is asks
    assert not (refs.asks_author and refs.asks_articles)


@pytest.mark.parametrize("question, topic", [
    ("香河校园安全的报道是谁写的？", "香河校园安全"),
    ("谁写了关于赵云的报道？", "赵云"),
    ("写赵云的那篇文章的记者是谁？", "赵云"),
    ("有哪些关于反诈的文章？", "反诈"),
    ("讲铁骑比武的是哪篇报道", "铁骑比武"),
    ("写字楼安保的报道作者是谁", "写字楼安保"),
])
def test_the_topic_is_what_is_left_of_the_frame(question, topic):
    assert topic_of(question) == topic


@pytest.mark.parametrize("question, in_title", [
    ("香河校园安全的报道是谁写的？", "校园安全网"),
    ("谁写了关于赵云的报道？", "赵云"),
    ("固安交警春运检查点的新闻作者是谁", "固安交警"),
])
def test_an_author_question_gets_the_byline_of_the_article_about_its_topic(
        engine, question, in_title):
    answer = engine.ask(question)
    assert answer.mode == "metadata" and len(answer.citations) == 1
    article = engine.article(answer.citations[0].article_id)
    assert in_title in article.title and article.authors
    assert "、".join(article.authors) in answer.text and f"《{article.title}》" in answer.text


@pytest.mark.parametrize("question", ["火星探测器着陆的报道是谁写的？", "这篇报道是谁写的？"])
def test_an_author_question_without_a_covered_topic_is_refused(engine, question):
    answer = engine.ask(question)
    assert answer.abstained and not answer.citations


def test_an_article_quoted_by_a_title_the_archive_lacks_is_asked_of_the_text(engine):
    # 《…》这篇文章 that no indexed title holds is an article the text quotes: no byline is
    # given for whatever article 论自由 comes nearest to.
    assert engine.ask("《论自由》这篇文章的作者是谁？").mode != "metadata"
    answer = engine.ask("《故城民警为迷路老人找到家人》这篇文章的作者是谁？")
    assert answer.mode == "metadata" and "王芸" in answer.text


def test_an_article_is_listed_when_its_title_names_the_topic(engine):
    # No sentence of this short story answers the question as a question; its title does.
    answer = engine.ask("哪篇报道讲了故城民警为迷路老人找到家人？")
    assert not answer.abstained
    assert engine.article(answer.citations[0].article_id).title == "故城民警为迷路老人找到家人"


@pytest.mark.parametrize("words, in_title", [
    ("追回汽油钱", "汽油钱"),  # the story opens with a quotation: the lead is the next sentence
    ("景中有警", "游客畅游"),  # the title quotes 警
    ("介绍一下铁骑比武", "铁骑"),
])
def test_words_a_title_holds_get_the_lead_of_that_story(engine, words, in_title):
    answer = engine.ask(words)
    assert not answer.abstained and len(answer.citations) == 1
    article = engine.article(answer.citations[0].article_id)
    assert in_title in article.title
    assert answer.text.startswith(f"《{article.title}》：") and answer.text.endswith("[1]")
    lead = answer.text.removeprefix(f"《{article.title}》：").removesuffix("[1]")
    assert lead in article.text and not lead.startswith("“")


def test_words_no_title_holds_are_answered_from_the_text(engine):
    answer = engine.ask("铁骑比武 时间")  # 时间 is in no title: a fact is asked for
    assert not answer.abstained and not answer.text.startswith("《")
    assert "10月24日" in answer.text


@pytest.mark.parametrize("follow_up", ["作者是谁？", "这篇报道是谁写的？", "记者是谁", "谁写的？"])
def test_who_wrote_it_after_an_answer_gets_the_byline_of_the_article_it_cites(engine, follow_up):
    first = engine.ask("赵云寻找被拐孩子时多长时间没合眼？")
    article = engine.article(first.citations[0].article_id)
    answer = engine.ask(follow_up, history=[(first.query, first.text)])
    assert answer.mode == "metadata" and answer.citations[0].article_id == article.id
    assert "、".join(article.authors) in answer.text


def test_who_wrote_it_asked_twice_gets_the_same_byline(engine):
    from rag.conversation import Conversation

    chat = Conversation(engine)
    chat.ask("铁骑比武是哪天举行的？")
    first, again = chat.ask("作者是谁？"), chat.ask("作者是谁？")
    assert first.mode == again.mode == "metadata" and first.text == again.text


def test_who_wrote_it_with_nothing_asked_before_is_not_guessed(engine):
    assert engine.ask("作者是谁？").abstained


@pytest.mark.parametrize("template", ["{}写了哪些报道？", "{}的文章有哪些", "哪些报道是{}写的？",
                                      "{}"])
def test_articles_by_an_author_are_listed_newest_first(engine, template):
    name = engine.article(engine.ask("铁骑比武的报道作者是谁？").citations[0].article_id).authors[0]
    signed = [a for a in engine.articles() if name in a.authors]
    answer = engine.ask(template.format(name))
    assert answer.mode == "metadata" and len(answer.citations) == len(signed)
    assert all(name in c.authors for c in answer.citations)
    dates = [c.date or "" for c in answer.citations]
    assert dates == sorted(dates, reverse=True)


def test_a_fact_asked_of_an_author_s_reports_is_looked_for_in_them(engine):
    article = engine.article(engine.ask("铁骑比武的报道作者是谁？").citations[0].article_id)
    name = article.authors[0]
    answer = engine.ask(f"{name}报道的铁骑比武有多少人参赛？")  # the name is in no sentence
    assert answer.mode != "metadata" and not answer.abstained
    assert "62名" in answer.text and answer.citations[0].article_id == article.id
    assert engine.ask("火星人写了哪些报道？").mode != "metadata"


def test_a_fact_the_named_author_s_reports_do_not_hold_is_not_taken_from_others(engine):
    other = engine.article(engine.ask("邯郸道景区的报道是谁写的？").citations[0].article_id)
    answer = engine.ask(f"{other.authors[0]}写的报道里，铁骑比武有多少人参赛？")
    assert all(other.authors[0] in c.authors for c in answer.citations)
