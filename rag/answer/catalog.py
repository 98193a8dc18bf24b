"""Answers about the archive itself, from metadata: when an issue came out, what it holds."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from rag.text import split_sentences, to_simplified, tokenize
from rag.types import Answer, Article, Citation, Issue, Passage

_PUNCT = re.compile(r"[\W_]+")
# "介绍一下铁骑比武", "铁骑比武的情况": asking for the story, in other words.
_OVERVIEW = re.compile(r"^请?(?:介绍|讲讲|说说|谈谈|聊聊)(?:一下)?|的?(?:情况|概况|简介)$")

if TYPE_CHECKING:
    from rag.answer.extract import Answerer


def _cn_date(iso: str | None) -> str:
    if not iso:
        return "日期不详"
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{y}年{m}月{d}日"


def _issue_name(number: int | None) -> str:
    return f"第{number}期" if number is not None else "期号不详"


def issue_citation(n: int, issue: Issue) -> Citation:
    """A citation of an issue's header: the printed line that states its number and date."""
    pages = f" 本刊今日{issue.pages}版" if issue.pages else ""
    first = issue.articles[0].id if issue.articles else ""
    return Citation(n=n, article_id=first, source=issue.source, issue=issue.number,
                    date=issue.date, title=f"公安周刊{_issue_name(issue.number)}",
                    snippet=f"{_cn_date(issue.date)} {_issue_name(issue.number)}{pages}")


def date_answer(question: str, number: int, issues: list[Issue]) -> Answer:
    """"第853期是哪天出版的？" → its date, citing the header of each file of that issue."""
    dated = [i for i in issues if i.number == number and i.date and i.articles]
    if not dated:
        return Answer(question=question, mode="metadata", abstained=True,
                      text=f"索引中有{_issue_name(number)}，但报头没有印出出版日期。")
    citations = [issue_citation(n, i) for n, i in enumerate(dated, 1)]
    return Answer(question=question, mode="metadata", citations=citations,
                  text=f"公安周刊{_issue_name(number)}于{_cn_date(dated[0].date)}出版"
                       f"（{dated[0].date}）。[1]")


def _cite_article(n: int, a: Article) -> Citation:
    """Cite a whole article as source [n], its first paragraph as the snippet."""
    return Citation(n=n, article_id=a.id, source=a.source, issue=a.issue, date=a.date,
                    title=a.title, subtitle=a.subtitle, authors=list(a.authors),
                    snippet=(a.paragraphs or [""])[0][:200])


def contents_answer(question: str, issues: list[Issue], limit: int = 20) -> Answer:
    """"第853期讲了什么？" → the articles of the issues asked about, each one cited.

    Photo news counts and is listed (marked 图片), as the bot's /issue lists it: one issue
    has one number of articles wherever it is asked about."""
    citations: list[Citation] = []
    lines = []
    for issue in issues:
        arts = issue.articles
        photos = sum(a.kind == "photo" for a in arts)
        head = f"{_issue_name(issue.number)}（{issue.date or '日期不详'}）"
        lines.append(f"{head}共有{len(arts)}篇" + (f"（其中图片新闻{photos}篇）" if photos else "")
                     + "：")
        for a in arts:
            if len(citations) >= limit:
                break
            n = len(citations) + 1
            citations.append(_cite_article(n, a))
            lines.append(f"《{a.title}》[{n}]" + ("（图片）" if a.kind == "photo" else ""))
    if not citations:
        return Answer(question=question, mode="metadata", abstained=True,
                      text="所问的期号或时间范围内，索引中没有文章。")
    return Answer(question=question, mode="metadata", citations=citations, text="\n".join(lines))


def missing_issue_answer(question: str, number: int, issues: list[Issue]) -> Answer:
    known = [i for i in issues if i.number is not None]
    listing = "、".join(f"{_issue_name(i.number)}（{i.date or '日期不详'}）" for i in known[:10])
    return Answer(question=question, mode="metadata", abstained=True,
                  text=f"索引中没有{_issue_name(number)}。" + (f"现有：{listing}。" if listing else ""))


def _titled(words: list[str], title: str) -> bool:
    """Every one of `words` (a topic's, from `tokenize`) is in `title`: "故城民警为迷路老人找到
    家人" names its article even where no sentence of the article answers it as a question."""
    bare = _PUNCT.sub("", to_simplified(title))  # 景中有“警” is named by 景中有警
    return sum(map(len, words)) >= 2 and all(w in bare for w in words)


def _answering_articles(query: str, words: list[str], passages: list[Passage],
                        answerer: Answerer) -> list[Passage]:
    """The first passage of each retrieved article about a topic (its `words`): its title
    names the topic, or the answerer, given only that article's passages, would answer
    `query` rather than refuse (the same decision as for any question, no threshold of its
    own)."""
    by_article: dict[str, list[Passage]] = {}
    for p in passages:
        by_article.setdefault(p.article_id, []).append(p)
    return [ps[0] for ps in by_article.values() if _titled(words, ps[0].title)
            or not answerer.answer(query, ps).abstained]


def author_answer(question: str, topic: str, passages: list[Passage], answerer: Answerer
                  ) -> Answer | None:
    """"铁骑比武的报道是谁写的？" → the byline of the first article about 铁骑比武; None when
    no article is about it, or when the article quoted by title (《…》这篇文章) is none of the
    archive's: then the question is about what a text says of an article it quotes."""
    words = tokenize(topic)
    found = _answering_articles(f"哪篇报道讲了{topic}？", words, passages, answerer)
    if not found or "《" in topic and not _titled(words, found[0].title):
        return None
    return byline_answer(question, Citation.of(1, found[0]))


