"""Layout rules on markdown at any heading level and on plain text, with files the tests write
in the paper's style: short titles, titles repeated in their body, headlines over two heading
lines, section heads, and continuations (下转/上接) inside one file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.ingest.parse import parse_corpus, parse_file

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"

HEADER = "2025年6月3日 星期二\n\n第901期 本刊今日4版\n\n国内统一连续出版物号 CN13-0079\n\n"


def write(tmp_path: Path, text: str, name: str = "x.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def heads(text: str, mark: str) -> str:
    """The same issue with its `#` headings printed as `mark` (or as plain lines when '')."""
    return re.sub(r"^# ", f"{mark} " if mark else "", text, flags=re.M)


SHORT_TITLES = HEADER + """# 廖立

廖立，字公渊，武陵临沅人。刘备领荆州牧，辟为从事，年未三十，擢为长沙太守。资料见 index.php

# 硼砂

硼砂，是一种含有结晶水的硼酸钠，常用作清洁剂和防腐剂。它也用于制造玻璃

# 巫医

巫医是具有巫师和医师双重身份的人，常见于早期社会。

# 文化研究

文化研究的主要批判点之一，是传统上会将消费者视为被动的。
"""


@pytest.mark.parametrize("compact", [False, True])
@pytest.mark.parametrize("mark", ["#", "##", "###", ""])
def test_short_titles_at_any_heading_level_are_articles(tmp_path, mark, compact):
    text = heads(SHORT_TITLES, mark)
    if compact:  # no blank line anywhere: the masthead block must not swallow the file
        text = re.sub(r"\n\n+", "\n", text)
    issue = parse_file(write(tmp_path, text))
    assert issue.number == 901
    assert [a.title for a in issue.articles] == ["廖立", "硼砂", "巫医", "文化研究"]
    for a in issue.articles:
        assert not a.title_derived and not a.authors  # 文化研究 is not 文 + a name
        # The title repeated at the start of the body is its first paragraph, not glued to
        # the article before (whose last line has no full stop).
        assert a.paragraphs[0].startswith(a.title), a.paragraphs
        assert len(a.paragraphs) == 1
    assert issue.articles[0].text.endswith("index.php")


@pytest.mark.parametrize("mark", ["#", "##"])
def test_a_title_printed_again_over_its_text_is_kept_once(tmp_path, mark):
    text = HEADER + f"""{mark} 廖立

廖立

廖立，字公渊，武陵临沅人。

{mark} 硼砂

硼砂

□ 张三

硼砂是一种含有结晶水的硼酸钠。
"""
    arts = parse_file(write(tmp_path, text)).articles
    assert [(a.title, a.subtitle, a.authors, a.paragraphs) for a in arts] == [
        ("廖立", "", [], ["廖立，字公渊，武陵临沅人。"]),
        ("硼砂", "", ["张三"], ["硼砂是一种含有结晶水的硼酸钠。"]),
    ]


def test_section_heads_stay_inside_the_article_at_the_title_level(tmp_path):
    text = HEADER + """## 河北公安推进执法规范化建设

□ 田春雷

今年以来，全省公安机关持续推进执法规范化建设，取得明显成效。

## 一、加强组织领导

各级公安机关成立工作专班，明确责任分工。

## （二）完善制度机制

制定出台执法办案指引，规范执法流程。

### 强化监督 守住底线

建立执法监督平台，实时预警执法问题。

## 秦皇岛交警开展夏季道路交通安全整治

本报讯（李一峰）近日，秦皇岛交警开展夏季道路交通安全整治行动。
"""
    arts = parse_file(write(tmp_path, text)).articles
    assert [a.title for a in arts] == ["河北公安推进执法规范化建设", "秦皇岛交警开展夏季道路交通安全整治"]
    assert {"一、加强组织领导", "（二）完善制度机制", "强化监督 守住底线"} <= set(arts[0].paragraphs)
    assert arts[0].authors == ["田春雷"] and arts[1].authors == ["李一峰"]


def test_a_document_title_above_articles_is_not_their_title(tmp_path):
    # "# 公安周刊 法治副刊" heads the file; the articles under it are "##" with body text.
    text = HEADER + "# 法治副刊 第3版\n\n" + heads(SHORT_TITLES.removeprefix(HEADER), "##")
    arts = parse_file(write(tmp_path, text)).articles
    assert [a.title for a in arts] == ["廖立", "硼砂", "巫医", "文化研究"]


def test_wikipedia_style_sections_under_a_title_stay_inside(tmp_path):
    text = HEADER + """# 长城

长城，是古代中国为抵御塞北游牧部落联盟的侵袭，修筑规模浩大的军事工程的统称。

