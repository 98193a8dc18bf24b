"""Follow-up questions without an LLM: "那群众满意度呢？" → "民意智感系统 群众满意度".

`rewrite` makes an incomplete question standalone by carrying over the named things (places,
people, organisations, quoted system names, noun compounds) and the issue/date reference of the
previous turn. It is deterministic and conservative: a question that reads as complete is
returned unchanged, because a wrong carry-over pollutes retrieval more than a missing one.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from rag.search.refs import resolve_refs
from rag.text import pos_tag

log = logging.getLogger(__name__)

# First words that say "continuing the previous question".
_MARKERS = {"那", "那么", "还有", "另外", "此外", "然后"}
# Words that point back at something named before.
_ANAPHORA = {
    "它", "它们", "他们", "她们", "他", "她", "其", "其中", "这个", "那个", "该", "此",
    "这些", "那些", "上述", "这项", "此项", "这里", "那里",
}  # fmt: skip
_SMALL_TALK = re.compile(r"^(你好|您好|谢谢|多谢|再见|好的|嗯|哈+|hi|hello|thanks?)\W*$", re.I)
_PUNCT = re.compile(r"[\s，,。？?！!、：:；;“”\"'《》（）()]")
_QUOTED = re.compile(r"[“\"「『]([^“”\"「」『』]{2,20})[”\"」』]")
# Noun-like tags that may form a compound ("民意智感系统", "张家口市公安局").
_NOUNISH = ("n", "vn", "ns", "nr", "nt", "nz", "ng", "nrt", "nrfg", "eng")
# Too generic to identify a topic on their own.
_GENERIC = {
    "公安局", "公安厅", "公安", "公安机关", "派出所", "警方", "民警", "群众", "单位", "部门",
    "工作", "情况", "问题", "系统", "全省", "全市", "我省", "公安周刊", "周刊", "报纸",
}  # fmt: skip
# Who acts, not what is asked about: "那衡水警方呢？" only swaps the place.
_AGENTS = ("公安机关", "公安局", "公安厅", "派出所", "警方", "民警", "公安")
# jieba tags "满意度" ns; real names never end like this.
_NOT_A_NAME = ("度", "率", "性", "量", "数")
# Tags (first letter) of words that cannot be a given name: particles, numbers, pronouns...
_FUNCTION = set("ucpyxmqrdf")
# Narrower than rag.text.QUESTION_WORD: where the tail of a previous question begins ("…是多少？"),
# to carry that tail over; 什么 alone would carry too much ("讲解了什么政策").
_QUESTION_WORD = re.compile(r"(多少|几[个名项件人次天年位]?|哪[天年里些个位]|什么时候|何时|谁|怎么|如何)")
_MAX_CORE_CHARS = 6  # a question this short with no name of its own needs its context
_LOOKBACK = 3  # turns searched for something to carry over


@dataclass(frozen=True)
class Entity:
    """A named thing found in a text: its text, start offset and kind."""

    text: str
    start: int
    kind: str  # "term" (vocabulary or quoted), "name" (proper noun) or "compound"


def harvest_terms(texts: Iterable[str], max_chars: int = 12) -> set[str]:
    """Collect the quoted names (“民意智感系统”, “微恳谈”) of `texts`, e.g. the corpus.

    Pass the result to `rewrite(..., vocabulary=...)`: jieba does not know these names and
    would otherwise cut them into common words.
    """
    terms: set[str] = set()
    for text in texts:
        terms.update(m for m in _QUOTED.findall(text) if len(m) <= max_chars)
    return terms


def _is_name(word: str, flag: str) -> bool:
    proper = flag[:2] in ("ns", "nr", "nt", "nz")
    return proper and len(word) >= 2 and word not in _GENERIC and not word.endswith(_NOT_A_NAME)


def _given_name(word: str, flag: str) -> bool:
    return 1 <= len(word) <= 2 and "\u4e00" <= word[0] <= "\u9fff" and flag[:1] not in _FUNCTION


def entities(text: str, vocabulary: Collection[str] = ()) -> list[Entity]:
    """The named things of `text`, in order of appearance, without overlaps.

    Vocabulary terms win over quoted terms, which win over names (jieba's ns, nr, nt, nz, whose
    tags are too noisy to tell a place from a person), which win over noun compounds: of two
    overlapping candidates the stronger is kept.
    """
    candidates: list[tuple[int, Entity]] = []
    for term in vocabulary:
        for m in re.finditer(re.escape(term), text):
            candidates.append((0, Entity(term, m.start(), "term")))
    for m in _QUOTED.finditer(text):
        candidates.append((1, Entity(m.group(1), m.start(1), "term")))
    run: list[tuple[str, int]] = []
    pos = 0
    words = pos_tag(text) + [("", "x")]  # sentinel ends a run
    for i, (word, flag) in enumerate(words):
        if _is_name(word, flag):
            candidates.append((2, Entity(word, pos, "name")))
        elif flag.startswith("nr") and len(word) == 1 and _given_name(*words[i + 1]):
            # jieba cuts unknown people as surname + word: 郭/nr 建博/v → 郭建博
            candidates.append((2, Entity(word + words[i + 1][0], pos, "name")))
        if flag in _NOUNISH:
            run.append((word, pos))
        else:
            if len(run) >= 2:
                compound = "".join(w for w, _ in run)
                candidates.append((3, Entity(compound, run[0][1], "compound")))
            run = []
        pos += len(word)
    chosen: list[Entity] = []
    for _, ent in sorted(candidates, key=lambda c: (c[0], -len(c[1].text), c[1].start)):
        end = ent.start + len(ent.text)
        if all(end <= c.start or ent.start >= c.start + len(c.text) for c in chosen):
            chosen.append(ent)
    return sorted(chosen, key=lambda e: e.start)


def _words(question: str) -> list[str]:
    return [w for w, _ in pos_tag(question) if not _PUNCT.fullmatch(w)]


def is_incomplete(question: str, vocabulary: Collection[str] = ()) -> bool:
    """True when `question` leans on the previous turn.

    That is: it starts with 那/那么/还有/它/这个/该…, ends with 呢, points back (它, 他们, 其中,
    该…), or is short and names nothing of its own ("办结率是多少？").
    """
    q = question.strip()
    if not q or _SMALL_TALK.match(q):
        return False
    words = _words(q)
    if words and (words[0] in _MARKERS or words[0] in _ANAPHORA):
        return True
    if re.search(r"呢\W*$", q) or any(w in _ANAPHORA for w in words):
        return True
    refs = resolve_refs(q, [])
    named = [e for e in entities(q, vocabulary) if e.kind != "compound"]
    return len(_PUNCT.sub("", refs.cleaned)) <= _MAX_CORE_CHARS and not named and not refs.phrases


def _core(question: str) -> str:
    """The question without its leading marker, pointing words and trailing 呢？."""
    words = [w for w, _ in pos_tag(question.strip())]
    while words and (words[0] in _MARKERS or words[0] in ("，", ",", "、", " ")):
        words.pop(0)
    kept: list[str] = []
    for word in words:
        if word == "的" and kept and kept[-1] in _ANAPHORA:  # 它的办结率 → 办结率
            kept[-1] = ""
            continue
        kept.append(word)
    core = "".join(w for w in kept if w not in _ANAPHORA)
    return re.sub(r"呢?[\s？?。！!]*$", "", core).strip(" ，,")


def _context(
    history: list[tuple[str, str]], vocabulary: Collection[str]
) -> tuple[str, list[Entity], list[str]] | None:
    """The latest previous question that names something: (question, entities, ref phrases).

    Only questions are read: answers name many things the user did not ask about.
    """
    for question, _answer in reversed(history[-_LOOKBACK:]):
        if _SMALL_TALK.match(question.strip()):
            continue  # jieba tags 谢谢 as a person
        ents = entities(question, vocabulary)
        phrases = resolve_refs(question, []).phrases
        if ents or phrases:
            return question, ents, phrases
    return None


def _substitute(
    previous: str,
    prev_ents: list[Entity],
    prev_refs: list[str],
    own: list[Entity],
    own_refs: list[str],
) -> str:
    """Ask the previous question about the newly named thing ("那衡水呢？", "那第853期呢？")."""
    new = previous
    if own_refs:
        new = new.replace(prev_refs[0], own_refs[0], 1) if prev_refs else f"{own_refs[0]} {new}"
    for ent in own:
        same = [e for e in prev_ents if e.kind == ent.kind]
        new = new.replace(same[0].text, ent.text, 1) if same else f"{ent.text} {new}"
    return new


def rewrite(
    question: str, history: list[tuple[str, str]], vocabulary: Collection[str] = ()
) -> str:
    """Make a follow-up question standalone; return a complete question unchanged.

    Args:
        question: the new question.
        history: earlier (question, answer) turns, oldest first. Store the *rewritten*
            question of each turn there, so that a chain of follow-ups keeps its subject.
        vocabulary: names jieba does not know (see `harvest_terms`), matched verbatim.

    Returns:
        `question` itself, or a retrieval query such as "民意智感系统 群众满意度" made of the
        carried names and issue reference followed by the core of the new question, or, when
        the new question only names something else ("那衡水呢？"), the previous question about
        that new thing.
    """
    if not history or not is_incomplete(question, vocabulary):
        return question
    context = _context(history, vocabulary)
    if context is None:
        return question
    previous, prev_ents, prev_refs = context
    core = _core(question)
    if not _PUNCT.sub("", core):  # "还有呢？": the previous question again
        return previous
    own_refs = resolve_refs(core, []).phrases
    own = [e for e in entities(core, vocabulary) if e.kind != "compound"]
    rest = core
    for text in [*own_refs, *(e.text for e in own), *_AGENTS]:
        rest = rest.replace(text, "")
    if (own or own_refs) and not _PUNCT.sub("", rest).strip("的和与及"):
        result = _substitute(previous, prev_ents, prev_refs, own, own_refs)
    else:
        kinds = {e.kind for e in own}
        carried = [] if own_refs else list(prev_refs)
        carried += [e.text for e in prev_ents if e.kind not in kinds and e.text not in core]
        if not carried:
            return question
        result = " ".join([*carried, core]).strip()
        # "那群众满意度呢？" asks what the previous turn asked ("…是多少？") about something else.
        if not _QUESTION_WORD.search(core) and (tail := _QUESTION_WORD.search(previous)):
            result += previous[tail.start():]
    log.debug("follow-up %r rewritten as %r", question, result)
    return result
