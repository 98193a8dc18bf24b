"""Where the time goes: cProfile of one call, trimmed to the functions of `rag/`.

    python bench/profiling.py ask --index bench/out/index_100 "民意智感系统上线后群众满意度上升到了多少？"
    python bench/profiling.py build --corpus corpus --index /tmp/profile_index
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import importlib
import io
import pstats
import re
import shutil
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: Only our own functions: the library internals below them are summed into their callers.
RAG_FILES = re.escape(str(ROOT / "rag")) + "/"


#: (module, attribute path, stage): the engine has no timing hooks, so the benchmark wraps
#: the functions each stage runs in. The lookups happen at call time (module globals,
#: class attributes), so wrapping them times the real build and the real ask.
BUILD_STAGES = (
    ("rag.indexer", "parse_corpus", "parse"),
    ("rag.indexer", "_load_current", "load previous build"),
    ("rag.indexer", "_caches", "vector + token caches"),
    ("rag.indexer", "_chunks", "chunk"),
    ("rag.indexer", "_embed", "embed"),
    ("rag.indexer", "tokenize_chunks", "tokenize (jieba)"),
    ("rag.indexer", "write_build", "write (all)"),
    ("rag.store", "write_faiss", "faiss"),
    ("bm25s", "BM25.index", "bm25 index"),
    ("bm25s", "BM25.save", "bm25 save"),
)
#: Adding an issue rebuilds from the current build: these stages come on top of the build's.
#: (USE loads its weights lazily, so "embed" includes about 1.3 s of model loading.)
ADD_STAGES = BUILD_STAGES + (
    ("rag.indexer", "_require", "load index"),
    ("rag.indexer", "parse_paths", "parse"),
)
ASK_STAGES = (
    ("rag.engine", "Engine.ask", "ask (all)"),
    ("rag.retrieve", "HybridRetriever._retrieve", "retrieve (all)"),
    ("rag.retrieve", "BM25Retriever._retrieve", "bm25"),
    ("rag.retrieve", "DenseRetriever._retrieve", "dense (all)"),
    ("rag.embed", "USEEmbedding._get_query_embedding", "query embedding"),
    ("rag.answer", "Answerer.answer", "answer"),
)


class StageTimer:
    """Wraps functions with perf_counter timers; `restore()` puts the originals back."""

    def __init__(self, stages: tuple[tuple[str, str, str], ...]) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        self._undo: list[tuple[Any, str, Any]] = []
        for module, path, name in stages:
            try:
                owner: Any = importlib.import_module(module)
                *parents, attr = path.split(".")
                for part in parents:
                    owner = getattr(owner, part)
                original = owner.__dict__[attr] if isinstance(owner, type) else getattr(
                    owner, attr)
            except (ImportError, AttributeError, KeyError):
                continue  # the stage was renamed: report the others
            setattr(owner, attr, self._timed(original, name))
            self._undo.append((owner, attr, original))

    def _timed(self, fn: Callable[..., Any], name: str) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - start
                self.calls[name] += 1

        return timed

    def restore(self) -> None:
        for owner, attr, original in reversed(self._undo):
            setattr(owner, attr, original)
        self._undo.clear()

    def build_stages(self) -> dict[str, float]:
        """Exclusive build stages: write (all) split into faiss, bm25 and the rest."""
        s = dict(self.seconds)
        write = s.pop("write (all)", 0.0)
        inner = sum(s.get(k, 0.0) for k in ("faiss", "bm25 index", "bm25 save"))
        if write:
            s["write files (jsonl, npy)"] = max(0.0, write - inner)
        return {k: round(v, 3) for k, v in s.items()}

    def ask_stages(self, per: int) -> dict[str, float]:
        """Exclusive ask stages in ms per question: bm25, embedding, faiss, fusion, answer."""
        s = {k: 1000 * v / max(1, per) for k, v in self.seconds.items()}
        total = s.get("ask (all)", 0.0)
        retrieve = s.get("retrieve (all)", 0.0)
        dense = s.get("dense (all)", 0.0)
        embed = s.get("query embedding", 0.0)
        out = {
            "bm25 (jieba + scores)": s.get("bm25", 0.0),
            "query embedding": embed,
            "faiss search + nodes": max(0.0, dense - embed),
            "fusion": max(0.0, retrieve - s.get("bm25", 0.0) - dense),
            "answer (sentence pick)": s.get("answer", 0.0),
            "other (checks, passages)": max(0.0, total - retrieve - s.get("answer", 0.0)),
        }
        return {k: round(v, 3) for k, v in out.items()} | {"total": round(total, 3)}


def profiled(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, pstats.Stats, float]:
    """Run `fn` under cProfile; return its result, the stats and the wall time in seconds."""
    profiler = cProfile.Profile()
    start = time.perf_counter()
    result = profiler.runcall(fn, *args, **kwargs)
    elapsed = time.perf_counter() - start
    return result, pstats.Stats(profiler), elapsed


def top_lines(stats: pstats.Stats, n: int = 15, pattern: str = RAG_FILES) -> list[str]:
    """The `n` functions matching `pattern` with the most cumulative time, as printed lines."""
    out = io.StringIO()
    stats.stream = out
    stats.sort_stats("cumulative").print_stats(pattern, n)
    lines = out.getvalue().splitlines()
    # Keep the column header and the rows; drop pstats' preamble about the run.
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    root = str(ROOT) + "/"
    return [line.replace(root, "") for line in lines[start:] if line.strip()]


def stage_lines(stages: dict[str, float], unit: str = "s") -> list[str]:
    """Stage timings as aligned lines with their share of the total (a "total" entry, or
    the sum)."""
    parts = {k: v for k, v in stages.items() if k != "total"}
    total = stages.get("total") or sum(parts.values()) or 1.0
    rest = total - sum(parts.values())
    if rest > 0.01 * total:
        parts["other (not timed)"] = rest
    width = max((len(k) for k in stages), default=5)
    lines = [f"  {name:<{width}}  {value:9.3f} {unit}  {100 * value / total:5.1f} %"
             for name, value in parts.items()]
    return lines + [f"  {'total':<{width}}  {total:9.3f} {unit}"]


def _ask(args: argparse.Namespace) -> None:
    from bench.run import bench_settings
    from rag import Engine

    engine = Engine.load(args.index, bench_settings(index_dir=Path(args.index)))
    engine.ask(args.question)  # warm caches: profile the steady state
    timer = StageTimer(ASK_STAGES)
    for _ in range(args.repeat):
        engine.ask(args.question)
    timer.restore()
    print("ask stages, ms per question:")
    print("\n".join(stage_lines(timer.ask_stages(args.repeat), "ms")))
    _, stats, elapsed = profiled(lambda: [engine.ask(args.question) for _ in range(args.repeat)])
    print(f"\ncProfile: {args.repeat} asks in {1000 * elapsed:.1f} ms")
    print("\n".join(top_lines(stats, args.top)))


def _build(args: argparse.Namespace) -> None:
    from bench.run import bench_settings
    from rag import build_index

    # Fresh folders: a build reuses the vectors of the one it replaces, which would hide
    # the embedding cost.
    index = Path(args.index)
    settings = bench_settings(index_dir=index, corpus_dir=Path(args.corpus))
    for sub in ("timed", "profiled"):
        shutil.rmtree(index / sub, ignore_errors=True)
    timer = StageTimer(BUILD_STAGES)
    start = time.perf_counter()
    build_index(args.corpus, index / "timed", settings)
    elapsed = time.perf_counter() - start
    timer.restore()
    print(f"build stages ({elapsed:.2f} s in all):")
    print("\n".join(stage_lines(timer.build_stages() | {"total": elapsed})))
    _, stats, elapsed = profiled(build_index, args.corpus, index / "profiled", settings)
    print(f"\ncProfile: build in {elapsed:.2f} s")
    print("\n".join(top_lines(stats, args.top)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="profile engine.ask on a built index")
    ask.add_argument("--index", required=True)
    ask.add_argument("--repeat", type=int, default=10)
    ask.add_argument("question")
    build = sub.add_parser("build", help="profile build_index on a corpus folder")
    build.add_argument("--corpus", default=str(ROOT / "corpus"))
    build.add_argument("--index", required=True, help="scratch folder (its timed/ and "
                       "profiled/ subfolders are replaced)")
    for p in (ask, build):
        p.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    (_ask if args.command == "ask" else _build)(args)


if __name__ == "__main__":
    main()