def byline_answer(question: str, cited: Citation) -> Answer:
    """The byline of the article `cited`, cited as [1]."""
    c = replace(cited, n=1)
    text = (f"《{c.title}》的作者：{'、'.join(c.authors)}。[1]" if c.authors
            else f"《{c.title}》没有署名。[1]")
    return Answer(question=question, mode="metadata", citations=[c], text=text)


# "郭俊岭写了哪些报道？", "张嫚青的文章有哪些", "哪些报道是韩超写的", a name alone (@ stands
# for the name).
_BY_AUTHOR = re.compile(
    r"@(?:记者|同志)?(?:都|一共|共|还|最近|近期)?(?:写|发表|采写|撰写|发)(?:了|过)?"
    r"(?:哪些|什么|几篇|多少篇)|"
    r"@(?:写|采写|撰写)?的(?:报道|文章|稿件|作品)(?:有)?(?:哪些|什么|几篇|多少篇)?[？?]?$|"
    r"(?:哪些|什么|哪几篇)(?:报道|文章|稿件)是@(?:写|采写|撰写)的|"
    r"^@(?:写|采写|撰写)?的?(?:报道|文章|稿件|作品)?[\s？?]*$"
)


# "郭俊岭报道的铁骑比武…", "记者张哲写的…": a question about the reports that a name signs.
_SIGNED = re.compile(r"(?:记者|通讯员)?@(?:记者|同志)?(?:报道|写|采写|撰写|发)的|(?:记者|通讯员)@")


def signed_by(query: str, signed: Bylines) -> tuple[str, list[str]] | None:
    """"郭俊岭报道的铁骑比武有多少人参赛？" → ("铁骑比武有多少人参赛？", the ids of the articles
    郭俊岭 signs): the question without the byline it names, and where to look."""
    for name in signed.named_in(query):
        if m := _SIGNED.search(marked := query.replace(name, "@")):
            return (marked[:m.start()] + marked[m.end():]).replace("@", name), [
                a.id for a in signed.articles[name]]
    return None


class Bylines:
    """Each name that signs an article, with the articles it signs, and the names that a
    question holds (found through their first two characters, not by trying every name)."""

    def __init__(self, articles: Iterable[Article]) -> None:
        self.articles: dict[str, list[Article]] = {}
        for a in articles:
            for name in a.authors:
                if len(name) >= 2:
                    self.articles.setdefault(name, []).append(a)
        self._by_start: dict[str, list[str]] = {}
        for name in self.articles:
            self._by_start.setdefault(name[:2], []).append(name)

    def named_in(self, text: str) -> list[str]:
        return [n for i in range(len(text) - 1) for n in self._by_start.get(text[i:i + 2], ())
                if text.startswith(n, i)]


def by_author_answer(question: str, query: str, signed: Bylines, limit: int = 10
                     ) -> Answer | None:
    """"郭俊岭写了哪些报道？" → the articles with that byline, newest first; None when the
    question names no author or asks something else of one."""
    name = next((n for n in signed.named_in(query) if _BY_AUTHOR.search(query.replace(n, "@"))),
                None)
    if name is None:
        return None
    newest = sorted(signed.articles[name], key=lambda a: (a.date or "", a.issue or 0),
                    reverse=True)
    citations = [_cite_article(n, a) for n, a in enumerate(newest[:limit], 1)]
    lines = [f"《{c.title}》（{_issue_name(c.issue)}，{c.date or '日期不详'}）[{c.n}]"
             for c in citations]
    more = f"，以下是最新的{limit}篇" if len(newest) > limit else ""
    return Answer(question=question, mode="metadata", citations=citations,
                  text=f"署名{name}的报道共{len(newest)}篇{more}：\n" + "\n".join(lines))


def titled_answer(question: str, words: str, passages: list[Passage],
                  articles: Mapping[str, Article]) -> Answer | None:
    """"追回汽油钱" → the lead of the retrieved article whose title holds these words: a few
    words with no question in them that a title holds name a story, not a fact. The lead is
    the first sentence that is not a quotation (a story may open with what someone said)."""
    topic = tokenize(_OVERVIEW.sub("", words))
    for p in passages:
        if _titled(topic, p.title) and (article := articles.get(p.article_id)) is not None:
            sentences = split_sentences(article.text)
            lead = next((s for s in sentences if not s.startswith(("“", "「", "\""))),
                        sentences[0] if sentences else "")
            if lead:
                return Answer(question=question, citations=[Citation.of(1, p)],
                              text=f"《{p.title}》：{lead}[1]")
    return None


def articles_answer(question: str, query: str, topic: str, passages: list[Passage],
                    answerer: Answerer, limit: int = 5) -> Answer:
    """"哪篇报道讲了铁骑比武？" → the titles, issues and dates of the articles about 铁骑比武."""
    found = _answering_articles(query, tokenize(topic), passages, answerer)
    if not found:
        return answerer.abstain(question, passages)
    citations = [Citation.of(n, p) for n, p in enumerate(found[:limit], 1)]
    lines = [f"《{c.title}》（{_issue_name(c.issue)}，{c.date or '日期不详'}）[{c.n}]"
             for c in citations]
    return Answer(question=question, mode="metadata", citations=citations,
                  text="以下报道与此有关：\n" + "\n".join(lines))
