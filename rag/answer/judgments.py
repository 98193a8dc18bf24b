"""Ranking rules for court judgments, which follow a fixed order that the ranker's word overlap
cannot see. The penalty a question asks for is stated in the court's ruling (`from_ruling`),
not in the prosecutor's proposal or a past conviction that share its words; whether an argument
was accepted, in the court's decision on it with its reasons (`as_argued`, `with_reasons`), not
in the sentence restating the argument; a past record, an arrest and how a case came to light,
in the court's findings about the defendant asked about (`_record`, `_arrest`, `_traced`); what
became of a seized thing, in the ruling's item disposing of it. The evidence a judgment lists
and the parties' arguments repeat the facts in other words and rank behind the court's own
sentences (`_behind`). What a judgment does not say at all is `rag.answer.silence`. Each rule
was measured on the written judgments of `tests/data/` (ablations in the README, "Judgments
asked within their issue").
"""

from __future__ import annotations

import re

import numpy as np

from rag.answer.features import ANONYMISED, PENALTY, anonymised, as_court_reads
from rag.answer.question import Question
from rag.answer.units import Candidate

# A court's ruling runs from "判决如下：" to the appeal notice. The same penalty words earlier in
# a judgment are the prosecutor's proposal (建议判处…) or a past conviction (曾因…被判处…), so a
# question about the penalty is answered from the ruling unless it asks about those.
RULING_START = re.compile(r"(?:判决|裁定)如下")
RULING_END = re.compile(r"如不服|审\s*判\s*[长员]|人\s*民\s*陪\s*审\s*员")  # often spaced out
_SENTENCES = re.compile(r"判处|免予刑事处罚")
_ASKS_WHEN = re.compile(r"哪天|哪一天|什么时候|何时|几月|几号|日期|到哪|截止|结束|起止|开始|起算")
# A fine is asked as 罚了多少钱 too (a `penalty` question says 罚金), and the penalty as 实刑还是
# 缓刑 or 要坐几年牢: the ruling states them.
_ASKS_FINE = re.compile(r"罚了|罚多少|罚款|实刑|缓刑|坐(?:几|多少)年|坐多久|坐牢|(?:蹲|关)(?:几|多少)年")
_ASKS_OTHER_PENALTY = re.compile(r"建议|公诉|检察|以前|之前|曾经|前科|上次|此前")
# Asked about a past record (以前犯过什么事, 有没有前科): the answer is a sentence stating one
# (曾因犯盗窃罪被判处…, 刑满释放, 无前科), not the ruling's 判决执行以前先行羁押的…, which
# shares 以前 and 判.
_ASKS_RECORD = re.compile(r"(?:以前|之前|曾经|此前|过去|从前)[^，。？]{0,8}(?:犯过|被判|判过|受过?处罚|坐过?牢|"
                          r"处罚过|拘留过|处理过|被抓过|进去过)|前科|案底|犯罪记录|底子|劣迹")
# Also asked with a cause or a spoken word between (之前有没有因为卖假货被处罚过, 以前有过违法记录没,
# 以前因为卖烟被罚过吗). The court ranker's feature keeps the narrower form it was trained on: retrained
# with this one, its scores moved by more than the rules gain (README, "Fourteenth round").
_ASKS_RECORD_TOO = re.compile(r"(?:以前|之前|曾经|此前|过去|从前)[^，。？]{0,10}(?:受过|处罚|罚过|违法|犯罪)|"
                              r"(?:违法|犯罪)记录")
# A past offence asked (违法记录, 被处罚过, 拘留过).
_ASKS_OFFENCE = re.compile(r"违法|处罚|处理|罚过|罚款|拘留")
# An administrative penalty counts (2015年8月因殴打他人被…行政拘留十日), not this case's
# detention (因涉嫌…罪被刑事拘留).
_ADMINISTRATIVE = r"因(?!涉嫌)[^。；]{2,40}?被[^，。；]{0,30}(?:行政拘留|行政处罚|处以|罚款)"
_ADMINISTERED = re.compile(_ADMINISTRATIVE)
_RECORD = re.compile(r"曾(?:因|被)|曾于[^，。；]{0,20}(?:因|被)|前科|刑满释放|释放证明|犯罪记录|"
                     rf"因犯[^，。；]{{1,15}}罪[^，。；]{{0,25}}判处|{_ADMINISTRATIVE}")
