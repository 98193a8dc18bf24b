"""Whether an answer names whom or what the question asks the name of.

A news story often says who acted by role alone (`带班长将自己的警服脱下来给老人穿上`, `桃城分局
在侦办一起重大刑事案件时`): asked `带班长叫什么名字`, its nearest sentence answers nothing. The
open search abstains when the answer names no one (`unnamed`); measured in the README, twelfth
round. A name the question already gives (`救助高先生的大队长叫什么`) is not the one asked."""

from __future__ import annotations

import re

from rag.answer.forms import person_names
from rag.text import jieba_tags, pos_tag

#: Common surnames. jieba's dictionary tags many words nr (安全感, 计时赛, 老太太): one of them
#: is a name only when it starts with one of these; a word its HMM found (兰英培) always is.
SURNAMES = frozenset("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
                     "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段"
                     "雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤樊")
#: Rarer surnames, counted only in a masked name (柴某某, 晏某某, 冉某): 某 marks a name, so a
#: surname that is also a common word is safe there, but not one that ends a word before 某
#: (同时某些, 同村某).
_MASKED_SURNAMES = SURNAMES | frozenset(
    "柴晏冉宁柏鲁阎骆甘祁岳齐翟葛申聂庞倪乔牛左包殷单洪欧裴施童焦车耿温辛柯管房卜詹卫边苗关纪舒屈项祝"
    "俞兰季梅盛刁景鞠霍艾滕党喻丛迟芦司桑荣甄宗穆巩仝蔺郎逯隋栾商冷訾敖池邢涂尚解伍佟褚荆尤宫蒲"
    "谷姬牟晋简韶娄凌强胥米寇毕鲍颜秦查凤邬揭占岑戚符桂闵钮"
)
#: SURNAMES as the inside of a regex character class.
SURNAME_CHARS = "".join(sorted(SURNAMES))

# A name asked, with up to six characters of what is named before it (带班长, 那家火锅店).
_ASKS_NAME = re.compile(r"([\u4e00-\u9fffA-Za-z]{0,6}?)(?:叫什么名字|叫什么|叫啥|姓什么|的名字|的姓名|"
                        r"名字是|是谁|(?:的)?(?:全名|真名)是)")
# 哪位 and the role after it (哪位副大队长牵头).
_WHICH_ONE = re.compile(r"哪位([\u4e00-\u9fff]{1,5})")
# A person's role (带班长, 三轮车主, 犯罪嫌疑人). 是谁 of anything else asks who did something
# (`这是谁的批评`, `…是谁提出的`), which a group or a role may answer (`台湾泛绿阵营`, `一个音乐家`):
# on held-out DRCD that is 6 false refusals, 4 of right answers, for one caught.
_PERSON = re.compile(r"(?:长|员|人|者|主|手|官|警|师|生|子|姐|哥|爷|奶|婆|叔|姨|嫂|弟|妹|儿|童|孩|友|母|"
                     r"父|妻|夫|军|犯|司机|老板|书记|主任|领导|同志|师傅|领队|指挥|他|她)$")
_HONORIFIC = re.compile(rf"[{SURNAME_CHARS}](?:先生|女士|大姐|大爷|阿姨|师傅|大妈|老师|警官|"
                        r"大哥|某某|某)")
