"""Answer quality on questions written for the tests (not the development set), through the
same `evaluate` that `python -m rag eval` runs, and the eval CLI itself."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from rag import Engine
from rag.evaluate import evaluate, load_questions

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "tests" / "data" / "extra_questions.jsonl"


def test_quality_on_held_out_questions(engine):
    report = evaluate(engine, load_questions(QUESTIONS))
    assert report["answerable"] == 22 and report["unanswerable"] == 10
    assert report["fact_in_answer"] >= 0.9
    assert report["citation_right"] >= 0.95
    assert report["passage_holds_fact"] >= 0.9
    assert report["hit@5"] >= 0.95
    assert report["false_refusals"] <= 1
    assert report["refused_unanswerable"] >= 0.7


@pytest.mark.parametrize("name, counts, floors", [
    ("blind_news_questions.jsonl", (92, 38), (0.87, 0.93, 0.9, 5, 0.75)),
    ("blind_news_questions_2.jsonl", (64, 27), (0.86, 0.93, 0.87, 4, 0.65)),
    ("blind_news_questions_3.jsonl", (59, 27), (0.86, 0.93, 0.85, 3, 0.6)),
    ("blind_news_questions_4.jsonl", (60, 30), (0.85, 0.95, 0.78, 2, 0.8)),
])
def test_quality_on_blind_news_questions(engine, name, counts, floors):
    """Questions on the sample issues written in the eleventh and twelfth rounds by helper
    sessions that saw no code and no other question (titles set to the parsed headline where a
    writer quoted the kicker or a caption's first words). Floors (fact, citation, cited
    passage, false refusals, silence refused) a little under the measured figures (README,
    "Eleventh round" and "Twelfth round"): the story's silence is refused less often than the
    issue's target, and this test holds it from falling further, not at the target. The
    first set's false refusals may be 5 since the nineteenth round's retrain (4 before): a
    near-tie of two sentences flipped (`涉县交警大队是到哪个村…`), for 16 more right answers
    and 3 fewer over the sets of new issues (README, "Nineteenth round")."""
    _holds_floors(evaluate(engine, load_questions(ROOT / "tests" / "data" / name)), counts,
                  floors)


def _holds_floors(report: dict, counts: tuple[int, int], floors: tuple) -> None:
    """`report` has `counts` (answerable, unanswerable) questions and its figures are at or
    above `floors` (fact, citation, cited passage, silence refused; false refusals at most)."""
    assert (report["answerable"], report["unanswerable"]) == counts
    fact, citation, passage, false_refusals, silence = floors
    assert report["fact_in_answer"] >= fact
    assert report["citation_right"] >= citation
    assert report["passage_holds_fact"] >= passage
    assert report["false_refusals"] <= false_refusals
    assert report["refused_unanswerable"] >= silence


def _index_beside_samples(sample_subset, folder: str) -> tuple[Path, Path]:
    """An index of the five sample issues and the issues of tests/data/`folder` (built once a
    session), and that folder."""
    written = ROOT / "tests" / "data" / folder
    files = [p.name for p in (ROOT / "corpus").glob("*.txt")] + sorted(written.glob("issue_*.txt"))
    return sample_subset(folder, files), written


def _beside_samples(sample_subset, folder: str) -> tuple[Engine, Path]:
    """An engine over the five sample issues and the issues of tests/data/`folder`."""
    index, written = _index_beside_samples(sample_subset, folder)
    return Engine.load(index), written


def test_eval_cli_prints_ours_beside_the_baseline(sample_index, tmp_path):
    subset = tmp_path / "q.jsonl"
    lines = QUESTIONS.read_text(encoding="utf-8").splitlines()
    subset.write_text("\n".join(lines[:3] + lines[-2:]) + "\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "rag", "eval", str(subset), "--index",
                          str(sample_index), "--json"], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    result = json.loads(out.stdout)
    assert result["ours"]["questions"] == 5 and result["ours"]["citation_right"] == 1.0
    assert 0 <= result["baseline"]["citation_right"] <= 1 and result["baseline"]["chunks"] > 0
    text = subprocess.run([sys.executable, "-m", "rag", "eval", str(subset), "--index",
                           str(sample_index)], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout
    assert "citation right" in text and "baseline" in text


def test_quality_on_issues_nobody_here_parsed_before(sample_subset):
    """Four issues written in the paper's layout by helper sessions in the twelfth round (two
    with markdown titles, two with plain ones, two without a header; running heads, a notice
    signed with a date, a paragraph printed twice, a page break mid-sentence), indexed beside
    the five sample issues, with 56 + 24 questions their writers made. Floors a little under
    the figures measured after the round's parser fixes (README, "Twelfth round"); the titles
    are the writers'. Two of them put a line above the title with nothing to mark it a kicker
    (`练兵场上见真章` / `张家口特警夏季实战大练兵开训`): the citation's headline names both lines, so
    the writers' title is in it (0.875 → 0.946 when it did)."""
    engine, unseen = _beside_samples(sample_subset, "unseen_issues")
    titles = {a.title for i in engine.data.issues if i.source.startswith("issue_09")
              for a in i.articles}
    assert "唐山市公安局关于公开征集食品药品领域违法犯罪线索的通告" in titles
    assert not any(t.startswith(("公安周刊", "唐山市公安局 ")) or t == "唐山市公安局" for t in titles)
    _holds_floors(evaluate(engine, load_questions(unseen / "questions.jsonl")), (56, 24),
                  (0.77, 0.92, 0.78, 5, 0.6))


