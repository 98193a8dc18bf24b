"""Issue and date references resolved against the issues of an index."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from rag.search.refs import Refs, cn_to_int, matching_issues, resolve_refs

SAMPLE = [(831, "2024-10-29"), (853, "2025-04-15"), (None, None)]
TODAY = dt.date(2025, 6, 1)


def weekly() -> list[tuple[int | None, str | None]]:
    """Issues 800-860 every Tuesday from 2024-03-26, 845 missing, shuffled, plus odd entries."""
    start = dt.date(2024, 3, 26)
    issues: list[tuple[int | None, str | None]] = [
        (n, (start + dt.timedelta(weeks=n - 800)).isoformat()) for n in range(800, 861) if n != 845
    ]
    issues += [(None, "2023-12-26"), (None, None), (700, None)]
    random.Random(7).shuffle(issues)
    return issues


def refs(question: str, issues=SAMPLE, **kw) -> Refs:
    return resolve_refs(question, issues, today=kw.pop("today", TODAY), **kw)


@pytest.mark.parametrize(
    "question,issue,cleaned",
    [
        ("第831期讲了什么？", 831, "讲了什么？"),
        ("831期什么时候出的", 831, "什么时候出的"),
        ("第 853 期有哪些文章", 853, "有哪些文章"),
        ("第８５３期的头条", 853, "头条"),  # full-width digits
        ("第八百三十一期讲了什么", 831, "讲了什么"),
        ("在第831期中，民意智感系统办结率是多少？", 831, "民意智感系统办结率是多少？"),
        ("公安周刊第853期的头版是什么", 853, "头版是什么"),
        ("最新一期有哪些文章", 853, "有哪些文章"),
        ("最近一期讲了什么", 853, "讲了什么"),
        ("本期有什么关于反诈的报道", 853, "有什么关于反诈的报道"),
        ("上期讲了什么", 831, "讲了什么"),
        ("上一期有哪些文章", 831, "有哪些文章"),
    ],
)
def test_issue_references(question: str, issue: int, cleaned: str) -> None:
    r = refs(question)
    assert (r.issue, r.cleaned, r.unknown_issue) == (issue, cleaned, None)
    assert r.date_from is None and r.date_to is None


@pytest.mark.parametrize(
    "question",
    [
        "6000余人次参加了培训",
        "12345热线和110如何对接？",
        "举办了3期培训班",
        "第一期工程什么时候完工",
        "活动期间群众满意度如何",
        "马上期待结果",
        "统一月报制度是什么",
        "2月30日有什么报道",  # no such day
    ],
)
def test_numbers_that_are_no_reference(question: str) -> None:
    r = refs(question)
    assert (r.issue, r.unknown_issue, r.date_from, r.phrases) == (None, None, None, [])
    assert r.cleaned == question and not r.asks_contents and not r.asks_date


def test_unknown_issue_is_reported_not_filtered() -> None:
    r = refs("第999期讲了什么")
    assert (r.issue, r.unknown_issue, r.cleaned, r.asks_contents) == (None, 999, "讲了什么", True)


@pytest.mark.parametrize(
    "question,date_from,date_to,cleaned",
    [
        ("2024年10月张家口警方做了什么", "2024-10-01", "2024-10-31", "张家口警方做了什么"),
        ("2024年10月29日的公安周刊讲了什么", "2024-10-29", "2024-10-29", "讲了什么"),
        ("2024-10-29的新闻", "2024-10-29", "2024-10-29", "新闻"),
        ("二〇二四年十月二十九日的报道", "2024-10-29", "2024-10-29", "报道"),
        ("2024年有哪些反诈案件", "2024-01-01", "2024-12-31", "有哪些反诈案件"),
        ("去年的反诈宣传", "2024-01-01", "2024-12-31", "反诈宣传"),
        ("今年的警民恳谈", "2025-01-01", "2025-12-31", "警民恳谈"),
        ("去年10月的报道", "2024-10-01", "2024-10-31", "报道"),
        ("2025年2月", "2025-02-01", "2025-02-28", ""),
        # A month alone: the latest such month not after the newest issue (2025-04-15).
        ("10月的报道", "2024-10-01", "2024-10-31", "报道"),
        ("十月份的报道", "2024-10-01", "2024-10-31", "报道"),
        ("4月有什么新闻", "2025-04-01", "2025-04-30", "有什么新闻"),
        ("4月15日的报道", "2025-04-15", "2025-04-15", "报道"),
        ("上个月的报道", "2025-05-01", "2025-05-31", "报道"),
        ("2024年10月和2025年4月的报道", "2024-10-01", "2025-04-30", "和 报道"),
    ],
)
def test_date_references(question: str, date_from: str, date_to: str, cleaned: str) -> None:
    r = refs(question)
    assert (r.date_from, r.date_to, r.cleaned, r.issue) == (date_from, date_to, cleaned, None)


def test_relative_years_follow_today_not_the_index() -> None:
    assert refs("今年的报道", today=dt.date(2030, 1, 5)).date_from == "2030-01-01"
    assert refs("去年", today=dt.date(2030, 1, 5)).date_to == "2029-12-31"


@pytest.mark.parametrize(
    "question,contents,when",
    [
        ("第853期讲了什么？", True, False),
        ("最新一期有哪些文章", True, False),
        ("第831期", True, False),
        ("第831期的主要内容", True, False),
        ("2024年10月有哪些文章", True, False),
        ("第853期公安周刊是哪天出版的？", False, True),
        ("831期什么时候出的", False, True),
        ("最近一期是哪天出的", False, True),
        ("第831期出版日期", False, True),
        ("第831期关于营商环境讲了什么", False, False),
        ("本期有什么关于反诈的报道", False, False),
        ("第831期里民意智感系统什么时候上线的", False, False),
        ("2024年10月29日是哪天出版的", False, False),  # a date, not an issue
        ("张家口的民意智感系统讲了什么", False, False),  # no reference at all
    ],
)
def test_contents_and_date_questions(question: str, contents: bool, when: bool) -> None:
    r = refs(question)
    assert (r.asks_contents, r.asks_date) == (contents, when)


def test_current_issue_anchors_this_and_previous() -> None:
    assert refs("本期讲了什么", current_issue=831).issue == 831
    assert refs("上期讲了什么", current_issue=853).issue == 831
    first = refs("上期讲了什么", current_issue=831)
    assert (first.issue, first.unresolved, first.cleaned) == (None, "上期", "讲了什么")


def test_empty_index() -> None:
    r = refs("最新一期讲了什么", issues=[])
    assert (r.issue, r.date_from, r.unresolved) == (None, None, "最新一期")
    assert refs("第831期", issues=[]).unknown_issue == 831


def test_weekly_archive() -> None:
    issues = weekly()
    assert refs("最新一期", issues).issue == 860
    assert refs("上期", issues).issue == 859
    assert refs("上期", issues, current_issue=846).issue == 844  # 845 is missing
    before_800 = refs("上期", issues, current_issue=800)  # an issue whose number was lost
    assert (before_800.issue, before_800.date_from, before_800.date_to) == (
        None,
        "2023-12-26",
        "2023-12-26",
    )
    assert refs("第845期", issues).unknown_issue == 845
    assert refs("第700期", issues).issue == 700  # known, though undated
    assert refs("70期", issues).phrases == []  # a count: not an issue of this archive
    r = refs("2024年10月的报道", issues)
    assert (r.date_from, r.date_to) == ("2024-10-01", "2024-10-31")
    assert [n for n, _ in matching_issues(r, issues)] == [827, 828, 829, 830, 831]
    # The newest issue is 2025-05-20: 六月 alone is June 2024, 五月 is May 2025.
    assert refs("六月", issues).date_from == "2024-06-01"
    assert refs("五月", issues).date_from == "2025-05-01"
    assert matching_issues(refs("2023年", issues), issues) == [(None, "2023-12-26")]
    assert matching_issues(refs("第831期", issues), issues) == [(831, "2024-10-29")]
    assert matching_issues(refs("民意智感系统", issues), issues) == []


def test_undated_archive_orders_by_number() -> None:
    issues = [(12, None), (10, None), (11, None)]
    assert refs("最新一期", issues).issue == 12
    assert refs("上一期", issues).issue == 11
    assert refs("上期", issues, current_issue=11).issue == 10


def test_several_references() -> None:
    r = refs("第853期和第831期")
    assert r.issue == 853 and r.phrases == ["第853期", "第831期"]
    r = refs("2024年第831期讲了什么")
    assert (r.issue, r.date_from, r.cleaned) == (831, "2024-01-01", "讲了什么")


@pytest.mark.parametrize("question", ["第853期2024年河北有多少个派出所实现了“寄存办”？",
                                      "在第853期中，2024年10月发案数下降了多少？"])
def test_a_year_outside_the_named_issue_is_what_it_reports_on(question: str) -> None:
    # 853 was printed in 2025: its 2024 is the period the article reports on, so it stays in
    # the question and filters nothing.
    r = refs(question)
    assert (r.issue, r.date_from, r.date_to) == (853, None, None)
    assert "2024年" in r.cleaned and "853" not in r.cleaned
    assert r.phrases == ["第853期"]


@pytest.mark.parametrize(
    "text,value",
    [
        ("831", 831),
        ("十", 10),
        ("十二", 12),
        ("二十九", 29),
        ("八百三十一", 831),
        ("二〇二四", 2024),
    ],
)
def test_cn_to_int(text: str, value: int) -> None:
    assert cn_to_int(text) == value
