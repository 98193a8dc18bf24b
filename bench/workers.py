"""The benchmark's stages, each run in a fresh interpreter by `bench/run.py`, so that every
peak RSS belongs to one stage.

    python bench/workers.py NAME PAYLOAD.json OUT.json
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    bench_settings,
    dir_mb,
    latency,
    norm,
    peak_mb,
    proc_mb,
    round_or_none,
)
from bench.profiling import ask_stages, profiled, top_lines  # noqa: E402

# --- workers: each runs in its own process ---------------------------------------------


def worker_build(p: dict[str, Any]) -> dict[str, Any]:
    """Our full build of the N-issue archive, with a separate parse pass for issues/s."""
    import gc

    from rag import build_index
    from rag.ingest.parse import parse_corpus

    corpus, index = Path(p["corpus"]), Path(p["index"])
    settings = bench_settings(index_dir=index, corpus_dir=corpus)
    start = time.perf_counter()
    issues, _ = _issues(parse_corpus(corpus))
    parse_s = time.perf_counter() - start
    n_issues, n_articles = len(issues), sum(len(i.articles) for i in issues)
    del issues
    gc.collect()
    if index.exists():
        shutil.rmtree(index)
    start = time.perf_counter()
    info = build_index(corpus, index, settings=settings, show_progress=True)
    build_s = time.perf_counter() - start
    # The indexer times its own stages (parse, chunk, embed, tokenize, write).
    return {"parse_s": parse_s, "issues": n_issues, "articles": n_articles, "build_s": build_s,
            "info": info, "stages": info.get("timings", {}), "peak_rss_mb": peak_mb(),
            "index_mb": dir_mb(index)}


def _issues(result: Any) -> tuple[list[Any], list[str]]:
    """parse_corpus returns (issues, warnings); accept a bare list too."""
    if isinstance(result, tuple):
        return result[0], result[1]
    return result, []


def worker_query(p: dict[str, Any]) -> dict[str, Any]:
    """Load our engine, time ask and search over the questions, profile one ask."""
    from rag import Engine

    index = Path(p["index"])
    before = proc_mb()
    start = time.perf_counter()
    engine = Engine.load(index, bench_settings(index_dir=index))
    load_s = time.perf_counter() - start
    loaded_mb = proc_mb()
    questions = p["questions"]
    ask = latency(engine.ask, questions, "ours ask")
    search = latency(lambda q: engine.search(q, k=5), questions, "ours search")
    rss = proc_mb()
    # Where an ask's time goes: cProfile's cumulative time of each stage's function.
    _, stats, elapsed = profiled(lambda: [engine.ask(q) for q in questions[:20]])
    return {"load_s": load_s, "ask": ask, "search": search, "python_mb": before,
            "loaded_mb": loaded_mb, "rss_mb": rss, "peak_rss_mb": proc_mb("VmHWM"),
            "ask_stages_ms": ask_stages(stats, 20),
            "ask_profile": [f"20 asks in {1000 * elapsed:.0f} ms under cProfile (slower than "
                            "without)"] + top_lines(stats, 18)}


def worker_add(p: dict[str, Any]) -> dict[str, Any]:
    """Add one issue to a copy of the N-issue index: the API call, then the CLI's wall time."""
    try:
        from rag import add_files
    except ImportError as err:
        return {"add_one_s": None, "reason": f"no incremental add API yet ({err})"}
    index, cli_index = Path(p["index"]), Path(p["cli_index"])
    start = time.perf_counter()
    info = add_files(paths=[Path(p["file"])], index_dir=index,
                     settings=bench_settings(index_dir=index))
    add_s = time.perf_counter() - start
    result = {"add_one_s": add_s, "info": info, "stages": info.get("timings", {}),
              "peak_rss_mb": peak_mb()}
    if (ROOT / "rag" / "__main__.py").is_file():
        # What a person waits for: interpreter start, imports and model load included.
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "rag", "add", p["file"], "--index",
                               str(cli_index)], cwd=ROOT, capture_output=True, text=True)
        result["add_one_cli_s"] = time.perf_counter() - start
        if proc.returncode:
            result["cli_error"] = proc.stderr[-500:]
    return result


