"""Features of candidate answer units and of a whole answer, in one place.

A candidate is a sentence (a quote joined with its attribution) of a retrieved passage. Every
feature is a property of text that any archive has (word rarity, overlap with the question,
what kind of content the sentence holds, where it stands in its article, how retrieval ranked
its passage), so that a model trained on one kind of text carries over to another.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from rag.text import QUESTION_WORD, STOPWORDS, pos_tag, quick_tag, split_sentences, tokenize
from rag.types import Article, Passage

# What the question asks for: each kind is one regular expression over the question.
QUESTION_KINDS = {
    "number": r"多少|几[个名项件人次天年位辆起所条处家岁成倍种座层届只部本]|多长|多久|多大|多高|多远|"
              r"多重|多深|多宽|比例|百分|第几|多少钱|几成|人口|面积|长度|数量",
    "date": r"哪天|哪一天|何时|什么时候|几月|几号|哪年|哪一年|日期|时间|年代|世纪|朝代|时期|"
            r"何年|哪个时代|多少年",
    "person": r"谁|哪位|何人|什么人|哪个人|哪一位|哪一个人|名字|姓名|人物|哪名",
    "place": r"哪里|哪儿|何处|何地|在哪|什么地方|哪个地方|哪个国家|哪国|哪座|地点|哪个城市|"
             r"哪一个国家|哪个地区|哪一地区|哪个省|哪个市|哪一个城市|位于",
    "organisation": r"哪个(?:单位|部门|机构|公司|组织|大学|学校|团队|政党)|哪家|哪一家|"
                    r"什么(?:单位|部门|机构|组织|公司)|哪支|哪个队",
    "reason": r"为什么|为何|原因|缘故|因为什么|何故|为了什么|目的",
    "definition": r"是什么|什么是|指什么|含义|意思|定义|称为|称作|叫什么|又称",
    "list": r"哪些|措施|有哪几|包括|方面|举措|做法|内容有",
    "how": r"怎么|如何|怎样|方式|方法|手段|途径",
}
_KIND_RE = {k: re.compile(v) for k, v in QUESTION_KINDS.items()}
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
_YEAR = re.compile(r"((?:1[0-9]|20)\d{2})年")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ENTITY_TAGS = ("nr", "ns", "nt")
_ENTITY_SUFFIX = re.compile(
    r"(公安局|公安厅|公安处|分局|派出所|交管局|交警支队|交警大队|支队|大队|省|市|县|区|镇|乡|村)$")

FEATURES = [
    "overlap", "overlap_notitle", "bigram", "bigram_notitle", "overlap_rel", "bigram_rel",
    "overlap_prev", "overlap_next", "around", "focus", "span_density", "novel_share",
    "title_share", "length", "position", "first_unit", "passage_rank", "passage_score",
    "passage_bm25", "passage_cosine", "article_rank", "article_passages", "digit", "number_unit", "date", "year", "place", "org",
    "reason", "define", "speech", "quote", "list_marks", "novel_person", "novel_place",
    "novel_org", "novel_number", "novel_time", "novel_oov",
    *(f"asks_{k}" for k in QUESTION_KINDS),
    "wants_met", "missing_entities",
]


@dataclass
class Question:
    """What is known about a question before any candidate is looked at (computed once)."""

    text: str
    tokens: list[str]
    weights: dict[str, float]
    total: float
    bigrams: list[str]
    focus: list[str]
    kinds: dict[str, bool]
    entities: list[str]
    years: list[str]
    places: list[str] = field(default_factory=list)  # 深圳 of 深圳市交管局: jurisdictions


@dataclass
class ArticleUnits:
    """An article's answer units and, per unit, the words jieba tags in it (cached)."""

    title: str
    units: list[str]
    index: dict[str, int]
    title_bigrams: list[str] = field(default_factory=list)
    tags: dict[str, tuple] = field(default_factory=dict)

    def static(self, text: str) -> tuple[tuple, dict[str, list[str]]]:
        """What unit `at` holds, whatever the question: computed once per article and unit."""
        got = self.tags.get(text)
        if got is None:
            got = self.tags[text] = unit_properties(text, self.title_bigrams)
        return got


