"""Where the time goes: cProfile of one call, trimmed to the functions of `rag/`.

    python bench/profiling.py ask --index bench/out/index_100 "民意智感系统上线后群众满意度上升到了多少？"
    python bench/profiling.py build --corpus corpus --index /tmp/profile_index
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import bench_settings, stage_lines  # noqa: E402

#: Only our own functions: the library internals below them are summed into their callers.
RAG_FILES = re.escape(str(ROOT / "rag")) + "/"


#: (label, module file, function name): the functions whose cumulative time is each stage of
#: an ask. Read from cProfile's statistics, so nothing is patched; a stage whose function is
#: not found is reported as missing rather than silently left out.
ASK_STAGES = (
    ("ask (all)", "rag/engine.py", "ask"),
    ("retrieve (all)", "rag/search/retrieve.py", "fused"),
    ("bm25 + dense search", "rag/search/retrieve.py", "search"),
    ("query embedding", "rag/index/embed.py", "<lambda>"),
    ("answer", "rag/answer/extract.py", "answer"),
)


def ask_stages(stats: pstats.Stats, asks: int) -> dict[str, float | None]:
    """Milliseconds per ask in each stage of `ASK_STAGES` (None: function not found)."""
    out: dict[str, float | None] = {}
    for label, file, name in ASK_STAGES:
        total = [ct for (path, _, func), (_, _, _, ct, _) in stats.stats.items()  # type: ignore[attr-defined]
                 if path.endswith(file) and func == name]
        out[label] = round(1000 * sum(total) / max(1, asks), 3) if total else None
    return out


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


def _ask(args: argparse.Namespace) -> None:
    from rag import Engine

    engine = Engine.load(args.index, bench_settings(index_dir=Path(args.index)))
    engine.ask(args.question)  # warm caches: profile the steady state
    _, stats, elapsed = profiled(lambda: [engine.ask(args.question) for _ in range(args.repeat)])
    print("ask stages, ms per question (under cProfile, slower than without):")
    print("\n".join(stage_lines({k: v for k, v in ask_stages(stats, args.repeat).items()
                                 if v is not None}, "ms")))
    print(f"\ncProfile: {args.repeat} asks in {1000 * elapsed:.1f} ms")
    print("\n".join(top_lines(stats, args.top)))


def _build(args: argparse.Namespace) -> None:
    from rag import build_index

    # Fresh folders: a build reuses the vectors of the one it replaces, which would hide
    # the embedding cost.
    index = Path(args.index)
    settings = bench_settings(index_dir=index, corpus_dir=Path(args.corpus))
    for sub in ("timed", "profiled"):
        shutil.rmtree(index / sub, ignore_errors=True)
    start = time.perf_counter()
    info = build_index(args.corpus, index / "timed", settings)
    elapsed = time.perf_counter() - start
    print(f"build stages ({elapsed:.2f} s in all, as the indexer timed them):")
    print("\n".join(stage_lines(info["timings"] | {"total": elapsed})))
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
