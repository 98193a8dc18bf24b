"""Rules for court judgments, which follow a fixed order that the ranker's word overlap cannot
see. The penalty a question asks for is stated in the court's ruling (`from_ruling`), not in
the prosecutor's proposal or a past conviction that share its words; whether an argument was
accepted is stated in a sentence that gives the court's decision on it (`as_argued`,
`only_holding`), not in the sentence restating the argument; a past record and an arrest are
the ones of the defendant asked about, as the court states them (`_record`, `_arrest`). What a
first-instance judgment does not say at all is refused (`not_in_judgment`): whether it was
appealed, the police officers' names, whether the fine was paid, the penalty of someone tried
separately, and the names of what it masks or leaves unnamed. Each rule was measured on the
written judgments of `tests/data/` (ablations in the README, "Judgments asked within their
issue").
"""

from __future__ import annotations

import re

import numpy as np

from rag.answer.features import ANONYMISED, PENALTY, anonymised
from rag.answer.forms import person_names
from rag.answer.question import Question
from rag.answer.units import Candidate
from rag.text import pos_tag

# A court's ruling runs from "判决如下：" to the appeal notice. The same penalty words earlier in
# a judgment are the prosecutor's proposal (建议判处…) or a past conviction (曾因…被判处…), so a
# question about the penalty is answered from the ruling unless it asks about those.
_RULING_START = re.compile(r"(?:判决|裁定)如下")
_RULING_END = re.compile(r"如不服|审\s*判\s*[长员]|人\s*民\s*陪\s*审\s*员")  # often spaced out
_SENTENCES = re.compile(r"判处|免予刑事处罚")
_ASKS_WHEN = re.compile(r"哪天|哪一天|什么时候|何时|几月|几号|日期|到哪|截止|结束|起止|开始|起算")
# A fine is asked as 罚了多少钱 too (a `penalty` question says 罚金), and the penalty as 实刑还是
# 缓刑 or 要坐几年牢: the ruling states them.
_ASKS_FINE = re.compile(r"罚了|罚多少|罚款|实刑|缓刑|坐(?:几|多少)年|坐多久|坐牢|(?:蹲|关)(?:几|多少)年")
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
# Asked about a past record (以前犯过什么事, 有没有前科): the answer is a sentence stating one
# (曾因犯盗窃罪被判处…, 刑满释放, 无前科), not the ruling's 判决执行以前先行羁押的…, which
# shares 以前 and 判.
_ASKS_RECORD = re.compile(r"(?:以前|之前|曾经|此前|过去|从前)[^，。？]{0,8}(?:犯过|被判|判过|受过?处罚|坐过?牢|"
                          r"处罚过|拘留过|处理过|被抓过|进去过)|前科|案底|犯罪记录|底子|劣迹")
# An administrative penalty counts (2015年8月因殴打他人被…行政拘留十日), not this case's
# detention (因涉嫌…罪被刑事拘留).
_ADMINISTRATIVE = r"因(?!涉嫌)[^，。；]{2,20}被[^，。；]{0,30}(?:行政拘留|行政处罚|处以|罚款)"
_RECORD = re.compile(r"曾(?:因|被)|曾于[^，。；]{0,20}(?:因|被)|前科|刑满释放|释放证明|犯罪记录|"
                     rf"因犯[^，。；]{{1,15}}罪[^，。；]{{0,25}}判处|{_ADMINISTRATIVE}")
# A record stated (the crime and the penalty, or none), or only referred to (曾因故意犯罪被判处…
# 系累犯), by the court; not the evidence list (证实…前科情况) or an argument (辩护人提出…).
_STATES_RECORD = re.compile(r"因犯[^，。；]{1,15}罪[^，。；]{0,25}判处|"
                            rf"(?:无|没有)[^，。；]{{0,6}}(?:前科|犯罪记录)(?!证明)|{_ADMINISTRATIVE}")
