"""What a first-instance judgment read whole does not say, whatever sentence shares the question's
words (`not_in_judgment`): whether it was appealed or protested (抗诉), where probation is served,
a police officer's name, whether the fine was paid, the penalty of someone tried separately, the
name of what it masks or leaves unnamed, who reported it when only the public did, and the real
name of someone whose identity it says is unknown. Each is a fact about what such a judgment
holds, measured on the judgments of `tests/data/` (README, "Judgments asked within their
issue"); details with a written form are `rag.answer.forms`."""

from __future__ import annotations

import re

from rag.answer.features import ANONYMISED, anonymised
from rag.answer.forms import MONEY, person_names
from rag.answer.judgments import RULING_END, RULING_START, court_text
from rag.answer.names import ASKS_BRAND, unbranded
from rag.answer.question import Question
from rag.text import pos_tag

# What a first-instance judgment does not say: whether it was appealed and how the second
# instance ruled (that happens after it; a second-instance judgment names 上诉人 and rules on
# the appeal), and the names of the police officers who acted (not parties: it says 民警 or
# 侦查人员, and when it does name one, anonymised, 民警王某 or 王某某（民警）).
_ASKS_APPEAL = re.compile(r"上诉了|上诉没|(?:有没有|是否|没有)(?:提出|提起)?了?上诉|上没上诉|二审|维持原判|改判|"
                          r"抗诉")
_APPEALED = re.compile(r"上诉人|驳回上诉|维持原判|撤销原判|二审|第二审|抗诉")
# Nor where probation is served (哪个司法所报到): the judgment leaves it to community
# corrections (依法实行社区矫正) unless it names the office.
_ASKS_PROBATION_OFFICE = re.compile(r"(?:哪个|哪家|哪一个)司法所|司法所[^，。？]{0,4}(?:哪|叫什么)|"
                                    r"(?:缓刑|社区矫正)[^，。？]{0,8}(?:在哪|去哪|到哪|归哪)")
_PROBATION_OFFICE = re.compile(r"[\u4e00-\u9fff]{2,}司法所")
_POLICE = r"(?:民警|警察|交警|侦查人员|办案人员|警官)"
_ASKS_OFFICER = re.compile(rf"{_POLICE}[^，。？]{{0,6}}(?:叫什么|名字|是谁|姓什么|叫啥)|"
                           rf"(?:哪位|哪名|哪个){_POLICE}")
_OFFICER_NAMED = re.compile(rf"{_POLICE}[\u4e00-\u9fff]{{1,2}}某|[\u4e00-\u9fff]某某?（?系?{_POLICE}")
# Nor whether a fine was paid (交了没有: after the judgment, unless it records a payment made
# in advance, 已预缴罚金), nor the penalty of someone tried separately (李某（另案处理）) whom
# the ruling does not name.
_ASKS_PAID = re.compile(r"(?:罚金|罚款)[^，。？]{0,6}(?:交|缴)[^，。？]{0,4}(?:没有|没|吗|否)|"
                        r"(?:交|缴)(?:了|上|清|齐)?(?:罚金|罚款)了?(?:没有|没|吗)")
_PAID = re.compile(r"(?:已|预|先行)缴(?:纳|付)?了?[^，。；]{0,6}罚金|罚金已")
# Nor the name of a place, firm or person it masks or leaves unnamed (某养老院, 一家美容店,
# 根据群众举报): asked X叫什么名字, X是谁 or 哪个X, when every mention of X is masked or bare.
_ASKS_NAME = re.compile(r"([\u4e00-\u9fff]{2,8})(?:叫什么名字|叫什么|的名字|名字是什么|名字叫什么|是谁)")
_NO_NAME = frozenset("位置 地方 地点 路段 路口 方向 部位 时间 时候 阶段 环节 程度 部分 方面 罪名 原因 "
                     "情节 一次 一天 一年".split())
