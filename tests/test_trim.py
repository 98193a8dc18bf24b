"""Trimming a long answer sentence: the clauses around the question's words are kept whole,
and a list (甲、乙、丙) is never cut apart."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.answer.extract import trim
from rag.answer.units import answer_units
from rag.ingest.parse import parse_corpus, parse_file
from rag.text import tokenize

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def _long_sentences() -> list[str]:
    issues, _ = parse_corpus(CORPUS)
    return [u for i in issues for a in i.articles for u in answer_units(a.text) if len(u) > 150]


LONG = _long_sentences()


def test_the_sample_issues_have_long_sentences_with_lists():
    assert len(LONG) >= 5 and sum("、" in s for s in LONG) >= 5


@pytest.mark.parametrize("sentence", LONG)
def test_a_trimmed_sentence_keeps_the_asked_clause_and_whole_lists(sentence):
    clauses = [c for c in re.split(r"(?<=[，：；])", sentence) if len(c) >= 6]
    for clause in clauses:
        tokens = tokenize(clause)
        got = trim(sentence, tokens)
        assert len(got) < len(sentence)
        kept = got.strip("…")
        start = sentence.index(kept)
        end = start + len(kept)
        # Starts and ends at a clause boundary: never inside 甲、乙、丙.
        assert start == 0 or sentence[start - 1] in "，：；", (clause, got)
        assert end == len(sentence) or sentence[end] in "，：；。", (clause, got)
        assert clause.rstrip("，：；") in got  # the clause the question was made from


def test_trimming_keeps_the_amount_a_question_asks_for():
    """"挖的铁矿石值多少钱？" of a long evidence item: the question's words sit in the clauses
    about the ore's tonnage, the answer (价值人民币…元) two clauses on; the window reaches it."""
    from rag.answer.extract import answer_need
    from rag.answer.question import analyse_question

    path = CORPUS.parent / "tests" / "data" / "long_judgments" / "issue_8503.txt"
    sentence = next(u for a in parse_file(path).articles for u in answer_units(a.text)
                    if "价值认定意见" in u and len(u) > 150)
    q = analyse_question("挖的铁矿石值多少钱？", lambda t: 1.0)
    amount = re.search(r"价值人民币\d+元", sentence).group()
    got = trim(sentence, q.tokens, need=answer_need(q))
    assert amount in got and len(got) < len(sentence), got
    # a question that asks for no number is trimmed around its words as before
    q = analyse_question("铁矿石是什么矿？", lambda t: 1.0)
    assert answer_need(q) is None and "磁铁矿" in trim(sentence, q.tokens)
