"""Details written in a recognisable form (`rag.answer.forms`), looked for in one real judgment:
a person's detail counts only next to that person's name, a plate only in its written shape,
never masked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.answer.forms import unstated
from rag.answer.units import answer_units
from rag.ingest.parse import parse_file

# A false-imprisonment judgment: the two defendants' headers state their jobs and births; the
# victim 杨某 appears in many sentences, none stating his job or age.
JUDGMENT = Path(__file__).resolve().parent / "data" / "judgments" / "issue_8205.txt"


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    return [u for a in parse_file(JUDGMENT).articles for u in answer_units(a.title + "。" + a.text)]


def test_a_defendants_job_and_age_are_stated_in_the_header(sentences):
    for name in ("马某某", "韩某"):
        header = next(s for s in sentences if s.startswith(f"被告人{name}，"))
        assert "出生" in header and re.search("经理|司机", header)
        assert unstated(f"{name}是做什么工作的？", sentences) is None
        assert unstated(f"被告人{name}今年多大岁数？", sentences) is None


def test_a_job_in_a_sentence_about_someone_else_is_not_the_victims(sentences):
    """"马某某得知杨某在…茶楼喝茶，遂叫上其公司司机即被告人韩某": 司机 is 韩某's, not 杨某's;
    a masked place (某某物流) is no person either."""
    assert any("杨某" in s and "司机" in s for s in sentences)
    assert unstated("杨某是做什么工作的？", sentences) == "job"
    assert unstated("被害人杨某今年多大岁数？", sentences) == "age"


def test_a_plate_is_looked_for_in_its_written_shape(sentences):
    text = "".join(sentences)
    assert "驾车" in text and not re.search(r"[京津冀][A-Z]", text)
    assert unstated("马某某开的车车牌号是多少？", sentences) == "plate"
    with_plate = sentences + ["二人驾驶冀J3K728号白色轿车前往该茶楼。"]
    assert unstated("马某某开的车车牌号是多少？", with_plate) is None
    # a judgment masks the plate (冀J×××××): it does not say what the plate is, and every
    # plate question of the judgment sets here is marked silent for that reason
    masked = sentences + ["二人驾驶冀J×××××号白色轿车前往该茶楼。", "车牌号为冀J×××××。"]
    assert unstated("马某某开的车车牌号是多少？", masked) == "plate"


def test_questions_that_ask_no_such_detail_are_left_to_the_ranker(sentences):
    for question in ("杨某被关了多长时间？", "马某某被判了几年？", "这个案子是哪个法院判的？"):
        assert unstated(question, sentences) is None


def test_an_amount_of_money_is_found_however_it_is_written(sentences):
    """元 with any numerals, 块 as people say it, and foreign currencies: a question asking
    多少钱 of a text stating none of these is refused, of one stating any is not."""
    asked = "马某某一共给了杨某多少钱？"
    stated = [s for s in sentences if re.search(r"\d+(?:\.\d+)?万?元", s)]
    assert stated and unstated(asked, sentences) is None
    plain = [s for s in sentences if s not in stated and not re.search("元", s)]
    assert unstated(asked, plain) == "money"
    for amount in ("一万块", "5000元", "1.2万余元", "800美元", "50英镑", "三千元"):
        assert unstated(asked, plain + [f"马某某当场给了杨某{amount}。"]) is None, amount
    assert unstated(asked, plain + ["马某某随手捡起一块砖头。"]) == "money"


def test_a_plate_named_in_a_question_is_not_asked_for(sentences):
    """无号牌的摩托车 names the motorbike; only 车牌号是多少 asks for a plate."""
    assert unstated("扣押的那辆无号牌摩托车最后怎么处理了？", sentences) is None
    assert unstated("那辆车挂的什么牌照？", sentences) == "plate"


def test_how_badly_someone_was_hurt_is_a_forensic_grade(sentences):
    """The judgment grades 杨某's injuries (损伤程度未达到轻微伤); without that sentence and the
    evidence restating it, nothing says how badly he was hurt."""
    assert unstated("杨某伤得重不重？", sentences) is None
    graded = re.compile("轻微伤|轻伤|重伤|损伤程度")
    ungraded = [s for s in sentences if not graded.search(s)]
    assert len(ungraded) < len(sentences)
    assert unstated("杨某伤得重不重？", ungraded) == "injury"


@pytest.mark.parametrize("question, form, stated", [
    ("马某某的微信号是多少？", "account", "马某某的微信号为wxid_mq2019。"),
    ("马某某家住几号楼几单元？", "address", "马某某住石家庄市某某小区3号楼2单元。"),
    ("查获的那包毒品纯度是多少？", "purity", "经鉴定，甲基苯丙胺含量为62.3%。"),
])
def test_an_account_an_address_or_a_content_must_be_written_out(sentences, question, form,
                                                               stated):
    """The judgment gives no account, no house number and no measured content: those
    questions are refused; with a sentence stating one, they are not."""
    assert unstated(question, sentences) == form
    assert unstated(question, sentences + [stated]) is None


def test_how_many_children_and_how_old_are_stated_or_not(sentences):
    """Asked how many children someone has (有几个孩子) or how old they are (孩子多大了), a
    judgment states it in a count or an age next to 子女 / 孩子 (系两名未成年子女的母亲, 其子…
    12岁), or not at all: a wife named (马某某的妻子) says nothing of it. Victims counted (虐待了
    几个孩子) are not asked this way."""
    married = sentences + ["被告人马某某的妻子张某某到庭旁听。"]
    assert unstated("马某某家里有几个孩子？", married) == "children"
    stated = married + ["被告人马某某系两名未成年子女的父亲。"]
    assert unstated("马某某家里有几个孩子？", stated) is None
    assert unstated("马某某那两个孩子多大了？", stated) == "child_age"
    assert unstated("马某某那两个孩子多大了？", stated + ["其子马某，现年12岁。"]) is None
    assert unstated("这个老师一共虐待了几个孩子？", sentences) != "children"


def test_a_weight_of_fish_asks_no_drink():
    """`当场查到多少斤鱼` shares 多少斤 with how much someone drank; a judgment of illegal fishing,
    which states the catch in 千克 and no drinking, does not lack what it asks (a blind set's
    question, refused until the twenty-eighth round). Asked how much someone drank, it does."""
    path = JUDGMENT.parent.parent / "blind_judgments_7" / "issue_9707.txt"
    fishing = [u for a in parse_file(path).articles for u in answer_units(a.title + "。" + a.text)]
    assert any("千克" in s for s in fishing)
    assert unstated("当场查到多少斤鱼", fishing) is None
    assert unstated("田某某那晚喝了多少斤白酒", fishing) == "drink"