_ASKS_WHICH = re.compile(r"(?:哪个|哪家|哪一家|哪所|哪一所|哪一个)([\u4e00-\u9fff]{2,6})")
# What stands before an unnamed X: a mask in its noun phrase (沧州某某物流, 某汽车修理厂), or a
# count, pointer, preposition or conjunction (一家, 该, 在, 根据, 及). Any other word (迁安市价格
# 认证 中心, 人民 医院) may be its name.
_PHRASE_BREAK = re.compile(r"[，。；、：“”（）\s在到将把与和及的]")
_BARE = frozenset("一家 一个 一名 一所 一处 一间 一辆 该 这家 那家 这个 那个 其 在 到 至 于 从 向 "
                  "经 据 根据 接 由 被 与 和 及 等 当地 附近 多名 多家 多处 个体 经营 开设 开办 "
                  "租用 租赁 进入 前往 来到 回到 安排".split())
# Not numerals (第一 of 第一看守所) nor verbs at large (价格认证 of 价格认证中心 is tagged one).
_BARE_TAGS = ("p", "r", "c", "x")
# A name given before 的 (网名为“阿峰”的上线, 叫聚福楼的饭店).
_NAMED_BY = re.compile(r"”|名为|名叫|叫做|称为|叫|称")
# Nor who reported a crime when only "the public" did (接群众举报, 有人向公安机关举报): asked
# 是谁举报的, 举报人是谁, 谁报的警.
_ASKS_REPORTER = re.compile(r"谁(?:来|去)?(举报|报警|报案)|谁报的(警|案)|(举报)人|"
                            r"(举报|报警|报案)[^，。？]{0,8}?(?:的)?(?:人|者|群众)?(?:是谁|叫什么)")
# Nor the real name of someone known by a nickname whose identity it says is unknown.
_ASKS_REAL_NAME = re.compile(r"真名|真实姓名|真实身份|本名|大名|真实名字")
_UNKNOWN_IDENTITY = re.compile(r"(?:真实身份|真实姓名|身份)(?:不明|待查|不详|无法查明|未查明|尚未查明|不清|"
                               r"[仍尚正]在[^，。；]{0,6}侦查)")
