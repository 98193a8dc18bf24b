"""Helpers shared by the benchmark's runner, workers and profiler: settings, memory, timing."""

from __future__ import annotations

import json
import resource
import time
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

WARMUP = 3  # first calls pay for lazy imports and caches; not what a user waits for


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
    return {f"p{p}": round_or_none(percentile(times, p)) for p in (50, 95, 99)} | {
        "mean": round_or_none(sum(times) / len(times)), "n": len(times)}


def round_or_none(x: float | None, digits: int = 2) -> float | None:
    return None if x is None else round(x, digits)


def norm(text: str) -> str:
    """Full-width and half-width forms compare equal (97% and 97％)."""
    return unicodedata.normalize("NFKC", text or "")


def load_dev_questions(path: Path | None) -> list[dict[str, Any]]:
    if path is None or not path.is_file():
        return []
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


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