def bigrams(text: str) -> list[str]:
    """Character bigrams of the Chinese runs of `text` (no question words, no stopwords)."""
    text = QUESTION_WORD.sub(" ", text)
    out = []
    for run in re.findall(r"[\u4e00-\u9fff0-9A-Za-z]+", text):
        out += [run[i:i + 2] for i in range(len(run) - 1)]
    return list(dict.fromkeys(b for b in out if b not in STOPWORDS))


def focus_words(words: list[str]) -> list[str]:
    """The content words just before and after the question word ("讲解了什么政策")."""
    at = next((i for i, w in enumerate(words) if QUESTION_WORD.search(w)), None)
    if at is None:
        return []

    def content(w: str) -> bool:
        return w not in STOPWORDS and bool(re.search(r"\w", w))
    return [w for w in words[:at] if content(w)][-2:] + [w for w in words[at + 1:]
                                                          if content(w)][:1]


def analyse_question(text: str, idf) -> Question:
    """Tokens and their IDF weights, question kind, named entities and years of a question."""
    tokens = list(dict.fromkeys(tokenize(text)))
    weights = {t: idf(t) for t in tokens}
    tagged = pos_tag(text)
    words = [w for w, _ in tagged]
    kinds = {k: bool(r.search(text)) for k, r in _KIND_RE.items()}
    named = [w for w, f in tagged if f[:2] in _ENTITY_TAGS and len(w) >= 2]
    entities = [_entity_core(w) for w in named]
    return Question(text=text, tokens=tokens, weights=weights, total=sum(weights.values()) or 1.0,
                    bigrams=bigrams(text), focus=focus_words(words), kinds=kinds,
                    entities=entities, years=_YEAR.findall(text),
                    places=[c for w, c in zip(named, entities) if c != w])


def _entity_core(entity: str) -> str:
    """"石家庄市公安局" → "石家庄": the paper may write the name with another suffix."""
    core = entity
    while (m := _ENTITY_SUFFIX.search(core)) and len(core) - len(m.group(0)) >= 2:
        core = core[: m.start()]
    return core


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
    units = answer_units(article.text)
    title = " ".join(p for p in (article.kicker, article.title, article.subtitle) if p)
    return ArticleUnits(title=title, units=units, index={u: i for i, u in enumerate(units)},
                        title_bigrams=bigrams(title))


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
             float(bool(_DATE.search(s))), float(bool(_YEAR.search(s))),
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
    """One answer unit of a retrieved passage."""

    text: str
    passage: Passage
    rank: int  # the passage's rank in retrieval, 0 = best
    article: ArticleUnits
    at: int  # index of the unit in its article (-1 when the passage cut it differently)


def _share(weights: dict[str, float], total: float, text: str) -> float:
    return sum(w for t, w in weights.items() if t in text) / total


