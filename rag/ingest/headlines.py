"""Headlines: where articles start and which lines above a start form its headline.

An article starts at an anchor: a byline (`□ 张三 李四`), a news lead (`本报讯（张哲）…`), a
continued part (`（上接第1版）`), a photo credit (`苗文金 摄`, the caption above it is the item), or a
heading at the file's title level or over a `——` subtitle. The title level is read from each
file (the shallowest markdown level whose headings introduce text), so `#`, `##` or deeper
titles work alike. The short lines just above an anchor are its headline: kicker, title and
subtitle are told apart by their dashes and shape; a headline cut over two lines is joined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.ingest.units import BIG_GAP, BULLET, PARTICLES, SECTION, Unit
from rag.text import is_complete, join_broken

# Words a headline cannot end on: a measure word after a number, a preposition, 的.
_OPEN_END = re.compile(r"([一二两三四五六七八九十百千万几多数\d][起名个批位条辆件家户次处种项只座所台部套份]"
                       r"|[的之与和及对把被将向从在为于让给由以并或])$")


@dataclass
class Start:
    """The headline of an article that starts at a unit."""

    title: str = ""
    subtitle: str = ""
    kicker: str = ""
    kind: str = "article"
    derived: bool = False


# A notice's sign-off date (唐山市公安局 / 2025年6月12日): the end of the article above, never
# part of the next one's headline.
_SIGNED_DATE = re.compile(r"^(?:\d{4}|[〇零一二三四五六七八九]{4})年(?:\d{1,2}|[一二三四五六七八九十]{1,2})月"
                          r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})日$")
# The end of a court's document: who signed it (审判员　冉志国, 书记员　董佳琪) and what is appended
# to it (附：本判决适用的相关法律条文); short lines over text, but never a headline.
_DOCUMENT_END = re.compile(r"^(?:审判长|审判员|代理审判员|人民陪审员|书记员|法官助理)\s*\S{1,5}$|^附[:：]")
# A document's own title names its kind (…征集…线索的通告): a headline even with no byline.
_DOCUMENT = re.compile(r"(通告|公告|通知|倡议书|告知书|公开信|声明|提示)$|"
                       r"^[\u4e00-\u9fff]{0,4}(?:提示|提醒)[:：]")  # 警方提示：这五类“兼职”…


def _loose_heading(u: Unit, title_level: int) -> bool:
    """A line that may be part of a headline when an anchor follows it.

    Headings down to one level below the title level can be (a title under its kicker);
    deeper ones are section heads.
    """
    if _SIGNED_DATE.match(u.text):
        return False
    if u.kind in ("kicker", "subtitle"):
        return True
    if u.kind == "heading":
        return u.level <= max(title_level, 1) + 1 and not SECTION.match(u.text)
    if u.kind == "body" and len(u.text) <= 30 and u.text[-1] in "！？!?" \
            and not re.search("[，。；]", u.text):
        return True  # "致敬！最美基层民警" / "谁在守护深夜的街巷？"
    return u.kind == "body" and len(u.text) <= 50 and not is_complete(u.text) and "。" not in u.text


def _is_slogan(text: str) -> bool:
    """Parallel short phrases ("机制牵引 体系重塑 科技赋能"): a kicker rather than a title."""
    parts = [p for p in re.split(r"[\s、]+", text) if p]
    return len(parts) >= 2 and all(len(p) <= 10 for p in parts)


def _runs_on(head: Unit, tail: Unit) -> bool:
    """Two heading lines that are one headline cut in two ("破获一起" / "跨省盗窃电缆案").

    A headline does not end on a measure word, a preposition or an open quote, and a title
    followed by its subtitle is a complete phrase; so only such a cut joins the lines.
    """
    if head.level != tail.level or len(head.text) + len(tail.text) > 40:
        return False
    if " " in head.text or _is_slogan(tail.text):
        return False
    return bool(_OPEN_END.search(head.text) or head.text.count("“") > head.text.count("”")
                or tail.text[0] in PARTICLES)


def _headline(units: list[Unit], group: list[int]) -> Start:
    start = Start()
    kickers = [units[i].text for i in group if units[i].kind == "kicker"]
    subtitles = [units[i].text for i in group if units[i].kind == "subtitle"]
    plain_units: list[Unit] = []
    for i in group:
        if units[i].kind in ("kicker", "subtitle"):
            continue
        if plain_units and units[i].text == plain_units[-1].text:
            continue  # a headline printed twice
        if plain_units and _runs_on(plain_units[-1], units[i]):
            last = plain_units[-1]
            plain_units[-1] = Unit(join_broken(last.text, units[i].text), last.kind, last.level)
        else:
            plain_units.append(units[i])
    plain = [u.text for u in plain_units]
    if plain:
        if subtitles and len(plain) > 1:
            # The line right above the "——" subtitle is the title.
            kickers += plain[:-1]
            plain = plain[-1:]
        elif len(plain) > 1 and _is_slogan(plain[0]) and not _is_slogan(plain[1]) \
                and not (plain_units[0].level and not plain_units[1].level):
            # A marked heading is never a lead-in to an unmarked line under it: 被告人刘某某窝藏、
            # 包庇一审刑事判决书 reads like two short phrases, but the court's name below is no title.
            kickers.append(plain.pop(0))
        start.title = plain[0]
        subtitles = plain[1:] + subtitles
    elif kickers:  # only a lead-in survived extraction: it is the best title we have
        start.title = kickers.pop()
    start.kicker = " ".join(kickers)
    start.subtitle = " ".join(subtitles)
    return start


# A column's name: a few characters, no punctuation (简讯, 警务快讯, 一周警情).
_COLUMN_NAME = re.compile(r"^[\u4e00-\u9fff]{2,6}$")


# An item of a column of short news: a bullet (△7月19日，…) or the place it is from before a
# colon (兴隆：6月18日22时许，…); not a line of an interview (记者：…, 问：…).
_COLUMN_ITEM = re.compile(r"^(?:[△▲◇◆▶]|(?!记者|问|答|主持人)[\u4e00-\u9fff]{2,5}[：:]\s*\S)")


def _names_column(units: list[Unit], i: int) -> bool:
    """A short name over bulleted items (警务快讯 over ●1月19日，…), or over two items that
    each open with a bullet or a place (简讯 over 兴隆：…, 三河：…): a column of short news, an
    article of its own, not the tail of the story above it."""
    if not _COLUMN_NAME.match(units[i].text):
        return False
    items = units[i + 1:i + 3]
    return bool(items) and bool(BULLET.match(items[0].text)) or len(items) == 2 and all(
        _COLUMN_ITEM.match(u.text) for u in items)


def _stands_apart(units: list[Unit], i: int, last: int) -> bool:
    """A headline set apart by a wide gap after a finished story, with text right below it
    (定州警方发布秋季防范入室盗窃“六个要” over 眼下正值…): an article with no byline."""
    return i > 0 and units[i].gap >= BIG_GAP and units[i - 1].kind == "body" \
        and is_complete(units[i - 1].text) and last + 1 < len(units) \
        and units[last + 1].kind in ("body", "lead") and not SECTION.match(units[last].text)


def _introduces_body(units: list[Unit], i: int) -> bool:
    """A heading followed by text (past its subtitle, byline, continuation note, or short
    unmarked lines such as the title printed again)."""
    j = i + 1
    while j < len(units) and (units[j].kind in ("subtitle", "byline", "credit", "cont")
                              or (units[j].kind == "heading" and not units[j].level)):
        j += 1
    return j < len(units) and units[j].kind in ("body", "lead")


def _title_level(units: list[Unit]) -> int:
    """The markdown level of the file's article titles: the shallowest level whose headings
    introduce body text (deeper ones are section heads, shallower ones lead-ins or page names).

    Files mark titles with `#`, `##` or lower depending on the tool that made them, so the
    level is read from each file's structure. 0 when no markdown heading introduces text.
    """
    return min((u.level for i, u in enumerate(units) if u.kind == "heading" and u.level
                and not SECTION.match(u.text) and _introduces_body(units, i)), default=0)


def find_starts(units: list[Unit]) -> tuple[dict[int, Start], set[int]]:
    """Where articles start (unit index → headline), and the units that form headlines."""
    title_level = _title_level(units)
    # Plain text with neither markdown titles nor bylines: a short line over text is a title.
    plain_titles = not title_level and not any(u.kind in ("byline", "lead") for u in units)
    starts: dict[int, Start] = {}
    used: set[int] = set()
    headline: set[int] = set()
    for i, u in enumerate(units):
        if u.kind == "heading" and u.note.startswith("上接") and i not in used:
            # "守护“一老一小”（上接第1版）": the headline of a continued part, on its own.
            starts[i] = _headline(units, [i])
            used.add(i)
            headline.add(i)
        elif u.kind in ("byline", "lead") or (u.kind in ("cont", "body")
                                              and u.note.startswith("上接")
                                              and (u.kind == "cont" or u.text)):
            if i in used:
                continue
            if u.kind == "lead" and i > 0 and units[i - 1].kind == "byline" and i - 1 in used:
                # "□ 记者 常一帆" over "本报讯 寒假期间…": one article, opened by its byline.
                used.add(i)
                continue
            group: list[int] = []
            j = i - 1
            while j >= 0 and j not in used and len(group) < 5 \
                    and _loose_heading(units[j], title_level):
                group.insert(0, j)
                if units[j].kind == "kicker":
                    break
                j -= 1
            used.update(group)
            headline.update(group)
            used.add(i)
            starts[group[0] if group else i] = _headline(units, group) if group else Start(
                derived=True)
        elif u.kind == "credit" and i > 0 and units[i - 1].kind in ("body", "caption", "heading") \
                and i - 1 not in used:
            starts[i - 1] = Start(kind="photo", derived=True)
            used.update((i - 1, i))
    # Headlines without a byline: a heading at the file's title level or a "——" subtitle.
    i = 0
    while i < len(units):
        # An item of a column ("●1月19日，…") is its text, never a headline.
        if i in used or units[i].kind not in ("heading", "kicker", "subtitle") \
                or BULLET.match(units[i].text):
            i += 1
            continue
        # A section head deeper than a subtitle can be ("### 历史") ends the headline.
        j = i + 1
        while j < len(units) and j not in used and units[j].kind in ("heading", "kicker",
                                                                      "subtitle") \
                and units[j].level <= max(title_level, 1) + 1 and not BULLET.match(units[j].text):
            j += 1
        signed = [k for k in range(i, j) if _SIGNED_DATE.match(units[k].text)]
        if signed:  # 廊坊市公安局 / 2026年1月23日 over 警务快讯: the notice above ends there
            i = signed[-1] + 1
            if i >= j:
                continue
        group = list(range(i, j))
        if any(_DOCUMENT_END.match(units[k].text) for k in group):
            i = j
            continue
        if any(units[k].kind == "subtitle" or (0 < units[k].level <= title_level
                                                 and not SECTION.match(units[k].text))
               for k in group) or ((plain_titles or _DOCUMENT.search(units[j - 1].text))
                                   and _introduces_body(units, j - 1)
                                   and not SECTION.match(units[j - 1].text)) \
                or _names_column(units, j - 1) or _stands_apart(units, i, j - 1):
            starts[i] = _headline(units, group)
            used.update(group)
            headline.update(group)
        i = j
    return starts, headline