# A record stated (the crime and the penalty, or none), or only referred to (曾因故意犯罪被判处…
# 系累犯), by the court; not the evidence list (证实…前科情况) or an argument (辩护人提出…).
_STATES_RECORD = re.compile(r"因犯[^，。；]{1,15}罪[^，。；]{0,25}判处|"
                            rf"(?:无|没有)[^，。；]{{0,6}}(?:前科|犯罪记录)(?!证明)|{_ADMINISTRATIVE}")
_REFERS_RECORD = re.compile(r"刑满释放|曾因[^，。；]{1,15}被|前罪")
_NOT_FINDING = re.compile(r"^\d+[.、．]|证实|辩护|辩称|提出")
# A sentence that weighs an arrest in law (到案后能够如实供述…可以从轻处罚, 自动投案…系自首) tells
# no more of how it happened than the finding it rests on (民警在…家中将其抓获).
_ARREST_WEIGHED = re.compile(r"系自首|构成自首|认定为自首|视为自动投案|从轻|减轻处罚|坦白")
# Asked when someone's prison term ends (啥时候刑满, 什么时候出狱): the ruling counts it out,
# 即自2023年11月29日起至2027年5月28日止.
_ASKS_RELEASE = re.compile(r"刑满|出狱|放出来|关到(?:什么时候|啥时候|哪天|几号)|"
                           r"刑期[^，。？]{0,3}(?:到|至|止|届满)")
_TERM_END = re.compile(r"至\s*[\d〇零一二三四五六七八九]{4}年[\d一二三四五六七八九十]{1,2}月"
                       r"[\d一二三四五六七八九十]{1,3}日止")
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
# Asked how someone died or what a doctor found (死因是什么, 是怎么死的, 被诊断成啥了): the
# forensic or medical finding (系头部遭受钝性外力作用致重型颅脑损伤死亡, 诊断为“抑郁状态”).
_ASKS_CAUSE = re.compile(r"死因|怎么死|咋死|死亡原因|因为什么死|诊断")
_CAUSE = re.compile(r"(?:系|符合|因|致)[^，。；]{1,25}?死亡|诊断为|确诊为")
# Facts a court's finding states in a form of their own, each (how it is asked, how the
# finding states it); a story tells them otherwise, so only a court's findings count:
# - an interest rate (许的利息是多少, 利率多高: 月息一分五, 年化12%);
# - the blood alcohol (他血里酒精是多少: 血液中乙醇含量为203.6mg/100ml, not the breath test's
#   nor the law's 超过180mg/100ml);
# - a speed (车开多快: 每小时82公里);
# - when someone died (啥时候没的: …经抢救无效死亡);
# - how someone died or what a doctor found (above);
# - what money was spent on (骗来的钱都花哪去了, 他拿这些钱干嘛用了: 用于偿还网络借贷, 挥霍), not a
#   sentence that only counts it.
_FOUND_IN_FORM = [
    (re.compile(r"利息[^，。？]{0,3}(?:多少|几|多高)|利率|月息|年息|几分利"),
     re.compile(r"月息|年息|利率|年化|分利|[\d.]+[%％]|百分之")),
    (re.compile(r"血[^，。？]{0,4}(?:酒精|乙醇)|(?:酒精|乙醇)[^，。？]{0,4}血"),
     re.compile(r"血液[^，。；]{0,4}(?:乙醇|酒精)含量(?:为|是)")),
    (re.compile(r"[开跑]多快|车速|时速|速度"),
     re.compile(r"(?:每小时|时速)[^，。；]{0,3}\d+(?:\.\d+)?公里|km/h")),
    (re.compile(r"(?:啥时候|什么时候|何时|哪天|几点)[^，。？]{0,2}(?:没的|死的|去世|死亡|身亡)"),
     re.compile(r"(?:死亡|身亡|去世)")),
    (_ASKS_CAUSE, _CAUSE),
    (re.compile(r"(?:钱|款)[^，。？]{0,6}(?:干嘛|干啥|干什么|做什么|花哪|花在|去哪|用在|用到|拿去)"),
     re.compile(r"用于|用来|挥霍|花费|花在|偿还|还债|消费|赌博")),
]
_ASKS_TRACE = re.compile(r"(?:怎么|如何|咋|怎样)[^，。？]{0,4}(?:找到|摸到|查到|查出|锁定|发现|盯上|暴露|露馅|"
                         r"案发)|线索|案发经过|因为什么案发")