_REFERS_RECORD = re.compile(r"刑满释放|曾因[^，。；]{1,15}被|前罪")
_NOT_FINDING = re.compile(r"^\d+[.、．]|证实|辩护|辩称|提出")
# Asked what became of what was seized or gained (扣的车最后怎么处理了, 没收了没有, 违法所得追缴
# 多少): the ruling's item that disposes of it (扣押在案的…发还…, 继续追缴…), not the finding
# that it was seized or a witness's word on it.
_ASKS_DISPOSAL = re.compile(r"(?:怎么|咋|如何)(?:处理|处置)|没收|发还|退还|返还|追缴|追回|上缴|还给")
_DISPOSES = re.compile(r"扣押|冻结|查封|没收|发还|退还|返还|追缴|上缴|退赔|责令")
# …律师说…，法院怎么处理的 asks about an argument, not a thing.
_STATES_CLAIM = re.compile(r"律师|辩护|辩称|辩解|说")
# Asked for a total (一共骗了多少, 总共几次): a finding that sums (共计骗取…9900元, 先后12次), not
# one item of it or a witness's share, ranks _TOTAL_AHEAD higher (ablation in the README: 1.0
# and 2.0 gain less, 5.0 the same; ranking every total first lost answers to a total of
# something else, 共计支付结算金额 for 一共拿了多少好处费).
_ASKS_TOTAL = re.compile(r"一共|总共|共计|合计|总计|累计|加起来|前后")
_TOTAL_AHEAD = 3.0
_TOTAL = re.compile(r"(?:共计|总计|合计|累计)[^，。；]{0,16}?[\d零〇一二两三四五六七八九十百千万]|"
                    r"共[\d零〇一二两三四五六七八九十百千万]|先后[\d零〇一二两三四五六七八九十]+次")
# Asked how, where or when someone was caught (在哪被抓的, 怎么到案的): the answer is a finding
# about that person's arrest or surrender (民警在…宾馆将刘某某抓获, 郑某某…主动到…投案), not a
# sentence about another's (张某某得知王某某被抓获后…投案) or the evidence list's summary.
_ASKS_ARREST = re.compile(r"(?:怎么|怎样|如何|在哪|哪里|哪儿|什么地方|哪天|什么时候|何时|几号)[^，。？]{0,8}"
                          r"(?:抓|落网|到案|投案|归案)|(?:抓|落网|到案|投案|归案)[^，。？]{0,6}"
                          r"(?:哪|什么地方|怎么)")
# Asked how the case came to light or the police found someone (怎么发现的, 怎么找到他的, 从谁
# 那儿摸到的线索): the court's finding of a report, a clue or an inquiry (接群众举报后, 根据…线索
# …确定), not the evidence list's summary (受案登记表…，证实…报案的经过).
_ASKS_TRACE = re.compile(r"(?:怎么|如何|咋|怎样)[^，。？]{0,4}(?:找到|摸到|查到|查出|锁定|发现|盯上|暴露|露馅|"
                         r"案发)|线索|案发经过|因为什么案发")
_ASKS_FOUND = re.compile(r"找到|摸到|查到|查出|锁定|盯上")
_REPORTED = re.compile(r"举报|报案|报警|线索|投诉")
_TRACE = re.compile(r"确定|锁定|发现|排查|侦查|调查|查明|发觉|察觉|核查|交代")
_ASKS_WHERE = re.compile(r"在哪|哪里|哪儿|什么地方|何处|何地")
_ARREST = re.compile(r"抓获|抓住|抓到|落网|归案|到案|投案|自首|查获|报警|控制|传唤")
_ARRESTED_AT = re.compile(r"在[^，。；]{2,30}(?:抓获|查获|控制|抓住|投案)")
_DATED = re.compile(r"\d{1,2}月\d{1,2}日|\d{4}年\d{1,2}月|[次当同]日")
# Asked whether the court accepted an argument (法院认了吗, 采纳了没有, 法院算他从犯了吗, 法院
# 怎么说, 为啥没算进数额): the answer is the sentence that gives the court's decision on it, whatever else
# shares the argument's words. Without 法院, 算不算 asks what something is (那把仿真手枪算不算
# 枪支: the expert's finding), not a decision.
ASKS_DECISION = re.compile(r"(?:认|采纳|采信|支持|认定|同意|接受|信)了?(?:吗|没有|没)|认不认|认没认|"
                            r"采没采纳|信没信|是否(?:采纳|认定|支持)|"
                            r"(?:法院|法庭|本院)[^，。？]{0,4}(?:算不算|算没算|算[^，。？]{1,10}(?:了吗|了没有))|"
                            r"(?:法院|法庭|本院)(?:是)?(?:怎么|如何)(?:说|看|认定|回应|评判|答复)|"
                            r"(?:为啥|为什么|为何)(?:没|不)(?:算|认定|采纳|给|认|计入|支持|同意)")
