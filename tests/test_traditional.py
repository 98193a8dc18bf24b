"""Traditional Chinese: questions and documents are matched in simplified form (OpenCC t2s),
while answers quote the paper as printed."""

from __future__ import annotations

import json
from pathlib import Path

import opencc
import pytest

import rag.text
from rag import Engine, build_index
from rag.ingest.parse import parse_corpus
from rag.text import to_simplified, tokenize, tokenizer_fingerprint

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
S2T = opencc.OpenCC("s2t")

# Written for this test about the sample issues (not from any evaluation set). The last one's
# passage is printed with a traditional character in 002 ("大家的服務热情"), kept as printed.
QUESTIONS = [
    "张家口市公安局研发创建的民意智感系统做什么？",
    "邯郸道历史文化街区纵跨哪两条主干道？",
    "廊坊市公安局在政务服务中心提供什么免费服务？",
    "胜利西路派出所辖区入秋后义警队员的服务热情怎么样？",
]


def test_tokens_are_the_same_in_either_script():
    issues, _ = parse_corpus(CORPUS)
    for article in (a for i in issues for a in i.articles):
        paragraph = article.paragraphs[0]
        assert tokenize(S2T.convert(paragraph)) == tokenize(paragraph), article.title


def test_the_tokenizer_fingerprint_follows_what_tokenize_does(monkeypatch):
    before = tokenizer_fingerprint()
    assert tokenizer_fingerprint() == before
    monkeypatch.setattr(rag.text, "STOPWORDS", rag.text.STOPWORDS | {"警察"})
    assert tokenizer_fingerprint() != before


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_traditional_question_is_answered_as_its_simplified_form(engine, question):
    traditional = S2T.convert(question)
    assert traditional != question
    simple, trad = engine.ask(question), engine.ask(traditional)
    assert not simple.abstained
    assert trad.text == simple.text
    assert trad.question == traditional  # echoed as typed, matched as simplified
    assert trad.query == simple.query == question
    assert [c.article_id for c in trad.citations] == [c.article_id for c in simple.citations]
    for citation in trad.citations:  # quoted from the text as printed, not converted
        assert citation.snippet in engine.article(citation.article_id).text


def test_passages_found_for_a_traditional_question_keep_the_printed_characters(engine):
    simple = engine.search(QUESTIONS[-1], k=3)
    trad = engine.search(S2T.convert(QUESTIONS[-1]), k=3)
    assert [p.id for p in trad] == [p.id for p in simple]
    assert any("大家的服務热情" in p.text for p in trad)  # as printed, not converted



DRCD = Path(__file__).resolve().parents[2] / "shared" / "eval" / "drcd"
ISSUE = "drcd_7001.md"  # Wikipedia articles laid out as an issue, with markdown titles


@pytest.fixture(scope="module")
def two_prints(tmp_path_factory, settings):
    """One issue file indexed as printed (simplified) and printed in traditional characters,
    masthead included; each with its engine."""
    if not (DRCD / "corpus" / ISSUE).exists():
        pytest.skip(f"{DRCD} is not here")
    text = (DRCD / "corpus" / ISSUE).read_text(encoding="utf-8")
    engines = {}
    for name, printed in (("simplified", text), ("traditional", S2T.convert(text))):
        folder = tmp_path_factory.mktemp(name)
        (folder / "corpus").mkdir()
        (folder / "corpus" / ISSUE).write_text(printed, encoding="utf-8")
        build_index(folder / "corpus", folder / "index", settings)
        engines[name] = (folder / "corpus", Engine.load(folder / "index", settings))
    return engines


def test_a_traditional_print_parses_like_the_simplified_one(two_prints):
    (simple,), _ = parse_corpus(two_prints["simplified"][0])
    (trad,), _ = parse_corpus(two_prints["traditional"][0])
    assert (trad.number, trad.date) == (simple.number, simple.date)
    # The masthead (國內統一連續出版物號 …) is noise in either script, never an article.
    assert [to_simplified(a.title) for a in trad.articles] == \
        [to_simplified(a.title) for a in simple.articles]


def test_questions_are_answered_from_a_traditional_print_as_from_the_simplified(two_prints):
    questions = [json.loads(line)["question"] for line in
                 (DRCD / "questions.jsonl").read_text(encoding="utf-8").splitlines()
                 if f'"{ISSUE}"' in line][:30]
    simple, trad = two_prints["simplified"][1], two_prints["traditional"][1]
    answered = 0
    for question in questions:
        a, b = simple.ask(question), trad.ask(question)
        assert b.abstained == a.abstained, question
        # The same sentence of the same article, quoted as printed.
        assert to_simplified(b.text) == to_simplified(a.text), question
        assert [to_simplified(c.title) for c in b.citations] == \
            [to_simplified(c.title) for c in a.citations]
        answered += not b.abstained and b.text != a.text
    assert answered >= len(questions) // 2