_ASKS_FOUND = re.compile(r"找到|摸到|查到|查出|锁定|盯上")
_REPORTED = re.compile(r"举报|报案|报警|线索|投诉")
_TRACE = re.compile(r"确定|锁定|发现|排查|侦查|调查|查明|发觉|察觉|核查|交代")
_ASKS_WHERE = re.compile(r"在哪|哪里|哪儿|什么地方|何处|何地")
_ARREST = re.compile(r"抓获|抓住|抓到|落网|归案|到案|投案|自首|查获|报警|控制|传唤")
# The same, to answer how someone was caught: not 实际控制该合作社 (a business run) nor 未表示愿意
# 投案 (a surrender that did not happen). `_ARREST`, a court ranker feature, keeps its reading.
_ARRESTED = re.compile(_ARREST.pattern.replace("投案", "(?<!愿意)(?<!未)投案")
                       .replace("控制", "(?<!实际)控制"))
# 在…咖啡店内将12000元现金交给赵某，赵某收钱后欲离开时被…当场抓获: a clause may come between.
_ARRESTED_AT = re.compile(r"在[^，。；]{2,30}(?:[，,][^，。；]{0,30}?)?(?:抓获|查获|控制|抓住|投案)")
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
# A status in law the court determines (自首, 从犯, 未遂 …), and the words that determine it:
# 系自首, 构成自首, 不能认定为自首, 不符合自首的构成要件, 属犯罪未遂 (not 是自首, which is the
# statute's definition: 犯罪以后自动投案…的，是自首).
_STATUS = re.compile(r"自首|坦白|立功|累犯|初犯|偶犯|从犯|主犯|既遂|未遂|中止|正当防卫|防卫过当|紧急避险")
_DETERMINES = r"(?:系|构成|认定为|属于|属|视为|符合)"
# The court's own finding in a sentence that also states the argument it is on (关于辩护人所提
# …构成自首的辩护意见，经查，…不符合自首的构成要件).
_COURT_FINDS = re.compile(r"经查|经审查|本院认为|综上")
# What a party asks for (4.刘某系初犯、偶犯，…建议对其适用缓刑): a claim, not a determination.
_CLAIMS = re.compile(r"建议|请求")
# Asked why probation was not given (为啥不给郝某某判缓刑, 律师要缓刑为啥没给), and the court's
# words refusing it (不宜适用缓刑, 对其适用缓刑不足以…, 不符合适用缓刑的条件).
_ASKS_NO_PROBATION = re.compile(r"(?:为啥|为什么|为何|凭啥|凭什么|怎么)[^，。？]{0,12}(?:不|没)[^，。？]{0,8}缓刑|"
                                r"缓刑[^，。？]{0,8}(?:为啥|为什么|为何|凭啥|凭什么)[^，。？]{0,4}(?:不|没)")
_DENIES_PROBATION = re.compile(r"(?:不宜|不予|不能|不应|不得|不再)(?:对其)?(?:适用|宣告)缓刑|"
                               r"缓刑[^，。；]{0,4}(?:不足以|不能|不利于)|不符合[^，。；]{0,6}缓刑")
# Asked what probation forbids (缓刑期间有什么限制), and a ban (禁止令: 禁止…在缓刑考验期限内…).
_ASKS_PROBATION_BAN = re.compile(r"缓刑[^，。？]{0,8}(?:限制|禁止|不让|不准|不许|不能干|不能做|要求)|禁止令")
_BANS = re.compile(r"禁止[^，。；]{0,12}缓刑考验期|禁止令")