_ARGUED = 3  # sentences before a decision that may state the argument it decides on
_REASONS = 8  # sentences back to the statement of the argument a decision is on, at most
_REFERS_BACK = re.compile(r"(?:该|上述|此|以上)(?:项|条|部分)?(?:辩护|辩解|上诉|意见)|^(?:故|因此|综上)")
DECISION = re.compile(r"(?:不予|予以|应予|依法)(?:采纳|采信|支持|认定)|不能成立|不予认可")
# A decision on an argument, which ends the reasons for the next one (not 依法认定 of a finding).
_ANSWERS_ARGUMENT = re.compile(r"(?:不予|予以)(?:采纳|采信|支持)|不能成立|不予认可")
_STATES_ARGUMENT = re.compile(r"^(?:\d+[.、．]|[一二三四五六七八九十]+、)?(?:关于|对于|针对)[^。]*(?:意见|辩解|辩称|"
                              r"提出)|辩称|辩解称|提出")
# The evidence a judgment lists (上述事实，有…下列证据予以证实：1.…证实：… up to 本院认为), and
# any item of such a list (9.转账记录…，证实冯某向周某某支付…), restate the findings in a
# witness's or a record's words (我看那个男的伤得挺重), often with partial figures of their own
# (806 of 986 条), so they rank below the court's own sentences unless clearly the better
# match: their score less _EVIDENCE_BEHIND (ablation in the README: 0.7 to 1.5 gain the same, 3
# loses what only a witness states). Not for a question about the court's decision.
_EVIDENCE_ITEM = re.compile(r"^\d+[.、．][^。]{0,60}(?:证实|证明)")
_EVIDENCE_START = re.compile(r"(?:下列|以下|如下)证据|证据(?:如下|有)[：:]|证据予以(?:证实|证明|证明)")
_FINDINGS_START = re.compile(r"^(?:经审理查明|本院认为|经审理，?本院认为)")
_EVIDENCE_BEHIND = 1.0
# A defendant's or a lawyer's argument (…辩称…, 辩护人提出如下辩护意见：1.…) claims what the
# court may not find (扣除后…应为185520元), so it ranks _ARGUMENT_BEHIND below the court's own
# sentences (ablation in the README: 1.0 gains less, 2.0 and 3.0 the same), unless the question
# is about what someone argued or said (律师说…, 他辩解…); the court's decision on an argument
# (该辩护意见…本院予以采纳) is the court's own.
_ARGUMENT = re.compile(r"辩称|辩解称|辩护意见|辩护人[^，。]{0,12}提出")
_ASKS_ARGUMENT = re.compile(r"辩|律师|说")
_ARGUMENT_BEHIND = 2.0


def judgment_order(question: str, q: Question, cands: list[Candidate],
                   scores: np.ndarray) -> np.ndarray:
    """The ranker's `scores` reordered by the rules of this module where `question` asks for a
    penalty, a past record, what became of a seized thing, an arrest, how a case came to light
    or the court's decision; and, but for a decision, a judgment's evidence and arguments
    ranked behind the court's own sentences. Text that is no court's judgment keeps its
    order unless the question asks one of those."""
    if _asks_penalty(question, q):
        scores = from_ruling(cands, scores, anonymised(question),
                             when=bool(_ASKS_WHEN.search(question)))
    if _ASKS_RECORD.search(question):
        scores = only_holding(_record(anonymised(question), cands), scores)
    if _asks_disposal(question):
        scores = only_holding(_in_ruling(cands) & _matching(_DISPOSES, cands), scores)
    if _ASKS_TOTAL.search(question) and not _asks_penalty(question, q):
        scores = scores + _TOTAL_AHEAD * _totals(cands)
    if _ASKS_ARREST.search(question):
        scores = only_holding(_arrest(question, cands), scores)
    elif _ASKS_TRACE.search(question):
        scores = only_holding(_traced(question, cands), scores)
    if ASKS_DECISION.search(question):
        decides = _matching(DECISION, cands)
        scores = as_argued(decides, cands, scores)
        if (names := anonymised(question)) and (own := decides & _argued_for(cands, names[-1])).any():
            decides = own
        return only_holding(decides, scores)
    return scores - _behind(question, cands)