_FOREIGN = re.compile(r"[\u4e00-\u9fff]+·[\u4e00-\u9fff·]+|[A-Za-z]{2,}")
_BYLINE = re.compile(r"(?:作者|记者|通讯员)[：:\s]*([\u4e00-\u9fff]{2,3})")
# Places and bodies whose names end in their kind (长安公园, 青东派出所, 哈佛大学), asked which one:
# an answer names one only with a noun ending as the kind does (黄埔军校 for 学校, 南站 for 车站;
# `_names_kind`), not with the bare kind after a count or a pointer (一家银行).
# Kinds named otherwise (哪个国家: 法国; 哪个城市: 北京) are not here: on held-out DRCD any noun
# after 哪个 cost 196 right answers for 9 caught.
_ASKS_WHICH = re.compile(r"哪[一几]?[个家所座条间处]|哪些")
# Places of one character (开元镇, 东留春村), which jieba cuts off their names (开元 + 镇东):
# named by any character before the kind but a count, a pointer or a mask (某镇, 该村, 一个村).
_PLACE_KINDS = frozenset("镇 乡 村 乡镇 街".split())
_NAMED_KINDS = frozenset("公园 派出所 医院 学校 小区 公司 银行 酒店 宾馆 加油站 超市 市场 广场 车站 大学 中学 "
                         "小学 饭店 餐馆 商场 大厦 大队 支队 中队 分局 法院 检察院 监狱 看守所 景区 火锅店 "
                         "饭馆 网吧 工厂 工地 社区 街道 路口 收费站 服务区 部队 会场 消防站 "
                         "消防队 养老院 敬老院 福利院 幼儿园 餐厅 酒吧 旅馆 药店 诊所 企业".split()) | _PLACE_KINDS
# Kinds whose one is also named by another kind's ending (一家电子企业: 某某电子有限公司).
_ALSO_NAMED_AS = {"企业": ("公司", "工厂"), "乡镇": ("镇", "乡")}
_KINDS_LONGEST_FIRST = sorted(_NAMED_KINDS, key=len, reverse=True)
# Words between what is named and 叫什么 (那家饭店具体叫什么名字).
_ADVERB_AFTER = re.compile(r"(?:具体|到底|究竟|现在|当时|全称|全名)+$")
# A thing's name: a short quote (“新小警”), not a slogan of several parts (“以比促练、以练促干”).
_THING_NAME = re.compile(r"“([^”、，,。]{1,10})”|《([^》]{1,16})》")


# Relatives, each with the words that name the same relation. A question is read as asking
# for one by its first three words of two characters or more (妻子, 媳妇, 老婆); the answer may
# name the relation by any of them (爱人, 父).
_RELATIVES = [("儿子", "孩子"), ("女儿", "闺女", "孩子"), ("妻子", "媳妇", "老婆", "爱人", "夫人"),
              ("丈夫", "老公", "爱人"), ("父亲", "爸爸", "父"), ("母亲", "妈妈", "母"), ("哥哥", "兄"),
              ("弟弟", "弟"), ("姐姐", "姐"), ("妹妹", "妹"), ("孙子", "孙"), ("孙女", "孙"),
              ("外孙",), ("表弟",), ("表哥",), ("侄子",), ("老伴",)]
_RELATIVE_OF = {w: k for k, words in enumerate(_RELATIVES) for w in words[:3] if len(w) >= 2}
_RELATIVE_WORDS = "|".join(sorted(_RELATIVE_OF, key=len, reverse=True))
_RELATIVE = re.compile(f"(?:{_RELATIVE_WORDS})$")
# A relative asked after naming whose (阎某某的表弟, 孟宪林的妻子叫什么).
_RELATIVE_ASKED = re.compile(rf"(?:某|[\u4e00-\u9fff]{{2}})[^，。？]{{0,10}}?({_RELATIVE_WORDS})")


# Titles written right before a name (教导员袁志军), after which jieba may cut the name in two
# with tags that are no name's (何/r + 建平/n, 李/nr + 振华/nz).
_TITLES = frozenset("民警 辅警 交警 特警 刑警 干警 警官 警长 所长 副所长 队长 大队长 副大队长 中队长 支队长 "
                    "副支队长 教导员 指导员 政委 局长 副局长 科长 站长 主任 书记".split())


# Posts, and the holder of one asked by it (大队长是谁, 领队叫什么, 负责人叫啥).
POSTS = ("支队长|大队长|中队长|副所长|所长|副局长|局长|队长|主任|政委|教导员|指导员|书记|组长|站长|院长|"
         "校长|经理|董事长")
