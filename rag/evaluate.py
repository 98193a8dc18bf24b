"""`python -m rag eval`: score answers, citations and retrieval on a question file.

Each line of the file: {"id", "question", "source", "title", "answers": [...]} or
{"id", "question", "unanswerable": true}. `title` is a fragment of the gold article's title,
or null when any article of the gold file will do. With `in_issue`, each question is asked
within the issue of its `source` file (as a reader asks about the issue in front of them:
one judgment per issue, say), so retrieval cannot miss. The same run scores llama-index's plain
pipeline (SentenceSplitter + in-memory VectorStoreIndex, same embedder, no BM25) as a
baseline.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import numpy as np

from rag.engine import Engine
from rag.errors import RagError
from rag.ingest.read import corpus_files
from rag.text import normalize

logger = logging.getLogger(__name__)


def load_questions(path: str | Path) -> list[dict]:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]
    except (OSError, ValueError) as err:
        raise RagError(f"cannot read questions from {path} ({err}): give a JSONL file with "
                       "one {\"question\", \"source\", \"title\", \"answers\"} per line") from err


def _gold_title(q: dict, title: str) -> bool:
    return not q.get("title") or normalize(q["title"]) in title


def _has_fact(q: dict, text: str) -> bool:
    # The archive is normalised (１２名 → 12名): a gold answer copied from the file is too.
    return any(normalize(a) in text for a in q.get("answers", []))


def evaluate(engine: Engine, questions: list[dict], in_issue: bool = False) -> dict:
    """Score the engine; every figure is a share of the relevant questions."""
    answerable = [q for q in questions if not q.get("unanswerable")]
    negatives = [q for q in questions if q.get("unanswerable")]
    issue_of = {i.source: i.number for i in engine.issues()} if in_issue else {}
    if missing := sorted({q["source"] for q in questions
                          if in_issue and q.get("source") and issue_of.get(q["source"]) is None}):
        raise RagError(f"--in-issue needs each question's source to be a numbered issue of the "
                       f"index; not: {', '.join(missing[:3])}")
    rows, latencies = [], []
    for q in questions:
        issue = issue_of.get(q.get("source"))
        start = time.perf_counter()
        answer = engine.ask(q["question"], issue=issue)
        latencies.append((time.perf_counter() - start) * 1000)
        passages = engine.search(q["question"], k=5, issue=issue)
        row = {"id": q.get("id"), "question": q["question"], "answer": answer.text,
               "abstained": answer.abstained,
               "citations": [f"{c.source} 《{c.headline}》" for c in answer.citations]}
        if not q.get("unanswerable"):
            good = [c for c in answer.citations
                    if c.source == q["source"] and _gold_title(q, c.headline)]
            row["fact_in_answer"] = _has_fact(q, answer.text)
            row["citation_right"] = bool(good)
            row["passage_holds_fact"] = any(_has_fact(q, c.snippet) for c in good)
            ranks = [i for i, p in enumerate(passages)
                     if p.source == q["source"] and _gold_title(q, p.headline)]
            row["hit_rank"] = ranks[0] if ranks else None
        rows.append(row)

    def share(key: str) -> float:
        return round(float(np.mean([r[key] for r in rows if key in r])), 3) if answerable else 0.0

    ranked = [r for r in rows if "hit_rank" in r]
    return {
        "questions": len(questions),
        "answerable": len(answerable),
        "unanswerable": len(negatives),
        "fact_in_answer": share("fact_in_answer"),
        "citation_right": share("citation_right"),
        "passage_holds_fact": share("passage_holds_fact"),
        "hit@1": round(float(np.mean([r["hit_rank"] == 0 for r in ranked])), 3) if ranked else 0.0,
        "hit@5": round(float(np.mean([r["hit_rank"] is not None for r in ranked])), 3)
        if ranked else 0.0,
        "refused_unanswerable": round(float(np.mean(
            [r["abstained"] for r, q in zip(rows, questions) if q.get("unanswerable")])), 3)
        if negatives else None,
        "false_refusals": sum(1 for r, q in zip(rows, questions)
                              if r["abstained"] and not q.get("unanswerable")),
        "latency_p50_ms": round(float(np.percentile(latencies, 50)), 1),
        "latency_p95_ms": round(float(np.percentile(latencies, 95)), 1),
        "rows": rows,
    }


def evaluate_baseline(corpus_dir: Path, engine: Engine, questions: list[dict]) -> dict:
    """llama-index's default pipeline over the same files: whole files, SentenceSplitter
    defaults, in-memory VectorStoreIndex with the same embedder. It has no article titles,
    so a citation counts as right when the top passage comes from the gold file and holds
    the fact."""
    from llama_index.core import Document, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter

    from rag.ingest.read import read_text

    docs = []
    for path in corpus_files(corpus_dir):
        try:
            docs.append(Document(text=read_text(path), metadata={"file_name": path.name}))
        except ValueError:
            continue
    start = time.perf_counter()
    from rag.index.embed import load_embedder

    index = VectorStoreIndex.from_documents(docs, embed_model=load_embedder(engine.settings),
                                            transformations=[SentenceSplitter()])
    build_s = time.perf_counter() - start
    retriever = index.as_retriever(similarity_top_k=5)
    answerable = [q for q in questions if not q.get("unanswerable")]
    hits, top_right, latencies = [], [], []
    for q in answerable:
        start = time.perf_counter()
        nodes = retriever.retrieve(q["question"])
        latencies.append((time.perf_counter() - start) * 1000)
        good = [i for i, n in enumerate(nodes) if n.node.metadata.get("file_name") == q["source"]
                and _has_fact(q, n.node.get_content())]
        hits.append(good[0] if good else None)
        top_right.append(bool(good) and good[0] == 0)
    return {
        "chunks": len(index.docstore.docs),
        "build_s": round(build_s, 2),
        "citation_right": round(float(np.mean(top_right)), 3) if answerable else 0.0,
        "hit@1": round(float(np.mean([h == 0 for h in hits])), 3) if hits else 0.0,
        "hit@5": round(float(np.mean([h is not None for h in hits])), 3) if hits else 0.0,
        "search_p50_ms": round(float(np.percentile(latencies, 50)), 1) if latencies else 0.0,
        "search_p95_ms": round(float(np.percentile(latencies, 95)), 1) if latencies else 0.0,
    }


def format_report(ours: dict, baseline: dict | None) -> str:
    lines = [f"{ours['questions']} questions ({ours['answerable']} answerable, "
             f"{ours['unanswerable']} unanswerable)", "",
             f"{'metric':<26}{'ours':>10}{'baseline':>12}"]
    base = baseline or {}
    for key, label in [("fact_in_answer", "answer contains the fact"),
                       ("citation_right", "citation right"),
                       ("passage_holds_fact", "cited passage holds fact"),
                       ("hit@1", "retrieval hit@1"), ("hit@5", "retrieval hit@5"),
                       ("refused_unanswerable", "unanswerable refused"),
                       ("false_refusals", "false refusals"),
                       ("latency_p50_ms", "ask p50 ms"), ("latency_p95_ms", "ask p95 ms")]:
        b = base.get(key, "—")
        lines.append(f"{label:<26}{ours.get(key)!s:>10}{b!s:>12}")
    if baseline:
        lines.append(f"{'search p50 / p95 ms':<26}{'':>10}"
                     f"{baseline['search_p50_ms']!s:>7} / {baseline['search_p95_ms']}")
        lines.append("baseline: llama-index SentenceSplitter + VectorStoreIndex, same embedder; "
                     "its citation = top passage from the gold file holding the fact")
    misses = [r for r in ours["rows"] if r.get("fact_in_answer") is False
              or r.get("citation_right") is False]
    if misses:
        lines += ["", "misses:"] + [f"  {r['id']} {r['question']} → {r['answer'][:80]}"
                                    for r in misses]
    return "\n".join(lines)