def test_quality_on_three_more_issues_written_blind(sample_subset):
    """Three issues written in the paper's layout by a helper session at the start of the
    thirteenth round (a kicker over the first title, a notice, a letter, a commendation list,
    running heads, a page break mid-word), indexed beside the five samples, with 48 + 18
    questions their writer made. Floors a little under the figures measured at the fifteenth
    round's end (README, "Fifteenth round"); measured before and after each change, never
    fitted. Silence refused is 7 of 18: the lower refusal rate for a question whose story was
    found answers one more of them (8 before)."""
    engine, unseen = _beside_samples(sample_subset, "unseen_issues_2")
    _holds_floors(evaluate(engine, load_questions(unseen / "questions.jsonl")), (48, 18),
                  (0.78, 0.85, 0.64, 7, 0.38))


def test_quality_on_three_issues_written_blind_in_the_eighteenth_round(sample_subset):
    """Three issues (961–963) written in the paper's layout by a helper session that saw no
    code and no other questions, with 60 + 30 questions in chat words and formal ones, indexed
    beside the five samples. Nobody here read its questions or its misses. Floors a little
    under the figures measured at the eighteenth round's end (README, "Eighteenth round": fact
    0.733, citation 0.850, cited passage 0.783, 9 false refusals, silence refused 18 of 30; 14
    of 30 before the round's checks of what a story does not give)."""
    engine, unseen = _beside_samples(sample_subset, "unseen_issues_3")
    _holds_floors(evaluate(engine, load_questions(unseen / "questions.jsonl")), (60, 30),
                  (0.7, 0.82, 0.75, 10, 0.56))


def test_quality_on_questions_asked_as_police_staff_type_them(sample_subset):
    """Twelve issues and 216 + 72 questions asked in chat words (`昌黎那伙人里漏网的那个王某后来
    在哪儿被逮住的？`), written by helper sessions in the thirteenth round and never trained on by
    default (`rag train --news` learns them; not shipped). The hardest set here: most of its
    false refusals have the right article. Floors a little under the figures measured at the
    fifteenth round's end (README, "Fifteenth round"), to hold the gains of the retrained
    models, of spoken words read as written and of the lower refusal rate for a question
    whose story was found (false refusals 54 → 40 → 29)."""
    engine, written = _beside_samples(sample_subset, "written_news")
    _holds_floors(evaluate(engine, load_questions(written / "questions.jsonl")), (216, 72),
                  (0.63, 0.8, 0.59, 32, 0.34))