_POST_ASKED = re.compile(rf"({POSTS}|领队|指挥|负责人|法定代表人|法人代表|法人)(?:是谁|叫什么|叫啥|姓什么|的名字|名字)")

# A full or real name asked, where the story may print only a masked one (刘某) or an alias.
_ASKS_FULL_NAME = re.compile(r"真名|全名|真实姓名|本名")


# A brand or model asked (什么牌子的车, 哪个品牌, 哪款游戏).
ASKS_BRAND = re.compile(r"(?:什么|啥|哪个|哪一个|哪种)(?:牌子|品牌|牌)|哪一?款")
# A brand as stories write one: in letters (vivo, GT-R), in quotes or a title's brackets, or
# before 牌 (雅迪牌电动车); not masked or general (某品牌, 知名品牌, 名牌).
_BRAND = re.compile(r"[A-Za-z][A-Za-z0-9\-]+|“[^”]{1,10}”|《[^》]{1,16}》|"
                    r"([\u4e00-\u9fff]{1,4})牌(?![子照号匾坊])")
_NOT_A_BRAND = re.compile(r"[某品名杂该这那知无号车门招金银铜奖王底挂冒]")


def unbranded(question: str, text: str) -> bool:
    """Whether `question` asks a brand or model and `text` gives none: a brand in letters,
    quotes or before 牌 that the question does not hold, and, when the text mentions the
    thing asked about (那辆摩托车是什么牌子), one written next to it (vivo手机、二轮摩托车 names
    the phone's, not the motorcycle's) — most stories say `一辆黑色轿车` or `某品牌白酒`."""
    asked = ASKS_BRAND.search(question)
    if asked is None:
        return False
    after = [w for w, f in pos_tag(question[asked.end():])[:3] if f.startswith("n")]
    before = [w for w, f in pos_tag(question[: asked.start()]) if f.startswith("n")]
    thing = (after[:1] or before[-1:] or [""])[0][-1:]  # 哪款战机, 摩托车是什么牌子: 机, 车
    brands = [m for m in _BRAND.finditer(text) if m.group() not in question and
              not (m.group(1) and _NOT_A_BRAND.search(m.group(1)))]
    if not brands or not thing or thing not in text:
        return not brands
    return not any(thing in m.group() or re.match(rf"[^，。；、！？]{{0,8}}{thing}", text[m.end():])
                   for m in brands)


def asked_name(question: str) -> str | None:
    """"person" when `question` asks a person's name (带班长叫什么名字, 所长是谁), "thing" when
    it asks the name of something else (那家火锅店叫什么), else None."""
    if (m := _WHICH_ONE.search(question)) and any(_PERSON.search(m.group(1)[:n])
                                                  for n in range(1, len(m.group(1)) + 1)):
        return "person"  # 哪位副大队长 (not 哪位权臣, 哪位首领: a title may answer)
    m = _ASKS_NAME.search(question)
    if m is None:
        return None
    # 侯某某全名叫什么: a masked name asked in full is a person's
    asked = _ADVERB_AFTER.sub("", m.group(1))
    person = bool(_PERSON.search(m.group(1)) or asked.endswith("某"))
    if "谁" in m.group():
        return "person" if person else None
    return "person" if person or "姓" in m.group() else "thing"


