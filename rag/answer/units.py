"""Candidate answer units: the sentences of an article (a quote joined with its attribution),
what each holds whatever the question (numbers, dates, places, named words by jieba tag), and
the candidates of a question's retrieved passages.

Questions are matched in simplified characters (`rag.text.to_simplified`), so every unit has
two forms: `printed`, quoted in answers, and `units`, its simplified form that the features
compare with the question. On a simplified archive they are the same strings."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from rag.answer.question import YEAR, bigrams
from rag.text import quick_tag, split_sentences, to_simplified
from rag.types import Article, Passage

_DIGIT = re.compile(r"[0-9０-９]")
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千万亿][个名项件人次天年位辆起所条处家余多倍种座层届只部本元米]")
_NUM_UNIT = re.compile(r"[0-9.]+\s*(?:%|％|[个名项件人次天年位辆起所条处家余多倍种座层届只部本元米吨斤亩])")
_DATE = re.compile(r"\d{1,2}月\d{1,2}日|\d{3,4}年|\d{1,2}日|当天|次日|世纪|年代|朝|时期|[春夏秋冬]季")
_PLACE = re.compile(r"[\u4e00-\u9fff](?:省|市|县|区|镇|乡|村|州|国|岛|河|江|山|湖|海|路|街)")
_ORG = re.compile(r"(?:公安局|公安厅|派出所|支队|大队|中队|公司|大学|学院|学校|医院|法院|检察院|"
                  r"委员会|协会|政府|集团|部|局|厅|处|所|会|党|队|银行)")
_REASON = re.compile(r"因为|由于|因此|所以|为了|导致|致使|造成|原因|以便|从而|以免")
_DEFINE = re.compile(r"是一种|是指|指的是|称为|称作|简称|又称|亦称|即|是[^，。]{0,30}的")
_SPEECH = re.compile(r"说|表示|介绍|称|指出|强调|认为|告诉")
_QUOTE = re.compile(r"[“”「」]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class ArticleUnits:
    """An article's answer units and, per unit, the words jieba tags in it (cached).

    `title` and `units` are simplified (what features compare with the question); `printed`
    holds the units as printed and `index` finds a printed unit's position."""

    title: str
    units: list[str]
    index: dict[str, int]
    printed: list[str] = field(default_factory=list)
    title_bigrams: list[str] = field(default_factory=list)
    tags: dict[str, tuple] = field(default_factory=dict)
    repeated: frozenset[str] = frozenset()  # printed units the article prints more than once

    @cached_property
    def body(self) -> str:
        """The title and every unit as one text: where a name, a place or a word is looked for."""
        return self.title + "".join(self.units)

    def positions(self, units: list[str]) -> list[int]:
        """The index of each of a passage's consecutive printed `units` in the article (-1 when
        the passage cut it differently). A unit printed more than once (对该辩护意见，本院不予
        采纳。) is placed by a neighbour printed once, not at its last place."""
        ats = [self.index.get(u, -1) for u in units]
        base = next((at - k for k, (u, at) in enumerate(zip(units, ats))
                     if at >= 0 and u not in self.repeated), None)
        if base is None or not self.repeated:
            return ats
        return [base + k if 0 <= base + k < len(self.printed) and self.printed[base + k] == u
                else at for k, (u, at) in enumerate(zip(units, ats))]

    def static(self, text: str) -> tuple[tuple, dict[str, list[str]]]:
        """What unit `at` holds, whatever the question: computed once per article and unit."""
        got = self.tags.get(text)
        if got is None:
            got = self.tags[text] = unit_properties(text, self.title_bigrams)
        return got


_SPEECH_AFTER = re.compile(r"(说|表示|介绍|留言|反映|称|问|求助|感叹|告诉)")


def answer_units(text: str) -> list[str]:
    """Sentences of `text`, a quoted sentence joined with the attribution that follows it."""
    out: list[str] = []
    for s in split_sentences(text, ends="。！？…"):
        if out and out[-1].startswith("“") and out[-1].endswith("”") and _SPEECH_AFTER.search(s):
            out[-1] += s
        else:
            out.append(s)
    return out