def test_a_measure_asked_is_answered_with_its_unit(sample_subset):
    """How deep, how heavy, how large (`水下机器人能潜多深`, `山火烧了多大面积`): every answer
    to such a question of the written news holds a number with that measure's unit (100米,
    12亩), whichever sentence the ranker put first. Before, the sentence nearest the best one
    with any number joined it (`10月初开始…每周至少下海3次`), and one whose article states the
    measure only further down got none."""
    import re

    from rag.answer.extract import _MEASURES_ASKED, answer_need
    from rag.answer.question import analyse_question

    engine, written = _beside_samples(sample_subset, "written_news")
    asked = []
    for q in load_questions(written / "questions.jsonl"):
        need = answer_need(analyse_question(q["question"], lambda t: 1.0))
        if not q.get("unanswerable") and any(need is unit for _, unit in _MEASURES_ASKED):
            asked.append((q, need))
    assert len(asked) >= 3
    answered = [(q, need, engine.ask(q["question"])) for q, need in asked]
    answered = [(q, need, a) for q, need, a in answered if not a.abstained]
    assert len(answered) >= 3
    for q, need, answer in answered:
        assert need.search(re.sub(r"\[\d+\]", "", answer.text)), (q["question"], answer.text)


def test_a_time_of_day_asked_is_answered_with_a_clock_time(sample_subset):
    """Every 几点 question of the unseen issues is answered, with a time of day. The sentence
    that holds it may stand anywhere in its story (`…每晚19时至次日凌晨2时开展巡逻` of `平安岗
    晚上一般几点到几点值守`); looked for only among the ranker's first three, it was not found
    there, and the answer, naming no number, was refused."""
    from rag.answer.extract import _ASKS_CLOCK, _CLOCK

    engine, written = _beside_samples(sample_subset, "unseen_issues")
    asked = [q for q in load_questions(written / "questions.jsonl")
             if not q.get("unanswerable") and _ASKS_CLOCK.search(q["question"])]
    assert len(asked) >= 3
    for q in asked:
        answer = engine.ask(q["question"])
        assert not answer.abstained and _CLOCK.search(answer.text), (q["question"], answer.text)


def test_a_question_whose_story_was_found_is_refused_at_the_lower_named_rate(
        sample_index, sample_subset, settings):
    """A question naming places, people or units that the first article found all holds is
    refused at NAMED_REFUSAL_RATE (by default half the refusal rate): of the questions asked in
    chat words on the written news (`written_news`, never trained on), some that the trained
    rate refuses are answered with their fact, and none answered at the trained rate is
    refused; a question whose story the archive lacks is refused either way. (Until the
    twentieth round the blind news questions on the sample issues showed it; the models of
    that round refuse none of them that the named rate answers.)"""
    index, written = _index_beside_samples(sample_subset, "written_news")
    rows = [q for q in load_questions(written / "questions.jsonl") if not q.get("unanswerable")]
    named, trained = (Engine.load(index, replace(settings, named_refusal_rate=r))
                      for r in (None, 0.02))
    rescued = 0
    for q in rows:
        before, after = trained.ask(q["question"]), named.ask(q["question"])
        assert before.abstained or not after.abstained, q["question"]
        if before.abstained and not after.abstained:
            rescued += any(a in after.text for a in q["answers"])
    assert rescued >= 2, rescued  # 3 with the twentieth round's models
    named, trained = (Engine.load(sample_index, replace(settings, named_refusal_rate=r))
                      for r in (None, 0.02))
    for question in ("邯郸警方破获的制售假药案一共抓获了多少名嫌疑人？",
                     "唐山路北打的那个跑分团伙，帮人转钱怎么抽成？"):
        assert named.ask(question).abstained and trained.ask(question).abstained, question