def court_text(text: str) -> bool:
    """A court's own judgment (本院 … 判决如下), not a news report that quotes a ruling and
    names the officers in full."""
    return bool(_RULING_START.search(text)) and "本院" in text


def _asks_penalty(question: str, q: Question) -> bool:
    """Whether `question` asks the penalty this court imposed (not the prosecutor's proposal, a
    past one, or why)."""
    return bool((q.kinds["penalty"] or _ASKS_FINE.search(question)) and not q.kinds["reason"]
                and not _ASKS_OTHER_PENALTY.search(question))


def wanted(question: str, q: Question, cands: list[Candidate]) -> list[int]:
    """Indexes of the candidates a rule of this module looks for whatever words they share with
    the question, which a long judgment's shortlist must keep: the sentences stating a past
    record (`无前科。` shares no word with `以前犯过什么事`), the court's decisions
    (`故该辩解…本院不予采纳。` shares none with `法院信了吗`), the ruling's items that dispose
    of things or impose penalties."""
    keep = np.zeros(len(cands), dtype=bool)
    if _ASKS_RECORD.search(question):
        keep |= _matching(_RECORD, cands)
    if ASKS_DECISION.search(question):
        keep |= _matching(DECISION, cands)
    if _asks_disposal(question):
        keep |= _in_ruling(cands) & _matching(_DISPOSES, cands)
    if _asks_penalty(question, q):
        keep |= _in_ruling(cands) & _matching(PENALTY, cands)
    return np.flatnonzero(keep).tolist()


def _record(names: list[str], cands: list[Candidate]) -> np.ndarray:
    """The candidates to answer a question about a past record from, of those about the person
    the question names last when any is: the court's statements of one (因犯盗窃罪被…判处,
    无违法犯罪前科), else its references to one (曾因故意犯罪被判处…系累犯), else any mention
    (证实…前科情况, 辩护人提出…无前科)."""
    mentions = _matching(_RECORD, cands)
    finding = mentions & ~_matching(_NOT_FINDING, cands)
    states = finding & _matching(_STATES_RECORD, cands)
    refers = finding & _matching(_REFERS_RECORD, cands)
    about = _about(cands, names)
    for holds in (states & about, refers & about, mentions & about, states, refers):
        if holds.any():
            return holds
    return mentions


def _arrest(question: str, cands: list[Candidate]) -> np.ndarray:
    """The candidates to answer how, where or when someone was caught from: findings (not the
    evidence list or an argument) about the person the question names last that say where
    (在…抓获) or when (a date) when it asks that, then the same naming nobody (民警在…将其抓获),
    then any finding about that person's arrest or surrender, then any sentence about it."""
    arrest = _matching(_ARREST, cands)
    nameless = ~_matching(ANONYMISED, cands)
    names = anonymised(question)
    about = _about(cands, names)
    # 孙某某得知刘某某被抓获后…投案 names 刘某某 but tells of 孙某某: the first name a
    # sentence gives is whom it is about first.
    leads = np.array([bool(names) and (m := ANONYMISED.search(c.plain)) is not None and
                      m.group() == names[-1] for c in cands], dtype=bool)
    finding = arrest & ~_matching(_NOT_FINDING, cands)
    tiers = [finding & leads, finding & about, arrest & about]
    said = _ARRESTED_AT if _ASKS_WHERE.search(question) else \
        _DATED if _ASKS_WHEN.search(question) else None
    if said is not None:
        says = finding & _matching(said, cands)
        tiers = [says & leads, says & about, says & nameless, *tiers]
    return next((t for t in tiers if t.any()), arrest)


