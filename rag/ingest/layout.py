"""Layout of the paper: the articles of an issue, from its clean lines.

`rag.ingest.units` tells what each line is, `rag.ingest.headlines` where articles start and
what their headlines are; this module fills the articles in reading order: bylines and leads
give authors, captions follow their article, a column jump (text that starts mid-sentence)
goes back to the article it continues, and short lines that start nothing are section heads
that stay inside their article.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from rag.ingest.clean import Line
from rag.ingest.headlines import Start, find_starts
from rag.ingest.units import PARTICLES, classify
from rag.text import SENTENCE_END, is_complete, join_broken, split_sentences
from rag.types import Article, Issue

logger = logging.getLogger(__name__)

_TIME_CLAUSE = re.compile(
    r"^(\d{4}年)?(\d{1,2}月)?(\d{1,2}日)?(上午|下午|晚|凌晨)?(\d{1,2}时)?$|^(近日|日前|近期|今年以来|连日来)$"
)
# A paragraph that ends with a colon ("判决如下：", "具体措施如下：") introduces what follows it
# (a verdict, a list, a quote), which starts a paragraph of its own: it is not the rest of a
# sentence that a page or column break cut.
_INTRODUCES = ("：", ":")


@dataclass
class _Draft:
    article: Article
    heads: set[int] = field(default_factory=set)  # paragraphs never joined (headings, captions)

    def is_open(self) -> bool:
        paras = self.article.paragraphs
        return bool(paras) and len(paras) - 1 not in self.heads and not is_complete(paras[-1])


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


def _is_fragment(text: str, strict: bool = False) -> bool:
    """Text that begins in the middle of a sentence ("步。队长…", "了基层…").

    `strict` counts only a start no sentence has (a particle), not a short first clause.
    """
    m = re.search(f"[{SENTENCE_END}，、：]", text)
    starts_mid = text[0] in PARTICLES or (text[0] == "的" and not text.startswith("的确"))
    return starts_mid or (not strict and m is not None and m.start() <= 2)


def assemble_articles(lines: list[Line], issue: Issue) -> list[Article]:
    """Group an issue's lines into articles, in reading order."""
    units = classify(lines)
    starts, headline = find_starts(units)
    drafts: list[_Draft] = []
    current: _Draft | None = None
    pending_captions: list[str] = []

    def new_draft(start: Start) -> _Draft:
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
            if u.note and current is not None:
                current.article.continuations.append(u.note)
            continue
        if u.kind in ("byline", "lead", "credit"):
            if current is None:
                current = new_draft(Start(derived=True))
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
                current = new_draft(Start(derived=True))
            current.article.continuations.append(u.note)
            continue
        if u.kind == "caption":
            pending_captions.append(u.text)
            continue
        if current is None:
            current = new_draft(Start(derived=True))
        art = current.article
        if not art.paragraphs and u.text in (art.title, art.kicker, art.subtitle):
            continue  # the headline printed again over the text
        if u.kind in ("heading", "kicker", "subtitle"):
            add(current, u.text, head=True)
        else:
            target = current
            # Right under its headline, "长城，是…" is the article's first paragraph: a
            # column jump is only taken there for text that cannot start a sentence.
            fresh = not current.article.paragraphs and not current.article.title_derived
            if not current.is_open() and _is_fragment(u.text, strict=fresh):
                # A column jump: the text continues an earlier article cut mid-sentence.
                target = next((d for d in reversed(drafts) if d.is_open()), current)
            if target.is_open() and not target.article.paragraphs[-1].endswith(_INTRODUCES):
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
