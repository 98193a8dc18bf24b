"""Greetings and courtesy around a question, and spoken question words, as people type them in
a chat, change nothing: "你好，请问…写了啥" is answered as "…写了什么" is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.text import without_courtesy

DATA = Path(__file__).resolve().parent / "data"
QUESTIONS = [q["question"] for name in ("extra_questions.jsonl", "natural_questions.jsonl")
             for q in map(json.loads, (DATA / name).read_text("utf-8").splitlines())
             if not q.get("unanswerable")]
WRAPPINGS = ["你好，请问{}", "我想知道{}", "麻烦问一下，{}谢谢！", "您好！能不能告诉我{}"]


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


@pytest.mark.parametrize("text", ["你好", "谢谢", "请问", "麻烦事是什么", "告诉我们的民警是谁"])
def test_courtesy_alone_or_inside_a_question_is_kept(text):
    assert without_courtesy(text) == text