_UNNAMED_REPORTER = re.compile(r"群众|有人|匿名|知情人|村民|网友|热心")
# Nor whether something was done that it never mentions (超市后来把他开除了没有, 他反抗了吗,
# 驾照被吊销了没有, 有没有被追责): an act asked yes-or-no whose verb the judgment never writes.
# Not a verb with a complement or a modal (退回去, 还给, 能算, 认吗), which a judgment words
# otherwise (退赔, 予以采纳), nor what other rules read: the penalty, the court's decision, a
# past record (坐牢吗, 法院认了没, 有没有案底). Measured in the README (twenty-seventh round).
_ASKS_WHETHER = re.compile(r"有没有|了没有?|是否|吗|没(?=[？?]?$)|([\u4e00-\u9fff])没\1")
_NOT_AN_ACT = re.compile(r"[去来给掉过上下回出到完住起好了着]$|^[能认算会要该可想敢肯给]|^没有$")
_READ_ELSEWHERE = re.compile(r"判|法院|本院|前科|记录|案底|认了|认吗")
# Nor a sum asked by what was done with it or by its name (赌博一共输了多少钱, 欠了多少网贷, 一个
# 月工资多少), a speed, a wind force, a weight or a length (车速多少, 风力有几级, 小木船有多长)
# when no amount of its kind stands near any of the question's acts or things (输, 网贷, 木船):
# the amounts a judgment gives are of the crime, and the nearest answers another question. Not
# a count (骗了多少次), a penalty (判了多少) or a term (缓刑多长). The sums were written on the
# training judgments: 16 of their 85 silent sum questions flagged, 2 of 239 answerable (README,
# twenty-eighth round).
_N = "0-9零〇一二两三四五六七八九十百千万半."
_AMOUNTS_ASKED = [  # (how it is asked, how a judgment writes one, words said with one)
    (re.compile(r"多少钱|多少万|几万|多少元|多少块|(?:输|欠|赚|花|赔|罚|挣|亏|收|借|卖|给|值|退|骗|交|缴)"
                r"了?(?:他|她|[\u4e00-\u9fff]某+)?多少(?![次年天个人名辆件起只台吨克斤])|"
                r"多少(?:利息|网贷|罚款|奖金|工资|运费|费用|工钱|赔偿|医疗费|货款|好处费|租金|房租)|"
                r"(?:工资|运费|房租|租金|利息|费用|罚款|奖金|工钱)(?:是|有)?多少"), re.compile(MONEY), ()),
    (re.compile(r"车速|时速|[开跑]多快|速度"), re.compile(r"公里|km|码|迈"), ()),
    (re.compile(r"风力|几级风"), re.compile(rf"[{_N}]+级"), ()),
    (re.compile(r"(?<!伤得)(?<!伤得有)(?<!伤势)多重(?!伤)|多少(?:斤|公斤|千克|克|吨)|几(?:斤|公斤|吨|克)|重量"),
     re.compile(rf"[{_N}]+(?:余|多)?(?:克|千克|公斤|斤|吨)"), ("体重", "重量", "净重")),
    (re.compile(r"多长(?!时间|期限|日子)|多深|多高|多远|多宽|多少米|几米|多少公里|长度|深度|高度|距离"),
     re.compile(rf"[{_N}]+(?:余|多)?(?:米|厘米|公分|公里|千米|毫米)"), ()),
]
# A term, a penalty or a recording, asked in the same words (缓刑多长, 判了多少, 视频有多长).
_NOT_AN_AMOUNT = re.compile(r"判|缓刑|考验期|期限|刑期|视频|录音|电压")
_NEAR = 30
# Words any such question uses, which say nothing of which amount (一共, 钱, 实际, 多长).
_ANY_AMOUNT = frozenset("还 没 还有 钱 一共 总共 共 了 是 多少 实际 具体 大概 一 个 元 块 万 有 到 被 给 这 那 "
                        "他 她 其 在 后来 最后 当时 每人 每 又 都 能 多长 时候".split())
# Nor which platform or app (在哪个网购平台买的, 哪几个网贷平台, 刷机软件叫什么) when it names
# none: a name in quotes before or after it ("鸿运汇"APP, 平台“惠链优选”), in letters (vivo,
# APP names), or a platform everyone knows by name (淘宝, 美团); not 网络购物平台, 某外卖平台.
# Written on the training judgments (6 of their 8 such silent questions, 0 of 1 answerable).
_ASKS_PLATFORM = re.compile(r"(?:哪个|哪家|哪一个|哪些|哪几个|什么)[\u4e00-\u9fff]{0,4}(?:平台|APP|app|软件)|"
                            r"(?:平台|APP|软件)(?:叫什么|的名字|名字)")
_PLATFORMS = "淘宝|天猫|拼多多|京东|抖音|快手|美团|饿了么|闲鱼|滴滴|转转|小红书|微博|哔哩哔哩|B站|58同城|携程"
_PLATFORM_NAMED = re.compile(r"[“\"][^“”\"]{1,12}[”\"][^，。；]{0,8}(?:平台|APP|app|软件)|"
                             r"(?:平台|APP|app|软件)[^，。；]{0,4}[“\"]|"
                             rf"[A-Za-z]{{2,}}[\u4e00-\u9fff]{{0,4}}(?:平台|APP|app)|{_PLATFORMS}")