## 历史

西汉继续对长城进行修建，以抵御北方匈奴的侵袭。

## 结构

长城体系中设置有大量烽燧作为情报传递系统。

# 重庆

先秦时期，诸侯国巴国先后在今重庆地区建都。
"""
    arts = parse_file(write(tmp_path, text)).articles
    assert [a.title for a in arts] == ["长城", "重庆"]
    assert "历史" in arts[0].paragraphs and "烽燧" in arts[0].text


TWO_LINES = HEADER + """## 衡水冀州警方破获一起

## 跨省盗窃电缆案

□ 赵秋承

近日，衡水市公安局冀州分局破获一起跨省盗窃电缆案，抓获犯罪嫌疑人3名。

## 景中有“警” 游客畅游更安心

## ——看邯郸丛台公安如何做活旅游警务

□ 韩超

邯郸道历史文化街区纵跨邯郸市人民路与丛台路两大主干道。

## 为应对极端大风天气——

## 我省公安机关联勤值守

□ 张哲

连日来，我省公安机关坚持人民至上、生命至上理念。

## 守护平安

## 记邢台市信都区公安分局社区民警周建国

□ 王海燕

周建国是信都区公安分局中兴派出所的一名社区民警。
"""


def test_a_headline_over_two_heading_lines_is_one_title(tmp_path):
    arts = parse_file(write(tmp_path, TWO_LINES)).articles
    got = [(a.kicker, a.title, a.subtitle) for a in arts]
    assert got == [
        ("", "衡水冀州警方破获一起跨省盗窃电缆案", ""),
        ("", "景中有“警” 游客畅游更安心", "看邯郸丛台公安如何做活旅游警务"),  # dashes: subtitle
        ("为应对极端大风天气", "我省公安机关联勤值守", ""),  # dashes: kicker
        ("", "守护平安", "记邢台市信都区公安分局社区民警周建国"),  # a whole phrase: subtitle
    ]


CONTINUED = HEADER + """# 守护“一老一小”

□ 王海燕

周建国是信都区公安分局中兴派出所的一名社区民警，辖区老年人占常住人口的三成。

他为辖区86位独居老人建立了联系卡，每周至少上门走访一次

（下转第3版）

# 邯郸交警开展电动自行车安全整治

□ 刘晓东

5月以来，邯郸市公安局交警支队在全市开展电动自行车安全整治。

（下转第4版）

# 沧州公安夜巡护航夏季夜市

本报讯（李明远）入夏以来，沧州市公安局运河分局启动夏季夜市巡防专项行动。

# 守护“一老一小”（上接第1版）

，帮助老人防范电信诈骗。放学时段，周建国还会到辖区两所小学门口护学。

# 电动自行车安全整治

（上接第1版）

整治期间共查处违法行为1200余起，劝导佩戴头盔3000余人次。
"""


@pytest.mark.parametrize("mark", ["#", "##", ""])
def test_a_continuation_inside_one_file_is_joined_to_its_start(tmp_path, mark):
    write(tmp_path, heads(CONTINUED, mark))
    issues, _ = parse_corpus(tmp_path)
    arts = issues[0].articles
    assert [a.title for a in arts] == ["守护“一老一小”", "邯郸交警开展电动自行车安全整治",
                                       "沧州公安夜巡护航夏季夜市"]
    old, bikes = arts[0], arts[1]
    assert old.continuations == ["下转第3版", "上接第1版"]
    # The sentence cut by the page turn is one again.
    assert "每周至少上门走访一次，帮助老人防范电信诈骗。" in old.text
    assert bikes.continuations == ["下转第4版", "上接第1版"]
    assert bikes.paragraphs[-1].startswith("整治期间共查处违法行为")
    assert "整治" not in arts[2].text


def test_a_continued_part_with_no_clear_start_stays_apart(tmp_path):
    # Two starts continue elsewhere and the part's headline was lost: guessing could glue it
    # to the wrong one, so it stays an article of its own.
    text = CONTINUED.split("# 守护“一老一小”（上接第1版）")[0] + \
        "（上接第1版）\n\n整治期间共查处违法行为1200余起，劝导佩戴头盔3000余人次。\n"
    write(tmp_path, text)
    arts = parse_corpus(tmp_path)[0][0].articles
    assert len(arts) == 4 and arts[-1].title_derived
    assert arts[-1].continuations == ["上接第1版"]


def test_sample_issues_parse_the_same_with_headings_one_level_deeper(tmp_path):
    """A tool that writes "##" where another writes "#": the same articles."""
    for path in CORPUS.glob("*.txt"):
        text = path.read_text(encoding="utf-8")
        write(tmp_path, re.sub(r"^(#+) ", r"#\1 ", text, flags=re.M), path.name)
    deeper = [a for i in parse_corpus(tmp_path)[0] for a in i.articles]
    printed = [a for i in parse_corpus(CORPUS)[0] for a in i.articles]
    assert len(printed) == 28
    assert [(a.kicker, a.title, a.subtitle, a.authors, a.paragraphs) for a in deeper] == \
        [(a.kicker, a.title, a.subtitle, a.authors, a.paragraphs) for a in printed]


def test_sample_issues_without_blank_lines_keep_their_articles(tmp_path):
    """Some exports drop blank lines: lines are then blocks of their own."""
    for path in CORPUS.glob("*.txt"):
        text = path.read_text(encoding="utf-8")
        write(tmp_path, re.sub(r"\n\s*\n+", "\n", text), path.name)
    compact = [a for i in parse_corpus(tmp_path)[0] for a in i.articles]
    printed = [a for i in parse_corpus(CORPUS)[0] for a in i.articles]
    assert len(compact) == len(printed) == 28
    titles = {a.title for a in compact}
    # Only the two headlines printed over two lines cannot be told from title and subtitle.
    assert sum(a.title in titles for a in printed) >= 26
    assert not any(n in a.text for a in compact for n in ("对党忠诚", "邮发代号", "责编"))


def test_markdown_pictures_links_and_rules_leave_only_the_text(tmp_path):
    text = HEADER + """## 廖立 ##