def _of_court(cands: list[Candidate]) -> np.ndarray:
    """Which candidates are sentences of a court's judgment (`court_text`)."""
    court: dict[int, bool] = {}
    for c in cands:
        if id(c.article) not in court:
            court[id(c.article)] = court_text("".join(c.article.units))
    return np.array([court[id(c.article)] for c in cands], dtype=bool)


def _behind(question: str, cands: list[Candidate]) -> np.ndarray:
    """How far below the court's own sentences each candidate ranks: _EVIDENCE_BEHIND for the
    evidence a judgment lists, _ARGUMENT_BEHIND for an argument unless the question asks what
    was argued; 0 for the rest and for text that is no court's judgment."""
    ours = _of_court(cands)
    behind = _EVIDENCE_BEHIND * (_evidence(cands) & ours)
    if not _ASKS_ARGUMENT.search(question):
        argued = _matching(_ARGUMENT, cands) & ~_matching(DECISION, cands) & ours
        behind = behind + _ARGUMENT_BEHIND * argued
    return behind


def _evidence(cands: list[Candidate]) -> np.ndarray:
    """Which candidates are evidence a judgment lists: its items, and what follows the sentence
    that introduces the list up to the court's reasoning or findings."""
    listed: dict[int, set[int]] = {}
    for c in cands:
        a = c.article
        if id(a) in listed:
            continue
        listed[id(a)] = spans = set()
        inside = False
        for i, u in enumerate(a.units):
            if _FINDINGS_START.match(u):
                inside = False
            elif _EVIDENCE_START.search(u):
                inside = True
                continue
            if inside or _EVIDENCE_ITEM.match(u):
                spans.add(i)
    return np.array([c.at in listed[id(c.article)] or
                     (c.at < 0 and bool(_EVIDENCE_ITEM.match(c.plain)) and
                      bool(listed[id(c.article)])) for c in cands], dtype=bool)


def _totals(cands: list[Candidate]) -> np.ndarray:
    """The sentences of a court's judgment that state a total (共计…元, 先后12次), not its
    evidence or an argument."""
    own = _behind("", cands) == 0  # "" asks no argument: arguments are behind too
    return _matching(_TOTAL, cands) & own & _of_court(cands)


def _traced(question: str, cands: list[Candidate]) -> np.ndarray:
    """The candidates to answer how a case came to light from: findings (not the evidence or
    an argument) of a report or a clue, then of an inquiry (立案侦查 may be of another case);
    the other way round when it asks how someone was found (怎么找到他的); those about the
    person the question names last first."""
    finding = ~_matching(_NOT_FINDING, cands) & ~_evidence(cands)
    reported = finding & _matching(_REPORTED, cands)
    traced = finding & _matching(_TRACE, cands)
    about = _about(cands, anonymised(question))
    tiers = (reported & about, traced & about, reported, traced)
    if _ASKS_FOUND.search(question):  # 怎么找到他的: the inquiry that led to him
        tiers = (traced & about, reported & about, traced, reported)
    return next((t for t in tiers if t.any()), traced)


def _matching(pattern: re.Pattern, cands: list[Candidate]) -> np.ndarray:
    """Which candidates `pattern` finds in."""
    return np.array([bool(pattern.search(c.plain)) for c in cands], dtype=bool)


def _about(cands: list[Candidate], names: list[str]) -> np.ndarray:
    """Which candidates are about the person `names` ends with (all of them when it names
    nobody): those naming them (周某, not 周某某), and those naming nobody that follow, here or
    where the same words stand again, a sentence that does (a header's `无前科。` after
    `被告人周某，男，…`; candidates keep one of the repeated sentences)."""
    if not names:
        return np.ones(len(cands), bool)
    own = re.compile(rf"{re.escape(names[-1])}(?!某)")
    follows: dict[int, set[str]] = {}  # per article, the sentences after one naming them
    for c in cands:
        if id(c.article) not in follows:
            units = c.article.units
            follows[id(c.article)] = {u for i, u in enumerate(units)
                                      if i and own.search(units[i - 1])}
    return np.array([bool(own.search(c.plain)) or (
        c.at >= 0 and not ANONYMISED.search(c.plain) and c.plain in follows[id(c.article)])
        for c in cands], dtype=bool)