def test_a_count_is_read_by_the_nouns_of_its_compound_and_a_demonstrative_asks_none(
        sample_subset):
    """`几项户政业务` is answered by `等13项业务` and `多少个一氧化碳报警器` by `这个报警器是…一共装了
    180个`; until the twentieth round only the compound's first noun (户政, 一氧化碳) was looked
    for near a count, and both were refused as counts their stories never give. `那几个迷路的
    驴友是几点找到的` asks a time, not how many: it was refused for the same reason."""
    from rag.answer.extract import _ASKS_AMOUNT, _ASKS_COUNT, _CLOCK

    engine, _ = _beside_samples(sample_subset, "unseen_issues_3")
    answer = engine.ask("秦皇岛现在有几项户政业务能跨省通办？")
    assert not answer.abstained and "13项业务" in answer.text, answer.text
    answer = engine.ask("嶂石岩那几个迷路的驴友是几点找到的")
    assert not answer.abstained and _CLOCK.search(answer.text), answer.text
    assert not _ASKS_COUNT.search("嶂石岩那几个迷路的驴友")
    assert not _ASKS_AMOUNT.search("这几张卡是谁的")
    assert _ASKS_COUNT.search("那伙人一共几个人")
    engine, _ = _beside_samples(sample_subset, "written_news")
    answer = engine.ask("闪电河所给牧区独居老人装了多少个一氧化碳报警器？")
    assert not answer.abstained and "180个" in answer.text, answer.text


def test_a_sum_asked_by_what_was_done_with_it_is_answered_with_a_sum(sample_subset):
    """`被假参谋骗走了多少？`, `在平台上输了多少？`: a sum asked by what was done with it (骗, 输,
    转, 赔 …) with 多少 ending the question is asked as `多少钱` is, so the answer takes the
    sentence of its story that states a sum (`4.3万元`, `15万元`); before the twentieth round
    it got the story's lead. `转了多少次` still asks a count."""
    from rag.answer.extract import _ASKS_MONEY

    assert not _ASKS_MONEY.search("他一共转了多少次") and _ASKS_MONEY.search("一共转出去多少")
    engine, _ = _beside_samples(sample_subset, "written_news")
    for question, fact in (("沙河那家五金店老板被假参谋骗走了多少？", "4.3万元"),
                           ("鹿泉那个开货车的孟某在平台上输了多少？", "15万元")):
        answer = engine.ask(question)
        assert not answer.abstained and fact in answer.text, (question, answer.text)


def test_days_asked_are_counted_in_days_not_dates(sample_subset):
    """`拘了几天` of a story that says `行政拘留8日`: days are counted in 日 as well as 天, and
    the day of a date (`9月4日`) counts none. Until the twenty-fifth round the answer took the
    sentence nearest the best one with any number, and both stories' answers lacked the days."""
    engine, _ = _beside_samples(sample_subset, "written_news")
    for question, fact in (("编造化工园区爆炸谣言的刘某某被拘留了几天？", "行政拘留8日"),
                           ("在论坛造谣服装店衣服甲醛超标的赵某某被拘了几天？", "行政拘留5日")):
        answer = engine.ask(question)
        assert not answer.abstained and fact in answer.text, (question, answer.text)


def test_the_hours_something_is_usually_done_are_a_span(sample_subset):
    """`通常在几点作案` asks a habit, which a story tells as a span of hours (`大多发生在凌晨1时至
    4时之间`), not the hour a victim found the theft (`6月13日早上6点多`), which the ranker puts
    first. Asked when it happened once, that hour is still the answer."""
    engine, _ = _beside_samples(sample_subset, "written_news")
    answer = engine.ask("徐水偷变压器的团伙通常在几点作案？")
    assert not answer.abstained and "凌晨1时至4时" in answer.text, answer.text
    answer = engine.ask("徐水的变压器是几点被偷的？")
    assert "6点多" in answer.text and "凌晨1时至4时" not in answer.text, answer.text


