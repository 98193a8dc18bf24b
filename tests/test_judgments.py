"""Criminal judgments laid out one per issue (`tests/data/judgments/`, written for training in the
layout courts publish): a judgment's list items stay paragraphs of their own, a question asked
within its issue reads the whole judgment, `rag eval --in-issue` asks that way, and training
asks each judgment question within its own file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rag import Answer, Engine
from rag.answer.extract import NOT_STATED, NOT_STATED_ARTICLE
from rag.answer.judgments import ASKS_DECISION, DECISION
from rag.answer.question import QUESTION_KINDS, analyse_question
from rag.answer.silence import _identity_unknown, not_in_judgment
from rag.answer.train import JUDGMENT, _groups, held_out, split_key
from rag.answer.units import answer_units
from rag.errors import RagError
from rag.evaluate import evaluate
from rag.index.embed import load_embedder
from rag.ingest.parse import parse_file
from rag.search.retrieve import PASSAGES, WHOLE, HybridSearch, allowed_rows, answer_passages

JUDGMENTS = Path(__file__).resolve().parent / "data" / "judgments"
# Four judgments of 10,000+ characters, more chunks than an open search reads; never trained on.
LONG = JUDGMENTS.parent / "long_judgments"
# Two judgments `rag train` holds out: the shipped models never learnt from them.
FILES = [p for p in sorted(JUDGMENTS.glob("issue_*.txt"))
         if held_out({"id": JUDGMENT, "source": p.name})][:2]


def _questions(files: list[Path]) -> list[dict]:
    names = {p.name for p in files}
    lines = (JUDGMENTS / "questions.jsonl").read_text("utf-8").splitlines()
    return [q for q in map(json.loads, lines) if q["source"] in names]


@pytest.fixture(scope="module")
def two_judgments(sample_subset, settings) -> Engine:
    return Engine.load(sample_subset("judgments", FILES), settings)


def test_the_verdict_after_a_colon_is_a_paragraph_of_its_own():
    """"…之规定，判决如下：" ends a paragraph; "（一、）被告人…犯…罪，判处…" is the next one, not
    its tail (a paragraph that does not end a sentence is otherwise a page break and joined)."""
    for path in FILES:
        article = parse_file(path).articles[0]
        colon = [i for i, p in enumerate(article.paragraphs) if p.endswith("判决如下：")]
        assert colon, path.name
        verdict = article.paragraphs[colon[0] + 1]
        assert verdict.startswith(("一、被告人", "被告人")) and "判处" in verdict


def test_a_question_within_one_judgment_reads_all_of_it(two_judgments):
    data = two_judgments.data
    issue = data.chunks[0].issue
    rows = allowed_rows(data, issue=issue)
    assert 8 < int(rows.sum()) <= WHOLE  # more chunks than an open search reads
    assert answer_passages(data, rows) == int(rows.sum())
    assert answer_passages(data, None) == PASSAGES  # two judgments: searched like the archive


def test_a_judgment_of_more_chunks_than_a_search_offers_is_read_to_its_last_chunk(fresh):
    """Each side of the hybrid search offers its best `candidates` chunks (50 by default); a
    judgment read whole may have more, and all are read (a header, with the defendant's past
    record, was once among neither side's best)."""
    data = fresh.data
    search = HybridSearch(data, fresh._encode, candidates=10)
    for issue in sorted({c.issue for c in data.chunks}):
        rows = allowed_rows(data, issue=issue)
        assert 10 < int(rows.sum()) <= WHOLE
        got = search.passages("之前有没有案底", answer_passages(data, rows), rows)
        assert len(got) == int(rows.sum())


def test_eval_in_issue_asks_each_question_within_its_file(two_judgments):
    questions = _questions(FILES)
    report = evaluate(two_judgments, questions, in_issue=True)
    for q, row in zip(questions, report["rows"]):
        assert all(c.startswith(q["source"]) for c in row["citations"]), row
    # Held-out judgments: 0.65 over all eight (README), 0.70 over these two with all 22 indexed.
    assert report["fact_in_answer"] >= 0.6
    with pytest.raises(RagError, match="--in-issue"):
        evaluate(two_judgments, [{"question": "判了几年？", "source": "nowhere.txt",
                                  "answers": ["一年"]}], in_issue=True)


def test_training_asks_judgment_questions_within_their_file(two_judgments, settings):
    questions = [{**q, "id": JUDGMENT + q["id"]} for q in _questions(FILES)]
    groups = _groups(two_judgments.data, load_embedder(settings), questions, True, False,
                     within=True)
    assert {split_key(g[0]) for g in groups} == {JUDGMENT + p.name for p in FILES}
    for q, _x, y, cands, _info in groups:
        assert cands and all(c.passage.source == q["source"] for c in cands)
        if not q.get("unanswerable"):
            assert y.any(), q["question"]  # the answer is among the best eight passages
    # No "masked" negatives: masking the judgment leaves nothing to ask within.
    assert not any(g[0].get("masked") for g in groups)


# A verdict item: "二、被告人吴某犯寻衅滋事罪，判处有期徒刑一年二个月…"
_VERDICT = r"^[一二三四五六七八九]、被告人(\S{1,4}?)犯\S+?罪，判处([^，。（]+)"


def test_each_defendant_gets_their_own_verdict(sample_subset, settings):
    """In a judgment of several defendants every verdict item names 被告人 and says 判处, so
    `X判了多久` must be told by the name: never another defendant's verdict item (the
    role-only rewrite once gave every 被告人 sentence the asked name)."""
    files = [p for p in sorted(JUDGMENTS.glob("issue_*.txt"))
             if held_out({"id": JUDGMENT, "source": p.name})
             and len(re.findall(_VERDICT, p.read_text("utf-8"), re.M)) >= 2]
    assert len(files) >= 3
    engine = Engine.load(sample_subset("defendants", files), settings)
    right = asked = 0
    for path in files:
        issue = parse_file(path).number
        items = re.findall(_VERDICT, path.read_text("utf-8"), re.M)
        for name, penalty in items:
            answer = engine.ask(f"{name}判了多久？", issue=issue).text
            asked += 1
            right += f"被告人{name}犯" in answer and penalty in answer
            others = [n for n, _ in items if n != name and name not in n]
            assert not any(f"被告人{n}犯" in answer and f"被告人{name}犯" not in answer
                           for n in others), (name, answer)
    assert right >= 0.9 * asked, (right, asked)  # 10 of 10 when written


def test_a_long_judgment_is_read_whole_and_its_penalties_come_from_the_ruling(sample_subset,
                                                                             settings):
    """The penalty a question asks for is the ruling's (after 判决如下), not the prosecutor's
    proposal (建议判处…) or a past conviction earlier in the judgment, and it is the item that
    names the defendant asked about. These judgments run to 40–45 chunks: the ruling is near
    the end, outside the best eight passages."""
    engine = Engine.load(sample_subset("long", sorted(LONG.glob("issue_*.txt"))), settings)
    data = engine.data
    for issue in {c.issue for c in data.chunks}:
        rows = allowed_rows(data, issue=issue)
        assert PASSAGES < int(rows.sum()) <= WHOLE
        assert answer_passages(data, rows) == int(rows.sum())
    questions = [json.loads(line) for line in
                 (LONG / "questions.jsonl").read_text("utf-8").splitlines()]
    report = evaluate(engine, questions, in_issue=True)
    penalty = re.compile(QUESTION_KINDS["penalty"])
    asked = [(q, row) for q, row in zip(questions, report["rows"])
             if penalty.search(q["question"]) and not q.get("unanswerable")]
    assert len(asked) >= 8
    for q, row in asked:
        assert any(a in row["answer"] for a in q["answers"]), (q["question"], row["answer"])
    # Asked whether the court accepted an argument: the answer gives its decision, not the
    # argument restated (the sentence that restates it shares more of the question's words),
    # and the decision on that argument, not on another (故该辩解…本院不予采纳 after 辩称…).
    decided = [(q, row) for q, row in zip(questions, report["rows"])
               if ASKS_DECISION.search(q["question"])]
    assert len(decided) >= 4
    for q, row in decided:
        assert DECISION.search(row["answer"]), (q["question"], row["answer"])
        assert any(a in row["answer"] for a in q["answers"]), (q["question"], row["answer"])
    # Asked how much money: the answer states an amount, not the evidence item that shares
    # the most words (`给彭某某开的支票是多少钱？` got 何某's statement on the cheque).
    money = [(q, row) for q, row in zip(questions, report["rows"])
             if re.search("多少钱", q["question"]) and not q.get("unanswerable")]
    assert len(money) >= 5
    for q, row in money:
        assert re.search(r"\d+(?:\.\d+)?万?[余多]?元", row["answer"]), (q["question"], row["answer"])
    # 0.31 when the best eight passages were read and the proposal stood for the penalty
    assert report["fact_in_answer"] >= 0.6


def test_a_penalty_asked_without_a_name_comes_from_the_ruling(two_judgments):
    """`判了多长时间？` shares 判 and 长 with the signature (审 判 长) and every word with the
    prosecutor's proposal; the answer is an item of the ruling all the same."""
    for path in FILES:
        text = path.read_text("utf-8")
        ruling = text[text.index("判决如下"):text.index("如不服")]
        answer = two_judgments.ask("判了多长时间？", issue=parse_file(path).number)
        first = re.sub(r"\[\d+\]", "", answer.text).split("。")[0]
        assert "判处" in first and first in ruling, (path.name, answer.text)


def test_a_fine_asked_without_the_word_penalty_comes_from_the_ruling(two_judgments):
    """`罚了多少钱？` does not say 罚金 or 判; the fine is the ruling's all the same, not the
    amount a relative repaid (退赔…10万元) that a defence argument mentions."""
    asked = 0
    for path in FILES:
        text = path.read_text("utf-8")
        ruling = text[text.index("判决如下"):text.index("如不服")]
        if "罚金" not in ruling:
            continue
        asked += 1
        answer = two_judgments.ask("罚了多少钱？", issue=parse_file(path).number)
        first = re.sub(r"\[\d+\]", "", answer.text).split("。")[0]
        assert "罚金" in first and first in ruling, (path.name, answer.text)
    assert asked


def test_what_a_first_instance_judgment_does_not_say_is_refused(two_judgments):
    """Whether the defendant appealed, and how the second instance ruled, happen after the
    judgment, and it names no police officer: the answer is a refusal, not its appeal notice
    (如不服本判决…提出上诉) or the arrest, which share the question's words. What the notice
    says and who sat on the bench are still answered."""
    for path in FILES:
        issue = parse_file(path).number
        text = path.read_text("utf-8")
        assert "上诉人" not in text and not re.search(r"民警[\u4e00-\u9fff]{1,2}某", text)
        for question in ("被告人判完以后上诉了没有？", "这个案子二审是怎么判的？",
                         "被告人后来有没有提出上诉？", "宣判后被告人是否提起了上诉？",
                         "抓被告人的民警叫什么名字？"):
            answer = two_judgments.ask(question, issue=issue)
            # the judgment was found: the refusal says it does not state this, and cites it
            assert answer.abstained and answer.text == NOT_STATED, (path.name, question)
            assert [c.issue for c in answer.suggestions] == [issue], answer.suggestions
        answer = two_judgments.ask("不服判决可以向哪个法院上诉？", issue=issue)
        assert not answer.abstained and "中级人民法院" in answer.text, (path.name, answer.text)
        judge = re.search(r"审\s*判\s*长\s*(\S+)", text).group(1)
        answer = two_judgments.ask("这个案子的审判长是谁？", issue=issue)
        assert not answer.abstained and judge in answer.text.replace(" ", ""), (
            path.name, answer.text)


def test_a_news_report_that_quotes_a_ruling_keeps_its_named_officers(sample_subset, settings,
                                                                     tmp_path):
    """Only a court's own judgment (本院 … 判决如下) is taken not to name officers: a report in
    the paper quotes the ruling and names the officer in full, and is answered."""
    report = tmp_path / "issue_8901.txt"
    report.write_text(
        "公安周刊\n\n2024年5月14日 星期二\n\n第8901期 本刊今日4版\n\n"
        "## 民警张卫国蹲守三天抓获盗窃电缆嫌疑人\n\n本报记者 李明\n\n"
        "今年1月，工地连续发生电缆被盗案件。城关派出所民警张卫国在工地蹲守三天，"
        "于1月18日凌晨将盗窃嫌疑人王某抓获，当场起获被盗电缆两捆。\n\n"
        "日前，县人民法院对此案作出判决，判决如下：被告人王某犯盗窃罪，判处有期徒刑一年，"
        "并处罚金人民币五千元。\n\n"
        "张卫国说，电缆盗窃多发生在夜间，工地要安排专人值守。\n", "utf-8")
    engine = Engine.load(sample_subset("report", [report]), settings)
    answer = engine.ask("抓王某的民警叫什么名字？", issue=8901)
    assert not answer.abstained and "张卫国" in answer.text, answer.text
    # read whole, it states no plate: the refusal says the article does not
    answer = engine.ask("王某作案时开的车车牌号是多少？", issue=8901)
    assert answer.abstained and answer.text == NOT_STATED_ARTICLE, answer.text


@pytest.fixture(scope="module")
def masked_judgments(sample_subset, settings) -> Engine:
    """A gambling judgment with a co-defendant tried separately (李某（另案处理）) and an
    illegal-deposits judgment that masks the place rented (清苑区某养老院)."""
    return Engine.load(sample_subset("masked", [JUDGMENTS / "issue_8301.txt",
                                                JUDGMENTS / "issue_8402.txt",
                                                JUDGMENTS / "issue_8303.txt"]), settings)


def test_what_a_judgment_leaves_to_others_or_unnamed_is_refused(masked_judgments):
    """A judgment does not sentence someone tried separately, does not know whether a fine was
    later paid, and masks or leaves unnamed places that do not matter to the case: each is
    refused as not stated, while the defendant's penalty and a named jail are answered."""
    issue = {i.source: i.number for i in masked_judgments.issues()}
    text = (JUDGMENTS / "issue_8301.txt").read_text("utf-8")
    assert "李某（另案处理）" in text and "预缴" not in text
    for question in ("群管理员李某后来判了多久？", "孙某的罚金后来交了没有？"):
        answer = masked_judgments.ask(question, issue=issue["issue_8301.txt"])
        assert answer.abstained and answer.text == NOT_STATED, (question, answer.text)
    answer = masked_judgments.ask("孙某判了多久？", issue=issue["issue_8301.txt"])
    assert not answer.abstained and "有期徒刑" in answer.text and "孙某" in answer.text

    assert "某养老院" in (JUDGMENTS / "issue_8402.txt").read_text("utf-8")
    for question in ("那家养老院叫什么名字？", "陈某租的是哪家养老院的场地？"):
        answer = masked_judgments.ask(question, issue=issue["issue_8402.txt"])
        assert answer.abstained and answer.text == NOT_STATED, (question, answer.text)
    # a name with an ordinal or a place before the kind of thing is a name (石家庄市第一看守所)
    jail = re.search(r"羁押于([^。，]*看守所)", (JUDGMENTS / "issue_8303.txt").read_text(
        "utf-8")).group(1)
    answer = masked_judgments.ask("他现在关在哪个看守所？", issue=issue["issue_8303.txt"])
    assert not answer.abstained and jail in answer.text, (jail, answer.text)


@pytest.mark.xfail(strict=True, reason="the silence model retrained in the twenty-second round "
                   "refuses it, as those of the fourteenth to nineteenth did (README, "
                   "'Twenty-second round'); strict, so a model that answers it again shows here")
def test_a_police_station_a_judgment_names_is_answered(masked_judgments):
    """`那个派出所叫什么名字？` of a judgment that names 育才街派出所. A rule letting the
    silence model pass whenever the judgment names the kind of thing asked was measured: it
    answered 6 more silent questions on the blind judgment sets and no more right ones. The
    silence model of the fourteenth to nineteenth rounds refused it (an expected failure
    then); the one retrained in the twentieth round answered it; the twenty-second round's
    refuses it again."""
    issue = {i.source: i.number for i in masked_judgments.issues()}
    station = re.search(r"[\u4e00-\u9fff]{2,3}派出所", (JUDGMENTS / "issue_8303.txt").read_text(
        "utf-8")).group()
    answer = masked_judgments.ask("那个派出所叫什么名字？", issue=issue["issue_8303.txt"])
    assert not answer.abstained and station in answer.text, (station, answer.text)


def test_a_past_record_is_the_one_of_the_defendant_asked_about(two_judgments):
    """`以前犯过什么事？` shares 以前 and 判 with the ruling's `判决执行以前先行羁押的…`; the answer
    is the record the defendant's header states: the crime of …因犯…罪, or 无（违法犯罪）前科, which
    follows each defendant's header in the same words and names nobody."""
    asked = 0
    for path in FILES:
        sentences = [u for a in parse_file(path).articles for u in answer_units(a.text)]
        for i, s in enumerate(sentences):
            if not (m := re.match(r"被告人([\u4e00-\u9fff]某某?)，(?:男|女)", s)):
                continue
            stated = re.search(r"因犯([\u4e00-\u9fff]{2,8}?罪)|(?:无|没有)[\u4e00-\u9fff]{0,6}前科",
                               " ".join(sentences[i:i + 3]))
            if stated is None:
                continue
            record = stated.group(1) or stated.group()
            for question in (f"{m.group(1)}以前犯过什么事？", f"{m.group(1)}有没有前科？"):
                answer = two_judgments.ask(question, issue=parse_file(path).number)
                assert record in answer.text, (path.name, question, record, answer.text)
                asked += 1
    assert asked >= 4


def test_how_and_where_a_defendant_was_caught_is_about_that_defendant(two_judgments):
    """`赵某是怎么到案的？` shares 到案 with a sentence about 张某某 (`其到案后虽如实供述…`); the
    answer is a finding about the defendant asked about: one that names them, or names nobody
    (民警在…将其抓获), and says how (抓获, 投案) and, asked where, 在 where."""
    asked = 0
    for path in FILES:
        text = path.read_text("utf-8")
        for name in dict.fromkeys(re.findall(r"被告人([\u4e00-\u9fff]某某?)，(?:男|女)", text)):
            for question in (f"{name}是怎么到案的？", f"{name}是在哪儿被抓的？"):
                answer = two_judgments.ask(question, issue=parse_file(path).number)
                first = re.sub(r"\[\d+\]", "", answer.text).split("。")[0]
                names = re.findall(r"[\u4e00-\u9fff]某某?", first)
                assert not names or re.search(rf"{name}(?!某)", first), (question, first)
                assert re.search("抓获|投案|到案", first), (question, first)
                if "哪儿" in question:
                    assert re.search(r"在[^，。；]{2,30}(?:抓获|投案)", first), (question, first)
                asked += 1
    assert asked >= 6


# Six judgments written after this code's rules, by sessions that saw neither the code nor
# the other questions (README, "Judgments asked within their issue"); nothing is trained on them.
FRESH = JUDGMENTS.parent / "fresh_judgments"


def test_each_defendants_penalty_and_how_a_case_was_found_out(sample_subset, settings):
    """The fresh judgments' penalty questions are answered with the ruling's item that sentences
    the defendant (判处…), not the ban that follows it (`…周某某最后判了多久？` got 禁止被告人周某某
    在缓刑考验期限内…, which names him and says 缓刑 too); and `是怎么查出来的` asks how a case
    came to light, not a procedure (怎么查 a fine) to be refused."""
    engine = Engine.load(sample_subset("fresh", sorted(FRESH.glob("issue_*.txt"))), settings)
    questions = [json.loads(line) for line in
                 (FRESH / "questions.jsonl").read_text("utf-8").splitlines()]
    penalty = re.compile(QUESTION_KINDS["penalty"])
    asked = [q for q in questions if penalty.search(q["question"]) and q["answers"]]
    assert len(asked) >= 5
    report = evaluate(engine, asked, in_issue=True)
    for q, row in zip(asked, report["rows"]):
        assert row["fact_in_answer"], (q["question"], row["answer"])
    for path in sorted(FRESH.glob("issue_*.txt")):
        answer = engine.ask("这个案子最开始是怎么查出来的？", issue=parse_file(path).number)
        assert not answer.abstained, (path.name, answer.text)


@pytest.fixture(scope="module")
def fresh(sample_subset, settings) -> Engine:
    return Engine.load(sample_subset("fresh_all", sorted(FRESH.glob("issue_*.txt"))), settings)


def _paragraphs(path: Path) -> list[str]:
    return [p.strip() for p in path.read_text("utf-8").split("\n\n") if p.strip()]


def test_the_courts_decision_on_an_argument_comes_with_its_reasons(fresh):
    """Each argument the court answers in a paragraph of its own (`关于…的意见。经查，…。该辩护
    意见本院不予采纳。`), asked as `…，法院认了吗？`, gets that paragraph's decision, and the
    reasons before it when the decision only refers back (该辩护意见…): a long judgment's
    shortlist keeps the decisions, and no detail form the argument names (喜烟) overrides them."""
    opening = re.compile(r"^(?:\d+[.、．])?关于(.{6,60}?)的(?:辩解、|辩解及)?(?:辩护)?意见。")
    asked = 0
    for path in sorted(FRESH.glob("issue_*.txt")):
        number = parse_file(path).number
        for paragraph in _paragraphs(path):
            m = opening.match(paragraph)
            decisions = [s for s in answer_units(paragraph) if DECISION.search(s)]
            if not m or len(decisions) != 1 or m.group(1).endswith(("提出", "所提")):
                continue  # 关于被告人刘某的辩护人提出的辩护意见 does not say which
            answer = fresh.ask(f"{m.group(1)}，法院认了吗？", issue=number)
            text = re.sub(r"\[\d+\]", "", answer.text)
            assert DECISION.findall(decisions[0])[0] in text, (m.group(1), text)
            assert all(s in paragraph for s in answer_units(text)), (m.group(1), text)
            if decisions[0].startswith(("该", "故该", "对该", "上述")):
                assert "经查" in text, (m.group(1), text)
            asked += 1
    assert asked >= 6


def test_what_became_of_a_seized_thing_is_the_rulings_item(fresh):
    """`扣押的…最后怎么处理了？` is answered with the ruling's item that disposes of it (予以没收,
    发还…), not the finding that it was seized or a witness's word on it."""
    item = re.compile(r"^[一二三四五六七八九十]+、扣押在案的([^，。、]{2,20}?)(?:一|两|二|\d)")
    asked = 0
    for path in sorted(FRESH.glob("issue_*.txt")):
        number = parse_file(path).number
        for paragraph in _paragraphs(path):
            if not (m := item.match(paragraph)):
                continue
            answer = fresh.ask(f"扣押的{m.group(1)}最后怎么处理了？", issue=number)
            units = answer_units(re.sub(r"\[\d+\]", "", answer.text))
            assert paragraph in units and len(units) <= 2, (m.group(1), answer.text)
            asked += 1
    assert asked >= 3


def test_how_a_case_came_to_light_is_the_courts_finding(fresh):
    """`这个案子最开始是怎么发现的？` gets the court's finding of a report, a clue or an inquiry,
    not the evidence list's summary of one (受案登记表…，证实…报案的经过) nor the ruling."""
    for path in sorted(FRESH.glob("issue_*.txt")):
        text = path.read_text("utf-8")
        evidence = text.index("证据予以证实") if "证据予以证实" in text else len(text)
        answer = fresh.ask("这个案子最开始是怎么发现的？", issue=parse_file(path).number)
        units = answer_units(re.sub(r"\[\d+\]", "", answer.text))
        assert any(re.search("举报|报案|报警|线索|发现|核查|调查|查明", u) for u in units), \
            (path.name, units)
        for unit in units:
            assert not re.match(r"\d+[.、．]", unit) and "证实" not in unit, (path.name, unit)
            assert text.find(unit.lstrip("…")[:20]) < evidence, (path.name, unit)


def test_who_reported_is_refused_only_when_the_public_did(fresh, sample_subset, settings):
    """`是谁举报的？` cannot be answered from a judgment whose every report is by someone unnamed
    (接群众举报, 证实本案系群众举报); `是谁报的警？` is answered where a person reported
    (被害人郑某发现财物被盗后报警, 李某某主动拨打110报警)."""
    public = [p for p in sorted(FRESH.glob("issue_*.txt"))
              if "群众举报" in p.read_text("utf-8")]
    assert len(public) >= 2
    for path in public:
        answer = fresh.ask("是谁举报的？", issue=parse_file(path).number)
        assert answer.abstained and answer.text == NOT_STATED, (path.name, answer.text)
    named = [JUDGMENTS / "issue_8101.txt", JUDGMENTS / "issue_8103.txt"]
    engine = Engine.load(sample_subset("reported", named), settings)
    for path in named:
        answer = engine.ask("是谁报的警？", issue=parse_file(path).number)
        assert not answer.abstained and "报警" in answer.text, (path.name, answer.text)


def test_a_nicknames_real_name_is_refused_when_the_judgment_says_it_is_unknown(sample_subset,
                                                                                 settings):
    """`老K真名叫什么？` of `网名为“老K”的人员（身份不明）`, `阿杰的真实身份是谁？` of `“阿杰”的真实身份
    仍在进一步侦查中`: the judgment says it does not know. A nickname it ties to a defendant
    (`群主“乐乐”系刘某某`) keeps the question answered."""
    files = [LONG / "issue_8501.txt", LONG / "issue_8502.txt"]
    engine = Engine.load(sample_subset("nicknames", files), settings)
    for path, question in zip(files, ("老K真名叫什么？", "阿杰的真实身份是谁？")):
        answer = engine.ask(question, issue=parse_file(path).number)
        assert answer.abstained and answer.text == NOT_STATED, (question, answer.text)
    text = LONG.joinpath("issue_8501.txt").read_text("utf-8")
    assert _identity_unknown("老K真名叫什么？", text)
    tied = text.replace("“老K”的人员（身份不明）", "“老K”的人员（即被告人王某某）")
    assert tied != text and not _identity_unknown("老K真名叫什么？", tied)


def test_a_nickname_with_a_label_before_it_is_the_nickname_asked():
    """`阿杰真名叫什么` of `昵称为“烟草批发-阿杰”的男子（身份不明，另案处理）` (blind_judgments_6):
    the label (烟草批发-) is not part of the name asked, and the judgment does not know it."""
    text = (JUDGMENTS.parent / "blind_judgments_6" / "issue_9707.txt").read_text("utf-8")
    assert _identity_unknown("那个卖烟给他们的阿杰真名叫什么？", text)
    assert not _identity_unknown("那个卖烟给他们的阿杰真名叫什么？",
                                 text.replace("（身份不明，另案处理）", "（即被告人王某某）"))


def test_a_day_a_judgment_read_whole_never_gives_is_refused(two_judgments):
    """Asked on what day the defendant's family repaid (it says 2022年12月, no day): refused
    with the judgment's own refusal, while the day the victim reported, which it gives, is
    answered (the first was answered with the nearest sentence until the twelfth round)."""
    issue = parse_file(JUDGMENTS / "issue_8102.txt").number
    answer = two_judgments.ask("被告人在哪一天退赔的？", issue=issue)
    assert answer.abstained and answer.text == NOT_STATED, answer.text
    answer = two_judgments.ask("被害人是哪天到派出所报案的？", issue=issue)
    assert not answer.abstained and "2021年11月21日" in answer.text, answer.text


def test_an_administrative_record_is_the_answer_to_a_record_asked_in_spoken_words(sample_subset,
                                                                                  settings):
    """`以前有过违法记录没`, `以前因为赌博被处理过吗`: a past administrative penalty stated in the
    defendant's header (`2019年4月因赌博被…行政拘留五日。`) shares few words with such a question,
    so the silence model, reading the court ranker's scores, took the judgment for silent on it.
    Judgments written after this rule (`blind_judgments_5`), never trained on."""
    folder = JUDGMENTS.parent / "blind_judgments_5"
    header = re.compile(r"被告人([\u4e00-\u9fff]某某?)，(?:男|女)")
    record = re.compile(r"因(?!涉嫌)([\u4e00-\u9fff]{2,12})被[^，。；]{0,30}?((?:行政拘留|罚款)[^，。；]{0,12})")
    cases = []
    for path in sorted(folder.glob("issue_*.txt")):
        issue = parse_file(path)
        sentences = [u for a in issue.articles for u in answer_units(a.text)]
        for i, s in enumerate(sentences[:-1]):
            if (m := header.match(s)) and (r := record.search(sentences[i + 1])):
                cases.append((path, issue.number, m.group(1), r.group(1), r.group(2)))
    assert len(cases) >= 2
    engine = Engine.load(sample_subset("records", [p for p, *_ in cases]), settings)
    for path, number, name, cause, penalty in cases:
        for question in (f"{name}以前有过违法记录没", f"{name}以前因为{cause[:2]}被处理过吗"):
            answer = engine.ask(question, issue=number)
            assert penalty in answer.text, (path.name, question, penalty, answer.text)


@pytest.mark.parametrize("firm, silent", [("河北某某律师事务所", True), ("河北燕山律师事务所", False)])
def test_a_law_firm_asked_by_its_short_name_is_looked_for_by_its_full_one(firm, silent):
    """`哪个律所` asks what the judgment writes as 律师事务所: a masked one (河北某某律师事务所)
    does not name it, a named one does. Before, 律所 was looked for as written, found nowhere,
    and the question was left to the silence model."""
    text = (f"辩护人高某某，{firm}律师。本院认为，被告人刘某某构成盗窃罪。判决如下：被告人刘某某"
            "犯盗窃罪，判处有期徒刑一年。")
    question = "刘某某的辩护律师高某某是哪个律所的？"
    assert not_in_judgment(question, analyse_question(question, lambda t: 1.0), text) is silent


@pytest.mark.parametrize("question, stated", [
    ("判完以后检察院抗诉了吗", "抗诉机关河北省保定市人民检察院。"),
    ("刘某某缓刑期间在哪个司法所报到？", "由保定市竞秀区韩村司法所负责社区矫正。"),
])
def test_a_protest_or_a_probation_office_a_first_instance_judgment_never_gives_is_refused(
        question, stated):
    """Whether the prosecutor protested (抗诉) comes after a first-instance judgment, as an
    appeal does, and where probation is served it leaves to community corrections unless it
    names the office: asked of one that says neither, the answer is that it does not say."""
    text = ("本院认为，被告人刘某某构成盗窃罪。判决如下：被告人刘某某犯盗窃罪，判处有期徒刑一年，"
            "缓刑一年六个月。")
    q = analyse_question(question, lambda t: 1.0)
    assert not_in_judgment(question, q, text)
    assert not not_in_judgment(question, q, text + stated)


def _asked_alone(folder: str, source: str, question: str, sample_subset, settings) -> Answer:
    """`question` asked within the issue of the judgment `folder/source`, in an index of it
    alone."""
    path = JUDGMENTS.parent / folder / source
    engine = Engine.load(sample_subset(f"{folder}_{path.stem}", [path]), settings)
    return engine.ask(question, issue=parse_file(path).number)


def test_an_interest_rate_is_the_courts_finding(sample_subset, settings):
    """`那个合作社跟村民许的利息是多少`: the court's finding of the rate promised (`…载明存入金额、
    存期和月息1.5%`), not the evidence list that mentions it among other papers (`…证实交款人姓名、
    金额、存期及约定月息1.5%等情况`) nor a sum of interest paid (`支付利息421.7万元`)."""
    text = _asked_alone("blind_judgments_5", "issue_9701.txt", "那个合作社跟村民许的利息是多少",
                        sample_subset, settings).text
    assert "月息" in text and "证实" not in text, text


def test_where_someone_was_caught_may_be_said_across_a_clause():
    """`在廊坊市永清县一处建筑工地，将…韩某某抓获`: where, then a comma, then the arrest; a news
    question of a set never trained on (`training_news_3`) got the arrest's next sentence, which
    says where he stood in the canteen, until the twenty-eighth round."""
    from rag.answer.judgments import _ARRESTED_AT

    assert _ARRESTED_AT.search("8月14日上午10时许，邢台市公安局信都区分局刑警大队民警在廊坊市永清县一处"
                               "建筑工地，将22年前杀害一名小卖部店主的犯罪嫌疑人韩某某抓获。")
    assert not _ARRESTED_AT.search("在该县居住多年。后被抓获。")


def _read_whole_says_nothing(folder: str, source: str, question: str) -> bool:
    """`not_in_judgment` of `question` on the judgment `folder/source`, read whole."""
    path = JUDGMENTS.parent / folder / source
    text = "\n".join(a.text for a in parse_file(path).articles)
    return not_in_judgment(question, analyse_question(question, lambda t: 1.0), text)


@pytest.mark.parametrize("folder, source, question, silent", [
    ("blind_judgments_5", "issue_9710.txt", "抓刘某某的时候他反抗了吗", True),
    ("blind_judgments_5", "issue_9710.txt", "吴某某的华为手机追回来没有", False),
    ("blind_judgments_4", "issue_9606.txt", "超市后来把王某某开除了没有", True),
    ("blind_judgments_4", "issue_9606.txt", "收银员陈某是自己去投案的吗", False),
    ("blind_judgments_4", "issue_9609.txt", "刘某某的驾驶证这次被吊销了没有", True),
    ("blind_judgments_4", "issue_9609.txt", "刘某某以前有没有酒驾被处理过", False),
])
def test_whether_something_was_done_that_a_judgment_never_mentions_is_refused(
        folder, source, question, silent):
    """Asked yes-or-no whether something was done (开除了没有, 他反抗了吗, 吊销了没有) that the
    judgment, read whole, never writes the verb of: it does not say. Asked of what it does write
    (追回, 投案, a record read by its own rule), it is not refused here. Judgments of the blind
    sets, never trained on; the rule was written on the training sets' judgments."""
    assert _read_whole_says_nothing(folder, source, question) is silent


@pytest.mark.parametrize("folder, source, question, silent", [
    ("blind_judgments_6", "issue_9711.txt", "孙某某打麻将一共输了多少钱", True),
    ("blind_judgments_5", "issue_9705.txt", "张某某一共欠了多少网贷", True),
    ("blind_judgments_4", "issue_9603.txt", "司机陈某拉一趟货运费多少钱", True),
    ("blind_judgments_7", "issue_9701.txt", "他俩前后一共偷了多少钱的东西？", False),  # 盗窃
    ("blind_judgments_7", "issue_9706.txt", "那房子一个月租金多少？", False),  # 每月…1500元的租金
    # a platform it names only as 网络购物平台, 多个网络借贷平台; or in quotes ("聚融贷"平台)
    ("blind_judgments_4", "issue_9602.txt", "粘网是在哪个网购平台买的，淘宝还是拼多多", True),
    ("blind_judgments_4", "issue_9606.txt", "王某某在哪几个网贷平台借的钱", True),
    ("blind_judgments_5", "issue_9716.txt", "她把钱投到哪个网贷平台了", False),
    # a speed, a length; an illness it names (阿尔茨海默病) or only says someone has (患病的老母亲)
    ("blind_judgments_5", "issue_9702.txt", "撞人的时候货车车速多少", True),
    ("blind_judgments_7", "issue_9707.txt", "田某某那条小木船有多长", True),
    ("blind_judgments_8", "issue_9808.txt", "他当时车开多快", False),
    ("blind_judgments_4", "issue_9611.txt", "郝某某老母亲得的什么病", True),
    ("blind_judgments_6", "issue_9711.txt", "他妈得的什么病", False),
    # an introducer it names only as 人, 同村村民
    ("blind_judgments_5", "issue_9701.txt", "田某当初是谁介绍去合作社当会计的？", True),
    # a creditor it names not (偿还个人借款)
    ("blind_judgments_8", "issue_9807.txt", "晏某某欠的个人借款是借的谁的钱", True),
])
def test_an_amount_platform_or_illness_a_judgment_never_gives_is_refused(
        folder, source, question, silent):
    """A sum asked by what was done with it (输了多少钱, 欠了多少网贷) or by its name (运费多少)
    of a judgment, read whole, that states no amount near that act or thing: it does not say,
    whatever other sums it gives. A chat verb is read as the judgment writes it (偷: 盗窃). A
    speed, a weight or a length likewise. Nor does one that names no platform say which
    platform, nor one that names no illness what illness, nor one that says 经人介绍 who
    introduced someone, nor one that says 偿还个人借款 whom a debt was owed.
    Judgments of the blind sets, never trained on; the rule was written on the training sets'."""
    assert _read_whole_says_nothing(folder, source, question) is silent


@pytest.mark.parametrize("folder", ["blind_judgments_4", "blind_judgments_5"])
def test_whether_someone_counts_as_having_surrendered_is_the_courts_determination(
        folder, sample_subset, settings):
    """`王某某算不算自首`: the answer is the court's sentence that determines it for that
    defendant (`…系自首`, `…不能认定为自首`), not a mitigation that mentions it (`鉴于刘某某有自首
    情节…`), the statute (`…的，是自首`) nor a lawyer's claim. Cases are read off judgments of
    sets never trained on: a sentence of the court's that names one defendant and determines
    whether they surrendered."""
    determined = re.compile(r"(?<!是否)(?<!应)(?<!应当)(系自首|不构成自首|不能认定为自首)")
    named = re.compile(r"[\u4e00-\u9fff]某某?(?!某)")
    argued = re.compile(r"辩护|辩称|辩解|提出|意见")
    negative = re.compile(r"(?:不构成|不能认定为|不符合|不属于?|不应认定为)自首")
    positive = re.compile(r"(?<!不)(?<!不能)(?<!不应)(?:系|构成|认定为|符合)自首")
    cases = []
    for path in sorted((JUDGMENTS.parent / folder).glob("issue_*.txt")):
        issue, said = parse_file(path), {}
        for sentence in (u for a in issue.articles for u in answer_units(a.text)):
            names = set(named.findall(sentence)) - {"某某"}
            if not argued.search(sentence) and len(names) == 1 and \
                    len(found := set(determined.findall(sentence))) == 1:
                said.setdefault(names.pop(), set()).update(found)
        cases += [(path, issue.number, name, found.pop() == "系自首")
                  for name, found in said.items() if len(found) == 1]
    assert len(cases) >= 4
    engine = Engine.load(sample_subset(folder, [p for p, *_ in cases]), settings)
    for path, number, name, surrendered in cases:
        for question in (f"{name}算不算自首", f"{name}这算自首吗？"):
            text = engine.ask(question, issue=number).text
            assert (positive if surrendered else negative).search(text), (path.name, question, text)


@pytest.mark.parametrize("folder, source, question, grade", [
    ("blind_judgments_4", "issue_9608.txt", "卖臭豆腐的老板伤得多重", "轻伤二级"),
    ("blind_judgments_5", "issue_9710.txt", "摔倒的那个老太太伤得重不重", "轻微伤"),
])
def test_how_badly_someone_was_hurt_is_the_graded_injury(
        folder, source, question, grade, sample_subset, settings):
    """A judgment that grades an injury (损伤程度为轻微伤) says how badly someone was hurt: the
    silence model, which learnt on other details, refused these questions of blind sets until
    the twenty-eighth round."""
    answer = _asked_alone(folder, source, question, sample_subset, settings)
    assert not answer.abstained and grade in answer.text, answer.text


@pytest.mark.parametrize("folder, source, question, act", [
    ("blind_judgments_5", "issue_9701.txt", "郭某某是怎么到案的", "将其抓获"),
    ("blind_judgments_8", "issue_9805.txt", "邓某某是咋到案的", "派出所投案"),
    ("blind_judgments_8", "issue_9802.txt", "骗来的钱都花哪去了", "用于网络游戏充值"),
    # how someone died, what a doctor found; the first refused by the silence model before
    ("blind_judgments_8", "issue_9808.txt", "被害人宁某某的死亡原因是什么？", "重度颅脑损伤"),
    ("blind_judgments_4", "issue_9604.txt", "赵某某死因是什么", "重型颅脑损伤"),
    ("blind_judgments_4", "issue_9601.txt", "被害人后来被诊断成啥了？", "抑郁状态"),
    # a measured fact: the blood test's (not the breath test's), a speed, a time of death
    ("blind_judgments_8", "issue_9803.txt", "他血里酒精是多少", "203.6mg/100ml"),
    ("blind_judgments_8", "issue_9808.txt", "他当时车开多快", "每小时82公里"),
    ("blind_judgments_8", "issue_9808.txt", "宁某某啥时候没的", "2025年8月2日3时10分许"),
])
def test_the_courts_finding_answers_what_it_found(
        folder, source, question, act, sample_subset, settings):
    """`郭某某是怎么到案的`: the finding of the arrest (`民警在西刘村郭某某家中将其抓获`), not the
    court's weighing of it (`郭某某到案后能够如实供述…可以从轻处罚`, `自动投案…系自首`), nor a
    sentence where a business is run (`实际控制该合作社`). `骗来的钱都花哪去了`: the finding of
    what it went to (`用于网络游戏充值`). `死因是什么`: the forensic finding (`…致重度颅脑损伤
    死亡`), which the silence model no longer refuses; a blood alcohol, a speed, a time of death
    by their written forms. Blind sets' questions, answered otherwise until the twenty-eighth
    round."""
    answer = _asked_alone(folder, source, question, sample_subset, settings)
    assert act in answer.text and "从轻" not in answer.text, answer.text


def test_a_claimed_status_is_decided_on_the_argument_that_claims_it(sample_subset, settings):
    """`律师说王某某算自首，法院认吗` of a judgment that decides on two of the lawyer's arguments:
    the decision on the one that claims 自首 (`…不构成自首。…对该辩护意见，本院不予采纳。`), not the
    one on the cost of the clean-up, which shares more of the question's words. Until the
    twenty-sixth round it was the other."""
    folder = JUDGMENTS.parent / "blind_judgments_5"
    path = folder / "issue_9709.txt"
    engine = Engine.load(sample_subset(folder.name, sorted(folder.glob("issue_*.txt"))), settings)
    answer = engine.ask("律师说王某某算自首，法院认吗", issue=parse_file(path).number)
    assert "不构成自首" in answer.text and DECISION.search(answer.text), answer.text
    assert "应急处置费用" not in answer.text, answer.text


@pytest.mark.parametrize("folder", ["blind_judgments_4", "blind_judgments_5"])
def test_why_no_probation_and_what_probation_forbids_are_the_courts_words(
        folder, sample_subset, settings):
    """`为啥不给郝某某判缓刑`: the court's reason for refusing it (`…对其适用缓刑不足以体现罪责刑相
    适应…`), not its reasons for another defendant's sentence; `赵某缓刑期间有啥限制`: the ban the
    ruling attaches (`禁止被告人赵某在缓刑考验期限内从事电镀加工…`), not the sentence of probation.
    Cases are read off judgments of sets never trained on; before the twenty-sixth round each
    set had a ban asked about answered with the sentence of probation."""
    denial = re.compile(r"(?:不宜|不予|不能|不应)(?:对其)?适用缓刑|适用缓刑不足以|不符合[^，。；]{0,6}缓刑")
    ban = re.compile(r"禁止被告人([\u4e00-\u9fff]某某?)在缓刑考验期")
    named = re.compile(r"[\u4e00-\u9fff]某某?(?!某)")
    cases = []
    for path in sorted((JUDGMENTS.parent / folder).glob("issue_*.txt")):
        issue = parse_file(path)
        for sentence in (u for a in issue.articles for u in answer_units(a.text)):
            if (m := ban.search(sentence)):
                cases.append((path, issue.number, f"{m.group(1)}缓刑期间有什么限制", "禁止"))
            elif denial.search(sentence) and len(names := set(named.findall(sentence))) == 1:
                cases.append((path, issue.number, f"为啥不给{names.pop()}判缓刑",
                              denial.search(sentence).group()))
    assert len(cases) >= 3
    engine = Engine.load(sample_subset(folder, sorted({p for p, *_ in cases})), settings)
    for path, number, question, said in cases:
        text = engine.ask(question, issue=number).text
        assert said in text, (path.name, question, text)


def test_when_a_prison_term_ends_is_the_rulings_count(sample_subset, settings):
    """`啥时候刑满` / `什么时候出狱` / `刑期至何日止`: the ruling counts the term out (即自…起至2027年5月28日止),
    a sentence sharing no word with the question. Judgments with one defendant sentenced to
    prison, of a set never trained on (`blind_judgments_5`)."""
    folder = JUDGMENTS.parent / "blind_judgments_5"
    cases = []
    for path in sorted(folder.glob("issue_*.txt")):
        text = path.read_text("utf-8")
        ends = re.findall(r"至(\d{4}年\d{1,2}月\d{1,2}日)止", text)
        names = set(re.findall(r"被告人([\u4e00-\u9fff]某某?)，(?:男|女)", text))
        if len(set(ends)) == 1 and len(names) == 1:
            cases.append((path, parse_file(path).number, names.pop(), ends[0]))
    assert len(cases) >= 2
    engine = Engine.load(sample_subset("terms", [p for p, *_ in cases]), settings)
    for path, number, name, end in cases:
        for question in (f"{name}啥时候刑满？", f"{name}什么时候出狱", f"{name}的刑期至何日止？",
                         f"{name}的刑期于何日届满？"):
            answer = engine.ask(question, issue=number)
            assert end in answer.text, (path.name, question, end, answer.text)