def unnamed(question: str, text: str) -> bool:
    """Whether `question` asks a name and `text` gives none it does not already hold: no
    person (a name jieba knows, 王某, 高先生, a byline, a foreign name; for someone asked by
    their role or as a relative, one next to that role) and, for a thing, no short quoted or
    book-title name either; asked which park, school, station … (哪个公园),
    or the name of one by its kind (那家超市叫什么名字), none that ends in its kind."""
    if unbranded(question, text):
        return True
    if (which := _ASKS_WHICH.search(question)) and (
            of := _kind_asked(question[which.end():]) or not question[which.end():].strip("？?。 ")
            and _kind_before(question[:which.start()])) \
            and not _names_kind(of, _unmasked(of, question[which.end():], text), question):
        return True
    kind = asked_name(question)
    if kind is None:
        return False
    # The name of a place or body asked by its kind (那家超市叫什么名字): a person's name beside
    # it is none, so the text must also hold a noun ending as the kind does (某超市 and 同一家公司
    # name none).
    asked = _ASKS_NAME.search(question)
    if kind == "thing" and asked and (of := _kind_ending(_ADVERB_AFTER.sub("", asked.group(1)))) \
            and not _names_kind(of, text, question):
        return True
    found = {m.group() for m in person_names(text) if m.group()[0] in _MASKED_SURNAMES}
    # Letters in capitals are an acronym (AED, DNA, APP), which may name a thing, not a person.
    found |= set(_HONORIFIC.findall(text)) | {f for f in _FOREIGN.findall(text)
                                              if kind == "thing" or not f.isupper()}
    found |= set(_BYLINE.findall(text))
    known, tagged = jieba_tags(), pos_tag(text)
    for k, (word, flag) in enumerate(tagged):
        # a village jieba takes for a person (侯家庄 + 乡人民政府, 王家村)
        placed = word[-1] in "庄村屯" or k + 1 < len(tagged) and tagged[k + 1][0][:1] in "乡镇村"
        if flag.startswith("nr") and 2 <= len(word) <= 4 and not placed:
            tag = known.get(word)
            if tag is None or tag.startswith("nr") and word[0] in SURNAMES:
                found.add(word)
            elif k and tagged[k - 1][0] in SURNAMES and len(word) <= 2:
                found.add(tagged[k - 1][0] + word)  # jieba cuts 许海涛 as 许 + 海涛
        elif word in SURNAMES and 0 < k < len(tagged) - 1 and tagged[k - 1][0] in _TITLES and \
                len(tagged[k + 1][0]) <= 2 and tagged[k + 1][1].startswith("n"):
            found.add(word + tagged[k + 1][0])  # 教导员 + 袁 + 志军, 支队长 + 何 + 建平
    if kind == "thing":
        found |= {g for m in _THING_NAME.finditer(text) for g in m.groups() if g}
    elif kind == "person" and (post := _POST_ASKED.search(question)):
        # A post's holder (大队长是谁): a name said with the post, before it (王亚南教授为厦门大学
        # 校长) or after it across a chain of titles (专案组组长、交巡警支队法制科科长梁志国), or
        # a surname right after it (大队长贾宏伟, which jieba cuts 贾 + 宏伟/a); not one of a
        # story that never names the holder (辛集市公安局禁毒大队 and its officers). Asked 是谁
        # too, unlike a role: a post is said of its holder, not told elsewhere.
        found = _named_next_to(found, post.group(1), text, after=12, before=10) | set(
            re.findall(rf"(?:{post.group(1)})([{SURNAME_CHARS}][\u4e00-\u9fff]{{1,2}})", text))
    elif asked and (rel := _RELATIVE.search(asked.group(1))) and "谁" not in asked.group():
        # A relative's name (孟宪林的妻子叫什么): given next to the relation (妻子王淑芬), not
        # any name of the story (the officer's, the relative's own). Not 狄拉克的妻子是谁:
        # who she is may be told anywhere in the story (held-out DRCD: one answer lost).
        found = _named_next_to(found, "|".join(_RELATIVES[_RELATIVE_OF[rel.group()]]), text)
    elif kind == "person" and asked and "谁" not in asked.group() and \
            (role := _role(asked.group(1))):
        # Someone asked by their role (走失的87岁老人叫什么名字): a name the story gives next to
        # that role (老人王某, 王某老人), not another's (接到村民王某报警); none when the answer
        # never says the role (建材公司的老板 of a story about its accountant).
        found = _named_next_to(found, re.escape(role), text)
    if _ASKS_FULL_NAME.search(question):
        # A full or real name asked (刘某全名叫什么, 阿杰真名叫啥): a masked one (赵某) is none.
        found = {n for n in found if "某" not in n}
    return not any(name not in question for name in found)


