"""In-domain questions made from an archive's own sentences, deterministically.

A number with its unit, a date, a year, a person, a place or an organisation of a sentence is
replaced by its question word; the clauses far from it are dropped and connectives and a few
verbs are paraphrased, so the question shares less with its sentence than a copy would. The
answer is the replaced span; the label of a candidate is whether it holds that span.
"""

from __future__ import annotations

import hashlib
import re

from rag.answer.names import SURNAMES
from rag.text import pos_tag
from rag.types import Article

_NUMBER = re.compile(r"(\d+(?:\.\d+)?)(余|多)?(万元|万人|公里|名|件|个|起|项|人|辆|元|次|家|所|条|处|"
                     r"天|倍|台|部|套|户|场|米|吨|个月|年)")
_PERCENT = re.compile(r"\d+(?:\.\d+)?%")
_DAY = re.compile(r"(?:\d{4}年)?\d{1,2}月\d{1,2}日")
_YEAR = re.compile(r"(?:19|20)\d{2}年(?!\d{1,2}月)")
_LEAD = re.compile(r"^(?:近日|日前|近期|同时|此外|另外|据了解|据悉|据介绍|目前|今年以来|其中|随后|"
                   r"最终|截至目前|与此同时|对此|为此|因此)[，,]")
_PARAPHRASE = [("开展", "进行"), ("召开", "举行"), ("进一步", ""), ("积极", ""), ("有效", ""),
               ("全力", ""), ("切实", ""), ("持续", ""), ("深入", ""), ("共计", "共"),
               ("累计", "共"), ("其", "他们的")]
_PLACE_END = re.compile(r"[省市县区镇乡村]$")


def _entity_word(word: str, flag: str) -> str | None:
    """The question word for a person or place that jieba tags, when it looks like one:
    jieba's dictionary tags many common words nr or ns, so a surname or a place suffix is
    required."""
    if flag == "nr" and 2 <= len(word) <= 3 and word[0] in SURNAMES:
        return "谁"
    if flag == "ns" and len(word) >= 3 and _PLACE_END.search(word):
        return "哪里"
    return None


def _key(*parts: str) -> int:
    return int(hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:8], 16)


def _focus_clauses(sentence: str, start: int, end: int) -> str:
    """The clause holding [start, end) and its neighbour: questions are shorter than prose."""
    bounds = [0] + [m.end() for m in re.finditer(r"[，；：]", sentence)] + [len(sentence)]
    spans = list(zip(bounds, bounds[1:]))
    at = next(i for i, (a, b) in enumerate(spans) if a <= start < b)
    lo = max(0, at - 1)
    hi = min(len(spans) - 1, at + (1 if at == 0 else 0))
    return sentence[spans[lo][0]:spans[hi][1]]


def _question(sentence: str, span: tuple[int, int], word: str) -> str:
    start, end = span
    text = sentence[:start] + "\0" + sentence[end:]
    text = _focus_clauses(text, start, start + 1)
    text = _LEAD.sub("", text.strip("，；：。！？… "))
    for a, b in _PARAPHRASE:
        text = text.replace(a, b)
    text = text.replace("\0", word).rstrip("，；：。！？…”\" ")
    return text + "？"


def generate(articles: list[Article], units_of, per_article: int = 4) -> list[dict]:
    """Questions over `articles` in the schema of `python -m rag eval` (deterministic)."""
    out: list[dict] = []
    for a in articles:
        if a.kind != "article":
            continue
        made: list[tuple[int, dict]] = []
        for n, s in enumerate(units_of(a)):
            if not 16 <= len(s) <= 160 or s.startswith("“"):
                continue
            options: list[tuple[tuple[int, int], str, str]] = []
            for m in _NUMBER.finditer(s):
                options.append((m.span(), "多少" + m.group(3), m.group(0)))
            for m in _PERCENT.finditer(s):
                options.append((m.span(), "多少", m.group(0)))
            for m in _DAY.finditer(s):
                options.append((m.span(), "哪天", m.group(0)))
            for m in _YEAR.finditer(s):
                options.append((m.span(), "哪一年", m.group(0)))
            pos = 0
            for w, flag in pos_tag(s):
                if (word := _entity_word(w, flag)) and w not in a.title:
                    options.append(((pos, pos + len(w)), word, w))
                pos += len(w)
            options = [o for o in options if s.count(o[2]) == 1]
            if not options:
                continue
            span, word, answer = min(options, key=lambda o: _key(a.id, s, o[2]))
            q = _question(s, span, word)
            if len(q) < 8 or answer in q:
                continue
            made.append((_key(a.id, str(n)), {
                "id": f"gen-{_key(a.source, a.id, s):08x}", "question": q, "source": a.source,
                "title": a.title if not a.title_derived else None, "answers": [answer],
                "article_id": a.id}))
        chosen = [m for _, m in sorted(made, key=lambda m: m[0])[:per_article]]
        out += chosen + [v for m in chosen for v in (_in_context(m, a), _in_brief(m, a)) if v]
    return out


_ASKED = re.compile(r"多少\w?|哪天|哪一年|谁|哪里")
_BRIEF = 6  # characters kept either side of the question word


def _headline_phrase(article: Article) -> str | None:
    if article.title_derived or not article.title:
        return None
    head = re.split(r"[\s，：:！？]", article.title.strip("“”\" "))[0]
    return head if 4 <= len(head) <= 16 else None


def _in_context(made: dict, article: Article) -> dict | None:
    """The question again, led by its headline's first phrase ("追尾事故中巨额现金甩出车外，谁…"):
    people ask about a detail in the words of the story, which the article's lead sentence
    shares and its answering sentence often does not."""
    head = _headline_phrase(article)
    if head is None or head in made["question"]:
        return None
    return {**made, "id": made["id"] + "-ctx", "question": f"{head}，{made['question']}"}


def _in_brief(made: dict, article: Article) -> dict | None:
    """The headline's first phrase and only the few words around the question word
    ("玉田县公安局打掉暴力催债涉恶犯罪集团，王某某等多少名犯罪嫌疑人？"): a question in the story's
    words that shares almost nothing else with the sentence that answers it, so the ranker
    learns to pick the detail sentence that holds what is asked over the lead that echoes
    the headline."""
    head = _headline_phrase(article)
    question = made["question"].rstrip("？")
    m = _ASKED.search(question)
    if head is None or m is None:
        return None
    clause_start = max(question.rfind(p, 0, m.start()) for p in "，；：") + 1
    ends = [i for p in "，；：" if (i := question.find(p, m.end())) >= 0]
    clause_end = min(ends, default=len(question))
    lo, hi = max(clause_start, m.start() - _BRIEF), min(clause_end, m.end() + _BRIEF)
    # Widened to whole words: a question cut inside a word reads like no question.
    pos = 0
    for w, _ in pos_tag(question):
        if pos < lo < pos + len(w):
            lo = pos
        if pos < hi < pos + len(w):
            hi = min(clause_end, pos + len(w))
        pos += len(w)
    brief = question[lo:hi].strip("“”\"")
    if len(brief) < 4 or brief == question or head in brief:
        return None
    return {**made, "id": made["id"] + "-brief", "question": f"{head}，{brief}？"}
