"""Answerable questions made from judgments' own sentences, to check that the rules refusing what
a judgment does not state (`rag.answer.forms`, `rag.answer.judgments.not_in_judgment`) do not
refuse what it does state:

    python -m rag build --corpus tests/data/judgments --index /tmp/jall
    python -m bench.judgment_details --corpus tests/data/judgments --index /tmp/jall

Two kinds: each defendant's header (`被告人周某某，男，…出生…，初中文化，无业，…`) asked for
their job, age, schooling and year of birth, all stated there; and each clause where a job, age,
marriage or schooling word follows a name, asked for that person's detail. The second kind is
approximate: in `被宋某、冯某及烧烤店经营者郭某拉开` the job follows 宋某 but is 郭某's. The
refused ones are printed, to be read.
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
_CLAUSE_QUESTIONS = {"job": "{}是做什么工作的？", "age": "{}多大年纪？", "married": "{}结婚了没有？",
                     "schooling": "{}是什么文化程度？"}


def questions(path: Path) -> list[tuple[str, str, str]]:
    """(kind, question, the text it was made from) for one judgment file."""
    forms = {f.name: f for f in FORMS}
    out, seen = [], set()
    sentences = [u for a in parse_file(path).articles for u in answer_units(a.text)]
    for s in sentences:
        if m := _HEADER.match(s):
            out += [("header", q.format(m.group(1)), s[:60]) for q in _HEADER_QUESTIONS]
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
    asked = {"header": 0, "clause": 0}
    refused = {"header": 0, "clause": 0}
    for path in sorted(args.corpus.glob("issue_*.txt")):
        for kind, question, source in questions(path):
            answer = engine.ask(question, issue=issue[path.name])
            asked[kind] += 1
            if answer.abstained:
                refused[kind] += 1
                print(f"refused  {path.name}  {question}  | {source}")
    for kind in asked:
        print(f"{kind}: {asked[kind]} asked, {refused[kind]} refused")


if __name__ == "__main__":
    main()