def relative_asked(question: str) -> tuple[str, ...] | None:
    """The words for the relative `question` asks about after naming whose (阎某某的表弟, 孟宪林
    的妻子叫什么), or None."""
    m = _RELATIVE_ASKED.search(question)
    # every relation the word may name (孩子: a son or a daughter; 爱人: a wife or a husband)
    return tuple(dict.fromkeys(w for words in _RELATIVES if m.group(1) in words
                               for w in words)) if m else None


def _named_next_to(names: set[str], said: str, text: str, after: int = 6, before: int = 6
                   ) -> set[str]:
    """The `names` that `text` gives next to a word of `said` (an alternation: 妻子|媳妇|老婆, or
    a role: 老人), in the same clause and at most six characters apart (妻子王淑芬, 老人王某);
    `after` and `before` widen that for a name after or before the word."""
    return {n for n in names if re.search(said, n) or re.search(  # 樊大姐 names the 大姐
        rf"(?:{said})[^，。；]{{0,{after}}}{re.escape(n)}|"
        rf"{re.escape(n)}[^，。；]{{0,{before}}}(?:{said})", text)}


def _role(asked: str) -> str | None:
    """The role a person is asked by (老人 of 走失的87岁老人, 民警 of 那个巡逻民警): the last word
    of what stands before the question, when it names a person."""
    tagged = pos_tag(asked)
    word = tagged[-1][0] if tagged else ""
    return word if len(word) >= 2 and _PERSON.search(word) and word not in _TITLES else None


def _kind_asked(after: str) -> str | None:
    """The kind a 哪个 / 哪家 question asks which one of: the noun after it (哪个公园), or the last
    of its nouns (哪家客运公司, 哪个城中村), if it ends as one of `_NAMED_KINDS` does."""
    nouns = []
    for word, flag in pos_tag(after):
        if not flag.startswith(("n", "vn", "s")) and word not in _NAMED_KINDS:
            break
        nouns.append(word[:-1] if len(word) > 1 and word[-1] in "上里内" else word)  # 街上
    return next((of for w in reversed(nouns[:3]) if (of := _kind_ending(w))), None)


def _kind_before(before: str) -> str | None:
    """The kind a question ending in 哪家 / 哪几家 asks which of (12家运输企业都是哪几家): the last
    noun before it, if it ends as one of `_NAMED_KINDS` does."""
    tagged = pos_tag(re.sub(r"(?:都|分别|具体|又|究竟|到底)?(?:是|在)$", "", before))
    return _kind_ending(tagged[-1][0]) if tagged and tagged[-1][1].startswith("n") else None


def _kind_ending(word: str) -> str | None:
    """The longest of `_NAMED_KINDS` that `word` ends as (客运公司: 公司, 城中村: 村)."""
    return next((k for k in _KINDS_LONGEST_FIRST if word.endswith(k)), None)


# What stands before a kind's bare word when none is named: a count, a pointer, a mask
# (一家银行, 该派出所, 某加油站, 辖区各考点).
_UNNAMED_BEFORE = frozenset("一家 一个 一所 一座 一处 一间 一条 该 这家 那家 这个 那个 这所 某 某某 当地 附近 "
                            "各 多家 多个 全市 辖区".split())


_MEASURE_ENDS = "家个所座处间条位名"
_MASKS = "|".join(sorted(_UNNAMED_BEFORE, key=len, reverse=True))


