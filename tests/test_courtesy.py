"""How people frame a question in a chat changes nothing: greetings and courtesy, the report
they have in mind, spoken question words and the issue they name ("你好，根据报道，…写了啥" is
answered as "…写了什么" is)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rag.text import bare_question

DATA = Path(__file__).resolve().parent / "data"
QUESTIONS = [q["question"] for name in ("extra_questions.jsonl", "natural_questions.jsonl")
             for q in map(json.loads, (DATA / name).read_text("utf-8").splitlines())
             if not q.get("unanswerable")]
WRAPPINGS = ["你好，请问{}", "我想知道{}", "麻烦问一下，{}谢谢！", "您好！能不能告诉我{}",
             "根据报道，{}", "最近有篇文章，{}", "周刊上说{}", "{}（公安周刊）",
             "我是一名民警，{}", "问：{}", "{}，请简要回答", "{}👍 急！", "听说{}", "我记得{}"]


@pytest.mark.parametrize("wrapping", WRAPPINGS)
def test_a_question_wrapped_in_courtesy_gets_the_same_answer(engine, wrapping):
    for question in QUESTIONS:
        plain = engine.ask(question)
        typed = wrapping.format(question)
        wrapped = engine.ask(typed)
        assert (wrapped.text, wrapped.abstained) == (plain.text, plain.abstained), typed
        assert wrapped.question == typed  # echoed as typed


def test_spoken_question_words_get_the_written_ones_answer(engine):
    spoken = [(q, q.replace("什么", "啥").replace("怎么", "咋")) for q in QUESTIONS]
    spoken = [(q, s) for q, s in spoken if s != q]
    assert len(spoken) >= 3
    for question, typed in spoken:
        assert engine.ask(typed).text == engine.ask(question).text, typed


def test_spoken_words_for_a_catch_or_a_find_get_the_written_ones_answer(engine):
    """A suspect 逮住 and a child 找着 in a chat are 抓获 and 找到 in the paper: typed either
    way, the question gets one answer (without the reading, 找着 shares no word with the story
    and the spoken question is answered from another sentence or refused)."""
    files = [DATA / "fresh_questions.jsonl", *sorted(DATA.glob("blind_news_questions*.jsonl"))]
    rows = [q["question"] for path in files
            for q in map(json.loads, path.read_text("utf-8").splitlines())
            if not q.get("unanswerable")]
    spoken = [(q, q.replace("抓获", "逮住").replace("找到", "找着")) for q in rows]
    spoken = [(q, s) for q, s in spoken if s != q]
    assert len(spoken) >= 3
    for question, typed in spoken:
        assert engine.ask(typed).text == engine.ask(question).text, typed


@pytest.mark.parametrize("text", ["你好", "谢谢", "请问", "麻烦事是什么", "告诉我们的民警是谁",
                                  "报道中的民警是谁", "那篇文章里提到的民警叫什么", "我是谁",
                                  "他是怎么说的", "看到嫌疑人的是谁"])
def test_courtesy_alone_or_inside_a_question_is_kept(text):
    assert bare_question(text) == text


def test_naming_the_issue_keeps_the_answer(engine):
    """"第853期 …?" gets the answer "…?" gets, a year inside it included (2024年 of an issue
    printed in 2025 is what the article reports on, not a date filter): the same article cited
    and the same fact. Not always the same words: within one issue the fused scores are scaled
    over that issue's passages, so of two close sentences of one article either may lead
    (`铁骑大比武一共设置了几项科目？` gets the 7项 sentence with the one before or after it)."""
    numbers = {i.source: i.number for i in engine.issues()}
    rows = [q for name in ("extra_questions.jsonl", "natural_questions.jsonl")
            for q in map(json.loads, (DATA / name).read_text("utf-8").splitlines())
            if not q.get("unanswerable") and numbers.get(q["source"])]
    assert any(re.search(r"20\d\d年", q["question"]) for q in rows)
    for q in rows:
        plain = engine.ask(q["question"])
        named = engine.ask(f"第{numbers[q['source']]}期{q['question']}")
        assert named.abstained == plain.abstained, q["question"]
        assert [c.headline for c in named.citations][:1] == \
            [c.headline for c in plain.citations][:1], q["question"]
        assert any(a in named.text for a in q["answers"]) == \
            any(a in plain.text for a in q["answers"]), (q["question"], named.text, plain.text)


@pytest.mark.parametrize("message", ["你好", "您好！", "在吗", "你是谁？", "你能做什么", "谢谢", "谢谢您！",
                                     "好的", "thanks"])
def test_a_greeting_or_thanks_is_answered_as_such(engine, message):
    answer = engine.ask(message)
    assert answer.mode == "chat" and not answer.citations and not answer.abstained
    assert ("公安周刊" in answer.text) != answer.text.startswith(("不客气", "好的"))


@pytest.mark.parametrize("question", ["谢谢民警的是谁？", "你好，铁骑大比武是哪天举行的？",
                                      "感谢信是谁写的？"])
def test_a_question_that_thanks_or_greets_is_still_searched(engine, question):
    assert engine.ask(question).mode != "chat"


def test_thanks_between_questions_keeps_the_subject(engine):
    from rag import Conversation

    chat = Conversation(engine)
    first = chat.ask("石家庄市交管局的铁骑驾驶技能大比武是哪天举行的？")
    assert chat.ask("谢谢").mode == "chat"
    follow = chat.ask("一共设置了几项科目？")
    assert not follow.abstained and follow.citations[0].article_id == \
        first.citations[0].article_id


@pytest.mark.parametrize("typed", ["麻烦问一下，房屋租赁纠纷是靠什么服务化解的？谢谢！",
                                   "房屋租赁纠纷是靠什么服务化解的？（公安周刊）",
                                   "房屋租赁纠纷是靠什么服务化解的？👍 急！"])
def test_the_question_mark_before_the_courtesy_stays(typed):
    """The question embeds as it does asked bare: its mark is part of what the encoder reads."""
    assert bare_question(typed) == "房屋租赁纠纷是靠什么服务化解的？"


def test_the_pronouns_and_particles_of_a_chat_weigh_nothing():
    """`那伙`, `那些`, `着` and a question word with its measure (`几点`) say how a question is
    asked, not what about. Rare in print, they weighed as a chat question's rarest words,
    which no story holds, and pulled its coverage of the answering story down (README,
    "Twentieth round")."""
    from rag.answer.question import analyse_question
    from rag.text import as_asked

    for typed, framing, content in (
            ("那伙山西人为啥专门盯着田里的变压器偷？", {"那伙", "着"}, {"变压器", "田里"}),
            ("坝上被困的那些车，最后几点全部撤出来的？", {"那些", "几点"}, {"坝上", "撤出"})):
        tokens = set(analyse_question(as_asked(typed), lambda t: 1.0).tokens)
        assert not tokens & framing and content <= tokens, tokens
