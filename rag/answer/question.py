"""What a question asks, computed once before any candidate answer is looked at: its words and
their rarity, its character n-grams, the kind of thing it asks for, the names and years it
mentions, and the text either side of its question word."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.text import QUESTION_WORD, STOPWORDS, pos_tag, tokenize

# What the question asks for: each kind is one regular expression over the question. A count
# takes any measure after 几 (几趟, 几把, 几棵), not 几乎 / 几近 / 几内亚 or a time (几点, 几月); the
# time of day (几点, 几时) and the court's 何日 ask when; 哪来 / 从哪弄来 / 老家是哪的 ask where;
# 用什么 / 拿什么 / 用何物 ask how (a tool or a means).
QUESTION_KINDS = {
    "number": r"多少|(?<![那这哪])几(?![乎点时月号日何内世百千万十近])(?=[\u4e00-\u9fff])|多长|多久|"
              r"多大|多高|多远|多重|多深|多宽|多厚|多快|比例|百分|第几|多少钱|几成|人口|面积|长度|数量",
    "date": r"哪天|哪一天|何时|什么时候|几月|几号|哪年|哪一年|日期|时间|年代|世纪|朝代|时期|"
            r"何年|哪个时代|多少年|几点|几时|何日|哪日|(?:什么|哪个)时段",
    "person": r"谁|哪位|何人|什么人|哪个人|哪一位|哪一个人|名字|姓名|人物|哪名",
    "place": r"哪里|哪儿|何处|何地|在哪|什么地方|哪个地方|哪个国家|哪国|哪座|地点|哪个城市|"
             r"哪一个国家|哪个地区|哪一地区|哪个省|哪个市|哪一个城市|位于|哪来|哪去|去哪|哪边|哪的|"
             r"从哪(?=[弄搞拿买找进偷运])",
    "organisation": r"哪个(?:单位|部门|机构|公司|组织|大学|学校|团队|政党)|哪家|哪一家|"
                    r"什么(?:单位|部门|机构|组织|公司)|哪支|哪个队",
    "reason": r"为什么|为何|原因|缘故|因为什么|何故|为了什么|目的",
    "definition": r"是什么|什么是|指什么|含义|意思|定义|称为|称作|叫什么|又称",
    "list": r"哪些|措施|有哪几|包括|方面|举措|做法|内容有",
    "how": r"怎么|如何|怎样|方式|方法|手段|途径|(?:拿|用|靠|凭)(?:什么|何物|何种|哪种)",
    # What a court imposed (判了几年, 怎么判的, 罚金多少): judgments and case reports state it
    # in a sentence that says 判处 and the penalty.
    "penalty": r"(?<![批裁评谈研审])判(?:了|处了|的)?(?:多久|多长时间|几年|多少年|几个月|什么刑|"
               r"多重|什么|啥)|(?<![批裁评谈研审])判了|判刑|(?:怎么|如何)判(?![断定别读])|判决结果|刑期|量刑|"
               r"罚金|刑罚",
}
_KIND_RE = {k: re.compile(v) for k, v in QUESTION_KINDS.items()}
YEAR = re.compile(r"((?:1[0-9]|20)\d{2})年")
_ENTITY_TAGS = ("nr", "ns", "nt")
_FRAMING_TAGS = ("r", "u", "y", "e", "o")
_QUESTION_MEASURE = re.compile(r"几[\u4e00-\u9fff]")
_NOT_TEXT = re.compile(r"[\s\W_]+")
_ANCHOR = 8  # characters either side of the question word that anchor the answer
_ENTITY_SUFFIX = re.compile(
    r"(公安局|公安厅|公安处|分局|派出所|交管局|交警支队|交警大队|支队|大队|省|市|县|区|镇|乡|村)$")


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
    chars: str = ""  # the question's text without punctuation and question words
    left: str = ""  # the text just before the question word ("…是由" of "是由谁整理的")
    right: str = ""  # the text just after it
    unseen_idf: float = 1.0  # the IDF of a word the archive does not hold


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
    tagged = pos_tag(text)
    # Pronouns, particles and interjections (那伙, 为啥, 啥, 着) and a question word with its
    # measure (几点) say how a question is asked, not what about: rare in print, they would
    # weigh as the rarest words of a chat question, which no story holds.
    framing = {w for w, f in tagged if f.startswith(_FRAMING_TAGS)}
    tokens = [t for t in dict.fromkeys(tokenize(text))
              if t not in framing and not _QUESTION_MEASURE.fullmatch(t)]
    weights = {t: idf(t) for t in tokens}
    words = [w for w, _ in tagged]
    kinds = {k: bool(r.search(text)) for k, r in _KIND_RE.items()}
    named = [w for w, f in tagged if f[:2] in _ENTITY_TAGS and len(w) >= 2]
    entities = [_entity_core(w) for w in named]
    plain = _NOT_TEXT.sub("", text)
    qw = QUESTION_WORD.search(plain)
    return Question(text=text, tokens=tokens, weights=weights, total=sum(weights.values()) or 1.0,
                    bigrams=bigrams(text), focus=focus_words(words), kinds=kinds,
                    entities=entities, years=YEAR.findall(text),
                    places=[c for w, c in zip(named, entities) if c != w],
                    chars=QUESTION_WORD.sub("", plain),
                    left=plain[: qw.start()][-_ANCHOR:] if qw else "",
                    right=plain[qw.end():][:_ANCHOR] if qw else "",
                    unseen_idf=idf("\x00") or 1.0)  # no archive holds a NUL word


def trigrams(text: str) -> list[str]:
    return list(dict.fromkeys(text[i:i + 3] for i in range(len(text) - 2)))


def _entity_core(entity: str) -> str:
    """"石家庄市公安局" → "石家庄": the paper may write the name with another suffix."""
    core = entity
    while (m := _ENTITY_SUFFIX.search(core)) and len(core) - len(m.group(0)) >= 2:
        core = core[: m.start()]
    return core