def judgment_order(question: str, q: Question, cands: list[Candidate],
                   scores: np.ndarray) -> np.ndarray:
    """The ranker's `scores` reordered by the rules of this module where `question` asks for a
    penalty, a past record, what became of a seized thing, what money went to, how someone
    died, an arrest, how a case came to light,
    a status in law (算不算自首, 谁是主犯), why probation was refused or what it forbids, or the
    court's decision; and, but for a decision, a judgment's evidence and arguments ranked
    behind the court's own sentences. Text that is no court's judgment keeps its order unless
    the question asks one of those."""
    names, statuses = anonymised(question), _STATUS.findall(question)
    decision = bool(ASKS_DECISION.search(question))
    if _asks_penalty(question, q):
        scores = from_ruling(cands, scores, names, when=bool(_ASKS_WHEN.search(question)))
    if _asks_record(question):
        scores = only_holding(_record(names, cands, bool(_ASKS_OFFENCE.search(question))), scores)
    if _asks_disposal(question):
        scores = only_holding(_in_ruling(cands) & _matching(_DISPOSES, cands), scores)
    if _asks_release(question):
        ends = _matching(_TERM_END, cands)
        scores = only_holding(ends & _about(cands, names), only_holding(ends, scores))
    if _ASKS_TOTAL.search(question) and not _asks_penalty(question, q):
        scores = scores + _TOTAL_AHEAD * _totals(cands)
    for asked, found in _FOUND_IN_FORM:
        if asked.search(question):
            scores = only_holding(_court_findings(found, cands), scores)
    if _ASKS_ARREST.search(question):
        scores = only_holding(_arrest(question, cands), scores)
    elif _ASKS_TRACE.search(question):
        scores = only_holding(_traced(question, cands), scores)
    if _ASKS_NO_PROBATION.search(question) and (denied := _matching(_DENIES_PROBATION, cands) &
                                                 _about(cands, names)).any():
        # 为啥不给他判缓刑: the court's reason for refusing probation (…对其适用缓刑不足以体现罪责
        # 刑相适应, 不宜适用缓刑) for the person asked about, whether or not it decides on a
        # lawyer's plea for it in the same sentence.
        return only_holding(denied, scores - _behind(question, cands))
    if _ASKS_PROBATION_BAN.search(question):
        # 缓刑期间有什么限制: the ban the ruling attaches (禁止被告人赵某在缓刑考验期限内从事…).
        scores = only_holding(_matching(_BANS, cands) & _about(cands, names), scores)
    if statuses and not decision:
        # 算不算自首, 算既遂还是未遂, 谁是主犯: the court's sentence that determines that status
        # (系自首, 不能认定为自首, 属犯罪未遂) of the person asked about, when it names one. Not
        # when the court's decision on a claim is asked (律师说他算自首，法院认吗): that is
        # its decision on the claim, found below, with its reasons.
        determines = re.compile(rf"(?<!是否){_DETERMINES}(?:犯罪)?(?:{'|'.join(statuses)})")
        claimed = (_matching(_STATES_ARGUMENT, cands) | _matching(_CLAIMS, cands)) & \
            ~_matching(_COURT_FINDS, cands)
        said = _matching(determines, cands) & ~claimed & _about(cands, names)
        if said.any():
            return only_holding(said, scores - _behind(question, cands))
    if decision:
        decides = _matching(DECISION, cands)
        scores = as_argued(decides, cands, scores)
        # On a status claimed (律师说他算自首，法院认吗): a decision on an argument about it, not
        # on another of the lawyer's (应急处置费用…不予采纳).
        if statuses and (on := decides & _argued_for(cands, re.compile("|".join(statuses)))).any():
            decides = on
        if names and (own := decides & _argued_for(
                cands, re.compile(rf"{re.escape(names[-1])}(?!某)"))).any():
            decides = own
        return only_holding(decides, scores)
    return scores - _behind(question, cands)


