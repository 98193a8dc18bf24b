"""bot.render on its own: escaping, citation lines, 4,096-character pages, keyboards."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bot_emulator import ApiError, parse_html

from bot import render
from rag.types import Answer, Article, Citation, Issue


def _cite(n=1, issue=831, date="2024-10-29", title="石家庄市交管局举行铁骑驾驶技能大比武", **kw):
    defaults = {"article_id": f"000_901c193272ce665a.txt#{n}", "source": "000.txt"}
    return Citation(n=n, issue=issue, date=date, title=title, **{**defaults, **kw})


def _long_article(chars: int = 5000) -> Article:
    sentence = "民警<李某>与“张&王”巡逻时发现可疑车辆，立即上前盘查。"  # 29 chars, 3 to escape
    paragraphs = []
    while sum(map(len, paragraphs)) < chars:
        paragraphs.append(sentence * 9)
    return Article(
        id="999_long.txt#1",
        source="999_long.txt",
        issue=999,
        date="2025-01-07",
        title="一篇很长的<测试>文章",
        authors=["甲", "乙"],
        paragraphs=paragraphs,
    )


def test_citation_line_full():
    line = render.citation_line(_cite(authors=["郭俊岭", "张三"]))
    assert (
        line
        == "[1] 第831期 · 2024-10-29 · 《石家庄市交管局举行铁骑驾驶技能大比武》 · 郭俊岭、张三"
    )


def test_citation_line_unknown_issue_and_date():
    line = render.citation_line(_cite(n=2, issue=None, date=None, title="A&B <c>"))
    assert line == "[2] 期号不详 · 《A&amp;B &lt;c&gt;》"


def test_answer_escapes_and_lists_sources():
    answer = Answer(
        question="q",
        text="比武于10月24日举行[1]，<共62名>铁骑参赛&角逐[2]。",
        citations=[_cite(1, authors=["郭俊岭"]), _cite(2, issue=853, date="2025-04-15")],
    )
    [page] = render.render_answer(answer)
    assert "&lt;共62名&gt;铁骑参赛&amp;角逐[2]" in page
    assert "[1] 第831期 · 2024-10-29 · 《石家庄市交管局举行铁骑驾驶技能大比武》 · 郭俊岭" in page
    assert "[2] 第853期 · 2025-04-15 ·" in page
    parse_html(page)  # Telegram would accept it


def test_abstained_answer_offers_suggestions():
    answer = Answer(
        question="q",
        text="《公安周刊》里没有找到相关内容。",
        abstained=True,
        suggestions=[_cite(i, title=f"文章{i}") for i in range(1, 5)],
    )
    [page] = render.render_answer(answer)
    assert "没有找到" in page and "可能相关的文章" in page
    assert "文章3" in page and "文章4" not in page
    keyboard = render.answer_keyboard(answer, "k1").inline_keyboard
    assert [row[0].text for row in keyboard[:3]] == ["1. 文章1", "2. 文章2", "3. 文章3"]
    assert [b.text for b in keyboard[-1]] == ["👍", "👎"]


def test_long_article_split_within_limit_and_not_inside_entities():
    article = _long_article(5000)
    pages = render.render_article(article)
    assert len(pages) >= 2
    for page in pages:
        assert render.tg_len(page) <= render.MAX_MESSAGE
        plain = parse_html(page)  # raises if a tag or an entity were cut
        assert "&lt;" not in plain
    assert pages[0].startswith(
        "<b>《一篇很长的&lt;测试&gt;文章》</b>\n第999期 · 2025-01-07 · 甲、乙"
    )
    # Nothing lost, nothing doubled: the pages hold every paragraph, in order.
    body = "".join(parse_html(p) for p in pages).replace("\n", "")
    assert body.endswith("".join(article.paragraphs))
    # Pages end at paragraph ends, since paragraphs here are short.
    assert all(p.endswith("。") for p in pages)


def test_one_huge_paragraph_splits_at_sentences_then_anywhere():
    sentences = "派出所民警走访&排查。" * 600  # 6,600 characters, no paragraph break
    pieces = render.text_pieces(sentences, limit=1000)
    assert all(render.tg_len(p) <= 1000 for p in pieces)
    assert "".join(pieces) == render.esc(sentences)
    no_stops = "&" * 2500  # escapes to 12,500 characters and has no sentence end
    pieces = render.text_pieces(no_stops, limit=4096)
    assert all(render.tg_len(p) <= 4096 and p.endswith(";") for p in pieces)
    assert "".join(pieces) == "&amp;" * 2500


def test_paginate_counts_utf16():
    emoji = "🚓" * 3000  # 2 UTF-16 units each: 6,000 as Telegram counts
    pages = render.paginate([render.text_pieces(emoji)])
    assert len(pages) == 2 and all(render.tg_len(p) <= 4096 for p in pages)


def test_answer_keyboard_short_callback_data_and_registry():
    long_id = "000_901c193272ce665a_" + "x" * 80 + ".txt#12"
    answer = Answer(question="q", text="t[1][2]", citations=[_cite(1, article_id=long_id)] * 2)
    seen = {}
    keyboard = render.answer_keyboard(
        answer, "abcdef123456", lambda aid: seen.setdefault(render.article_key(aid), aid)
    )
    rows = keyboard.inline_keyboard
    assert len(rows) == 2  # the same article cited twice gets one button
    data = rows[0][0].callback_data
    assert len(data.encode()) <= 64
    assert render.parse_callback(data) == ("a", render.article_key(long_id))
    assert seen == {render.article_key(long_id): long_id}
    assert render.parse_callback(rows[1][1].callback_data) == ("v", "down", "abcdef123456")
    assert all(len(b.callback_data.encode()) <= 64 for row in rows for b in row)
    assert render.parse_callback("zz:1") == ()


def test_issue_lists():
    def items(source: str, n: int, photos: int = 0) -> list[Article]:
        return [Article(id=f"{source}#{i}", source=source, issue=None, date=None, title="t",
                        kind="photo" if i < photos else "article") for i in range(n)]

    issues = [
        Issue(source="001.txt", number=853, date="2025-04-15", articles=items("001.txt", 7, 2)),
        Issue(source="002_<x>.txt", articles=items("002_<x>.txt", 3)),
    ]
    [page] = render.render_issues(issues)
    assert "第853期 · 2025-04-15 · 5 篇、2 图" in page and "期号不详 · 3 篇 ·" in page
    parse_html(page)
    articles = [
        Article(id=f"s#{i}", source="s", issue=831, date=None, title=f"标题{i}") for i in (1, 2)
    ]
    [page] = render.render_issue_articles("第831期 · 2024-10-29", articles)
    assert "1. 《标题1》" in page and "2. 《标题2》" in page
    assert len(render.articles_keyboard(articles).inline_keyboard) == 2


def test_help_and_refusal_and_errors():
    text = render.render_help(["铁骑<比武>是哪天？"], admin=True)
    assert "铁骑&lt;比武&gt;是哪天？" in text and "/reindex" in text
    assert "/reindex" not in render.render_help([], admin=False)
    assert "/remove" in text and "/remove" not in render.render_help([], admin=False)
    assert "<code>555</code>" in render.refusal_text(555)
    no_sender = render.refusal_text(None)
    assert "None" not in no_sender and "个人账号" in no_sender
    assert render.one_line("no index at x:\n  run <build>") == "no index at x: run &lt;build&gt;"


def test_stats_have_chinese_labels():
    stats = {
        "chunks": 120, "model": "<m>", "warnings": ["a<b"], "issues_list": [{"n": 1}],
        "timings": {"parse": 0.5, "embed": 2.25}, "new_field": 3,
    }  # fmt: skip
    [page] = render.render_stats(stats)
    assert parse_html(page).splitlines() == [
        "索引统计",
        "文本块数: 120",
        "向量模型: <m>",
        "警告: 1 条",
        "• a<b",
        "各期: 1 项",
        "各步用时（秒）: parse 0.5，embed 2.25",
        "new_field: 3",  # a field without a label keeps its own name
    ]


def test_upload_summaries():
    added = {"added": ["853.txt"], "replaced": [], "skipped": [], "warnings": [], "issues": 5}
    text = parse_html(render.render_upload("853<x>.txt", added, 2.4))
    assert text.splitlines() == [
        "✅ 已加入索引：853<x>.txt（用时 2 秒）", "新增 1，替换 0，跳过 0", "新增：853.txt",
    ]  # fmt: skip
    skipped = {"added": [], "replaced": [], "skipped": ["a.txt"], "warnings": ["w & v"],
               "reasons": ["a.txt: same issue as b.txt"]}  # fmt: skip
    text = parse_html(render.render_upload("a.txt", skipped, 0.2))
    assert text.startswith("⚠️ 未加入索引：a.txt")
    assert "跳过：a.txt: same issue as b.txt" in text and "• w & v" in text
    # The library's own one-line summary wins when it gives one, and says it all.
    summary = {**added, "summary": "added 1: 第853期 853.txt"}
    assert parse_html(render.render_upload("853.txt", summary, 1)).splitlines()[1:] == [
        "added 1: 第853期 853.txt"
    ]
    assert "MAX_FILE_MB" in render.too_large(6 * 1024 * 1024, 5 * 1024 * 1024)
    assert "6.0 MB" in render.too_large(6 * 1024 * 1024, 5 * 1024 * 1024)
    assert parse_html(render.upload_progress("<a>.txt", 2048, "正在下载")) == (
        "⏳ 已收到 <a>.txt（2 KB），正在下载……"
    )
    removed = render.render_removed("853", {"removed": "001.txt", "issues": 4, "summary": "x"})
    assert parse_html(removed) == "✅ 已从索引中移除 001.txt，索引现有 4 期。"


def test_emulator_rejects_bad_html():
    with pytest.raises(ApiError):
        parse_html("a < b")
    with pytest.raises(ApiError):
        parse_html("<b>unclosed")
    assert parse_html("<b>x</b> &lt;y&gt; &amp;") == "x <y> &"


def _english_words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]{3,}", re.sub(r"[\w<>.-]+\.(txt|csv)", "", text))


def test_add_outcome_is_said_in_chinese(index_copy, settings, tmp_path):
    """A real add (a new issue, one with no printed number, a copy of an indexed issue under
    another name, an empty file) read back in Chinese, names, reasons and warnings included,
    no English words."""
    from rag import add_files

    corpus = Path(__file__).resolve().parents[1] / "corpus"
    issue_831 = (corpus / "000_901c193272ce665a.txt").read_text(encoding="utf-8")
    new = tmp_path / "<new>.txt"
    new.write_text(issue_831.replace("第831期", "第901期", 1), encoding="utf-8")
    (tmp_path / "nonum.txt").write_text(issue_831.replace("第831期", "", 1), encoding="utf-8")
    (tmp_path / "again.txt").write_text(issue_831, encoding="utf-8")
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    files = [new] + [tmp_path / n for n in ("nonum.txt", "again.txt", "empty.txt")]
    result = add_files(files, index_copy, settings)
    assert result["summary"].startswith("added 2: 第901期")  # the CLI's line is unchanged
    line = parse_html(render.add_line(result))
    assert line.startswith("已添加 2 期：第901期（<new>.txt）、期号不详（nonum.txt）；跳过 2 个："), line
    assert "again.txt（第831期）与已收录的 000_901c193272ce665a.txt 是同一期" in line
    assert "empty.txt 是空文件" in line and "索引现有 7 期" in line
    assert not _english_words(line), line
    reply = parse_html(render.render_upload("<new>.txt", result, 2))
    assert reply.splitlines()[:2] == ["✅ 已加入索引：<new>.txt（用时 2 秒）", line]
    assert "• nonum.txt：没有印出期号，issues.csv 里也没有" in reply.splitlines()
    assert not _english_words(reply), reply


def test_unknown_skip_reason_keeps_the_library_words():
    outcome = {"added": [], "replaced": [],
               "skipped": [{"file": "a&b.txt", "issue": None, "reason": "new_code",
                            "other": None, "detail": "some <new> reason"}]}
    line = parse_html(render.add_line({"outcome": outcome, "summary": "nothing new"}))
    assert line == "跳过 1 个：a&b.txt：some <new> reason"
    stats = parse_html("\n".join(render.render_stats(
        {"issues": 5, "outcome": outcome, "summary": "x", "reasons": ["y"]})))
    assert "上传的文件：跳过 1 个" in stats and "summary" not in stats and "reasons" not in stats