![图片](images/p1_3.jpg)

廖立，字公渊，见[三国志](https://example.org/sgz)。

---

## 硼砂

硼砂，是一种含有结晶水的硼酸钠。
"""
    arts = parse_file(write(tmp_path, text)).articles
    assert [(a.title, a.paragraphs) for a in arts] == [
        ("廖立", ["廖立，字公渊，见三国志。"]), ("硼砂", ["硼砂，是一种含有结晶水的硼酸钠。"])]


def test_a_continued_page_whose_file_sorts_first_is_still_joined(tmp_path):
    data = ROOT / "tests" / "data"
    (tmp_path / "a_page6.txt").write_bytes((data / "issue_900_p6.txt").read_bytes())
    (tmp_path / "b_page1.txt").write_bytes((data / "issue_900_p1.txt").read_bytes())
    issues, _ = parse_corpus(tmp_path)
    arts = {a.title: a for i in issues for a in i.articles}
    old = arts["守护“一老一小”"]
    assert old.source == "b_page1.txt" and old.continuations == ["下转第6版", "上接第1版"]
    assert "放学时段，周建国还会到辖区两所小学门口护学" in old.text
    assert sum(a.title == "守护“一老一小”" for i in issues for a in i.articles) == 1


NOTICE_ISSUE = """衡水网警斩断“AI换脸”黑色链条

本报讯（通讯员 李振华）近日，衡水市公安局网安支队破获一起利用“AI换脸”技术侵犯公民个人信息案，抓获犯罪嫌疑人6名。

警方提醒，广大群众要妥善保管个人身份证照片和人脸信息。

公安周刊 2025年6月24日

唐山市公安局关于公开征集食品药品领域违法犯罪线索的通告

为依法严厉打击食品药品领域违法犯罪，唐山市公安局决定面向社会公开征集违法犯罪线索。

群众可通过拨打举报电话0315-2916110进行举报。

唐山市公安局

2025年6月12日

高考护航 交警“护考”再出新招

邢台交警推出“护考直通车”服务

本报讯（通讯员 王磊）高考期间，邢台交警累计出动警力2600余人次，用警车护送考生赶赴考点30余次。
"""


def test_a_notice_its_sign_off_and_a_running_head_do_not_make_headlines(tmp_path):
    """A notice's own title (…的通告) starts an article though no byline follows it; its
    sign-off date ends it rather than joining the next headline (which once read 唐山市公安局
    over a subtitle of the date and the real title); a page's running head with the date
    (公安周刊 2025年6月24日) is masthead, never a title."""
    articles = parse_file(write(tmp_path, NOTICE_ISSUE, "issue_0914.txt")).articles
    assert [a.title for a in articles] == ["衡水网警斩断“AI换脸”黑色链条",
                                          "唐山市公安局关于公开征集食品药品领域违法犯罪线索的通告",
                                          "邢台交警推出“护考直通车”服务"]
    assert articles[1].paragraphs[-1] == "2025年6月12日"
    assert articles[2].kicker == "高考护航 交警“护考”再出新招"
    assert not any("公安周刊" in p for a in articles for p in a.paragraphs)