def court_text(text: str) -> bool:
    """A court's own judgment (本院 … 判决如下), not a news report that quotes a ruling and
    names the officers in full."""
    return bool(RULING_START.search(text)) and "本院" in text


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
    if _asks_record(question):
        keep |= _matching(_RECORD, cands)
    if ASKS_DECISION.search(question):
        keep |= _matching(DECISION, cands)
    if _asks_disposal(question):
        keep |= _in_ruling(cands) & _matching(_DISPOSES, cands)
    if _asks_release(question):
        keep |= _matching(_TERM_END, cands)
    if _asks_penalty(question, q):
        keep |= _in_ruling(cands) & _matching(PENALTY, cands)
    return np.flatnonzero(keep).tolist()


def _asks_release(question: str) -> bool:
    """Whether `question` asks when a prison term ends (not a past release, 以前刑满释放过)."""
    return bool(_ASKS_RELEASE.search(question)) and not _asks_record(question)


def _asks_record(question: str) -> bool:
    """Whether `question` asks the past record of the person it names first, who stands before
    the time word (not 景区管委会以前有没有罚过马某某的款, which asks what someone else did)."""
    names = anonymised(question)
    asked = (_ASKS_RECORD.search(question) or _ASKS_RECORD_TOO.search(question)) and \
        "司法拘留" not in question  # the court's own measure in this case
    return bool(asked) and not (names and not re.search(
        rf"{re.escape(names[0])}[^，。？]{{0,6}}(?:以前|之前|曾经|此前|过去|从前|有没有|有)", question))


def states_record(question: str, cands: list[Candidate]) -> bool:
    """Whether `question` asks a past record and the court states or refers to one of the
    person it names (李某某以前因为赌博被处理过吗: the header's `2019年4月因赌博被…行政拘留五日。`).
    The silence model, which reads the court ranker's scores, cannot see such a header sentence,
    which shares few words with the question."""
    if not _asks_record(question):
        return False
    _, states, refers = _records(cands)
    return bool(((states | refers) & _about(cands, anonymised(question))).any())


def states_cause(question: str, cands: list[Candidate]) -> bool:
    """Whether `question` asks how someone died or what a doctor found and the court states it
    (`…系头部遭受钝性外力作用致重型颅脑损伤死亡`): the silence model refused such a question of a
    blind set whose judgment states it."""
    return bool(_ASKS_CAUSE.search(question)) and bool(_court_findings(_CAUSE, cands).any())


def _court_findings(pattern: re.Pattern, cands: list[Candidate]) -> np.ndarray:
    """Which candidates are a court's findings (not its evidence list nor an argument) that
    match `pattern`."""
    return _matching(pattern, cands) & ~_matching(_NOT_FINDING, cands) & of_court(cands)


