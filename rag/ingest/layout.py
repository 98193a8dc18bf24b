"""Layout rules of the paper: where articles start, what is a title, a byline or a caption.

Works on the clean `Line`s from `rag.ingest.clean`. An article starts at an anchor: a byline
(`□ 张三 李四`), a news lead (`本报讯（张哲）…`), a continued part (`（上接第1版）`), a photo
credit (`苗文金 摄`, the caption above it is the item), or a headline with a markdown `#` or
a `——` subtitle. The short lines just above an anchor are its headline: kicker, title and
subtitle are told apart by their dashes and shape. Other short lines are section headings
and stay inside their article.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from rag.ingest.clean import Line
from rag.text import SENTENCE_END, is_complete, join_broken, split_sentences
from rag.types import Article, Issue

logger = logging.getLogger(__name__)

_ROLE = r"(?:本报记者|特约记者|见习记者|记者|特约通讯员|通讯员|实习生|摄影|文/图|文图|文|图)"
_NAME = r"[\u4e00-\u9fff·]{2,5}"
_BYLINE = re.compile(r"^[□■◇◆]\s*(.{1,60})$")
_ROLE_BYLINE = re.compile(rf"^{_ROLE}\s*[/:：]?\s*{_NAME}(\s+({_ROLE}\s*)?{_NAME})*$")
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
_BULLET = re.compile(r"^[●■◆▲★◎○]")
_TIME_CLAUSE = re.compile(
    r"^(\d{4}年)?(\d{1,2}月)?(\d{1,2}日)?(上午|下午|晚|凌晨)?(\d{1,2}时)?$|^(近日|日前|近期|今年以来|连日来)$"
)
_PARTICLES = set("了着过们吗呢吧")  # characters no sentence starts with
_BIG_GAP = 3  # blank lines before a picture, a caption or a column jump


@dataclass
class _Unit:
    text: str
    kind: str  # byline lead credit cont heading kicker subtitle caption body
    level: int = 0
    gap: int = 0
    authors: list[str] = field(default_factory=list)
    note: str = ""  # continuation note found in the unit


@dataclass
class _Start:
    title: str = ""
    subtitle: str = ""
    kicker: str = ""
    kind: str = "article"
    derived: bool = False


@dataclass
class _Draft:
    article: Article
    heads: set[int] = field(default_factory=set)  # paragraphs never joined (headings, captions)

    def is_open(self) -> bool:
        paras = self.article.paragraphs
        return bool(paras) and len(paras) - 1 not in self.heads and not is_complete(paras[-1])


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
    if level or _BULLET.match(text):
        return True
    if len(text) > 40 or is_complete(text) or text.endswith(("—", "：", "，", "、")):
        return False
    if text.count("“") != text.count("”"):  # a headline closes its quotes; a cut line may not
        return False
    return not re.search(f"[{SENTENCE_END}，]", text)


def _loose_heading(u: _Unit) -> bool:
    """A line that may be part of a headline when an anchor follows it."""
    if u.kind in ("kicker", "subtitle"):
        return True
    if u.kind == "heading":
        return u.level < 3 and not _BULLET.match(u.text)
    if u.kind == "body" and len(u.text) <= 30 and u.text[-1] in "！？!?" \
            and not re.search("[，。；]", u.text):
        return True  # "致敬！最美基层民警" / "谁在守护深夜的街巷？"
    return u.kind == "body" and len(u.text) <= 50 and not is_complete(u.text) and "。" not in u.text


def _classify(lines: list[Line]) -> list[_Unit]:
    units: list[_Unit] = []
    for line in lines:
        text = line.text
        prev = units[-1] if units else None
        # A headline broken over two lines of one block is one headline.
        if (line.joined and prev and prev.kind == "heading" and not line.level
                and _heading_like(text, 0)):
            prev.text = join_broken(prev.text, text)
            continue
        unit = _Unit(text, "body", line.level, line.gap)
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
        elif text.startswith("图为") or (line.gap >= _BIG_GAP and len(text) <= 25
                                         and is_complete(text)):
            unit.kind = "caption"
        elif _heading_like(text, line.level):
            unit.kind = "heading"
        units.append(unit)
    return units


def _is_slogan(text: str) -> bool:
    """Parallel short phrases ("机制牵引 体系重塑 科技赋能"): a kicker rather than a title."""
    parts = [p for p in re.split(r"[\s、]+", text) if p]
    return len(parts) >= 2 and all(len(p) <= 10 for p in parts)


def _headline(units: list[_Unit], group: list[int]) -> _Start:
    start = _Start()
    kickers = [units[i].text for i in group if units[i].kind == "kicker"]
    subtitles = [units[i].text for i in group if units[i].kind == "subtitle"]
    plain = [units[i].text for i in group if units[i].kind not in ("kicker", "subtitle")]
    if plain:
        if subtitles and len(plain) > 1:
            # The line right above the "——" subtitle is the title.
            kickers += plain[:-1]
            plain = plain[-1:]
        elif len(plain) > 1 and _is_slogan(plain[0]) and not _is_slogan(plain[1]):
            kickers.append(plain.pop(0))
        start.title = plain[0]
        subtitles = plain[1:] + subtitles
    elif kickers:  # only a lead-in survived extraction: it is the best title we have
        start.title = kickers.pop()
    start.kicker = " ".join(kickers)
    start.subtitle = " ".join(subtitles)
    return start


def _find_starts(units: list[_Unit]) -> tuple[dict[int, _Start], set[int]]:
    """Where articles start (unit index → headline), and the units that form headlines."""
    starts: dict[int, _Start] = {}
    used: set[int] = set()
    headline: set[int] = set()
    for i, u in enumerate(units):
        if u.kind in ("byline", "lead") or (u.kind in ("cont", "body") and u.note.startswith("上接")
                                            and (u.kind == "cont" or u.text)):
            if i in used:
                continue
            group: list[int] = []
            j = i - 1
            while j >= 0 and j not in used and len(group) < 5 and _loose_heading(units[j]):
                group.insert(0, j)
                if units[j].kind == "kicker":
                    break
                j -= 1
            used.update(group)
            headline.update(group)
            used.add(i)
            starts[group[0] if group else i] = _headline(units, group) if group else _Start(
                derived=True)
        elif u.kind == "credit" and i > 0 and units[i - 1].kind in ("body", "caption", "heading") \
                and i - 1 not in used:
            starts[i - 1] = _Start(kind="photo", derived=True)
            used.update((i - 1, i))
    # Headlines whose byline was lost: a markdown "#" title or a "——" subtitle marks them.
    i = 0
    while i < len(units):
        if i in used or units[i].kind not in ("heading", "kicker", "subtitle"):
            i += 1
            continue
        j = i
        while j < len(units) and j not in used and units[j].kind in ("heading", "kicker",
                                                                      "subtitle"):
            j += 1
        group = list(range(i, j))
        if any(units[k].kind == "subtitle" or units[k].level == 1 for k in group):
            starts[i] = _headline(units, group)
            used.update(group)
            headline.update(group)
        i = j
    return starts, headline


def _derive_title(text: str) -> str:
    """A title made from a lead sentence, for items whose headline was lost."""
    first = split_sentences(text)[0] if text else ""
    clauses = [c for c in re.split(r"[，,：]", first.rstrip(SENTENCE_END + "”")) if c]
    while len(clauses) > 1 and _TIME_CLAUSE.match(clauses[0]):
        clauses.pop(0)
    title = clauses[0] if clauses else first
    if len(title) < 8 and len(clauses) > 1:
        title += "，" + clauses[1]
    return title if len(title) <= 32 else title[:31] + "…"


def _is_fragment(text: str) -> bool:
    """Text that begins in the middle of a sentence ("步。队长…", "了基层…")."""
    m = re.search(f"[{SENTENCE_END}，、：]", text)
    starts_mid = text[0] in _PARTICLES or (text[0] == "的" and not text.startswith("的确"))
    return starts_mid or (m is not None and m.start() <= 2)


def assemble_articles(lines: list[Line], issue: Issue) -> list[Article]:
    """Group an issue's lines into articles, in reading order."""
    units = _classify(lines)
    starts, headline = _find_starts(units)
    drafts: list[_Draft] = []
    current: _Draft | None = None
    pending_captions: list[str] = []

    def new_draft(start: _Start) -> _Draft:
        n = len(drafts) + 1
        art = Article(id=f"{issue.source}#{n}", source=issue.source, issue=issue.number,
                      date=issue.date, title=start.title, subtitle=start.subtitle,
                      kicker=start.kicker, kind=start.kind, title_derived=start.derived)
        drafts.append(_Draft(art))
        return drafts[-1]

    def add(draft: _Draft, text: str, head: bool = False) -> None:
        if head:
            draft.heads.add(len(draft.article.paragraphs))
        draft.article.paragraphs.append(text)

    def flush_captions(draft: _Draft | None) -> None:
        if draft:
            for c in pending_captions:
                add(draft, c, head=True)
        pending_captions.clear()

    photo_credit: set[int] = set()
    for i, u in enumerate(units):
        if i in photo_credit:
            continue
        if i in starts:
            flush_captions(current)
            start = starts[i]
            if start.kind == "photo":
                # A photo item sits between articles; the text after it may continue the
                # article it interrupted, so `current` stays as it was.
                photo = new_draft(start)
                add(photo, u.text, head=True)
                photo.article.authors = units[i + 1].authors
                photo_credit.add(i + 1)
                continue
            current = new_draft(start)
        if i in headline:
            continue
        if u.kind in ("byline", "lead", "credit"):
            if current is None:
                current = new_draft(_Start(derived=True))
            current.article.authors += [a for a in u.authors if a not in current.article.authors]
            if u.kind == "lead" and u.text:
                add(current, u.text)
            if u.note:
                current.article.continuations.append(u.note)
            continue
        if u.kind == "byline_end":
            if current is not None:
                current.article.authors += [a for a in u.authors
                                            if a not in current.article.authors]
            continue
        if u.kind == "cont":
            if current is None:
                current = new_draft(_Start(derived=True))
            current.article.continuations.append(u.note)
            continue
        if u.kind == "caption":
            pending_captions.append(u.text)
            continue
        if current is None:
            current = new_draft(_Start(derived=True))
        if u.kind in ("heading", "kicker", "subtitle"):
            add(current, u.text, head=True)
        else:
            target = current
            if not current.is_open() and _is_fragment(u.text):
                # A column jump: the text continues an earlier article cut mid-sentence.
                target = next((d for d in reversed(drafts) if d.is_open()), current)
            if target.is_open():
                paras = target.article.paragraphs
                paras[-1] = join_broken(paras[-1], u.text)
            else:
                add(target, u.text)
            current = target
        if u.note:
            current.article.continuations.append(u.note)
        flush_captions(current)
    flush_captions(current)

    articles = []
    for d in drafts:
        art = d.article
        art.paragraphs = _dedupe(art.paragraphs)
        if not art.paragraphs:
            continue
        if not art.title:
            art.title = _derive_title(art.paragraphs[0])
            art.title_derived = True
        articles.append(art)
    return articles


def _dedupe(paragraphs: list[str]) -> list[str]:
    """Keep a paragraph repeated by the extractor once (also a cut-off repeat of one)."""
    kept: list[str] = []
    for p in paragraphs:
        if p in kept or (len(p) >= 12 and any(p in q for q in kept)):
            continue
        kept.append(p)
    return kept