# Nor who introduced someone (是经谁介绍的, 牵线的同村村民是谁) when it says only 经人介绍, 经同村
# 村民介绍: no one named (经孙某介绍, 孙某介绍刘某某) between 经 / 由 and 介绍 or right before it.
_ASKS_INTRODUCER = re.compile(r"谁(?:给|帮)?(?:[\u4e00-\u9fff]某+)?介绍|经谁|谁牵的线|"
                              r"牵(?:的)?线的[^，？]{0,8}是谁|介绍人|中间人是谁")
_INTRODUCER_NAMED = re.compile(rf"(?:经|由|通过)[^，。；]{{0,8}}?{ANONYMISED.pattern}[^，。；]{{0,4}}?"
                               rf"(?:介绍|牵线)|{ANONYMISED.pattern}(?:介绍|牵线)(?!称)")
# Nor whom a debt is owed (欠的是谁的钱, 债主都是谁) when it says only 偿还个人借款, 欠下外债:
# no creditor named (向孙某借款, 欠孙某, 孙某出借).
_ASKS_CREDITOR = re.compile(r"欠(?:的)?(?:是)?谁|借(?:的)?(?:是)?谁的|谁的钱|债主|跟谁借|向谁借|找谁借|谁借的")
_CREDITOR_NAMED = re.compile(rf"向{ANONYMISED.pattern}[^，。；]{{0,4}}借|欠{ANONYMISED.pattern}|"
                             rf"{ANONYMISED.pattern}[^，。；]{{0,6}}(?:出借|借给)|债权人{ANONYMISED.pattern}")
# Nor what illness someone has (老母亲得的什么病) when it names none (上有患病的老母亲需要照顾,
# 其妻患病多年): a disease is said after 患有 / 诊断为 (患有阿尔茨海默病) or by a name.
_ASKS_ILLNESS = re.compile(r"什么病|啥病")
_ILLNESS_NAMED = re.compile(r"(?:患有?|罹患|诊断为|确诊为?|得了|患上)[^，。；]{1,12}?(?:病|症|癌|炎|瘤)|"
                            r"癌|肿瘤|中风|脑梗|脑出血|心梗|糖尿病|高血压|尿毒症|白血病|阿尔茨海默|帕金森|"
                            r"偏瘫|痴呆|抑郁")
# How a judgment writes what a chat asks (偷 → 盗窃, 窃取; 欠 → 借款; 挣 → 违法所得; 摔 → 坠落).
_AS_WRITTEN = {"偷": "窃", "欠": "借", "挣": "得", "赚": "得", "抢": "劫", "摔": "落"}


def not_in_judgment(question: str, q: Question, text: str) -> bool:
    """Whether `question` asks what a first-instance judgment (`text`, read whole) does not
    say: if it was appealed when it records no appeal, an officer's name when it names none,
    a brand when it gives none of the thing asked about (`names.unbranded`), whether something
    was done that it never mentions (开除了没有), whether the fine was paid when it records no
    payment, a sum, speed, weight or length it gives nowhere near the question's act or thing
    (`_amount_unsaid`), a platform, an app, an illness, an introducer or a creditor it does
    not name, the penalty of someone it says is tried separately and its ruling does not
    name, who reported it when only the public did (接群众举报), or the real name of someone
    whose identity it says is unknown."""
    appeal, officer = bool(_ASKS_APPEAL.search(question)), bool(_ASKS_OFFICER.search(question))
    probation = bool(_ASKS_PROBATION_OFFICE.search(question))
    paid, thing = bool(_ASKS_PAID.search(question)), _asked_thing(question)
    real_name = _ASKS_REAL_NAME.search(question)
    reporter = next((g if len(g) == 2 else "报" + g for g in m.groups() if g), None) \
        if (m := _ASKS_REPORTER.search(question)) else None
    brand = bool(ASKS_BRAND.search(question))
    whether = bool(_ASKS_WHETHER.search(question)) and not _READ_ELSEWHERE.search(question)
    amount = None if _NOT_AN_AMOUNT.search(question) else next(
        (kind for kind in _AMOUNTS_ASKED if kind[0].search(question)), None)
    platform = bool(_ASKS_PLATFORM.search(question))
    illness = bool(_ASKS_ILLNESS.search(question))
    introducer = bool(_ASKS_INTRODUCER.search(question))
    creditor = bool(_ASKS_CREDITOR.search(question))
    if not (appeal or officer or paid or thing or reporter or real_name or probation or brand or
            whether or amount or platform or illness or introducer or
            creditor or q.kinds["penalty"]) or not court_text(text):
        return False
    return (appeal and not _APPEALED.search(text)) or \
        (probation and not _PROBATION_OFFICE.search(text)) or \
        (officer and not _OFFICER_NAMED.search(text)) or (paid and not _PAID.search(text)) or \
        (q.kinds["penalty"] and _tried_elsewhere(question, text)) or \
        (thing is not None and _unnamed(_written_out(thing, text), text)) or \
        (reporter is not None and _reported_unnamed(reporter, text)) or \
        (real_name is not None and _identity_unknown(question, text)) or \
        (brand and unbranded(question, text)) or (whether and _unrecorded_act(question, text)) or \
        (amount is not None and _amount_unsaid(question, text, *amount[1:])) or \
        (platform and not _PLATFORM_NAMED.search(text)) or \
        (illness and not _ILLNESS_NAMED.search(text)) or \
        (introducer and not _INTRODUCER_NAMED.search(text)) or \
        (creditor and not _CREDITOR_NAMED.search(text))