def _records(cands: list[Candidate]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which candidates mention a past record; of the court's findings among them (not the
    evidence list or an argument), which state one and which refer to one."""
    mentions = _matching(_RECORD, cands)
    finding = mentions & ~_matching(_NOT_FINDING, cands)
    return (mentions, finding & _matching(_STATES_RECORD, cands),
            finding & _matching(_REFERS_RECORD, cands))


def _record(names: list[str], cands: list[Candidate], administrative: bool = False
            ) -> np.ndarray:
    """The candidates to answer a question about a past record from, of those about the person
    the question names last when any is: an administrative penalty when it asks an offence
    (`administrative`), then the court's statements of one (因犯盗窃罪被…判处,
    无违法犯罪前科), else its references to one (曾因故意犯罪被判处…系累犯), else any mention
    (证实…前科情况, 辩护人提出…无前科)."""
    mentions, states, refers = _records(cands)
    about = _about(cands, names) & ~_someone_elses(cands, names)
    # asked an offence (违法记录, 被处罚过), an administrative penalty answers first, wherever it
    # is stated: a header may say 无刑事犯罪前科 and only the evidence list 行政拘留十日
    offence = _matching(_ADMINISTERED, cands) & about if administrative \
        else np.zeros(len(cands), dtype=bool)
    for holds in (offence, states & about, refers & about, mentions & about, states, refers):
        if holds.any():
            return holds
    return mentions


def _someone_elses(cands: list[Candidate], names: list[str]) -> np.ndarray:
    """Which candidates state a record only in clauses about another person than the one
    `names` ends with (高某某之父…；刘某此前无违法犯罪记录 asked about 高某某)."""
    if not names:
        return np.zeros(len(cands), dtype=bool)
    own = names[-1]

    def elses(text: str) -> bool:
        held = [c for c in re.split(r"[；;]", text) if _RECORD.search(c)]
        return bool(held) and all(
            own not in c and any(n != own for n in anonymised(c)) for c in held)
    return np.array([elses(c.plain) for c in cands], dtype=bool)


def _arrest(question: str, cands: list[Candidate]) -> np.ndarray:
    """The candidates to answer how, where or when someone was caught from: findings (not the
    evidence list, an argument or the law's weighing of it, 到案后…可以从轻处罚, when the
    question names someone) about the person the question names last that say where
    (在…抓获) or when (a date) when it asks that, then the same naming nobody (民警在…将其抓获),
    then any finding about that person's arrest or surrender, then any sentence about it."""
    arrest = _matching(_ARRESTED, cands)
    nameless = ~_matching(ANONYMISED, cands)
    names = anonymised(question)
    about = _about(cands, names)
    # 孙某某得知刘某某被抓获后…投案 names 刘某某 but tells of 孙某某: the first name a
    # sentence gives is whom it is about first.
    leads = np.array([bool(names) and (m := ANONYMISED.search(c.plain)) is not None and
                      m.group() == names[-1] for c in cands], dtype=bool)
    finding = arrest & ~_matching(_NOT_FINDING, cands)
    if names:  # of someone named (郭某某是怎么到案的), not a notice's deadline to surrender
        finding &= ~_matching(_ARREST_WEIGHED, cands)
    tiers = [finding & leads, finding & about, arrest & about]
    said = _ARRESTED_AT if _ASKS_WHERE.search(question) else \
        _DATED if _ASKS_WHEN.search(question) else None
    if said is not None:
        says = finding & _matching(said, cands)
        tiers = [says & leads, says & about, says & nameless, *tiers]
    return next((t for t in tiers if t.any()), arrest)


def of_court(cands: list[Candidate]) -> np.ndarray:
    """Which candidates are sentences of a court's judgment (`court_text`)."""
    court: dict[int, bool] = {}
    for c in cands:
        if id(c.article) not in court:
            court[id(c.article)] = court_text("".join(c.article.units))
    return np.array([court[id(c.article)] for c in cands], dtype=bool)


