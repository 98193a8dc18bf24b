"""Named lists: `桥东分局的“四个狠抓”都有哪些？` asks for the items of a numbered slogan that a
news story sets out one paragraph each, every paragraph opening with the slogan's word
(`狠抓部署推进。…`, `狠抓宣传发动。…`). The answer is those openings, in reading order, not the
sentence that shares most words with the question: the items share almost none, and the
refusal model, seeing no sentence that holds the question, would refuse (it did, at 0.04).
Police news writes its measures this way (三个坚持, 四个到位, 五个一), and readers ask for
them by the slogan's name.
"""

from __future__ import annotations

import re

from rag.answer.units import Candidate

_COUNT = "一二两三四五六七八九十"
# 四个狠抓, “三个坚持”, 五项强化: a count, a measure word, then the slogan's word (two characters)
_NAMED = re.compile(rf"([{_COUNT}]|\d{{1,2}})(?:个|项|条|大|种)?[“\"「]?([\u4e00-\u9fff]{{2}})")
# An item's opening: the slogan's word and a few characters, up to the first stop or comma
_OPENING = re.compile(r"^[^。，：；！？,:;]{3,16}[。，：；！？,:;]?")
_MAX_ITEMS = 10


_VALUES = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
           "九": 9, "十": 10}


def _count(token: str) -> int:
    return int(token) if token.isdigit() else _VALUES.get(token, 0)


def named_list(question: str, cands: list[Candidate]) -> tuple[Candidate, list[Candidate]] | None:
    """The openings of the items of the list the question names, from the first article among
    `cands` (in the order given, best first) that prints the name (四个狠抓) and opens at least
    two paragraphs' units with its word (狠抓…), each opening once; with the candidate that
    cites them. None when the question names no such list or no article sets one out."""
    named = [m for m in _NAMED.finditer(question) if _count(m.group(1)) >= 2]
    if not named:  # most questions: no article is read
        return None
    articles: dict[str, Candidate] = {}
    for c in cands:
        articles.setdefault(c.passage.article_id, c)
    for m in named:
        count, word = _count(m.group(1)), m.group(2)
        name = re.sub(r"[“\"「]", "", m.group())
        for cand in articles.values():  # each article once, by its best candidate
            a = cand.article
            if name not in re.sub(r"[“”「」\"]", "", a.body):
                continue
            items, openings = [], set()
            for at, unit in enumerate(a.units):
                m2 = _OPENING.match(unit) if unit.startswith(word) else None
                if m2 is None or (head := m2.group().rstrip("，：；,:;")) in openings:
                    continue  # not an item, or one a PDF printed twice
                openings.add(head)
                items.append(cand.sibling(at))
            if 2 <= len(items) <= min(count + 1, _MAX_ITEMS):
                return cand, items
    return None


def opening(unit: str) -> str:
    """What of an item's unit the answer prints: the unit when it is the opening alone
    (`狠抓部署推进。`), else its opening clause."""
    m = _OPENING.match(unit)
    if m is None or len(m.group()) == len(unit):
        return unit
    return m.group().rstrip("，：；,:;") + "…"
