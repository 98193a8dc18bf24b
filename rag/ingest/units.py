"""Each clean line of an issue as a unit of the layout: a byline, a news lead, a photo credit,
a continuation note, a heading, a kicker or subtitle (by their dashes), a caption, or body text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.ingest.clean import Line
from rag.text import SENTENCE_END, is_complete, join_broken

_ROLE = r"(?:本报记者|特约记者|见习记者|记者|特约通讯员|通讯员|实习生|摄影|文/图|文图|文|图)"
_NAME = r"[\u4e00-\u9fff·]{2,5}"
_BYLINE = re.compile(r"^[□■◇◆]\s*(.{1,60})$")
_LONG_ROLE = r"(?:本报记者|特约记者|见习记者|记者|特约通讯员|通讯员|实习生|摄影)"
# A one-character role needs a mark or a space after it: "文化研究" is not 文 + a name.
_ROLE_BYLINE = re.compile(rf"^(?:{_ROLE}\s*[/:：]|{_ROLE}\s+|{_LONG_ROLE})\s*{_NAME}"
                          rf"(\s+({_ROLE}\s*)?{_NAME})*$")
_LEAD = re.compile(
    r"^(本报讯|本报[\u4e00-\u9fff\d]{1,12}电|[\u4e00-\u9fff]{2,8}报讯|新华社[\u4e00-\u9fff\d]{0,14}电)"
    r"\s*(?:[（(]([^（）()]{1,40})[)）])?\s*(.*)$"
)
_CREDIT = re.compile(rf"^((?:{_ROLE}\s*)?{_NAME}(?:[\s、/]+(?:{_ROLE}\s*)?{_NAME})*)\s*/?\s*摄(?:影)?$"
                     rf"|^(?:摄影|图)\s*[/:：]\s*({_NAME}(?:[\s、]+{_NAME})*)$")
# "（记者 张三 通讯员 李四）" closing an article: its byline printed at the end.
_TRAILING_BYLINE = re.compile(rf"^[（(]\s*((?:{_ROLE}\s*)?{_NAME}(?:[\s、]+(?:{_ROLE}\s*)?{_NAME})*)"
                              r"\s*[)）]$")
_CONT = re.compile(r"[（(]\s*(下转|上接|转|接)\s*第?\s*(\d+|[一二三四五六七八九十]+)\s*版\s*[)）]")
_BULLETS = "●■◆▲★◎○"
BULLET = re.compile(rf"^[{_BULLETS}]")
# Bullets and numbers mark section heads inside an article ("● …", "一、…", "（二）…").
SECTION = re.compile(rf"^([{_BULLETS}]|[一二三四五六七八九十]{{1,3}}[、.．]|[（(][一二三四五六七八九十\d]{{1,3}}[)）]"
                      r"|\d{1,2}[、.．](?!\d)|第[一二三四五六七八九十\d]{1,3}[部分章节条])")
PARTICLES = set("了着过们吗呢吧")  # characters no sentence starts with
BIG_GAP = 3  # blank lines before a picture, a caption, a column jump or a headline with no byline


@dataclass
class Unit:
    """A clean line with its role in the layout."""

    text: str
    kind: str  # byline lead credit cont heading kicker subtitle caption body
    level: int = 0
    gap: int = 0
    authors: list[str] = field(default_factory=list)
    note: str = ""  # continuation note found in the unit


def names(text: str) -> list[str]:
    """Split a byline into author names, dropping roles such as 记者 and 通讯员."""
    result = []
    for token in re.split(r"[\s、，,;；]+", text):
        # "记者张三", "文/张三", "图：李四": the role is a prefix of the name.
        token = re.sub(rf"^{_ROLE}\s*[/:：]\s*|^(?:本报记者|特约记者|见习记者|记者|特约通讯员"
                       r"|通讯员|实习生|摄影)", "", token)
        if re.fullmatch(_NAME, token) and not re.fullmatch(_ROLE, token):
            result.append(token)
    return result


def _heading_like(text: str, level: int) -> bool:
    if level or BULLET.match(text):
        return True
    if len(text) > 40 or is_complete(text) or text.endswith(("—", "：", "，", "、")):
        return False
    if text.count("“") != text.count("”"):  # a headline closes its quotes; a cut line may not
        return False
    return not re.search(f"[{SENTENCE_END}，]", text)


def classify(lines: list[Line]) -> list[Unit]:
    """What each line is, in reading order; a headline cut within one block becomes one unit."""
    units: list[Unit] = []
    for line in lines:
        text = line.text
        prev = units[-1] if units else None
        # A headline broken over two lines of one block is one headline (a markdown heading
        # is one line: the line under it is not part of it).
        if (line.joined and prev and prev.kind == "heading" and not line.level
                and not prev.level and _heading_like(text, 0)):
            prev.text = join_broken(prev.text, text)
            continue
        unit = Unit(text, "body", line.level, line.gap)
        if m := _CONT.search(text):
            unit.note = f"{'上接' if m.group(1) in ('上接', '接') else '下转'}第{m.group(2)}版"
            text = unit.text = (text[: m.start()] + text[m.end():]).strip()
            if not text:
                unit.kind = "cont"
                units.append(unit)
                continue
        if text.startswith(("——", "—")) and len(text) <= 80:
            unit.kind, unit.text = "subtitle", text.lstrip("—").strip()
        elif text.endswith(("——", "—")) and len(text) <= 150:
            unit.kind, unit.text = "kicker", text.rstrip("—").strip()
        elif (m := _CREDIT.match(text)) and len(text) <= 40:
            unit.kind, unit.authors = "credit", names(m.group(1) or m.group(2))
        elif (m := _BYLINE.match(text)) or _ROLE_BYLINE.match(text):
            unit.kind, unit.authors = "byline", names(m.group(1) if m else text)
        elif (m := _LEAD.match(text)) and (m.group(2) or m.group(1).endswith("讯")):
            unit.kind, unit.authors = "lead", names(m.group(2) or "")
            unit.text = m.group(3).strip()
        elif (m := _TRAILING_BYLINE.match(text)) and re.search(_ROLE, m.group(1)):
            unit.kind, unit.authors = "byline_end", names(m.group(1))
        elif text.startswith("图为") or (line.gap >= BIG_GAP and len(text) <= 25
                                         and is_complete(text) and not line.level):
            unit.kind = "caption"
        elif _heading_like(text, line.level):
            unit.kind = "heading"
        units.append(unit)
    return units