def features(q: Question, cands: list[Candidate]) -> np.ndarray:
    """One row of FEATURES per candidate (float32), in FEATURES' order.

    overlap          IDF-weighted share of the question's words found in the unit
    overlap_notitle  the same over the question's words that are not in the article's title
    bigram           share of the question's character bigrams found in the unit
    bigram_notitle   the same over bigrams that are not in the article's title
    overlap_rel      overlap minus the best overlap among all candidates of the question
    bigram_rel       bigram minus the best bigram overlap among the candidates
    overlap_prev     overlap_notitle of the previous unit of the article
    overlap_next     overlap_notitle of the next unit of the article
    around           share of the question's weight in the passage but not in the unit
    focus            IDF share of the words next to the question word found in the unit
    span_density     matched question characters / length of the shortest span holding them
    novel_share      share of the unit's characters not in the question (room for an answer)
    title_share      share of the unit's title bigrams: high for "X是…的一种" openings
    length           log of the unit's length in characters
    position         the unit's index in its article / number of units
    first_unit       1 for the article's first unit
    passage_rank     retrieval rank of the unit's passage (0 = best)
    passage_score    the passage's fused retrieval score / the best passage's
    passage_bm25     the passage's BM25 score / the best BM25 score among the passages
    passage_cosine   cosine similarity of question and passage (dense retrieval)
    article_rank     rank of the unit's article among the retrieved articles
    article_passages number of retrieved passages from the unit's article
    digit            the unit has an Arabic digit
    number_unit      the unit has a number with a measure word or unit (15名, 97%)
    date             the unit has a date, year, century or period
    year             the unit has a four-digit year
    place            the unit has a place-like word (…省, …市, …国)
    org              the unit has an organisation-like word (…公安局, …公司, …大学)
    reason           the unit has a reason marker (因为, 由于, 为了, 导致)
    define           the unit has a definition marker (是指, 称为, 是…的)
    speech           the unit has a speech verb (说, 表示, 指出)
    quote            the unit has quotation marks
    list_marks       number of 、 and ； in the unit (enumerations)
    novel_person     the unit has a person name (jieba nr) that the question does not name
    novel_place      the same for places (ns)
    novel_org        the same for organisations (nt)
    novel_number     the same for numbers (m) with a digit or Chinese numeral
    novel_time       the same for time words (t)
    novel_oov        the same for words outside jieba's dictionary (unknown names)
    asks_<kind>      what the question asks: number, date, person, place, organisation,
                     reason, definition, list, how (one flag each)
    wants_met        1 when the unit holds the kind of content every asked kind wants
    missing_entities places/people/organisations the question names that the article lacks
    """
    rows = []
    top = cands[0].passage.score if cands and cands[0].passage.score else 1.0
    top_bm25 = max((c.passage.bm25 for c in cands), default=0.0) or 1.0
    art_rank: dict[str, int] = {}
    art_count: dict[str, set[int]] = {}
    for c in cands:
        art_rank.setdefault(c.passage.article_id, len(art_rank))
        art_count.setdefault(c.passage.article_id, set()).add(c.rank)
    qdrop = dict.fromkeys(map(ord, set(_CJK.findall(q.text))))
    kinds = [float(q.kinds[k]) for k in QUESTION_KINDS]
    wanted = [k for k in QUESTION_KINDS if q.kinds[k] and k != "how"]
    focus = {t: q.weights.get(t, 1.0) for t in q.focus}
    per_article: dict[str, tuple] = {}
    for c in cands:
        a, s = c.article, c.text
        aid = c.passage.article_id
        if aid not in per_article:
            notitle = {t: w for t, w in q.weights.items() if t not in a.title}
            body = a.title + "".join(a.units)
            printed = (c.passage.date or "")[:4]  # a year may be when the paper printed it
            per_article[aid] = (notitle, sum(notitle.values()) or 1.0,
                                [b for b in q.bigrams if b not in a.title],
                                float(sum(e not in body for e in q.entities)
                                      + sum(y not in body and y != printed for y in q.years)))
        notitle, nt_total, big_nt, missing = per_article[aid]
        static, named = a.static(s)
        novel = {k: float(any(w not in q.text for w in ws)) for k, ws in named.items()}
        holds = {"number": static[0] or novel["m"] > 0, "date": static[3] or novel["t"] > 0,
                 "person": novel["nr"] > 0 or novel["x"] > 0,
                 "place": novel["ns"] > 0 or static[5], "organisation": novel["nt"] > 0
                 or static[6], "reason": static[7], "definition": static[8],
                 "list": static[11] > 0}
        prev_u = a.units[c.at - 1] if c.at > 0 else ""
        next_u = a.units[c.at + 1] if 0 <= c.at < len(a.units) - 1 else ""
        rows.append([
            _share(q.weights, q.total, s), _share(notitle, nt_total, s),
            sum(b in s for b in q.bigrams) / max(1, len(q.bigrams)),
            sum(b in s for b in big_nt) / max(1, len(big_nt)), 0.0, 0.0,
            _share(notitle, nt_total, prev_u), _share(notitle, nt_total, next_u),
            sum(w for t, w in q.weights.items() if t not in s and t in c.passage.text) / q.total,
            _share(focus, q.total, s), _density(q.tokens, s),
            len(s.translate(qdrop)) / max(1, len(s)),
            static[12], math.log1p(len(s)),
            c.at / max(1, len(a.units)) if c.at >= 0 else 0.5, float(c.at == 0),
            float(c.rank), c.passage.score / top, c.passage.bm25 / top_bm25,
            c.passage.cosine, float(art_rank[aid]),
            float(len(art_count[aid])), *static[1:12],
            novel["nr"], novel["ns"], novel["nt"], novel["m"], novel["t"], novel["x"],
            *kinds, float(all(holds[k] for k in wanted)) if wanted else 0.5, missing,
        ])
    x = np.asarray(rows, dtype=np.float32).reshape(len(rows), len(FEATURES))
    if len(x):
        x[:, 4] = x[:, 0] - x[:, 0].max()
        x[:, 5] = x[:, 2] - x[:, 2].max()
    return x