def _asides(cands: list[Candidate]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which candidates are sentences of a court's judgment, and of those which are the
    evidence it lists and which are a party's argument (not the court's decision on one)."""
    court = of_court(cands)
    argued = _matching(_ARGUMENT, cands) & ~_matching(DECISION, cands)
    return court, _evidence(cands) & court, argued & court


def _behind(question: str, cands: list[Candidate]) -> np.ndarray:
    """How far below the court's own sentences each candidate ranks: _EVIDENCE_BEHIND for the
    evidence a judgment lists, _ARGUMENT_BEHIND for an argument unless the question asks what
    was argued; 0 for the rest and for text that is no court's judgment."""
    _, evidence, argued = _asides(cands)
    behind = _EVIDENCE_BEHIND * evidence
    if not _ASKS_ARGUMENT.search(question):
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
    court, evidence, argued = _asides(cands)
    return _matching(_TOTAL, cands) & court & ~evidence & ~argued


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
            start = next((i for i, u in enumerate(units) if RULING_START.search(u)), len(units))
            end = next((i for i in range(start + 1, len(units)) if RULING_END.search(units[i])),
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


def _argued_for(cands: list[Candidate], own: re.Pattern) -> np.ndarray:
    """Which candidates decide on an argument whose statement holds `own` (a name: 关于被告人刘某某
    的辩护人提出“刘某某…自首”的意见; or what was claimed: 自首), the statement being the candidate
    itself or one of the _REASONS sentences before it: the reasons for another defendant's
    decision may name them too (赵某…作用明显小于刘某某)."""
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


# Where a sentence stands in a judgment and what the question asks of one: the columns the
# court ranker (`AnswerModel.rank_court`) learns from beside FEATURES, so that it learns from
# judgments how far the evidence, an argument or the charge ranks behind the court's findings.
_CHARGE_START = re.compile(r"(?:公诉机关|检察院|起诉书)[^，。]{0,6}指控")
_FINDING_START = re.compile(r"^(?:本院)?经审理(?:查明|，)")
_REASONING_START = re.compile(r"^(?:本院认为|经审理，?本院认为)")
COURT_FEATURES = [
    "court_charge", "court_finding", "court_evidence", "court_reasoning", "court_ruling",
    "court_argument", "court_decision", "court_total", "court_penalty", "court_record",
    "court_arrest", "court_named_first", "asks_decision", "asks_argument", "asks_total",
    "asks_record", "asks_disposal", "asks_arrest", "asks_trace", "asks_court_penalty",
]


def _section_of(units: list[str]) -> list[str]:
    """Each unit's part of a judgment: header, charge (公诉机关指控…), finding (经审理查明…),
    reasoning (本院认为…), ruling (判决如下 to the appeal notice), end."""
    out, part = [], "header"
    for u in units:
        if part in ("header", "charge") and _CHARGE_START.search(u):
            part = "charge"
        if part != "ruling" and _FINDING_START.match(u):
            part = "finding"
        if part in ("header", "charge", "finding") and _REASONING_START.match(u):
            part = "reasoning"
        if part == "ruling" and RULING_END.search(u):
            part = "end"
        out.append(part)
        if part != "end" and RULING_START.search(u):
            part = "ruling"
    return out


def court_rows(x: np.ndarray, question: str, q: Question, cands: list[Candidate]) -> np.ndarray:
    """The rows the court ranker scores: FEATURES `x` (ARCHIVE_ONLY ones read 0) then
    COURT_FEATURES."""
    return np.hstack([as_court_reads(x), court_features(question, q, cands)])


def court_features(question: str, q: Question, cands: list[Candidate]) -> np.ndarray:
    """COURT_FEATURES of each candidate (rows) for `question`."""
    court, evidence, argued = _asides(cands)
    parts: dict[int, list[str]] = {}
    for c in cands:
        if id(c.article) not in parts:
            parts[id(c.article)] = _section_of(c.article.units)
    part = [parts[id(c.article)][c.at] if c.at >= 0 else "" for c in cands]
    names = anonymised(question)
    first = [bool(names) and (m := ANONYMISED.search(c.plain)) is not None and
             m.group() == names[-1] for c in cands]
    asks = [ASKS_DECISION.search(question), _ASKS_ARGUMENT.search(question),
            _ASKS_TOTAL.search(question), _ASKS_RECORD.search(question),
            _asks_disposal(question), _ASKS_ARREST.search(question),
            _ASKS_TRACE.search(question), _asks_penalty(question, q)]
    cols = [np.array([p == s for p in part]) & court
            for s in ("charge", "finding")] + [evidence] + [
        np.array([p == s for p in part]) & court for s in ("reasoning", "ruling")] + [
        argued, _matching(DECISION, cands) & court, _matching(_TOTAL, cands) & court,
        _matching(PENALTY, cands) & court, _matching(_RECORD, cands) & court,
        _matching(_ARREST, cands) & court, np.array(first, dtype=bool) & court]
    x = np.zeros((len(cands), len(COURT_FEATURES)), dtype=np.float32)
    for j, col in enumerate(cols):
        x[:, j] = col
    x[:, len(cols):] = np.array([bool(a) for a in asks], dtype=np.float32)
    return x


def only_holding(holds: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """`scores` with the candidates where `holds` is false ranked below all others, when it is
    true for some (ablation in the README)."""
    return np.where(holds, scores, scores.min() - 1.0) if holds.any() else scores
