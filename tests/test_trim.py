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


def _decision_sentences() -> list[str]:
    """Long sentences of the written judgments that decide more than one argument."""
    from rag.answer.judgments import DECISION

    out = []
    for path in sorted((CORPUS.parent / "tests" / "data").glob("*judgments*/issue_*.txt")):
        for a in parse_file(path).articles:
            out += [u for u in answer_units(a.text)
                    if len(u) > 150 and len(DECISION.findall(u)) >= 2]
    return out


def test_a_decision_is_trimmed_to_the_one_on_the_argument_asked_about():
    """`律师要求判缓刑，法院同意没` of a sentence that first accepts other arguments (本院予以采纳)
    and then refuses probation: the answer keeps the refusal, not the first decision."""
    from rag.answer.extract import trim_to_decision

    path = CORPUS.parent / "tests" / "data" / "fresh_judgments_4" / "issue_9101.txt"
    sentence = next(u for a in parse_file(path).articles for u in answer_units(a.text)
                    if "不符合适用缓刑的条件" in u)
    assert len(sentence) > 150 and "予以采纳" in sentence
    got = trim_to_decision(sentence, tokenize("律师要求判缓刑，法院同意没"))
    assert "不符合适用缓刑的条件" in got and "不予采纳" in got and len(got) < len(sentence), got


def test_every_decision_in_a_long_sentence_can_be_reached_by_its_argument():
    """For each decision in such a sentence, a question made of the words of the clause just
    before it gets that decision, whole, in the trimmed answer."""
    from rag.answer.extract import trim_to_decision
    from rag.answer.judgments import DECISION

    sentences = _decision_sentences()
    assert len(sentences) >= 10
    checked = 0
    for sentence in sentences:
        clauses = re.split(r"(?<=[，：；])", sentence)
        for i, clause in enumerate(clauses[1:], 1):
            # the clause before the decision states the argument, in words no other clause has
            words = [t for t in tokenize(clauses[i - 1]) if len(t) > 1 and
                     sum(t in c for c in clauses) == 1]
            if not DECISION.search(clause) or DECISION.search(clauses[i - 1]) or not words:
                continue
            got = trim_to_decision(sentence, words)
            assert clause.rstrip("，：；。") in got, (words, clause, got)
            checked += 1
    assert checked >= 10