def _density(tokens: list[str], s: str) -> float:
    """Matched question characters over the span from the first to the last match."""
    spans = [(i, i + len(t)) for t in tokens if (i := s.find(t)) >= 0]
    if not spans:
        return 0.0
    lo, hi = min(a for a, _ in spans), max(b for _, b in spans)
    return min(1.0, sum(b - a for a, b in spans) / max(1, hi - lo))


def candidates(passages: list[Passage], article_units, limit: int = 8) -> list[Candidate]:
    """The answer units of the first `limit` passages, each unit once (chunks overlap)."""
    out: list[Candidate] = []
    seen: set[tuple[str, str]] = set()
    for rank, p in enumerate(passages[:limit]):
        a = article_units(p.article_id)
        if a is None:
            continue
        for u in answer_units(p.text):
            key = (p.article_id, u)
            if key in seen:
                continue
            seen.add(key)
            out.append(Candidate(text=u, passage=p, rank=rank, article=a,
                                 at=a.index.get(u, -1)))
    return out


REFUSAL_FEATURES = [
    "score", "margin", "overlap", "overlap_notitle", "bigram", "bigram_notitle",
    "article_cover", "rare_cover", "best3_cover", "article_bigram", "missing_entities",
    "n_tokens", "mean_idf", "wants_met", "passage_rank", "top_bm25", "top_cosine",
]


def refusal_features(q: Question, cands: list[Candidate], x: np.ndarray,
                     scores: np.ndarray) -> list[float]:
    """One row of REFUSAL_FEATURES: whether what was retrieved answers the question at all.

    score            the ranker's score of the best candidate
    margin           its lead over the second best candidate
    overlap …        overlap, overlap_notitle, bigram, bigram_notitle of the best candidate
    article_cover    IDF share of the question's words found in the best candidate's article
    rare_cover       share of the question's rarer half of words found in that article
    best3_cover      the best article_cover among the first three retrieved articles
    article_bigram   share of the question's bigrams found in the best candidate's article
    missing_entities places/people/organisations/years the question names that it lacks
    n_tokens         number of distinct question words
    mean_idf         mean IDF of the question's words (rare words make a specific question)
    wants_met        the best candidate holds the kind of content asked for
    passage_rank     retrieval rank of the best candidate's passage
    top_bm25         BM25 score of the first passage per question word
    top_cosine       cosine similarity of question and first passage
    """
    if not len(x):
        return [-10.0, 0.0] + [0.0] * (len(REFUSAL_FEATURES) - 2)
    order = np.argsort(-scores)
    b = int(order[0])
    second = float(scores[order[1]]) if len(order) > 1 else float(scores[b]) - 5.0
    col = {n: i for i, n in enumerate(FEATURES)}
    w = q.weights

    def body(a: ArticleUnits) -> str:
        return a.title + "".join(a.units)

    best = body(cands[b].article)
    rare = sorted(w, key=lambda t: -w[t])[: max(1, len(w) // 2)]
    covers, seen = [], set()
    for c in cands:
        if c.passage.article_id not in seen and len(seen) < 3:
            seen.add(c.passage.article_id)
            text = body(c.article)
            covers.append(sum(v for t, v in w.items() if t in text) / q.total)
    first = cands[0].passage
    return [float(scores[b]), float(scores[b]) - second,
            *(float(x[b, col[n]]) for n in ("overlap", "overlap_notitle", "bigram",
                                             "bigram_notitle")),
            sum(v for t, v in w.items() if t in best) / q.total,
            sum(t in best for t in rare) / len(rare), max(covers),
            sum(g in best for g in q.bigrams) / max(1, len(q.bigrams)),
            float(x[b, col["missing_entities"]]), float(len(q.tokens)),
            q.total / max(1, len(q.tokens)), float(x[b, col["wants_met"]]),
            float(x[b, col["passage_rank"]]), first.bm25 / max(1, len(q.tokens)), first.cosine]
