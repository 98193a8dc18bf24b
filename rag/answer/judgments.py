"""Rules for court judgments, which follow a fixed order that the ranker's word overlap cannot
see. The penalty a question asks for is stated in the court's ruling (`from_ruling`), not in
the prosecutor's proposal or a past conviction that share its words; whether an argument was
accepted is stated in a sentence that gives the court's decision on it (`as_argued`,
`only_holding`), not in the sentence restating the argument; and whether it was appealed is
not stated in a first-instance judgment at all, nor are the names of the police officers
(`not_in_judgment`). Each rule was measured on the written judgments of `tests/data/`
(ablations in the README, "Judgments asked within their issue").
"""

from __future__ import annotations

import re

import numpy as np

from rag.answer.features import PENALTY, anonymised
from rag.answer.question import Question
from rag.answer.units import Candidate

# A court's ruling runs from "判决如下：" to the appeal notice. The same penalty words earlier in
# a judgment are the prosecutor's proposal (建议判处…) or a past conviction (曾因…被判处…), so a
# question about the penalty is answered from the ruling unless it asks about those.
_RULING_START = re.compile(r"(?:判决|裁定)如下")
_RULING_END = re.compile(r"如不服|审\s*判\s*[长员]|人\s*民\s*陪\s*审\s*员")  # often spaced out
_ASKS_WHEN = re.compile(r"哪天|哪一天|什么时候|何时|几月|几号|日期|到哪|截止|结束|起止|开始|起算")
# A fine is asked as 罚了多少钱 too (a `penalty` question says 罚金): the ruling states it.
_ASKS_FINE = re.compile(r"罚了|罚多少|罚款")
_ASKS_OTHER_PENALTY = re.compile(r"建议|公诉|检察|以前|之前|曾经|前科|上次|此前")
# What a first-instance judgment does not say: whether it was appealed and how the second
# instance ruled (that happens after it; a second-instance judgment names 上诉人 and rules on
# the appeal), and the names of the police officers who acted (not parties: it says 民警 or
# 侦查人员, and when it does name one, anonymised, 民警王某 or 王某某（民警）).
_ASKS_APPEAL = re.compile(r"上诉了|上诉没|有没有上诉|是否上诉|上没上诉|二审|维持原判|改判")
_APPEALED = re.compile(r"上诉人|驳回上诉|维持原判|撤销原判|二审|第二审")
_POLICE = r"(?:民警|警察|交警|侦查人员|办案人员|警官)"
_ASKS_OFFICER = re.compile(rf"{_POLICE}[^，。？]{{0,6}}(?:叫什么|名字|是谁|姓什么|叫啥)|"
                           rf"(?:哪位|哪名|哪个){_POLICE}")
_OFFICER_NAMED = re.compile(rf"{_POLICE}[\u4e00-\u9fff]{{1,2}}某|[\u4e00-\u9fff]某某?（?系?{_POLICE}")
# Asked whether the court accepted an argument (法院认了吗, 采纳了没有): the answer is the
# sentence that gives the court's decision on it, whatever else shares the argument's words.
ASKS_DECISION = re.compile(r"(?:认|采纳|采信|支持|认定|同意|接受)了?(?:吗|没有|没)|认不认|认没认|"
                            r"采没采纳|是否(?:采纳|认定|支持)")
_ARGUED = 3  # sentences before a decision that may state the argument it decides on
_REFERS_BACK = re.compile(r"(?:该|上述|此|以上)(?:辩护|辩解|上诉|意见)|^(?:故|因此|综上)")
DECISION = re.compile(r"(?:不予|予以|应予|依法)(?:采纳|采信|支持|认定)|不能成立|不予认可")


def judgment_order(question: str, q: Question, cands: list[Candidate],
                   scores: np.ndarray) -> np.ndarray:
    """The ranker's `scores` reordered by the rules of this module where `question` asks for a
    penalty or for the court's decision (unchanged for any other question, or when the
    candidates hold no ruling or decision)."""
    if (q.kinds["penalty"] or _ASKS_FINE.search(question)) and not q.kinds["reason"] and \
            not _ASKS_OTHER_PENALTY.search(question):
        scores = from_ruling(cands, scores, anonymised(question),
                             when=bool(_ASKS_WHEN.search(question)))
    if ASKS_DECISION.search(question):
        decides = np.array([bool(DECISION.search(c.plain)) for c in cands])
        scores = only_holding(decides, as_argued(decides, cands, scores))
    return scores


def not_in_judgment(question: str, cands: list[Candidate]) -> bool:
    """Whether `question` asks what a first-instance judgment does not say (the candidates are
    a judgment): if it was appealed when it records no appeal, or an officer's name when it
    names none."""
    appeal, officer = bool(_ASKS_APPEAL.search(question)), bool(_ASKS_OFFICER.search(question))
    if not appeal and not officer:
        return False
    text = "".join("".join(a.units) for a in {id(c.article): c.article for c in cands}.values())
    # A court's own text (本院 … 判决如下), not a news report that quotes a ruling and names the
    # officers in full.
    return bool(_RULING_START.search(text)) and "本院" in text and (
        (appeal and not _APPEALED.search(text)) or (officer and not _OFFICER_NAMED.search(text)))


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


def as_argued(decides: np.ndarray, cands: list[Candidate], scores: np.ndarray) -> np.ndarray:
    """`scores` with each decision (a candidate where `decides` is true) that refers back to the
    argument it decides on (故该辩护意见…不予采纳, 上述辩护意见…) scored as the best of itself and
    of the up to _ARGUED units before it that decide nothing: "…辩称…。经查，…。故该辩解本院
    不予采纳。" decides on the argument its first sentence states, which the question quotes
    (ablation in the README)."""
    at = {(c.passage.article_id, c.at): i for i, c in enumerate(cands) if c.at >= 0}
    out = scores.copy()
    for i, c in enumerate(cands):
        if not decides[i] or c.at < 0 or not _REFERS_BACK.search(c.plain):
            continue
        for back in range(1, _ARGUED + 1):
            j = at.get((c.passage.article_id, c.at - back))
            if j is None:
                break
            if not decides[j]:
                out[i] = max(out[i], scores[j])
    return out


def only_holding(holds: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """`scores` with the candidates where `holds` is false ranked below all others, when it is
    true for some (ablation in the README)."""
    return np.where(holds, scores, scores.min() - 1.0) if holds.any() else scores
