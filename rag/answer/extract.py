"""Extractive answers with citations, and the decision to abstain. No LLM needed.

The answer is the sentence (or two) of the retrieved passages that best covers the
question's words, weighted by how rare they are, and that has the kind of content the
question asks for (a number for 多少, a date for 哪天). It is returned verbatim with [n]
marks. The engine abstains when the best article misses a place, organisation or person the
question names (深圳 asked, 石家庄 found), or covers too little of the question.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass

from rag.index.store import IndexData
from rag.text import STOPWORDS, split_sentences, tokenize
from rag.types import Answer, Citation, Passage

logger = logging.getLogger(__name__)

NOT_FOUND = "没有在公安周刊中找到相关内容。"
#: Calibrated on the development and held-out questions: answerable ones cover >= 0.61 of the
#: question's weight, off-topic ones <= 0.45 (entity swaps are caught by the entity check).
MIN_COVERAGE = 0.5
_ENTITY_TAGS = {"ns", "nr", "nt", "nrt"}
_ENTITY_SUFFIX = re.compile(
    r"(公安局|公安厅|公安处|分局|派出所|交管局|交警支队|交警大队|支队|大队|省|市|县|区|镇|乡|村)$")
_ASKS_NUMBER = re.compile(r"多少|几[个名项件人次天年位辆起所条处家岁成倍]|多长|多久|多大|多高|多远|比例|百分")
_ASKS_DATE = re.compile(r"哪天|哪一天|何时|什么时候|几月|几号|哪年|日期|时间是")
_NUMBER = re.compile(r"[0-9]|[二两三四五六七八九十百千万][个名项件人次天年位辆起所条处家余多]")
_UNIT = re.compile(r"(?:多少|几)([个名项件人次天年位辆起所条处家岁倍元])")
_WH = re.compile(r"什么|多少|哪|几|谁|怎么|如何|何时|多长|多久")
_DATE = re.compile(r"\d{1,2}月\d{1,2}日|\d{4}年|\d{1,2}日|当天|次日")
_MAX_SENTENCE = 150
_YEAR = re.compile(r"((?:19|20)\d{2})年")
# Procedure questions (材料, 手续, how to 办理): news rarely answers them; when it does, the
# answering sentence names what was asked, so a sentence that does not is no answer.
_DETAIL = "材料|手续|证件|条件|流程|步骤|费用|电话|地址|网址|时间表"
_ASKS_DETAIL = re.compile(rf"(?:什么|哪些|哪个)({_DETAIL})|({_DETAIL})(?:是|有)?(?:什么|哪些|多少)")
_HOW_TO = re.compile(r"(?:怎么|怎样|如何)(?:才能)?(办理|办|申请|查询|查|缴纳|补办|换证|换|领取|"
                     r"预约|注销|迁移|报名|报警|投诉)")
_pseg = None


@dataclass
class _Candidate:
    sentence: str
    passage: Passage
    score: float


class Answerer:
    """Chooses answer sentences from retrieved passages, or abstains."""

    def __init__(self, data: IndexData) -> None:
        self.data = data
        self._df = data.doc_freqs
        self._n = max(1, len(data.chunks))

    def idf(self, token: str) -> float:
        df = self._df.get(token, 0)
        return math.log((self._n - df + 0.5) / (df + 0.5) + 1)

    def coverage(self, tokens: list[str], text: str) -> float:
        """Share of the question's weight (IDF) whose words appear in `text`."""
        total = sum(self.idf(t) for t in tokens)
        return sum(self.idf(t) for t in tokens if t in text) / total if total else 0.0

    def article_text(self, article_id: str) -> str:
        a = self.data.articles.get(article_id)
        return " ".join((a.kicker, a.title, a.subtitle, a.text)) if a else ""

    def answer(self, question: str, passages: list[Passage]) -> Answer:
        tokens = list(dict.fromkeys(tokenize(question)))
        if not passages or not tokens:
            return self.abstain(question, passages)
        named = [_entity_core(e) for e in entities(question)]  # jieba POS tagging: once
        if not self.supported(question, tokens, named, passages):
            return self.abstain(question, passages)
        chosen = self.pick(question, tokens, named, passages)
        if not chosen or not _answers_procedure(question, chosen[0].sentence):
            return self.abstain(question, passages)
        citations: list[Citation] = []
        parts = []
        for cand in chosen:
            n = next((c.n for c in citations if c.article_id == cand.passage.article_id), None)
            if n is None:
                n = len(citations) + 1
                citations.append(Citation.of(n, cand.passage))
            parts.append(f"{trim(cand.sentence, tokens)}[{n}]")
        return Answer(question=question, text="".join(parts), citations=citations)

    def supported(self, question: str, tokens: list[str], named: list[str],
                  passages: list[Passage]) -> bool:
        """Whether the best article among the first passages can answer at all: it names every
        place, organisation, person and year the question names, and covers enough of it."""
        scored = [(self.coverage(tokens, text), text, p) for p in passages[:3]
                  for text in (self.article_text(p.article_id),)]
        coverage, context, best = max(scored, key=lambda x: x[0])
        missing = [e for e in named if e not in context]
        printed = (best.date or "")[:4]  # a year may also be when the article was printed
        missing += [y for y in _YEAR.findall(question) if y not in context and y != printed]
        logger.debug("coverage %.2f, missing %s", coverage, missing)
        return not missing and coverage >= MIN_COVERAGE

    def pick(self, question: str, tokens: list[str], named: list[str],
             passages: list[Passage]) -> list[_Candidate]:
        """The best sentence, and a second one from the same article when it adds to it."""
        wants = [r for asks, r in ((_ASKS_NUMBER, _NUMBER), (_ASKS_DATE, _DATE)) if asks.search(
            question)]
        if m := _UNIT.search(question):  # 多少名 → "8名", not "一个"
            wants.append(re.compile(f"[0-9两三四五六七八九十百千万]+[余多]?{m.group(1)}"))
        focus = focus_words(question)
        total = sum(self.idf(t) for t in tokens) or 1.0
        top = passages[0].score or 1.0
        cands: list[_Candidate] = []
        for p in passages[:5]:
            context = " ".join((p.kicker, p.title, p.subtitle, p.text))
            article = self.article_text(p.article_id)
            # A sentence is an answer only with its passage: quote + attribution are one unit.
            for s in _units(split_sentences(p.text, ends="。！？…")):
                inside = sum(self.idf(t) for t in tokens if t in s) / total
                around = sum(self.idf(t) for t in tokens if t not in s and t in context) / total
                score = inside + 0.3 * around + 0.15 * (p.score / top)
                # The words next to 什么/多少 say what is asked: "讲解了什么政策".
                score += 0.5 * sum(self.idf(w) for w in focus if w in s) / total
                if any(not r.search(s) for r in wants):
                    score *= 0.6  # asked 多少 or 哪天 and the sentence has no number or date
                if any(e not in article for e in named):
                    score *= 0.5  # the sentence is about another place or person
                cands.append(_Candidate(s, p, score))
        if not cands:
            return []
        cands.sort(key=lambda c: -c.score)
        first = cands[0]
        chosen = [first]
        for c in cands[1:6]:
            adds = sum(self.idf(t) for t in tokens if t in c.sentence and t not in first.sentence)
            if (c.passage.article_id == first.passage.article_id and c.score >= 0.85 * first.score
                    and c.sentence not in first.sentence and adds / total >= 0.15
                    and len(c.sentence) + len(first.sentence) <= 2 * _MAX_SENTENCE):
                chosen.append(c)
                break
        return chosen

    def abstain(self, question: str, passages: list[Passage]) -> Answer:
        seen: set[str] = set()
        suggestions = []
        for p in passages:
            if p.article_id not in seen and len(suggestions) < 3:
                seen.add(p.article_id)
                suggestions.append(Citation.of(len(suggestions) + 1, p))
        return Answer(question=question, text=NOT_FOUND, abstained=True, suggestions=suggestions)


