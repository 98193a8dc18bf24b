"""Chinese text helpers shared by the parser, the chunker and the answerer."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# Chinese punctuation stays full-width; every other full-width ASCII form becomes half-width.
_KEEP_FULL = set("，。！？；：（）")
_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")
# Chinese punctuation also marks Chinese context: "“寄存办”;192个" is a Chinese semicolon.
_CJK_CONTEXT_RE = re.compile(f"[{_CJK}\u3000-\u303f\uff01-\uff0f\uff1a-\uff1f“”‘’]")
_SPACE_BY_BRACKET = re.compile(f"(?<=[{_CJK}]) +(?=（)|(?<=）) +(?=[{_CJK}])")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)

#: A sentence ends at one of these, optionally followed by closing quotes or brackets.
SENTENCE_END = "。！？；…"
_CLOSERS = "”’」』）)】》\"'"
_SENTENCE_RE = re.compile(f"[^{SENTENCE_END}]*(?:[{SENTENCE_END}]+[{_CLOSERS}]*|$)")
_COMPLETE_RE = re.compile(f"[{SENTENCE_END}][{_CLOSERS}]*$")


def has_cjk(text: str) -> bool:
    return bool(_CJK_RE.search(text))


def normalize(text: str) -> str:
    """Normalise one line of PDF-extracted Chinese text.

    Full-width letters, digits and symbols become half-width (so "９７％" matches "97%"),
    while Chinese punctuation is kept full-width; half-width punctuation touching Chinese text
    becomes full-width (extractors mix both within one issue).
    """
    text = text.translate(_INVISIBLE).replace("\u3000", " ").replace("\u00a0", " ")
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E and ch not in _KEEP_FULL:
            ch = chr(code - 0xFEE0)
        out.append(ch)
    chars = out
    for i, ch in enumerate(chars):
        if ch in _TO_FULL:
            # "10:30" and "3,000" stay as they are: only Chinese on either side counts.
            before = chars[i - 1] if i > 0 else ""
            after = chars[i + 1] if i + 1 < len(chars) else ""
            if _CJK_CONTEXT_RE.match(before or "a") or _CJK_CONTEXT_RE.match(after or "a"):
                chars[i] = _TO_FULL[ch]
    _pair_brackets(chars)
    text = unicodedata.normalize("NFC", "".join(chars))
    text = re.sub(r"[ \t]+", " ", text).strip()
    # A full-width bracket carries its own spacing: "林投姐 （1988年电影）" → "林投姐（…）".
    return _SPACE_BY_BRACKET.sub("", text)


def _pair_brackets(chars: list[str]) -> None:
    """Give both brackets of a pair one width: full when Chinese is inside or around them
    or one of them was printed full-width.

    Extractors print "(" and "）" within one pair; a per-character rule would keep the mix.
    """
    stack: list[int] = []
    for i, ch in enumerate(chars):
        if ch in "(（":
            stack.append(i)
        elif ch in ")）" and stack:
            o = stack.pop()
            around = (chars[o - 1] if o else "") + (chars[i + 1] if i + 1 < len(chars) else "")
            full = (chars[o] == "（" or ch == "）" or has_cjk("".join(chars[o + 1:i]))
                    or bool(_CJK_CONTEXT_RE.search(around)))
            chars[o], chars[i] = ("（", "）") if full else ("(", ")")


def split_sentences(text: str, ends: str = SENTENCE_END) -> list[str]:
    """Split at 。！？；… keeping the closing quote with its sentence; never cuts inside one.

    Line breaks (paragraph ends, headings) always end a sentence.
    """
    pattern = _SENTENCE_RE if ends == SENTENCE_END else re.compile(
        f"[^{ends}]*(?:[{ends}]+[{_CLOSERS}]*|$)")
    return [s for line in text.split("\n")
            for s in (m.group(0).strip() for m in pattern.finditer(line)) if s]


def is_complete(text: str) -> bool:
    """True when a paragraph ends a sentence (so a page break did not cut it)."""
    return bool(_COMPLETE_RE.search(text.rstrip()))


def join_broken(head: str, tail: str) -> str:
    """Join a paragraph cut by a page or column break; no space between Chinese characters."""
    if head and tail and head[-1].isascii() and tail[0].isascii() and head[-1].isalnum():
        return f"{head} {tail}"
    return head + tail


#: A question word: what a question asks sits next to it ("讲解了什么政策", "是多少").
QUESTION_WORD = re.compile(r"什么|多少|哪|几|谁|怎么|如何|何时|何处|何地|何人|多长|多久|为何|为什么")

#: Greetings, dropped before a question and answered when alone (`rag.answer.smalltalk`).
GREETINGS = r"你好|您好|嗨|哈喽|hi|hello"

# How people frame a question in a chat, around what they ask: greetings and courtesy
# ("你好，请问…", "我想知道…", "…谢谢") and the report they have in mind ("根据报道，…",
# "最近有篇文章，…", "…（公安周刊）"). Every word of it would count as a word the answer should
# hold, and 报道 would make a year in the question an issue-date filter.
_FRAMING_HEAD = re.compile(
    rf"^(?:(?:{GREETINGS})[\s,，!！。.~～]*"
    r"|(?:请问|请教一下|请教|问一下|问下|我想问(?:一下|下)?|想问(?:一下|下)?|我想(?:知道|了解)(?:一下)?"
    r"|想(?:知道|了解)(?:一下)?|麻烦(?:问一下|问下|您|你)|(?:能不能|能否|可以|请)?告诉我(?!们)"
    r"|帮我查(?:一下|下)?|帮忙查(?:一下|下)?|我想查(?:一下|下)?|查一下"
    r"|(?:据|根据)(?:公安周刊|周刊|本刊|报纸)?(?:上)?(?:的)?(?:报道|文章|新闻|消息)(?:中|里|上)?"
    r"(?:说|称|提到|介绍|显示)?"
    r"|(?:公安周刊|周刊|本刊|报纸)(?:上|里|中)(?:说|讲|提到|称)"
    r"|(?:公安周刊|周刊|本刊|报纸)(?:上|里|中)?(?:报道|说|讲|提到|称)了?(?=[\s,，:：])"
    r"|我?(?:看到|看过|听说|记得)?(?:最近|前几天|之前|前段时间|上次)?(?:有|看到)一?篇"
    r"(?:报道|文章|新闻|稿子)(?:里|中)?(?:说|提到|讲)?"
    r"|(?:那篇|这篇)?(?:报道|文章|新闻)(?:中|里|上)(?:说|提到|讲|称)?(?![的提说讲称])"
    r"|(?:问|提问|问题|Q)\s*[:：]|我(?:看到|听说|记得)(?:了)?|听说|据说"
    r"|我是(?:一名|一个|个|名)?[\u4e00-\u9fff]{0,6}?(?:民警|警察|交警|辅警|干警|警官|记者|编辑)"
    r"(?=[\s,，。!！]))[\s,，。!！:：]*)+",
    re.IGNORECASE)  # "报道中的民警…" is a question about the report's policeman: kept
_FRAMING_TAIL = re.compile(
    r"(?:[\s,，。.!！?？]*(?:谢谢(?:你|您|了)?|多谢|麻烦了|劳驾|[（(](?:公安周刊|周刊)[)）])"
    r"|[\s,，。.!！?？]+(?:请|麻烦)?(?:简要|简单|详细|具体)?地?(?:回答|说说|讲讲|说一下|讲一下|介绍一下"
    r"|解释一下|回答一下)|[\s,，。.!！?？]+(?:急+|在线等))+[\s。.!！~～]*$")


# Emoji and pictographs (👍, ✅, ☎) carry nothing to match; ℃ and other letterlike symbols do.
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200D]")

# Spoken words, as typed in a chat, and the written ones the paper's text and the answerer's
# question kinds use ("写了啥" asks what "写了什么" asks; a suspect 逮住 in a question is 抓获
# in the paper, a lost child 找着 is 找到): a spoken word shares no word with the story.
_SPOKEN = [("为啥", "为什么"), ("干啥", "干什么"), ("啥时候", "什么时候"), ("啥", "什么"),
           ("咋样", "怎么样"), ("咋", "怎么"), ("哪儿", "哪里"), ("多会儿", "什么时候"),
           ("逮住", "抓获"), ("摁住", "抓获"), ("找着", "找到"), ("钟头", "小时")]


def as_asked(question: str) -> str:
    """A question as the answerer reads it: whitespace collapsed, full-width forms and
    traditional characters normalised, the chat's framing dropped, spoken question words
    written out (为啥 → 为什么). The engine asks with it and `rag train` learns with it, so
    a model never meets a form of a question it did not learn from."""
    return bare_question(to_simplified(normalize(" ".join(question.split()))))


def bare_question(question: str) -> str:
    """What is asked, without the chat's framing around it (greetings, courtesy, "根据报道，"),
    spoken question words written out (啥 → 什么); the question itself when nothing else is
    left ("你好")."""
    head = _FRAMING_HEAD.sub("", _EMOJI.sub("", question).strip())
    core = _FRAMING_TAIL.sub("", head)
    # "…化解的？谢谢！": the question mark the courtesy followed stays, or the question would
    # embed (and be answered) a little differently from the same question asked bare
    if core != head and (mark := re.match(r"\s*([?？])", head[len(core):])):
        core += mark.group(1)
    if not re.search(r"\w", core):
        return question
    for spoken, written in _SPOKEN:
        core = core.replace(spoken, written)
    return core


# Words that carry no topic: function words and the question words of a query.
STOPWORDS = frozenset("""
的 了 是 在 和 与 及 或 有 也 都 就 还 又 被 把 将 对 为 从 向 于 以 等 之 其 该 这 那 此 个 们 吗 呢 吧 啊 么 什么 多少
哪些 哪个 哪里 哪儿 哪天 哪年 哪 几 几个 几名 怎么 怎样 如何 为什么 为何 是否 是不是 谁 何时 何地 什么时候 请问 一下 一共 共 到底 上
下 中 后 前 里 时 到 给 让 能 会 要 关于 一个 一些 这个 那个 我们 你们 他们 请 告诉 我 你 他 她 它 吗？ 多长 多长时间 长时间 多久
多大 多高 多远 几天 几年 几次 几位 哪家 哪位 怎么样 那起 那次 那位 这起 这位 是从 共有 分别 具体 主要 哪一天 报道 文章 稿件 新闻 消息
相关 有关 内容 讲 讲了 刊登 刊发 刊载 发表 见报 周刊 公安周刊 本刊 报纸
""".split())
_PUNCT_TOKEN = re.compile(r"^[\W_]+$")


# Cut by tokenize() to fingerprint it: traditional and simplified forms, a name, numbers.
_PROBE = ("公安周刊：警察局派出所民警於2024年10月29日在臺灣的頭髮後來破獲一起跨省盜竊電纜案，"
          "The police arrested 3 suspects; 警民雙向奔赴的溫暖（記者 張哲）。")
_jieba = None
_opencc = None


def to_simplified(text: str) -> str:
    """Traditional Chinese characters as simplified ones (OpenCC t2s); other text unchanged.

    Questions and documents are matched in this form, so a question typed in traditional
    characters finds an article printed in simplified ones and the other way round.
    """
    global _opencc
    if _opencc is None:
        import opencc

        _opencc = opencc.OpenCC("t2s")
    return _opencc.convert(text) if has_cjk(text) else text


def tokenizer_fingerprint() -> str:
    """Changes whenever tokenize() would cut differently, so stale BM25 tokens are not reused.

    It hashes what tokenize() makes of a fixed probe text (so a new jieba dictionary or OpenCC
    table shows), the stopwords (which drop words the probe may not contain) and the versions.
    """
    import hashlib
    from importlib.metadata import version

    parts = [" ".join(tokenize(_PROBE)), " ".join(sorted(STOPWORDS)), version("jieba"),
             version("opencc")]
    return hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()[:12]


def tokenize(text: str) -> list[str]:
    """Words for BM25 and answer scoring: jieba's search-mode cut of the simplified text,
    minus stopwords.

    Search mode also emits the parts of long words ("派出所" → "派出", "派出所"), so a query
    still matches when it names a thing by a shorter or longer form than the paper.
    """
    words = []
    for w in _load_jieba().cut_for_search(to_simplified(text.lower())):
        w = w.strip()
        if w and w not in STOPWORDS and not _PUNCT_TOKEN.match(w):
            words.append(w)
    return words


def _load_jieba():
    """jieba with its dictionary loaded (from `rag.dictionary`'s trie: milliseconds, not
    the 2 s of jieba's own loading)."""
    global _jieba
    if _jieba is None:
        from rag.dictionary import jieba_module

        _jieba = jieba_module()
    return _jieba


def pos_tag(text: str, places: bool = True) -> list[tuple[str, str]]:
    """jieba's words with part-of-speech tags (nr person, ns place, nt organisation, m number),
    with the places jieba takes for people (石家庄, 唐山, 隆尧县) tagged ns unless not `places`
    (`_as_places`)."""
    tagged = [(p.word, p.flag) for p in _load_jieba().posseg.cut(text)]
    return _as_places(tagged) if places else tagged


# What follows a county's common name when it is the county (乐亭警方, 鹿泉 + 区), not a given
# name (张 + 东明).
_COUNTY_AFTER = re.compile(r"[市县区旗]|警方$|公安|交警|城区$|境内$")


@cache
def place_levels() -> dict[str, str]:
    """`rag/places.txt`: each place jieba takes for a person → its level (full, city, county;
    `bench/make_places.py` writes it)."""
    from importlib.resources import files

    lines = files("rag").joinpath("places.txt").read_text("utf-8").splitlines()
    return dict(line.split("\t") for line in lines if "\t" in line)


def _as_places(tagged: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`tagged` with the words of `places.txt` tagged ns where jieba tags them as a person's
    name (nr…) or lacks them (x): jieba's dictionary has 石家庄, 承德 and 秦皇岛 as names, so in
    a paper about Hebei every story's city passed for a person (`bench/make_places.py` says
    how the list is made). A county's two-character name (乐亭, 东明) is often a given name
    too: it is a place only before 市, 县, 区, 警方 …"""
    places = place_levels()
    out = list(tagged)
    for k, (word, flag) in enumerate(out):
        level = places.get(word) if flag.startswith("nr") or flag == "x" else None
        if level is None:
            continue
        after = out[k + 1][0] if k + 1 < len(out) else ""
        if level != "county" or len(word) > 2 or _COUNTY_AFTER.match(after):
            out[k] = (word, "ns")
    return out


def jieba_tags():
    """jieba's dictionary tags: `.get(word)` is its part of speech, None for a word it lacks."""
    return _load_jieba().posseg.dt.word_tag_tab


def quick_tag(text: str) -> list[tuple[str, str]]:
    """Dictionary tags of jieba's plain cut: 7× faster than posseg's tagging HMM; a word
    outside the dictionary (often a name jieba's HMM found) is tagged "x".

    The rankers' features are read from these tags, as jieba gives them (石家庄 nr): the shipped
    models learnt from them, and a retraining with places tagged ns (`_as_places`) only moved
    answers between the sets (README, "Twenty-third round")."""
    table = jieba_tags()
    return [(w, table.get(w, "x")) for w in _load_jieba().lcut(text)]