def not_in_judgment(question: str, q: Question, text: str) -> bool:
    """Whether `question` asks what a first-instance judgment (`text`, read whole) does not
    say: if it was appealed when it records no appeal, an officer's name when it names none,
    whether the fine was paid when it records no payment, the penalty of someone it says is
    tried separately and its ruling does not name, who reported it when only the public did
    (接群众举报), or the real name of someone whose identity it says is unknown."""
    appeal, officer = bool(_ASKS_APPEAL.search(question)), bool(_ASKS_OFFICER.search(question))
    paid, thing = bool(_ASKS_PAID.search(question)), _asked_thing(question)
    real_name = _ASKS_REAL_NAME.search(question)
    reporter = next((g if len(g) == 2 else "报" + g for g in m.groups() if g), None) \
        if (m := _ASKS_REPORTER.search(question)) else None
    if not (appeal or officer or paid or thing or reporter or real_name or q.kinds["penalty"]) \
            or not court_text(text):
        return False
    return (appeal and not _APPEALED.search(text)) or \
        (officer and not _OFFICER_NAMED.search(text)) or (paid and not _PAID.search(text)) or \
        (q.kinds["penalty"] and _tried_elsewhere(question, text)) or \
        (thing is not None and _unnamed(thing, text)) or \
        (reporter is not None and _reported_unnamed(reporter, text)) or \
        (real_name is not None and _identity_unknown(question, text))


