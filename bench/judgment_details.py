"""Answerable questions made from judgments' own sentences, to check that the rules refusing what
a judgment does not state (`rag.answer.forms`, `rag.answer.silence.not_in_judgment`) do not
refuse what it does state:

    python -m rag build --corpus tests/data/judgments --index /tmp/jall
    python -m bench.judgment_details --corpus tests/data/judgments --index /tmp/jall

Three kinds: each defendant's header (`被告人周某某，男，…出生…，初中文化，无业，…`) asked for
their job, age, schooling and year of birth, all stated there; each clause where a job, age,
marriage or schooling word follows a name, asked for that person's detail; and each header
followed by a past record (`曾因犯盗窃罪…`, `无前科。`) asked `以前犯过什么事？` and `有没有前科？`,
whose answer must hold that record. The second kind is approximate: in `被宋某、冯某及烧烤店
经营者郭某拉开` the job follows 宋某 but is 郭某's. The misses are printed, to be read.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from rag import Engine
from rag.answer.features import ANONYMISED
from rag.answer.forms import _NOT_PERSON, FORMS
from rag.answer.units import answer_units
from rag.ingest.parse import parse_file

_HEADER = re.compile(r"被告人([\u4e00-\u9fff]某某?)，(?:男|女)")
_HEADER_QUESTIONS = ("被告人{}是做什么工作的？", "{}多大岁数？", "{}是什么文化程度？", "{}是哪年出生的？")
_RECORD = re.compile(r"因犯([\u4e00-\u9fff]{2,8}?罪)|(?:无|没有)[\u4e00-\u9fff]{0,6}前科")
_RECORD_QUESTIONS = ("{}以前犯过什么事？", "{}有没有前科？")
_CLAUSE_QUESTIONS = {"job": "{}是做什么工作的？", "age": "{}多大年纪？", "married": "{}结婚了没有？",
                     "schooling": "{}是什么文化程度？"}


def record(sentences: list[str], at: int) -> str | None:
    """The past record the header at `sentences[at]` states, in the header or the two
    sentences after it: the crime of `曾因犯盗窃罪…`, or `无前科` (`无违法犯罪前科`)."""
    m = _RECORD.search(" ".join(sentences[at:at + 3]))
    return (m.group(1) or m.group()) if m else None


def questions(path: Path) -> list[tuple[str, str, str]]:
    """(kind, question, the text it was made from) for one judgment file; for `record`, the
    text is what the answer must hold."""
    forms = {f.name: f for f in FORMS}
    out, seen = [], set()
    sentences = [u for a in parse_file(path).articles for u in answer_units(a.text)]
    for i, s in enumerate(sentences):
        if m := _HEADER.match(s):
            out += [("header", q.format(m.group(1)), s[:60]) for q in _HEADER_QUESTIONS]
            if stated := record(sentences, i):
                out += [("record", q.format(m.group(1)), stated) for q in _RECORD_QUESTIONS]
    for s in sentences:
        for clause in re.split(r"[，；：。]", s):
            for name in ANONYMISED.finditer(clause):
                if _NOT_PERSON.match(clause, name.end()):
                    continue
                for kind, q in _CLAUSE_QUESTIONS.items():
                    if forms[kind].holds.search(clause[name.end():]) and \
                            (name.group(), kind) not in seen:
                        seen.add((name.group(), kind))
                        out.append(("clause", q.format(name.group()), clause[:60]))
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, required=True, help="folder of judgment issue files")
    ap.add_argument("--index", type=Path, required=True, help="an index built from that folder")
    args = ap.parse_args(argv)
    engine = Engine.load(args.index)
    issue = {i.source: i.number for i in engine.issues()}
    asked = {"header": 0, "clause": 0, "record": 0}
    refused = {"header": 0, "clause": 0, "record": 0}
    for path in sorted(args.corpus.glob("issue_*.txt")):
        for kind, question, source in questions(path):
            answer = engine.ask(question, issue=issue[path.name])
            asked[kind] += 1
            if kind == "record":  # answered with the record the header states
                if source not in answer.text:
                    refused[kind] += 1
                    print(f"wrong    {path.name}  {question}  {source} | {answer.text[:60]}")
            elif answer.abstained:
                refused[kind] += 1
                print(f"refused  {path.name}  {question}  | {source}")
    for kind in asked:
        missed = "wrong or refused" if kind == "record" else "refused"
        print(f"{kind}: {asked[kind]} asked, {refused[kind]} {missed}")


if __name__ == "__main__":
    main()
