"""Parties named by role: a judgment names 被告刘某 once and then says 被告 alone, while people
ask about 刘某. `tests/data/judgments/judgment_civil.txt` is a civil judgment written for these
tests in the layout courts publish (parties anonymised as 张某, 刘某). It has a folder of its own:
`tests/data` is itself parsed as a corpus of issue 900."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rag import Engine
from rag.answer.features import as_named, features, party_names
from rag.answer.question import analyse_question
from rag.answer.ranker import load_model
from rag.answer.units import TextStats, answer_units, candidates

JUDGMENT = Path(__file__).resolve().parent / "data" / "judgments" / "judgment_civil.txt"


@pytest.fixture(scope="module")
def judgment_engine(sample_subset, settings) -> Engine:
    return Engine.load(sample_subset("judgment", [JUDGMENT]), settings)


def test_a_role_stands_for_the_name_it_introduced():
    body = JUDGMENT.read_text("utf-8")
    assert party_names("张某向刘某交付了多少钱", body) == {"原告": "张某", "被告": "刘某"}
    assert party_names("刘某偿还了多少利息", body) == {"被告": "刘某"}
    # Only names: the words after a role are not a party (被告未按 …, 原告当日 …).
    assert party_names("被告未按约定期限还款的后果是什么", body) == {}
    unit = next(u for u in answer_units(body) if u.startswith("事实和理由"))
    assert as_named(unit, {"原告": "张某", "被告": "刘某"}).endswith("|张某|刘某")
    assert as_named("刘某向原告借款", {"被告": "刘某"}) == "刘某向原告借款"


def test_a_question_by_name_ranks_first_the_sentence_that_says_the_role(judgment_engine):
    """"原告当日通过银行转账将15万元交付被告" never says 张某 or 刘某; asked by their names, the
    ranker puts it first (the IOU sentence, which names both, came first before). The ranking
    is checked, not the answer: on an index of this one file the refusal is close to its
    threshold, which says nothing about parties."""
    question = "张某向刘某交付了多少钱？"
    stats = TextStats(judgment_engine.data)
    cands = candidates(judgment_engine.search(question, k=8), stats.units)
    scores = load_model().rank(features(analyse_question(question, stats.idf), cands))
    best = cands[int(np.argmax(scores))]
    assert "15万元交付被告" in best.text, best.text
    assert best.passage.title.startswith("张某与刘某民间借贷纠纷")