def _amount_unsaid(question: str, text: str, written: re.Pattern, with_it: tuple[str, ...]
                   ) -> bool:
    """Whether no amount `written` in `text` stands within `_NEAR` characters of any act or
    thing of `question` (a verb by its first character: 输 of 输掉, 骗 of 骗走; not a party's
    name, nor a word any such question uses) or of a word said with one (体重)."""
    names = anonymised(question)
    words = set()
    for word, flag in pos_tag(question):
        if flag[:1] in "vn" and flag[:2] not in ("nr", "ns") and \
                not any(word in n or n in word for n in names):
            words |= {word[0], _AS_WRITTEN.get(word[0], word[0])} if flag.startswith("v") else \
                {word, word[-2:]}  # 月租金 is 每月…元的租金
    words -= _ANY_AMOUNT
    if not words:
        return False
    amounts = [m.start() for m in written.finditer(text)]
    return not any(abs(m.start() - at) <= _NEAR for w in words | set(with_it)
                   for m in re.finditer(re.escape(w), text) for at in amounts)


def _unrecorded_act(question: str, text: str) -> bool:
    """Whether the last clause of `question` that asks yes-or-no (开除了没有) holds a verb of
    two characters or more, not part of a name, that `text` never writes."""
    clauses = [c for c in re.split(r"[，,；;？?。！!\s]", question) if _ASKS_WHETHER.search(c)]
    if not clauses:
        return False
    names = anonymised(clauses[-1])
    return any(flag.startswith("v") and len(word) >= 2 and not _NOT_AN_ACT.search(word) and
               not _ASKS_WHETHER.search(word) and not any(word in n for n in names) and
               word not in text for word, flag in pos_tag(clauses[-1]))


def _identity_unknown(question: str, text: str) -> bool:
    """Whether the nickname `question` asks the real name of (杰哥真名叫什么) is one whose
    identity `text` says, next to it, is unknown (微信昵称为“杰哥”的男子（真实身份待查）, 身份
    不明、绰号“老周”的男子, “阿杰”的真实身份仍在进一步侦查中)."""
    for nick in dict.fromkeys(re.findall(r"“([^”]{1,12})”", text)):
        last = re.split(r"[-—_·\s]", nick)[-1]  # a label before it: “烟草批发-阿杰” for 阿杰
        if (nick in question or len(last) >= 2 and last in question) and \
                any(_UNKNOWN_IDENTITY.search(text, max(0, m.start() - 20), m.end() + 40)
                    for m in re.finditer(f"“{re.escape(nick)}”", text)):
            return True
    return False