def _answers_procedure(question: str, sentence: str) -> bool:
    """False when a procedure question gets a sentence that does not name what it asks."""
    if m := _ASKS_DETAIL.search(question):
        return (m.group(1) or m.group(2)) in sentence
    if _HOW_TO.search(question):
        return all(t in sentence for t in tokenize(_HOW_TO.sub("", question)))
    return True


_SPEECH = re.compile(r"(说|表示|介绍|留言|反映|称|问|求助|感叹|告诉)")


def _units(sentences: list[str]) -> list[str]:
    """Join a quoted sentence with the attribution that follows it ("“…？”王某在…留言。")."""
    out: list[str] = []
    for s in sentences:
        if out and out[-1].startswith("“") and out[-1].endswith("”") and _SPEECH.search(s):
            out[-1] += s
        else:
            out.append(s)
    return out


def entities(question: str) -> list[str]:
    """Places, organisations and people the question names (jieba POS tags)."""
    global _pseg
    if _pseg is None:
        import jieba.posseg

        _pseg = jieba.posseg
    return [w for w, flag in _pseg.cut(question) if flag in _ENTITY_TAGS and len(w) >= 2]


def focus_words(question: str) -> list[str]:
    """The content words just before and after the question word."""
    import jieba

    words = [w for w in jieba.lcut(question) if w.strip()]
    at = next((i for i, w in enumerate(words) if _WH.search(w)), None)
    if at is None:
        return []
    def content(w: str) -> bool:
        return w not in STOPWORDS and bool(re.search(r"\w", w))
    return [w for w in words[:at] if content(w)][-2:] + [w for w in words[at + 1:]
                                                          if content(w)][:1]


def _entity_core(entity: str) -> str:
    """"石家庄市公安局" → "石家庄": the paper may write the name with another suffix."""
    core = entity
    while (m := _ENTITY_SUFFIX.search(core)) and len(core) - len(m.group(0)) >= 2:
        core = core[: m.start()]
    return core


def trim(sentence: str, tokens: list[str]) -> str:
    """Shorten a very long sentence to the clauses around the question's words."""
    if len(sentence) <= _MAX_SENTENCE:
        return sentence
    clauses = re.split(r"(?<=[，、：])", sentence)
    hits = [i for i, c in enumerate(clauses) if any(t in c for t in tokens)]
    if not hits:
        return sentence
    best = max(hits, key=lambda i: sum(len(t) for t in tokens if t in clauses[i]))
    lo = hi = best
    grew = True
    while grew:  # widen the window one clause at a time, right first, up to ~110 characters
        grew = False
        if hi + 1 < len(clauses) and len("".join(clauses[lo:hi + 2])) <= 110:
            hi, grew = hi + 1, True
        if lo > 0 and len("".join(clauses[lo - 1:hi + 1])) <= 110:
            lo, grew = lo - 1, True
    text = "".join(clauses[lo:hi + 1]).rstrip("，、：")
    return ("…" if lo > 0 else "") + text + ("…" if hi < len(clauses) - 1 else "")