def worker_quality(p: dict[str, Any]) -> dict[str, Any]:
    """Build the 5-issue sample corpus under cProfile, then ask the development questions."""
    from rag import Engine, build_index

    corpus, index = Path(p["corpus"]), Path(p["index"])
    settings = bench_settings(index_dir=index, corpus_dir=corpus)
    if index.exists():
        shutil.rmtree(index)
    _, stats, elapsed = profiled(build_index, corpus, index, settings)
    profile = [f"build of {corpus.name}/ in {elapsed:.2f} s under cProfile"] + top_lines(stats, 18)

    engine = Engine.load(index, settings)
    rows = []
    for q in p["dev"]:
        if q.get("unanswerable"):
            continue
        answer = engine.ask(q["question"])
        facts = [norm(a) for a in q["answers"]]
        title = norm(q.get("title") or "")
        cited = [c for c in answer.citations if c.source == q["source"]
                 and (not title or title in norm(c.title))]
        first = answer.citations[0] if answer.citations else None
        rows.append({
            "id": q["id"],
            "answer_right": any(f in norm(answer.text) for f in facts),
            "citation_right": bool(cited),
            "first_citation_right": bool(first and first in cited),
            "abstained": answer.abstained,
        })
    return {"rows": rows, "build_profile": profile} | _shares(rows)


def _shares(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    keys = ("answer_right", "citation_right", "first_citation_right")
    return {k: round_or_none(sum(r[k] for r in rows) / len(rows), 3) if rows else None
            for k in keys if all(k in r for r in rows)}


def worker_baseline(p: dict[str, Any]) -> dict[str, Any]:
    """llama-index defaults over the same files with the same embedder; then its quality."""
    from llama_index.core import SimpleDirectoryReader, VectorStoreIndex

    from rag.index.embed import load_embedder

    embedder = load_embedder(bench_settings())
    start = time.perf_counter()
    docs = SimpleDirectoryReader(p["corpus"], required_exts=[".txt"]).load_data()
    index = VectorStoreIndex.from_documents(docs, embed_model=embedder, show_progress=True)
    build_s = time.perf_counter() - start
    n_nodes = len(index.docstore.docs)
    retriever = index.as_retriever(similarity_top_k=5)
    search = latency(retriever.retrieve, p["questions"], "baseline search")
    result = {"build_s": build_s, "nodes": n_nodes, "search": search, "rss_mb": proc_mb(),
              "peak_rss_mb": proc_mb("VmHWM")}
    del index, retriever

    # Quality on the sample corpus: top-1 node's file is the gold file and holds the answer.
    docs = SimpleDirectoryReader(p["sample_corpus"], required_exts=[".txt"]).load_data()
    retriever = VectorStoreIndex.from_documents(docs, embed_model=embedder).as_retriever(
        similarity_top_k=5)
    rows = []
    for q in p["dev"]:
        if q.get("unanswerable"):
            continue
        top = retriever.retrieve(q["question"])[:1]
        in_file = bool(top) and top[0].node.metadata.get("file_name") == q["source"]
        holds = bool(top) and any(norm(a) in norm(top[0].node.get_content()) for a in q["answers"])
        rows.append({"id": q["id"], "file_right": in_file, "citation_right": in_file and holds})
    result["rows"] = rows
    if rows:
        result["citation_right"] = round_or_none(sum(r["citation_right"] for r in rows) / len(rows), 3)
        result["file_right"] = round_or_none(sum(r["file_right"] for r in rows) / len(rows), 3)
    return result


WORKERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "build": worker_build, "query": worker_query, "add": worker_add,
    "quality": worker_quality, "baseline": worker_baseline,
}


def _worker_main(name: str, payload: Path, out: Path) -> None:
    import logging

    logging.basicConfig(level=logging.ERROR)  # a warning per odd file would bury the progress
    import bm25s  # noqa: F401  # sets its own logger to DEBUG on import: import it, then quiet it

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    result = WORKERS[name](json.loads(payload.read_text(encoding="utf-8")))
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str),
                   encoding="utf-8")


if __name__ == "__main__":
    _worker_main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))
