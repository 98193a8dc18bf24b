"""The benchmark's stages, each run in a fresh interpreter by `bench/run.py`, so that every
peak RSS belongs to one stage.

    python bench/workers.py NAME PAYLOAD.json OUT.json
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WARMUP = 3  # first calls pay for lazy imports and caches; not what a user waits for


# --- helpers shared by the workers -----------------------------------------------------


def bench_settings(**overrides: Any) -> Any:
    """Settings from the environment, minus anything that would leave the machine.

    An LLM would turn ask latency into network latency; the benchmark measures the offline,
    extractive engine. The query log is off so the disk sees only the index.
    """
    from rag.settings import Settings

    settings = Settings.from_env(env_file=None)
    return replace(settings, llm_base_url="", llm_model="", query_log=None, **overrides)


def proc_mb(field: str = "VmRSS") -> float:
    """This process's resident memory (VmRSS) or its peak (VmHWM), in MB."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # peak, on Linux in KB


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 2**20


def percentile(values: list[float], q: float) -> float | None:
    """Linear-interpolated percentile, like numpy's default."""
    if not values:
        return None
    s = sorted(values)
    k = (len(s) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def latency(fn: Callable[[str], Any], questions: list[str], desc: str) -> dict[str, float | None]:
    """Milliseconds per call over `questions`, after a few warm-up calls."""
    from tqdm import tqdm

    for q in questions[:WARMUP]:
        fn(q)
    times = []
    for q in tqdm(questions, desc=desc, unit="q"):
        start = time.perf_counter()
        fn(q)
        times.append(1000 * (time.perf_counter() - start))
    return {f"p{p}": _round(percentile(times, p)) for p in (50, 95, 99)} | {
        "mean": _round(sum(times) / len(times)), "n": len(times)}


def _round(x: float | None, digits: int = 2) -> float | None:
    return None if x is None else round(x, digits)


def norm(text: str) -> str:
    """Full-width and half-width forms compare equal (97% and 97％)."""
    return unicodedata.normalize("NFKC", text or "")


def load_dev_questions(path: Path | None) -> list[dict[str, Any]]:
    if path is None or not path.is_file():
        return []
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# --- workers: each runs in its own process ---------------------------------------------


def worker_build(p: dict[str, Any]) -> dict[str, Any]:
    """Our full build of the N-issue archive, with a separate parse pass for issues/s."""
    import gc

    from bench.profiling import BUILD_STAGES, StageTimer
    from rag import build_index
    from rag.parse import parse_corpus

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
    timer = StageTimer(BUILD_STAGES)  # perf_counter around each stage; no measurable cost
    start = time.perf_counter()
    info = build_index(corpus, index, settings=settings, show_progress=True)
    build_s = time.perf_counter() - start
    timer.restore()
    return {"parse_s": parse_s, "issues": n_issues, "articles": n_articles, "build_s": build_s,
            "info": info, "stages": timer.build_stages(), "peak_rss_mb": peak_mb(),
            "index_mb": dir_mb(index)}


def _issues(result: Any) -> tuple[list[Any], list[str]]:
    """parse_corpus returns (issues, warnings); accept a bare list too."""
    if isinstance(result, tuple):
        return result[0], result[1]
    return result, []


def worker_query(p: dict[str, Any]) -> dict[str, Any]:
    """Load our engine, time ask and search over the questions, profile one ask."""
    from bench.profiling import ASK_STAGES, StageTimer, profiled, top_lines
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
    # Where an ask's time goes: timers around each stage, then cProfile for the detail.
    timer = StageTimer(ASK_STAGES)
    sample = questions[:50]
    for q in sample:
        engine.ask(q)
    timer.restore()
    _, stats, elapsed = profiled(lambda: [engine.ask(q) for q in questions[:20]])
    return {"load_s": load_s, "ask": ask, "search": search, "python_mb": before,
            "loaded_mb": loaded_mb, "rss_mb": rss, "peak_rss_mb": proc_mb("VmHWM"),
            "ask_stages_ms": timer.ask_stages(len(sample)),
            "ask_profile": [f"20 asks in {1000 * elapsed:.0f} ms under cProfile (slower than "
                            "without)"] + top_lines(stats, 18)}


def worker_add(p: dict[str, Any]) -> dict[str, Any]:
    """Add one issue to a copy of the N-issue index: the API call, then the CLI's wall time."""
    try:
        from rag import add_files
    except ImportError as err:
        return {"add_one_s": None, "reason": f"no incremental add API yet ({err})"}
    from bench.profiling import ADD_STAGES, StageTimer

    index, cli_index = Path(p["index"]), Path(p["cli_index"])
    timer = StageTimer(ADD_STAGES)
    start = time.perf_counter()
    info = add_files(paths=[Path(p["file"])], index_dir=index,
                     settings=bench_settings(index_dir=index))
    add_s = time.perf_counter() - start
    timer.restore()
    result = {"add_one_s": add_s, "info": info, "stages": timer.build_stages(),
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
    from bench.profiling import profiled, top_lines
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
    return {k: _round(sum(r[k] for r in rows) / len(rows), 3) if rows else None
            for k in keys if all(k in r for r in rows)}


def worker_baseline(p: dict[str, Any]) -> dict[str, Any]:
    """llama-index defaults over the same files with the same embedder; then its quality."""
    from llama_index.core import SimpleDirectoryReader, VectorStoreIndex

    from rag.embed import load_embedder

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
        result["citation_right"] = _round(sum(r["citation_right"] for r in rows) / len(rows), 3)
        result["file_right"] = _round(sum(r["file_right"] for r in rows) / len(rows), 3)
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