def _identity_unknown(question: str, text: str) -> bool:
    """Whether the nickname `question` asks the real name of (杰哥真名叫什么) is one whose
    identity `text` says, next to it, is unknown (微信昵称为“杰哥”的男子（真实身份待查）, 身份
    不明、绰号“老周”的男子, “阿杰”的真实身份仍在进一步侦查中)."""
    for nick in dict.fromkeys(re.findall(r"“([^”]{1,8})”", text)):
        if nick in question and any(_UNKNOWN_IDENTITY.search(text, max(0, m.start() - 20),
                                                             m.end() + 40)
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
    start = _RULING_START.search(text)
    end = _RULING_END.search(text, start.end()) if start else None
    ruling = text[start.end(): end.start() if end else len(text)] if start else ""
    for name in anonymised(question):
        listed = rf"{re.escape(name)}(?!某)(?:、[^（。；，、]{{1,6}})*（[^）]{{0,4}}另案"
        if re.search(listed, text) and not re.search(rf"{re.escape(name)}(?!某)", ruling):
            return True
    return False


def from_ruling(cands: list[Candidate], scores: np.ndarray, names: list[str],
                when: bool = False) -> np.ndarray:
    """`scores` with the sentences outside a court's ruling ranked below all others, when the
    candidates hold a ruling that states a penalty, and of the ruling's items stating one those
    that do not name the defendant asked about (`names`), when one does (ablation in the
    README). The ruling's other sentences (刑期自…起至…止) rank below its items that state a
    penalty, unless the question asks `when` (刑期到哪天结束)."""
    penalty = _matching(PENALTY, cands)
    ruling = _in_ruling(cands)
    if not (penalty & ruling).any():
        return scores
    named = np.array([any(n in c.plain for n in names) for c in cands])
    stated = penalty & ruling
    # the items that sentence (判处…), not a ban for the probation (禁止…在缓刑考验期限内…)
    if (sentences := stated & _matching(_SENTENCES, cands)).any():
        stated = sentences
    other = stated & ~named if (stated & named).any() else np.zeros_like(stated)
    below = ruling & ~stated & (not when)
    # Three tiers, each keeping its own order: the items asked about, the ruling's other
    # sentences, then everything else.
    step = float(scores.max() - scores.min()) + 1.0
    return scores - step * np.where(~ruling | other, 2, np.where(below, 1, 0))


def _asks_disposal(question: str) -> bool:
    return bool(_ASKS_DISPOSAL.search(question)) and not _STATES_CLAIM.search(question)


def _in_ruling(cands: list[Candidate]) -> np.ndarray:
    """Which candidates are items of a court's ruling (after 判决如下, before the appeal notice)."""
    spans: dict[int, tuple[int, int]] = {}
    for c in cands:
        if id(c.article) not in spans:
            units = c.article.units
            start = next((i for i, u in enumerate(units) if _RULING_START.search(u)), len(units))
            end = next((i for i in range(start + 1, len(units)) if _RULING_END.search(units[i])),
                       len(units))
            spans[id(c.article)] = (start, end)
    return np.array([spans[id(c.article)][0] < c.at < spans[id(c.article)][1] for c in cands],
                    dtype=bool)


def as_argued(decides: np.ndarray, cands: list[Candidate], scores: np.ndarray) -> np.ndarray:
    """`scores` with each decision (a candidate where `decides` is true) that refers back to the
    argument it decides on (故该辩护意见…不予采纳, 上述辩护意见…) scored as the best of itself and
    of the units before it back to the statement of that argument (关于…的意见。, …辩称…), at
    most _REASONS, stopping at an earlier decision: "…辩称…。经查，…。故该辩解本院不予采纳。"
    decides on the argument its first sentence states, which the question quotes (ablation in
    the README)."""
    at = {(c.passage.article_id, c.at): i for i, c in enumerate(cands) if c.at >= 0}
    out = scores.copy()
    for i, c in enumerate(cands):
        if not decides[i] or c.at < 0 or not _REFERS_BACK.search(c.plain):
            continue
        for k in range(c.at - 1, max(-1, c.at - 1 - _REASONS), -1):
            unit = c.article.units[k]
            if _ANSWERS_ARGUMENT.search(unit):
                break  # the decision before, on another argument
            if (j := at.get((c.passage.article_id, k))) is not None:
                out[i] = max(out[i], scores[j])
            if _STATES_ARGUMENT.search(unit) and not unit.startswith("经查"):
                break  # the statement of the argument: where this one's reasons begin
    return out


def _argued_for(cands: list[Candidate], name: str) -> np.ndarray:
    """Which candidates decide on an argument whose statement names `name` (关于被告人刘某某的
    辩护人提出“刘某某…自首”的意见), the statement being the candidate itself or one of the
    _REASONS sentences before it: the reasons for another defendant's decision may name them
    too (赵某…作用明显小于刘某某)."""
    own = re.compile(rf"{re.escape(name)}(?!某)")
    out = np.zeros(len(cands), dtype=bool)
    for i, c in enumerate(cands):
        if c.at < 0:
            continue
        for at in range(c.at, max(-1, c.at - _REASONS), -1):
            unit = c.article.units[at]
            if at < c.at and _ANSWERS_ARGUMENT.search(unit):
                break  # the decision before: this one's argument was not found
            if _STATES_ARGUMENT.search(unit):
                out[i] = bool(own.search(unit))
                break
    return out


def with_reasons(decision: Candidate) -> list[Candidate]:
    """The court's `decision` on an argument (故该辩解本院不予采纳。) with the reasons given
    before it: back to the one that opens them (经查，…), else to the sentence stating the
    argument (关于…的意见。, …辩称…) or another decision, at most _ARGUED sentences. A decision
    that only refers back says that the court refused, not why."""
    a, at = decision.article, decision.at
    if at < 0 or not _REFERS_BACK.search(decision.plain):
        return [decision]
    reasons = []
    for back in range(at - 1, max(-1, at - 1 - _ARGUED), -1):
        unit = a.units[back]
        if not unit.startswith("经查") and (_ANSWERS_ARGUMENT.search(unit) or
                                           _STATES_ARGUMENT.search(unit)):
            break
        reasons.insert(0, decision.sibling(back))
        if unit.startswith("经查"):  # where the reasons begin
            break
    return [*reasons, decision]


def only_holding(holds: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """`scores` with the candidates where `holds` is false ranked below all others, when it is
    true for some (ablation in the README)."""
    return np.where(holds, scores, scores.min() - 1.0) if holds.any() else scores