def analyse_article(article: Article) -> ArticleUnits:
    printed = answer_units(article.text)
    title = to_simplified(" ".join(p for p in (article.kicker, article.title, article.subtitle)
                                   if p))
    repeated = {u for u, n in Counter(printed).items() if n > 1}
    return ArticleUnits(title=title, units=[to_simplified(u) for u in printed],
                        index={u: i for i, u in enumerate(printed)}, printed=printed,
                        title_bigrams=bigrams(title), repeated=frozenset(repeated))


def unit_properties(s: str, title_bigrams: list[str]) -> tuple[tuple, dict[str, list[str]]]:
    """Flags of what a unit holds (numbers, dates, places …) and its named words by tag."""
    named: dict[str, list[str]] = {k: [] for k in ("nr", "ns", "nt", "m", "t", "x")}
    for w, f in quick_tag(s):
        key = f[:2] if f[:2] in ("nr", "ns", "nt") else f[:1]
        if _DIGIT.search(w):  # jieba's dictionary has no tag for "97" or "2024"
            key = "m"
        if key not in named or len(w) < 2 and key != "m":
            continue
        if key == "m" and not (_DIGIT.search(w) or _CN_NUMBER.search(w + "个")):
            continue
        if key == "x" and not _CJK.match(w):
            continue
        named[key].append(w)
    flags = (bool(_DIGIT.search(s) or _CN_NUMBER.search(s)), float(bool(_DIGIT.search(s))),
             float(bool(_NUM_UNIT.search(s) or _CN_NUMBER.search(s))),
             float(bool(_DATE.search(s))), float(bool(YEAR.search(s))),
             float(bool(_PLACE.search(s))), float(bool(_ORG.search(s))),
             float(bool(_REASON.search(s))), float(bool(_DEFINE.search(s))),
             float(bool(_SPEECH.search(s))), float(bool(_QUOTE.search(s))),
             float(s.count("、") + s.count("；")),
             sum(b in s for b in title_bigrams) / max(1, len(title_bigrams)))
    return flags, named


class TextStats:
    """Word rarity and article units of one loaded index, for the features of its questions."""

    def __init__(self, data, cache_articles: int = 4096) -> None:
        self.data = data
        self._df = data.doc_freqs
        self._n = max(1, len(data.chunks))
        self._limit = cache_articles
        self._articles: dict[str, ArticleUnits | None] = {}

    def idf(self, token: str) -> float:
        df = self._df.get(token, 0)
        return math.log((self._n - df + 0.5) / (df + 0.5) + 1)

    def units(self, article_id: str) -> ArticleUnits | None:
        """An article's answer units, cut and tagged once per loaded index."""
        if article_id not in self._articles:
            if len(self._articles) >= self._limit:
                self._articles.clear()
            a = self.data.articles.get(article_id)
            self._articles[article_id] = analyse_article(a) if a else None
        return self._articles[article_id]


@dataclass
class Candidate:
    """One answer unit of a retrieved passage: `text` as printed, `plain` simplified."""

    text: str
    passage: Passage
    rank: int  # the passage's rank in retrieval, 0 = best
    article: ArticleUnits
    at: int  # index of the unit in its article (-1 when the passage cut it differently)
    plain: str

    def sibling(self, at: int) -> Candidate:
        """Unit `at` of the same article, cited by the same passage."""
        a = self.article
        return Candidate(text=a.printed[at], passage=self.passage, rank=self.rank, article=a,
                         at=at, plain=a.units[at])


def candidates(passages: list[Passage], article_units) -> list[Candidate]:
    """The answer units of `passages`, each unit of an article once (chunks overlap; a sentence
    the article prints twice is two units). The caller chooses how many passages are read
    (`rag.search.retrieve.answer_passages`)."""
    out: list[Candidate] = []
    seen: set[tuple[str, str | int]] = set()
    for rank, p in enumerate(passages):
        a = article_units(p.article_id)
        if a is None:
            continue
        units = answer_units(p.text)
        for u, at in zip(units, a.positions(units)):
            key = (p.article_id, at if at >= 0 else u)
            if key in seen:
                continue
            seen.add(key)
            out.append(Candidate(text=u, passage=p, rank=rank, article=a, at=at,
                                 plain=a.units[at] if at >= 0 else to_simplified(u)))
    return out
