"""Features of candidate answer units and of a whole answer, in one place.

A candidate is a sentence (a quote joined with its attribution) of a retrieved passage. Every
feature is a property of text that any archive has (word rarity, overlap with the question,
what kind of content the sentence holds, where it stands in its article, how retrieval ranked
its passage), so that a model trained on one kind of text carries over to another. A court's
judgment read whole is ranked on these and on COURT_FEATURES (`rag.answer.judgments`: which part
of the judgment a sentence stands in and what the question asks of one).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

import numpy as np

from rag.answer.question import QUESTION_KINDS, Question, trigrams
from rag.answer.units import Candidate
from rag.text import pos_tag, to_simplified

_CJK = re.compile(r"[\u4e00-\u9fff]")
# A penalty a court imposed (what a `penalty` question asks for).
PENALTY = re.compile(r"判处|有期徒刑|拘役|管制|缓刑|罚金|免予刑事处罚|无期徒刑|死刑|罚款")

#: What the question asks, one flag per kind (`asks_number`, `asks_date` …): the rankers and
#: the silence model read the same columns.
ASKS = [f"asks_{k}" for k in QUESTION_KINDS]

FEATURES = [
    "overlap", "overlap_notitle", "bigram", "bigram_notitle", "overlap_rel", "bigram_rel",
    "overlap_prev", "overlap_next", "around", "focus", "span_density", "novel_share",
    "title_share", "length", "position", "first_unit", "passage_rank", "passage_score",
    "passage_bm25", "passage_cosine", "article_rank", "article_passages", "digit", "number_unit", "date", "year", "place", "org",
    "reason", "define", "speech", "quote", "list_marks", "novel_person", "novel_place",
    "novel_org", "novel_number", "novel_time", "novel_oov",
    *ASKS,
    "wants_met", "missing_entities",
    "trigram", "trigram_notitle", "lcs", "lcs_notitle", "lcs_rel", "left_anchor",
    "right_anchor", "lcs_prev", "lcs_next", "overlap_local", "overlap_local_rel",
    "char_local", "char_local_rel",
]
#: FEATURES the court ranker is not given (each reads 0 there): on a judgment read whole,
#: char_local cost 14 of 500 held-out judgment answers for 4 of 456 blind ones, while the
#: archive's ranker chose better with it on held-out DRCD (README, "Seventeenth round").
ARCHIVE_ONLY = ("char_local", "char_local_rel")
_ARCHIVE_ONLY_COLUMNS = [FEATURES.index(n) for n in ARCHIVE_ONLY]


def as_court_reads(x: np.ndarray) -> np.ndarray:
    """FEATURES rows `x` as the court ranker is given them: ARCHIVE_ONLY columns read 0."""
    x = x.copy()
    x[:, _ARCHIVE_ONLY_COLUMNS] = 0.0
    return x


def longest_common(q: str, s: str) -> int:
    """Length of the longest run of `q`'s characters that `s` holds verbatim: a question
    often copies a clause of the sentence that answers it."""
    best = 0
    for i in range(len(q)):
        while i + best < len(q) and q[i:i + best + 1] in s:
            best += 1
    return best


def _anchor(part: str, s: str, suffix: bool) -> float:
    """Share of the question's text next to its question word that `s` holds (the longest
    suffix of the text before it, or prefix of the text after it)."""
    n = 0
    while n < len(part) and (part[len(part) - n - 1:] if suffix else part[:n + 1]) in s:
        n += 1
    return n / max(1, len(part))


# Judgments and case reports name a party once with its role (被告刘某, 犯罪嫌疑人王某某) and then
# by the role alone (被告未按约定期限还款), while a question names the person.
_ROLE = re.compile(r"被告人|被上诉人|上诉人|被申请人|申请人|被执行人|犯罪嫌疑人|嫌疑人|被害人|受害人|"
                   r"原告|被告|第三人")
_NAME = re.compile(r"[\u4e00-\u9fff]某某?|[\u4e00-\u9fff]{2,3}")
# An anonymised name: a surname and 某 (周某某, 孙某), not 在某地 or 对某公司.
ANONYMISED = re.compile(r"[^在从向对被将把给让与和跟及或是有为于等之其某一每到至由以自该此\W]某某?")


def anonymised(text: str) -> list[str]:
    """The anonymised names `text` holds, as judgments print them (周某某, 孙某)."""
    return ANONYMISED.findall(text)


def party_names(question: str, body: str) -> dict[str, str]:
    """Role → the name that follows it in `body` (被告刘某 → 被告: 刘某), for the names
    `question` holds."""
    out: dict[str, str] = {}
    for m in _ROLE.finditer(body):
        if m.group() in out or not (name := _NAME.match(body, m.end())):
            continue
        got = name.group()
        while len(got) >= 2 and got not in question:
            got = got[:-1]
        if len(got) >= 2 and (got[1] == "某" or [f[:2] for _, f in pos_tag(got)] == ["nr"]):
            out[m.group()] = got  # a name, not the word after the role (嫌疑人家中)
    return out


def as_named(unit: str, parties: dict[str, str]) -> str:
    """`unit` with the name of each party it mentions by role only, for matching the question
    (the text quoted in answers is never changed). A role followed by a name (被告人张某某
    in a judgment of two defendants) names that person, not the one the question asks about."""
    extra = [n for r, n in parties.items()
             if n not in unit and any(_role_only(unit, m.end()) for m in re.finditer(r, unit))]
    return unit + "|" + "|".join(extra) if extra else unit


def _role_only(unit: str, end: int) -> bool:
    """True when no name follows the role that ends at `end` (被告人到案后, not 被告人张某某)."""
    after = unit[end:end + 4]
    return not ANONYMISED.match(after) and [f[:2] for _, f in pos_tag(after)][:1] != ["nr"]


def _share(weights: dict[str, float], total: float, text: str) -> float:
    return sum(w for t, w in weights.items() if t in text) / total


def asks(q: Question) -> list[float]:
    """The ASKS columns of `q`: 1.0 for each kind of thing it asks for."""
    return [float(q.kinds[k]) for k in QUESTION_KINDS]


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
                     reason, definition, list, how, penalty (one flag each)
    wants_met        1 when the unit holds the kind of content every asked kind wants
    missing_entities places/people/organisations the question names that the article lacks
    trigram          share of the question's character trigrams found in the unit
    trigram_notitle  the same over trigrams that are not in the article's title
    lcs              longest run of the question's characters found verbatim in the unit /
                     the question's length (question words and punctuation left out)
    lcs_notitle      the same with the title's words cut out of the question
    lcs_rel          lcs minus the best lcs among the candidates
    left_anchor      share of the 8 characters before the question word found (as a suffix)
    right_anchor     share of the 8 characters after the question word found (as a prefix)
    lcs_prev         lcs of the previous unit of the article
    lcs_next         lcs of the next unit of the article
    overlap_local    overlap with each question word weighted by its rarity among the units
                     of the candidate's article, not the archive: in a judgment every sentence
                     names the defendant and the archive's judgments all say 判处, but within
                     one judgment 判处 marks the few sentences that state the sentence
    overlap_local_rel overlap_local minus the best among all candidates
    char_local       overlap_local over the question's single characters: a question put in
                     its asker's words shares characters where it shares no word with the
                     sentence that answers (几点回的所里 / 于17时30分赶回了派出所, 跑了多少
                     时间 / 以19分48秒的成绩率先冲线)
    char_local_rel   char_local minus the best among all candidates
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
    kinds = asks(q)
    wanted = [k for k in QUESTION_KINDS if q.kinds[k] and k != "how"]
    focus = {t: q.weights.get(t, 1.0) for t in q.focus}
    tri = trigrams(q.chars)
    q_chars = dict.fromkeys(_CJK.findall(q.chars))
    qlen = max(1, len(q.chars))
    per_article: dict[str, tuple] = {}
    passage_text = {id(c.passage): c.passage.text for c in cands}
    passage_text = {k: to_simplified(t) for k, t in passage_text.items()}
    named_once: dict[tuple[int, str], str] = {}  # a unit is also its neighbours' neighbour

    def renamed(unit: str, parties: dict[str, str]) -> str:
        key = (id(parties), unit)
        if key not in named_once:
            named_once[key] = as_named(unit, parties)
        return named_once[key]

    for c in cands:
        a, s = c.article, c.plain
        aid = c.passage.article_id
        if aid not in per_article:
            notitle = {t: w for t, w in q.weights.items() if t not in a.title}
            text = "".join(a.units)
            body = a.title + text
            printed = (c.passage.date or "")[:4]  # a year may be when the paper printed it
            parts = q.chars
            for w in re.findall(r"[\u4e00-\u9fff]{2,}", a.title):
                parts = parts.replace(w, "|")
            per_article[aid] = (notitle, sum(notitle.values()) or 1.0,
                                [b for b in q.bigrams if b not in a.title],
                                float(sum(e not in body for e in q.entities)
                                      + sum(y not in body and y != printed for y in q.years)),
                                [g for g in tri if g not in a.title],
                                [x for x in parts.split("|") if len(x) > 1],
                                party_names(q.chars, text), _local_weights(q.weights, a.units),
                                _local_weights(q_chars, a.units))
        (notitle, nt_total, big_nt, missing, tri_nt, q_nt, parties, local,
         chars) = per_article[aid]
        static, named = a.static(s)
        s = renamed(s, parties)
        novel = {k: float(any(w not in q.text for w in ws)) for k, ws in named.items()}
        holds = {"number": static[0] or novel["m"] > 0, "date": static[3] or novel["t"] > 0,
                 "person": novel["nr"] > 0 or novel["x"] > 0,
                 "place": novel["ns"] > 0 or static[5], "organisation": novel["nt"] > 0
                 or static[6], "reason": static[7], "definition": static[8],
                 "list": static[11] > 0, "penalty": bool(PENALTY.search(s))}
        prev_u = renamed(a.units[c.at - 1], parties) if c.at > 0 else ""
        next_u = renamed(a.units[c.at + 1], parties) if 0 <= c.at < len(a.units) - 1 else ""
        rows.append([
            _share(q.weights, q.total, s), _share(notitle, nt_total, s),
            sum(b in s for b in q.bigrams) / max(1, len(q.bigrams)),
            sum(b in s for b in big_nt) / max(1, len(big_nt)), 0.0, 0.0,
            _share(notitle, nt_total, prev_u), _share(notitle, nt_total, next_u),
            sum(w for t, w in q.weights.items()
                if t not in s and t in passage_text[id(c.passage)]) / q.total,
            _share(focus, q.total, s), _density(q.tokens, s),
            len(s.translate(qdrop)) / max(1, len(s)),
            static[12], math.log1p(len(s)),
            c.at / max(1, len(a.units)) if c.at >= 0 else 0.5, float(c.at == 0),
            float(c.rank), c.passage.score / top, c.passage.bm25 / top_bm25,
            c.passage.cosine, float(art_rank[aid]),
            float(len(art_count[aid])), *static[1:12],
            novel["nr"], novel["ns"], novel["nt"], novel["m"], novel["t"], novel["x"],
            *kinds, float(all(holds[k] for k in wanted)) if wanted else 0.5, missing,
            sum(g in s for g in tri) / max(1, len(tri)),
            sum(g in s for g in tri_nt) / max(1, len(tri_nt)),
            longest_common(q.chars, s) / qlen,
            max((longest_common(x, s) for x in q_nt), default=0) / qlen, 0.0,
            _anchor(q.left, s, True), _anchor(q.right, s, False),
            longest_common(q.chars, prev_u) / qlen, longest_common(q.chars, next_u) / qlen,
            _share(local, sum(local.values()) or 1.0, s), 0.0,
            _share(chars, sum(chars.values()) or 1.0, s), 0.0,
        ])
    x = np.asarray(rows, dtype=np.float32).reshape(len(rows), len(FEATURES))
    if len(x):
        x[:, 4] = x[:, 0] - x[:, 0].max()
        x[:, 5] = x[:, 2] - x[:, 2].max()
        lcs = FEATURES.index("lcs")
        x[:, lcs + 2] = x[:, lcs] - x[:, lcs].max()
        for col in (FEATURES.index("overlap_local"), FEATURES.index("char_local")):
            x[:, col + 1] = x[:, col] - x[:, col].max()
    return x


def shortlist(q: Question, cands: list[Candidate], keep: int) -> list[int]:
    """Indexes (in order) of the `keep` candidates with the most question words and bigrams,
    rarity weighted within their article, and of their neighbours: what a long document read
    whole is ranked from, so that tagging and scoring ~170 sentences do not make the wait."""
    local: dict[str, dict[str, float]] = {}
    cheap = []
    for c in cands:
        if c.passage.article_id not in local:
            local[c.passage.article_id] = _local_weights(q.weights, c.article.units)
        weights = local[c.passage.article_id]
        cheap.append(_share(weights, sum(weights.values()) or 1.0, c.plain)
                     + sum(b in c.plain for b in q.bigrams) / max(1, len(q.bigrams)))
    at = {(c.passage.article_id, c.at): i for i, c in enumerate(cands)}
    chosen = set(np.argsort(-np.asarray(cheap), kind="stable")[:keep].tolist())
    for i in list(chosen):
        for step in (-1, 1):
            j = at.get((cands[i].passage.article_id, cands[i].at + step))
            if j is not None and cands[i].at >= 0:
                chosen.add(j)
    return sorted(chosen)


def _local_weights(keys: Iterable[str], units: list[str]) -> dict[str, float]:
    """Each key's IDF among the units of one article (log((n + 1) / (df + 1)): a key in every
    unit weighs nothing). The keys are the question's words, or its Chinese characters
    (question words left out), where 的, 了, 在 stand in most units and weigh next to nothing."""
    n = len(units)
    return {k: math.log((n + 1) / (sum(k in u for u in units) + 1)) for k in keys}


def _density(tokens: list[str], s: str) -> float:
    """Matched question characters over the span from the first to the last match."""
    spans = [(i, i + len(t)) for t in tokens if (i := s.find(t)) >= 0]
    if not spans:
        return 0.0
    lo, hi = min(a for a, _ in spans), max(b for _, b in spans)
    return min(1.0, sum(b - a for a, b in spans) / max(1, hi - lo))


REFUSAL_FEATURES = [
    "score", "margin", "overlap", "overlap_notitle", "bigram", "bigram_notitle",
    "article_cover", "rare_cover", "best3_cover", "article_bigram", "missing_entities",
    "n_tokens", "mean_idf", "wants_met", "passage_rank", "top_bm25", "top_cosine",
    "lcs", "lcs_notitle", "left_anchor", "right_anchor", "trigram_notitle", "novel_share",
    "best_lcs", "best_right_anchor", "unseen_share", "rarest_missing", "title_cover",
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
    lcs …            lcs, lcs_notitle, left_anchor, right_anchor, trigram_notitle and
                     novel_share of the best candidate
    best_lcs         the highest lcs among all candidates
    best_right_anchor the highest right_anchor among all candidates
    unseen_share     IDF share of the question's words that the archive does not hold at all
    rarest_missing   IDF of the rarest question word missing from the best article / the IDF
                     of an unseen word
    title_cover      share of the question's bigrams that the best article's title holds: a
                     question usually names what its article is about (蒙古帝国, 徐水…变压器),
                     and one about an article the archive lacks names another's topic
    """
    if not len(x):
        return [-10.0, 0.0] + [0.0] * (len(REFUSAL_FEATURES) - 2)
    order = np.argsort(-scores)
    b = int(order[0])
    second = float(scores[order[1]]) if len(order) > 1 else float(scores[b]) - 5.0
    col = {n: i for i, n in enumerate(FEATURES)}
    w = q.weights

    best = cands[b].article.body
    rare = sorted(w, key=lambda t: -w[t])[: max(1, len(w) // 2)]
    covers, seen = [], set()
    for c in cands:
        if c.passage.article_id not in seen and len(seen) < 3:
            seen.add(c.passage.article_id)
            covers.append(sum(v for t, v in w.items() if t in c.article.body) / q.total)
    first = cands[0].passage
    return [float(scores[b]), float(scores[b]) - second,
            *(float(x[b, col[n]]) for n in ("overlap", "overlap_notitle", "bigram",
                                             "bigram_notitle")),
            sum(v for t, v in w.items() if t in best) / q.total,
            sum(t in best for t in rare) / len(rare), max(covers),
            sum(g in best for g in q.bigrams) / max(1, len(q.bigrams)),
            float(x[b, col["missing_entities"]]), float(len(q.tokens)),
            q.total / max(1, len(q.tokens)), float(x[b, col["wants_met"]]),
            float(x[b, col["passage_rank"]]), first.bm25 / max(1, len(q.tokens)), first.cosine,
            *(float(x[b, col[n]]) for n in ("lcs", "lcs_notitle", "left_anchor", "right_anchor",
                                             "trigram_notitle", "novel_share")),
            float(x[:, col["lcs"]].max()), float(x[:, col["right_anchor"]].max()),
            sum(v for v in w.values() if v >= q.unseen_idf - 1e-9) / q.total,
            max((v for t, v in w.items() if t not in best), default=0.0) / q.unseen_idf,
            sum(g in cands[b].article.title for g in q.bigrams) / max(1, len(q.bigrams))]


#: Whether a judgment read whole states what was asked: REFUSAL_FEATURES of the court ranker's
#: best candidate, how far that best stands above the mean of all the document's sentences, and
#: what kind of thing the question asks for. Not title_cover: the document read is the one
#: asked about, whatever its title says (README, "Sixteenth round").
_NOT_SILENCE = ("title_cover",)
SILENCE_FEATURES = [*(n for n in REFUSAL_FEATURES if n not in _NOT_SILENCE), "mean_score",
                    "lead_over_mean", *ASKS]


def silence_features(q: Question, cands: list[Candidate], x: np.ndarray,
                     scores: np.ndarray) -> list[float]:
    """One row of SILENCE_FEATURES: `refusal_features` on the court ranker's `scores` of a
    document read whole (`x`: its FEATURES), then

    mean_score       the mean score of all its candidates
    lead_over_mean   the best score's lead over that mean (a stated answer stands out)
    asks_<kind>      what the question asks for (QUESTION_KINDS: number, date, person, place,
                     reason, how, penalty …): how far a score stands out, and how often a
                     judgment is silent, differ by kind (README, "Eighth round")
    """
    row = [v for n, v in zip(REFUSAL_FEATURES, refusal_features(q, cands, x, scores))
           if n not in _NOT_SILENCE]
    if not len(scores):
        return row + [0.0, 0.0] + asks(q)
    return row + [float(np.mean(scores)), float(np.max(scores) - np.mean(scores))] + asks(q)
