"""Cleaning the lines of an issue file: markdown markers, masthead and footer noise, the header.

The masthead (date, 第N期, 刊号, the paper's name and motto) is printed at the top of each issue
and sometimes of each page; the editors' footer (责编, addresses, e-mail, phone numbers) at the
bottom. Both are dropped here so the layout rules only see headlines, bylines and text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.text import normalize, to_simplified

_DATE_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ISSUE_RE = re.compile(r"第\s*(\d{1,5})\s*期")
_PAGES_RE = re.compile(r"本刊今日\s*(\d{1,2})\s*版")

# Masthead: the lines printed at the top of every issue (and of every page in some layouts).
_MASTHEAD = [
    re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日\s*(星期|周)[一二三四五六日天]"),
    re.compile(r"^第\s*\d+\s*期(\s*本刊今日\s*\d+\s*版)?$"),
    re.compile(r"^本刊今日\s*\d+\s*版$"),
    re.compile(r"^(国内统一连续出版物号|国内统一刊号|统一刊号)"),
    re.compile(r"^CN\s*\d{2}\s*-\s*\d{4}"),
    re.compile(r"^邮发代号"),
    re.compile(r"^(公安周刊|河北法治报|河北法制报)(\s*第\s*\d+\s*版)?$"),
    re.compile(r"^(公安周刊|河北法治报|河北法制报)\s*[·•]\s*\S{1,8}$"),  # page label 公安周刊·要闻
    # A page's running head: the paper's name and the date (公安周刊 2025年6月24日).
    re.compile(r"^(公安周刊|河北法治报|河北法制报)\s*\d{4}年\d{1,2}月\d{1,2}日(\s*(星期|周)[一二三四五六日天])?$"),
    re.compile(r"^总第\s*\d+\s*期"),
    re.compile(r"^(主管|主办|出版|社址|社长|总编辑|零售价|定价|广告许可证|印刷)\s*[:：]"),
    # The police motto printed under the paper's name.
    re.compile(r"^对党忠诚\s*服务人民\s*执法公正\s*纪律严明$"),
    re.compile(r"^(对党忠诚\s*服务人民|执法公正\s*纪律严明)$"),  # printed over two lines
]
# Editors' footer: staff, addresses, e-mail and phone numbers.
_FOOTER_KEY = re.compile(
    r"^(责编|责任编辑|本版编辑|编辑|美编|版式|校对|省厅编审|副编审|编审|编辑部主任|副主任|主任"
    r"|编辑部地址|地址|邮箱|电子邮箱|e-?mail|电话|传真|投稿邮箱)\s*[:：]",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_PHONE_LINE = re.compile(r"^[\u4e00-\u9fff·]{2,4}\s*(\d{3,4}-\d{7,8}|1\d{10})$")
_ADDRESS_LINE = re.compile(r"^[\u4e00-\u9fff\d]{2,12}(路|街|大街|道)\d+号[\u4e00-\u9fff]{2,12}$")
_BARE_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_RULE = re.compile(r"^([-*_=])(\s*\1){2,}$")


@dataclass
class Line:
    """One clean line of an issue file."""

    text: str
    level: int = 0  # markdown heading level, 0 for none
    bold: bool = False
    gap: int = 0  # blank lines before it
    joined: bool = False  # continues the previous line within one block


def _is_masthead(text: str) -> bool:
    text = to_simplified(text)  # a masthead printed in traditional characters (國內統一…)
    return any(p.search(text) for p in _MASTHEAD)


def _is_footer(text: str) -> bool:
    text = to_simplified(text)
    return bool(
        _FOOTER_KEY.search(text)
        or (_EMAIL.search(text) and len(text) < 60)
        or _PHONE_LINE.match(text)
        or _ADDRESS_LINE.match(text)
    )


def read_header(lines: list[str]) -> tuple[int | None, str | None, int | None]:
    """Issue number, ISO date and page count printed at the top of the file, if any."""
    number = date = pages = None
    for text in lines[:12]:
        if date is None and (m := _DATE_RE.search(text)) and _is_masthead(text):
            y, mo, d = (int(g) for g in m.groups())
            date = f"{y:04d}-{mo:02d}-{d:02d}"
        if number is None and (m := _ISSUE_RE.search(text)) and _is_masthead(text):
            number = int(m.group(1))
        if pages is None and (m := _PAGES_RE.search(text)):
            pages = int(m.group(1))
    return number, date, pages


def to_lines(text: str) -> list[Line]:
    """Split raw text into clean lines, dropping masthead and footer noise.

    Each `Line` remembers its markdown heading level, how many blank lines preceded it (a
    large gap marks a picture or a column jump), and whether it continues the previous line
    within one block (a headline broken over two lines).
    """
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # Join blocks first so that masthead lines printed over two lines are seen whole.
    blocks: list[tuple[int, list[str]]] = []
    blank = 0
    # A file with (almost) no blank lines does not mark blocks: each line is its own.
    n_blank = sum(1 for raw in raw_lines if not raw.strip())
    lines_are_blocks = n_blank * 20 < len(raw_lines)
    for raw in raw_lines:
        if not raw.strip():
            blank += 1
            continue
        if blank == 0 and blocks and not lines_are_blocks:
            blocks[-1][1].append(raw)
        else:
            blocks.append((blank, [raw]))
        blank = 0

    lines: list[Line] = []
    for gap, block in blocks:
        cleaned = [_clean(raw) for raw in block]
        joined = " ".join(c[0] for c in cleaned if c[0])
        # Only a short block can be one masthead line printed over two; a file with no blank
        # lines is one block that starts with the masthead and goes on with the articles.
        if len(cleaned) <= 3 and len(joined) <= 60 and _is_masthead(joined):
            continue
        after_empty_key = False
        first = True
        for content, level, bold in cleaned:
            if not content:
                continue
            if _is_masthead(content) or _is_footer(content):
                # "责编:" with the name on the next line: the name is footer too.
                after_empty_key = bool(re.search(r"[:：]$", content))
                continue
            if after_empty_key and _BARE_NAME.match(content) and not level:
                after_empty_key = False
                continue
            after_empty_key = False
            lines.append(Line(content, level, bold, gap if first else 0, not first))
            first = False
    return lines


def _clean(raw: str) -> tuple[str, int, bool]:
    """Strip markdown heading and bold markers; return (text, heading level, all bold)."""
    text = raw.strip()
    # Markdown from PDF converters: pictures, links and rules carry no text of the paper.
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    if _MD_RULE.match(text):
        return "", 0, False
    level = 0
    if m := re.match(r"^(#{1,6})\s+", text):
        level = len(m.group(1))
        text = text[m.end():].rstrip("#").strip()
    bold = text.startswith("**") and text.endswith("**") and len(text) > 4
    # A bold run inside a headline marks its main part: keep a space where the marker was.
    text = re.sub(r"(?<=\S)\*\*(?=\S)", " ", text).replace("**", "")
    return normalize(text), level, bold