def test_the_hour_of_an_act_is_the_hour_the_story_gives_it(sample_subset):
    """`几点找到他们的`, `几点回的所里`, `在什么时间被找到的`: a story's timeline holds many
    hours, and the ranker put first the hour the call for help came (`9月20日16时许…接到一名男子
    的求助电话`). The answer also takes the sentence with an hour and the act asked (`21日凌晨零时
    40分许…找到了5名驴友`); asked when the call came, the call's hour is still the answer, alone."""
    engine, _ = _beside_samples(sample_subset, "written_news")
    for question, fact in (("蔚县小五台山那五个驴友，搜救队是几点找到他们的？", "零时40分"),
                           ("马背警队11月12号那趟走访下午几点回的所里？", "17时30分")):
        answer = engine.ask(question)
        assert not answer.abstained and fact in answer.text, (question, answer.text)
    answer = engine.ask("蔚县小五台山那五个驴友几点打的求助电话？")
    assert "16时许" in answer.text and "零时40分" not in answer.text, answer.text
    # Asked 什么时间 (a day or an hour), of another story with the same timeline.
    engine, _ = _beside_samples(sample_subset, "unseen_issues")
    answer = engine.ask("蔚县迷路的3名游客最终是在什么时间被找到的？")
    assert not answer.abstained and "2时50分" in answer.text, answer.text


def test_where_someone_was_caught_is_where_the_story_says_so(sample_subset):
    """`在哪里被民警找到的` of a story whose best sentence is the rumour's first post: the answer
    also takes the sentence that says where the police found its writer (`在威县一处建筑工地找到
    了…`). Asked where the rumour spread, it does not."""
    engine, _ = _beside_samples(sample_subset, "written_news")
    answer = engine.ask("清河编造“面包车抢孩子”谣言的张某某是在哪里被民警找到的？")
    assert not answer.abstained and "威县一处建筑工地" in answer.text, answer.text
    answer = engine.ask("清河那条面包车抢孩子的谣言是在哪里传开的？")
    assert "威县" not in answer.text, answer.text


def test_who_holds_a_post_is_the_name_after_it(sample_subset):
    """`户政服务中心的主任是谁` of a story that opens on the centre's work and names its head
    further down (`户政服务中心主任魏晓红说`): the answer also takes the sentence with the post
    and the name after it. Before the twenty-fifth round it was the lead and a count."""
    engine, _ = _beside_samples(sample_subset, "training_news_3")
    answer = engine.ask("辛集市公安局户政服务中心的主任是谁？")
    assert not answer.abstained and "主任魏晓红" in answer.text, answer.text


def test_which_officer_did_it_is_the_name_after_the_role(sample_subset):
    """`是哪位户籍民警` of a story whose best sentences are the old woman's thanks and her
    illness: the answer also takes the sentence that names the officer after the role
    (`户籍民警孙晓雨`), as for a post. Before the twenty-seventh round it named no one and
    was refused."""
    engine, _ = _beside_samples(sample_subset, "unseen_issues_3")
    answer = engine.ask("去台营给卧床李奶奶办身份证的是哪位户籍民警")
    assert not answer.abstained and "孙晓雨" in answer.text, answer.text


def test_a_relative_asked_about_is_the_sentence_that_names_the_relative(sample_subset):
    """`他媳妇是干啥的` of a profile whose best sentence is its subject's career: the answer also
    takes the sentence that names the relative, by whichever word the story uses (`他的妻子在县城
    一所小学当老师`). Until the twenty-sixth round it was the career and the next sentence."""
    engine, _ = _beside_samples(sample_subset, "training_news_3")
    for question, fact in (("孟广义他媳妇是干啥的", "小学当老师"),
                           ("河东派出所民警梁国栋的妻子是干啥工作的", "护士")):
        answer = engine.ask(question)
        assert not answer.abstained and fact in answer.text, (question, answer.text)


def test_each_one_is_no_count(sample_subset):
    """`每一起纠纷` counts nothing: the best sentence `上面记着每一起纠纷的回访时间` passed for one
    that holds a count of 起, so `多少起纠纷` got no sentence that counts (`调解成功217起`)."""
    from rag.answer.extract import _counted

    assert not _counted("起").search("上面记着每一起纠纷的回访时间")
    assert _counted("起").search("调解成功217起")
    engine, _ = _beside_samples(sample_subset, "unseen_issues_3")
    answer = engine.ask("老杜调解室今年调解成功了多少起纠纷？")
    assert not answer.abstained and "217起" in answer.text, answer.text


