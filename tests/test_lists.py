"""Named lists (`“四个狠抓”都有哪些`) are answered with the items' openings, and an answer never
prints a unit that another unit of it holds whole."""

from __future__ import annotations

import re

import pytest

from rag.answer.lists import named_list
from rag.answer.units import TextStats, candidates


def _items(engine, article_title: str, word: str) -> list[str]:
    """The openings (up to the first stop or comma) of the units of the sample article whose
    title holds `article_title` that start with `word`, each once, in reading order."""
    a = next(a for a in engine.articles() if article_title in a.title)
    stats = TextStats(engine.data)
    units = stats.units(a.id).printed
    heads = [re.split(r"[。，：；]", u)[0] for u in units if u.startswith(word)]
    return list(dict.fromkeys(heads))


@pytest.mark.parametrize("question", ["桥东分局的四个狠抓都有哪些？",
                                      "桥东分局禁放工作的“四个狠抓”是什么？",
                                      "张家口桥东分局提出了哪四个狠抓？"])
def test_a_named_list_is_answered_with_its_items_in_order(engine, question):
    items = _items(engine, "四个狠抓", "狠抓")
    assert len(items) == 4  # the story prints some of its paragraphs twice
    answer = engine.ask(question)
    assert not answer.abstained, answer.text
    got = [answer.text.index(i) for i in items]
    assert got == sorted(got), answer.text  # reading order
    assert all(answer.text.count(i) == 1 for i in items), answer.text
    assert "四个狠抓" in answer.citations[0].title


def test_a_list_name_no_article_prints_is_no_list(engine):
    """Without an article that prints the name, or with a count of one, the question takes
    the usual path."""
    stats = TextStats(engine.data)
    for question in ["桥东分局的五个狠抓都有哪些？", "桥东分局的一个狠抓是什么？",
                     "桥东分局有哪些工作？"]:
        cands = candidates(engine.search(question, k=8), stats.units)
        assert named_list(question, cands) is None, question


def test_an_answer_never_prints_a_unit_another_of_its_units_holds(engine):
    """The story prints `做优三个强点：…` alone and again inside the sentence before it: the
    answer prints it once."""
    answer = engine.ask("做优三个强点是哪三个？").text
    assert "为民服务强点" in answer and answer.count("为民服务强点") == 1, answer


def test_a_list_is_counted_by_its_numeral():
    """二个 and 一个 count two and one (the numerals were once read by their place in a string
    that holds 两 too, so 二 counted one and 二个狠抓 was no list)."""
    from rag.answer.lists import _count

    assert [_count(t) for t in "一二两三四五六七八九十"] == [1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert _count("12") == 12
