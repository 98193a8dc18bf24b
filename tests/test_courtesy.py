"""Greetings and courtesy around a question, as people type them in a chat, change nothing:
"你好，请问…" is answered as "…" is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.text import without_courtesy

DATA = Path(__file__).resolve().parent / "data" / "extra_questions.jsonl"
QUESTIONS = [q["question"] for q in map(json.loads, DATA.read_text("utf-8").splitlines())
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


@pytest.mark.parametrize("text", ["你好", "谢谢", "请问", "麻烦事是什么", "告诉我们的民警是谁"])
def test_courtesy_alone_or_inside_a_question_is_kept(text):
    assert without_courtesy(text) == text