def test_a_count_asked_in_one_measure_word_is_found_in_another_of_the_same_things():
    """`几趟` or `几回` of a story that counts `次`, `几棵` of one that counts `株`: until the
    twenty-sixth round the count was looked for in the measure word asked alone."""
    from rag.answer.extract import _MEASURES, _counted

    for asked, told in (("回", "先后四次夺取他人财物"), ("趟", "每天上午、下午各巡逻一次"),
                        ("棵", "东北红豆杉3株")):
        assert _counted(_MEASURES[asked]).search(told), (asked, told)
    assert not _counted(_MEASURES["回"]).search("光伏组件310块")


def test_trips_asked_are_counted_in_times(sample_subset):
    """`一天出去巡几趟` of a story that says `每天上午、下午各巡逻一次`: the answer takes that
    sentence, which the ranker did not put first."""
    engine, _ = _beside_samples(sample_subset, "unseen_issues_3")
    answer = engine.ask("圈头派出所冰上巡逻队一天出去巡几趟")
    assert not answer.abstained and "各巡逻一次" in answer.text, answer.text


def test_a_date_asked_is_answered_with_a_sentence_that_holds_a_date(engine, sample_subset):
    """When the best sentence holds no date, the answer takes the sentence of its story that
    does, among the ranker's first three or else anywhere in the story, before one that holds
    any number: `当天进行了7个科目的比赛` is no answer to `铁骑比武 时间`, and the deadline of a
    notice (`2025年12月31日`) and the day of a visit (`10月21日`) stood outside the first three.
    Without the rule the twentieth round's models answer the first with a number's sentence
    and refuse the other two."""
    answer = engine.ask("铁骑比武 时间")
    assert "10月24日" in answer.text, answer.text
    answer = engine.ask("秦皇岛交警去电动自行车销售点讲以旧换新政策是哪天？")
    assert not answer.abstained and "10月21日" in answer.text, answer.text
    written, _ = _beside_samples(sample_subset, "written_news")
    answer = written.ask("运河分局征集石某某他们线索，收到哪天为止？")
    assert not answer.abstained and "2025年12月31日" in answer.text, answer.text


def test_a_gold_answer_is_compared_as_the_archive_is_normalised():
    """An issue printing full-width digits (抓获犯罪嫌疑人１２名) is indexed half-width (12名), and
    its writer's gold answer copied from the file is compared the same way; before, such a
    question could never count as answered."""
    from rag.evaluate import _gold_title, _has_fact

    assert _has_fact({"answers": ["１２名"]}, "共抓获犯罪嫌疑人12名。")
    assert not _has_fact({"answers": ["１３名"]}, "共抓获犯罪嫌疑人12名。")
    assert _gold_title({"title": "２０２５年高考"}, "邯郸警方全力护航2025年高考")


@pytest.mark.parametrize("folder, counts, floors", [
    ("blind_judgments_8", (111, 40), (0.68, 0.93, 0.7, 7, 0.55)),
    ("blind_judgments_9", (110, 41), (0.72, 0.93, 0.72, 6, 0.58)),
])
def test_quality_on_judgments_written_blind_in_the_nineteenth_round(sample_subset, folder,
                                                                    counts, floors):
    """Eight judgments a set (16 crimes, two sets with several defendants) and their
    questions, written in the nineteenth round by helper sessions that saw no code and no other
    questions, asked within each judgment's issue. Written for training, they are not trained
    on: learnt by the court ranker, they cost answers on the other blind judgment sets (README,
    "Nineteenth round"). Floors a little under the measured figures (fact 0.703 and 0.755,
    silence refused 24 of 40 and 26 of 41)."""
    judgments = ROOT / "tests" / "data" / folder
    engine = Engine.load(sample_subset(folder, sorted(judgments.glob("issue_*.txt"))))
    _holds_floors(evaluate(engine, load_questions(judgments / "questions.jsonl"), in_issue=True),
                  counts, floors)