def _reported_unnamed(act: str, text: str) -> bool:
    """Whether every report (`act`: 举报, 报警 or 报案) `text` mentions is by someone unnamed
    (接群众举报, 有人向公安机关举报, 附近村民报警); False when it mentions none."""
    at = [m.start() for m in re.finditer(act, text)]
    for i in at:
        clause = re.split(r"[，。；：]", text[max(0, i - 30): i])[-1]
        if not _UNNAMED_REPORTER.search(clause) or person_names(clause):
            return False
    return bool(at)


def _asked_thing(question: str) -> str | None:
    """The thing whose name `question` asks: 养老院 of 那家养老院叫什么名字, 事业单位 of
    想进的是哪个事业单位; not a place or a time, which has no name (撞人是在哪个位置)."""
    thing = None
    if m := _ASKS_NAME.search(question):
        thing = pos_tag(m.group(1))[-1][0]
    elif m := _ASKS_WHICH.search(question):
        thing = pos_tag(m.group(1))[0][0]
    return None if thing in _NO_NAME else thing


def _written_out(thing: str, text: str) -> str:
    """The full form `text` writes a two-character abbreviation in (律所 → 律师事务所: its
    characters in order, up to four between); `thing` itself when `text` holds it or no
    such form."""
    if thing in text or len(thing) != 2:
        return thing
    m = re.search(rf"{thing[0]}[\u4e00-\u9fff]{{1,4}}?{thing[1]}", text)
    return m.group() if m else thing


def _unnamed(thing: str, text: str) -> bool:
    """Whether `text` mentions `thing` and never with its name: every mention is masked or bare
    (清苑区某养老院, 经营一家美容店, 根据群众举报) and none is part of a longer name (中信银行),
    follows a name given before 的 (网名为“阿峰”的上线) or precedes a person's name (烧烤店老板
    杨某, 审判长 王建国). A named place of the same kind ("鑫达通讯"手机维修店 for 手机店) counts as its name."""
    at = [m.start() for m in re.finditer(re.escape(thing), text)]
    if len(thing) < 2 or not at or re.search(rf"”[^，。；“]{{0,6}}{re.escape(thing[-1])}", text):
        return False
    for i in at:
        after = text[i + len(thing): i + len(thing) + 8]
        # a label and its value (审判长 王建国, 联系人：…), a name, a quote or a bracket
        if after[:1] in " 　:：“（”" or ANONYMISED.match(after) or \
                (after and pos_tag(after)[0][1].startswith("nr")):
            return False
        if "某" in _PHRASE_BREAK.split(text[max(0, i - 6): i])[-1]:
            continue  # masked
        tagged = pos_tag(text[max(0, i - 8): i + len(thing)])
        if not tagged or tagged[-1][0] != thing:
            return False  # part of a longer word, a name (中信银行, 人民法院)
        if len(tagged) < 2:
            continue
        word, tag = tagged[-2]
        if word == "的":
            if _NAMED_BY.search(text[max(0, i - 12): i]):
                return False
        elif word not in _BARE and not tag.startswith(_BARE_TAGS):
            return False
    return True


def _tried_elsewhere(question: str, text: str) -> bool:
    """A person the question names whom the judgment says is tried separately (李某（另案处理）,
    张某、王某（均另案处理）) and whom its ruling does not name."""
    start = RULING_START.search(text)
    end = RULING_END.search(text, start.end()) if start else None
    ruling = text[start.end(): end.start() if end else len(text)] if start else ""
    for name in anonymised(question):
        listed = rf"{re.escape(name)}(?!某)(?:、[^（。；，、]{{1,6}})*（[^）]{{0,4}}另案"
        if re.search(listed, text) and not re.search(rf"{re.escape(name)}(?!某)", ruling):
            return True
    return False