# What may stand before a kind without naming it: a numeral, a measure word, punctuation, a
# pronoun, a preposition, a particle or a verb (一家“文化传媒公司”, 在文化传媒公司).
_NO_NAME_TAGS = ("m", "q", "x", "r", "p", "u", "v")


def _as_asked(tagged: list[tuple[str, str]], k: int, question: str) -> bool:
    """Whether the noun phrase ending at tagged[k] is one the question holds whole (文化传媒公司)
    with nothing before it that could name it: a count, a pointer, a quote mark or a clause's
    start (一家“文化传媒公司”), not a name (火山 of 火山国家公园)."""
    phrase, i = tagged[k][0], k
    while i and tagged[i - 1][0] + phrase in question:
        i -= 1
        phrase = tagged[i][0] + phrase
    word, tag = tagged[i - 1] if i else ("", "x")
    return not word or word in _UNNAMED_BEFORE or tag[:1] in _NO_NAME_TAGS


def _unmasked(kind: str, after: str, text: str) -> str:
    """`text` without the noun the question asks which one of where a mask or a count stands
    before it (某城中村 for 哪个城中村: its 中村 would read as a village named 城中)."""
    noun = next((w for w, _ in pos_tag(after) if w.endswith(kind)), "")
    if len(noun) <= len(kind):
        return text
    return re.sub(rf"(?:{_MASKS}){re.escape(noun)}", "", text)


def _names_kind(kind: str, text: str, question: str = "") -> bool:
    """Whether `text` names one of `kind`: a noun ending in the kind's last character
    (长安公园, 黄埔军校 for 学校, 上海南站 for 车站) other than the kind's bare word after a
    count, a pointer or a mask (一家银行网点, 某加油站), or the kind as `question` words it
    with nothing before it that could name it (一家“文化传媒公司”; `_as_asked`)."""
    if any(_names_kind(other, text, question) for other in _ALSO_NAMED_AS.get(kind, ())):
        return True
    known = jieba_tags()
    if kind in _PLACE_KINDS:
        # Not a word the kind starts (村民, 街道, 村口): 东留春村东 still names a village; nor
        # another place kind (乡镇 is no town named 乡).
        return any(after in "东西南北" or after == kind[0] or known.get(kind + after) is None
                   for after in re.findall(rf"[^某该这那每各一个全本逐乡\W\d_]{kind}(?=(.?))", text)
                   if not after or kind + after not in _PLACE_KINDS)
    tagged = pos_tag(text)
    for k, (word, flag) in enumerate(tagged):
        if len(word) < 2 or not word.endswith(kind[-1]) or not flag.startswith(("n", "s")):
            continue
        before, tag = tagged[k - 1] if k else ("", "x")
        if before and before + word in question and _as_asked(tagged, k, question):
            continue  # the kind as the question words it (一家“文化传媒公司” of 文化传媒公司叫啥名)
        if before.endswith("某"):
            continue  # masked (某高校, 某某中学)
        counted = tag[:1] in ("m", "q") and before[-1:] in _MEASURE_ENDS  # 一家, 三所 (not 五四路)
        # The bare kind after a pronoun, a preposition, a particle, an adverb, a
        # conjunction or a verb names none (这公园, 在公园内, 附近的公园, 也在医院, 和学校,
        # 送往医院).
        if word != kind and word in _NAMED_KINDS:
            continue  # another kind (小学 for 大学)
        # A common noun ending as the kind does (辖区 for 小区, 总队 for 部队) names one only
        # as the kind's bare word does: after a name (武警河北总队), not alone (，辖区一处).
        bare = word == kind or len(word) == 2 and known.get(word) == "n" and word[0] not in "东西南北"
        # Nor does an adjective of one character (老旧小区, 大医院; not 幸福小区).
        if not bare or before and before not in _UNNAMED_BEFORE and not counted \
                and tag[:1] not in ("r", "x", "p", "u", "d", "c", "v") \
                and not (tag[:1] == "a" and len(before) == 1):
            return True
    return False
