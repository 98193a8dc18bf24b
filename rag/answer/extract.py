"""Extractive answers with citations, and the decision to abstain. No LLM needed.

The candidates are the sentences of the retrieved passages (a quote joined with its
attribution); LightGBM rankers trained on labelled questions (`python -m rag train`) score
them from the features of `rag.answer.features`, and a LightGBM classifier decides from
the best candidate and from retrieval whether the archive answers the question at all. The
answer is the best sentence, verbatim with [n] marks, trimmed around the clause that answers
when it is very long; 哪些 / 为什么 / 措施 questions get up to three sentences.

Judgments follow a fixed order that the ranker's word overlap cannot see: the penalty a
question asks for is stated in the court's ruling (`from_ruling`), and whether an argument was
accepted in a sentence that gives the court's decision (`only_holding` with DECISION). A long
judgment read whole is first cut to a shortlist (`rag.answer.features.shortlist`).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np

from rag.answer.features import PENALTY, anonymised, features, refusal_features, shortlist
from rag.answer.question import Question, analyse_question
from rag.answer.ranker import MODEL_DIR, load_model
from rag.answer.units import Candidate, TextStats, candidates
from rag.index.store import IndexData
from rag.text import to_simplified, tokenize
from rag.types import Answer, Citation, Passage

logger = logging.getLogger(__name__)

NOT_FOUND = "没有在公安周刊中找到相关内容。"
_MAX_SENTENCE = 150  # longer sentences are trimmed around the answering clause
_MAX_UNITS = 3  # sentences in an answer to a 哪些 / 为什么 / 措施 question
# Past _MANY candidates (a judgment of ~25 chunks and more, read whole) the ranker sees the
# _SHORTLIST with the most question words and their neighbours: the answering sentence was
# among them for every question of the held-out and the long judgments.
_MANY, _SHORTLIST = 96, 32
# Procedure questions (材料, 手续, how to 办理): news rarely answers them; when it does, the
# answering sentence names what was asked, so a sentence that does not is no answer.
_DETAIL = "材料|手续|证件|条件|流程|步骤|费用|电话|地址|网址|时间表"
_ASKS_DETAIL = re.compile(rf"(?:什么|哪些|哪个)({_DETAIL})|({_DETAIL})(?:是|有)?(?:什么|哪些|多少)")
_HOW_TO = re.compile(r"(?:怎么|怎样|如何)(?:才能)?(办理|办|申请|查询|查|缴纳|补办|换证|换|领取|"
                     r"预约|注销|迁移|报名|报警|投诉)")
_NUMERALS = "0-9零〇一二两三四五六七八九十百千万"  # the parser made full-width digits half-width
_NUMBER = re.compile(rf"[{_NUMERALS}]")
# A count asked with its measure word (几项, 多少名) or a two-character word (多少学时, 多少游客):
# the answer holds a number with that word (24学时, 300余万游客).
_ASKS_COUNT = re.compile(r"(?:几|多少)([个名项件人次天年位辆起所条处家岁倍种座层届只部本元米吨台户场支枚间]|"
                         r"[\u4e00-\u9fff]{2})")
# People are counted with any of these: 多少人 is answered by "62名铁骑精英" (前三名 is a rank).
_MEASURES = dict.fromkeys("人名位", "人|名|位")
# How long (多久): the answer holds a number of minutes, hours, days …
_ASKS_DURATION = re.compile(r"多久|多长时间")
_DURATIONS = "分钟|小时|天|日|周|星期|月|年|秒"
# Asked how many / how much / how long (not 第几, a rank): an answer with no number says none.
_ASKS_AMOUNT = re.compile(r"多少|(?<!第)几(?!乎)|多长|多久|多大|多高|多远|多重|多深|多宽")
_SEVERAL = re.compile(r"哪些|措施|为什么|为何|原因|举措|做法")
# A court's ruling runs from "判决如下：" to the appeal notice. The same penalty words earlier in
# a judgment are the prosecutor's proposal (建议判处…) or a past conviction (曾因…被判处…), so a
# question about the penalty is answered from the ruling unless it asks about those.
_RULING_START = re.compile(r"(?:判决|裁定)如下")
_RULING_END = re.compile(r"如不服|审\s*判\s*[长员]|人\s*民\s*陪\s*审\s*员")  # often spaced out
_ASKS_WHEN = re.compile(r"哪天|哪一天|什么时候|何时|几月|几号|日期|到哪|截止|结束|起止|开始|起算")
_ASKS_OTHER_PENALTY = re.compile(r"建议|公诉|检察|以前|之前|曾经|前科|上次|此前")
# Asked whether the court accepted an argument (法院认了吗, 采纳了没有): the answer is the
# sentence that gives the court's decision on it, whatever else shares the argument's words.
ASKS_DECISION = re.compile(r"(?:认|采纳|采信|支持|认定|同意|接受)了?(?:吗|没有|没)|认不认|认没认|"
                            r"采没采纳|是否(?:采纳|认定|支持)")
_ARGUED = 3  # sentences before a decision that may state the argument it decides on
_REFERS_BACK = re.compile(r"(?:该|上述|此|以上)(?:辩护|辩解|上诉|意见)|^(?:故|因此|综上)")
DECISION = re.compile(r"(?:不予|予以|应予|依法)(?:采纳|采信|支持|认定)|不能成立|不予认可")
# A sentence opening with one of these stands on the sentence before it; 此外 and 其次 do not,
# and 此次 / 这次 point at the story's event, not at the previous sentence.
_PRONOUN = re.compile(r"(?:他们|她们|它们|他|她|它|其(?!次|实)|该|此(?!外|次|前)|这(?!次))")


class Answerer:
    """Chooses answer sentences from retrieved passages, or abstains."""

    def __init__(self, data: IndexData, model_dir: str | Path = MODEL_DIR,
                 refusal_rate: float | None = None) -> None:
        self.data = data
        self.stats = TextStats(data)
        self.model = load_model(model_dir)
        # Below it the answerer abstains; REFUSAL_RATE trades answers for refusals (README).
        self.threshold = self.model.threshold_for(refusal_rate)

    def idf(self, token: str) -> float:
        return self.stats.idf(token)

    def answer(self, question: str, passages: list[Passage], whole: bool = False) -> Answer:
        """`whole`: the passages are all of one document, the whole of a confined search (a
        judgment asked about within its issue). The refusal model is not consulted then: it
        learnt from searches of a whole archive, and on questions asked within one judgment it
        could not tell the ones the judgment is silent on from the others (README, "Judgments
        asked within their issue")."""
        q = analyse_question(question, self.stats.idf)
        cands = candidates(passages, self.stats.units) if q.tokens else []
        if not cands:
            return self.abstain(question, passages)
        if len(cands) > _MANY:  # a long judgment read whole (ablation in the README)
            cands = [cands[i] for i in shortlist(q, cands, _SHORTLIST)]
        x = features(q, cands)
        scores = self.model.rank(x)
        if q.kinds["penalty"] and not q.kinds["reason"] and not _ASKS_OTHER_PENALTY.search(
                question):
            scores = from_ruling(cands, scores, anonymised(question),
                                 when=bool(_ASKS_WHEN.search(question)))
        decision = bool(ASKS_DECISION.search(question))
        if decision:
            scores = only_holding(DECISION, cands, as_argued(DECISION, cands, scores))
        p = self.model.answerable(refusal_features(q, cands, x, scores))
        logger.debug("answerable %.3f (threshold %.3f)", p, self.threshold)
        order = np.argsort(-scores, kind="stable")
        best = cands[int(order[0])]
        if (p < self.threshold and not whole) or wrong_place(q, best) or not _answers_procedure(
                question, best.plain):
            return self.abstain(question, passages)
        chosen = shape(q, cands, order, scores, self.model.adjacent_margin)
        if _ASKS_AMOUNT.search(question) and not any(_holds_number(c) for c in chosen):
            return self.abstain(question, passages)  # ablation in the README
        citations: list[Citation] = []

        def cite(cand: Candidate) -> int:
            n = next((c.n for c in citations if c.article_id == cand.passage.article_id), None)
            if n is None:
                n = len(citations) + 1
                citations.append(Citation.of(n, cand.passage))
            return n

        cite(best)  # an article is cited by the passage of its best unit, not its first
        parts = []
        for cand in chosen:
            text = cand.text
            if len(chosen) == 1:  # around the court's decision, not the argument's words
                words = DECISION.findall(cand.text) if decision else []
                text = trim(text, words, span=False) if words else trim(text, q.tokens)
            parts.append(f"{text}[{cite(cand)}]")
        return Answer(question=question, text="".join(parts), citations=citations)

    def abstain(self, question: str, passages: list[Passage]) -> Answer:
        seen: set[str] = set()
        suggestions = []
        for p in passages:
            if p.article_id not in seen and len(suggestions) < 3:
                seen.add(p.article_id)
                suggestions.append(Citation.of(len(suggestions) + 1, p))
        return Answer(question=question, text=NOT_FOUND, abstained=True, suggestions=suggestions)


def from_ruling(cands: list[Candidate], scores: np.ndarray, names: list[str],
                when: bool = False) -> np.ndarray:
    """`scores` with the sentences outside a court's ruling ranked below all others, when the
    candidates hold a ruling that states a penalty, and of the ruling's items stating one those
    that do not name the defendant asked about (`names`), when one does (ablation in the
    README). The ruling's other sentences (刑期自…起至…止) rank below its items that state a
    penalty, unless the question asks `when` (刑期到哪天结束)."""
    spans: dict[int, tuple[int, int]] = {}
    for c in cands:
        if id(c.article) not in spans:
            units = c.article.units
            start = next((i for i, u in enumerate(units) if _RULING_START.search(u)), len(units))
            end = next((i for i in range(start + 1, len(units)) if _RULING_END.search(units[i])),
                       len(units))
            spans[id(c.article)] = (start, end)
    penalty = np.array([bool(PENALTY.search(c.plain)) for c in cands])
    ruling = np.array([spans[id(c.article)][0] < c.at < spans[id(c.article)][1] for c in cands])
    if not (penalty & ruling).any():
        return scores
    named = np.array([any(n in c.plain for n in names) for c in cands])
    stated = penalty & ruling
    other = stated & ~named if (stated & named).any() else np.zeros_like(stated)
    below = ruling & ~stated & (not when)
    # Three tiers, each keeping its own order: the items asked about, the ruling's other
    # sentences, then everything else.
    step = float(scores.max() - scores.min()) + 1.0
    return scores - step * np.where(~ruling | other, 2, np.where(below, 1, 0))


def as_argued(pattern: re.Pattern, cands: list[Candidate], scores: np.ndarray) -> np.ndarray:
    """`scores` with each decision (a candidate matching `pattern`) that refers back to the
    argument it decides on (故该辩护意见…不予采纳, 上述辩护意见…) scored as the best of itself and
    of the up to _ARGUED units before it that decide nothing: "…辩称…。经查，…。故该辩解本院
    不予采纳。" decides on the argument its first sentence states, which the question quotes
    (ablation in the README)."""
    at = {(c.passage.article_id, c.at): i for i, c in enumerate(cands) if c.at >= 0}
    holds = [bool(pattern.search(c.plain)) for c in cands]
    out = scores.copy()
    for i, c in enumerate(cands):
        if not holds[i] or c.at < 0 or not _REFERS_BACK.search(c.plain):
            continue
        for back in range(1, _ARGUED + 1):
            j = at.get((c.passage.article_id, c.at - back))
            if j is None:
                break
            if not holds[j]:
                out[i] = max(out[i], scores[j])
    return out


def only_holding(pattern: re.Pattern, cands: list[Candidate], scores: np.ndarray) -> np.ndarray:
    """`scores` with the candidates that do not match `pattern` ranked below all others, when
    some candidate does (ablation in the README)."""
    holds = np.array([bool(pattern.search(c.plain)) for c in cands])
    return np.where(holds, scores, scores.min() - 1.0) if holds.any() else scores


def _holds_number(cand: Candidate) -> bool:
    """A digit, a Chinese numeral with a measure word, or a word jieba tags as a number."""
    flags, named = cand.article.static(cand.plain)
    return bool(flags[0] or named["m"])


def wrong_place(q: Question, best: Candidate) -> bool:
    """A jurisdiction the question names (深圳 of 深圳市交管局) that the best article lacks.

    Measured on held-out DRCD (README): vetoing on any missing name or year refused 2.2% more
    answerable questions for 2.5% more unanswerable ones; jurisdictions alone cost nothing
    there and catch the swapped city of news questions (深圳 asked, 石家庄 found)."""
    body = best.article.title + "".join(best.article.units)
    return any(p not in body for p in q.places)


def shape(q: Question, cands: list[Candidate], order: np.ndarray, scores: np.ndarray | None = None,
          margin: float = 0.0) -> list[Candidate]:
    """The best unit; for 哪些 / 为什么 / 措施 questions also the units of the same article that
    the ranker puts among its first three, in reading order (a list or a reason often runs
    over two or three sentences). When the ranker barely prefers the best unit (by less than
    `margin`, learnt by `rag train`) to its neighbour in the article, both are the answer.
    An answer that opens with a pronoun also takes the sentence before it."""
    return _with_antecedent(_units(q, cands, order, scores, margin))


def _units(q: Question, cands: list[Candidate], order: np.ndarray, scores: np.ndarray | None,
           margin: float) -> list[Candidate]:
    best = cands[int(order[0])]
    if not _SEVERAL.search(q.text):
        # Asked how many of something (几项) and the best sentence counts none: the answer also
        # takes the best-ranked sentence of the same article that does (ablation in the README).
        if (asked := _ASKS_COUNT.search(q.text)) is not None or _ASKS_DURATION.search(q.text):
            measure = _MEASURES.get(asked.group(1), asked.group(1)) if asked else _DURATIONS
            counted = re.compile(rf"(?<![第前{_NUMERALS}])[{_NUMERALS}]+(?:\.\d+)?(?:余|多)?[万亿]?个?"
                                 rf"(?:{measure})")
            if more := _also(cands, order, lambda c: counted.search(c.plain)):
                return _reading_order([best, more])
        # Asked for a number or a date and the best sentence has none: the answer also takes
        # the best-ranked sentence of the same article that has one (ablation in the README).
        if (q.kinds["number"] or q.kinds["date"]) and (
                more := _also(cands, order, lambda c: _NUMBER.search(c.text), _MAX_UNITS)):
            return _reading_order([best, more])
        if scores is not None and (other := close_neighbour(cands, order, scores, margin)):
            return _reading_order([best, other])
        return [best]
    chosen = [best]
    for i in order[1:_MAX_UNITS]:
        c = cands[int(i)]
        if c.passage.article_id == best.passage.article_id and c.text not in best.text \
                and sum(len(x.text) for x in chosen) + len(c.text) <= 2 * _MAX_SENTENCE:
            chosen.append(c)
    return _reading_order(chosen)


def _also(cands: list[Candidate], order: np.ndarray, holds, within: int | None = None
          ) -> Candidate | None:
    """When the best unit does not hold what was asked (`holds` is false), the unit of its
    article among the first `within` that does: the nearest within two units of the best (a
    count or date is stated next to what it counts or dates), else the best-ranked."""
    best = cands[int(order[0])]
    if holds(best):
        return None
    same = [cands[int(i)] for i in order[1:within] if cands[int(i)].passage.article_id
            == best.passage.article_id and holds(cands[int(i)])]
    near = [c for c in same if best.at >= 0 and c.at >= 0 and abs(c.at - best.at) <= 2]
    near.sort(key=lambda c: abs(c.at - best.at))
    return (near or same or [None])[0]


def _reading_order(units: list[Candidate]) -> list[Candidate]:
    return sorted(units, key=lambda c: c.at if c.at >= 0 else 1 << 30)


def _with_antecedent(units: list[Candidate]) -> list[Candidate]:
    """A one-sentence answer with the sentence before it when it opens with a pronoun (他,
    它们, 这, 该, 其 …): "这是中华民国在安理会仅有的一次行使否决权" does not say what 这 is,
    and the answer to a 谁 / 什么 question is often the 他 or 这 of the sentence that matched.
    Held-out DRCD: fact 0.853 → 0.861, for 71 more two-sentence answers (README)."""
    first = units[0]
    if len(units) > 1 or first.at <= 0 or not _PRONOUN.match(first.plain) or \
            len(first.text) + len(first.article.printed[first.at - 1]) > 2 * _MAX_SENTENCE:
        return units
    a, at = first.article, first.at - 1
    return [Candidate(text=a.printed[at], passage=first.passage, rank=first.rank, article=a,
                      at=at, plain=a.units[at]), *units]


def close_neighbour(cands: list[Candidate], order: np.ndarray, scores: np.ndarray,
                    margin: float) -> Candidate | None:
    """The runner-up when it is the best unit's neighbour and scores within `margin` of it."""
    if len(order) < 2:
        return None
    best, second = cands[int(order[0])], cands[int(order[1])]
    if scores[order[0]] - scores[order[1]] < margin and best.at >= 0 and second.at >= 0 and \
            second.passage.article_id == best.passage.article_id and abs(second.at - best.at) == 1:
        return second
    return None


def _answers_procedure(question: str, sentence: str) -> bool:
    """False when a procedure question gets a sentence that does not name what it asks."""
    if m := _ASKS_DETAIL.search(question):
        return (m.group(1) or m.group(2)) in sentence
    if _HOW_TO.search(question):
        return all(t in sentence for t in tokenize(_HOW_TO.sub("", question)))
    return True


def trim(sentence: str, tokens: list[str], width: int = 110, span: bool = True) -> str:
    """Shorten a very long sentence to the clauses around the question's words.

    The window starts as the clauses from the first to the last that hold a question word
    (`span`; else the one holding most), so that an answer between them is kept, and widens
    one clause at a time, right first, up to `width` characters. Clauses end at ，：； only: a
    list (甲、乙、丙) is often the answer and is kept whole (held-out DRCD: answers lost to
    trimming 2 → 1 of 46 trimmed).
    """
    if len(sentence) <= _MAX_SENTENCE:
        return sentence
    clauses = re.split(r"(?<=[，：；])", sentence)
    plain = [to_simplified(c) for c in clauses]  # the question's words are simplified
    hits = [i for i, c in enumerate(plain) if any(t in c for t in tokens)]
    if not hits:
        return sentence
    lo, hi = hits[0], hits[-1]
    if not span or len("".join(clauses[lo:hi + 1])) > width:
        lo = hi = max(hits, key=lambda i: sum(len(t) for t in tokens if t in plain[i]))
    grew = True
    while grew:
        grew = False
        if hi + 1 < len(clauses) and len("".join(clauses[lo:hi + 2])) <= width:
            hi, grew = hi + 1, True
        if lo > 0 and len("".join(clauses[lo - 1:hi + 1])) <= width:
            lo, grew = lo - 1, True
    text = "".join(clauses[lo:hi + 1]).rstrip("，、：；")
    return ("…" if lo > 0 else "") + text + ("…" if hi < len(clauses) - 1 else "")
