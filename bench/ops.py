"""Start-up and add timings, each in a fresh process, best of N.

    python -m bench.ops                      # makes bench/out/ops/n1000 once (~2 min), then times
    python -m bench.ops --repeat 1 --json bench/out/ops.json

Times `python -m rag --help`, one `python -m rag ask` on the sample corpus's index, and adding
one issue to a copy of an N-issue index (bench/generate.py's archive parsed, chunked and
tokenized for real, with seeded random unit vectors in place of embeddings: an add's time does
not depend on what the stored vectors hold, and embedding 24,000 chunks takes over ten
minutes): through the API with the imports paid before the clock, a second add onto a build
this code wrote (as every add after the first one finds it), and `python -m rag add`'s wall
time. The indexes are built outside the clock and kept in --work while this code can use them.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import bench_settings  # noqa: E402
from bench.generate import generate, write_issue  # noqa: E402

logger = logging.getLogger(__name__)
QUESTION = "石家庄市交管局的铁骑驾驶技能大比武是哪天举行的？"
LABELS = {"help_s": "`python -m rag --help`", "ask_s": "one `python -m rag ask`, sample index",
          "add_api_s": "add one issue, API", "second_add_api_s": "the same, second add, API",
          "add_cli_s": "the same, `python -m rag add`"}
DIM = 512  # USE's width: the vectors an add embeds must fit the stored ones


def fresh(index: Path) -> bool:
    """The index exists and this code's add would append to it (not rebuild it)."""
    from rag.errors import RagError
    from rag.index.build import _compatible
    from rag.index.store import load_outline

    try:
        return _compatible(load_outline(index).manifest, bench_settings())
    except (RagError, OSError, KeyError):
        return False


def build(corpus: Path, index: Path, seed: int | None = None) -> None:
    """Build `corpus` into `index`; with a seed, random unit vectors stand in for USE."""
    import numpy as np

    import rag.index.build as builder

    def random_vectors(chunks, keys, cache, settings, show_progress):  # noqa: ANN001, ANN202
        vectors = np.random.default_rng(seed).standard_normal((len(chunks), DIM))
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors.astype(np.float32), 0  # nothing embedded, as the manifest says

    shutil.rmtree(index, ignore_errors=True)
    embed = builder._embed
    if seed is not None:
        builder._embed = random_vectors
    try:
        builder.build_index(corpus, index, bench_settings(), show_progress=True)
    finally:
        builder._embed = embed


def prepare(work: Path, n: int, seed: int) -> dict[str, Path]:
    """The sample index, the N-issue index and the two issues to add, made once."""
    big = work / f"n{n}"
    paths = {"sample": work / "index_sample", "big": big / "index",
             "first": big / "extra" / "first", "second": big / "extra" / "second"}
    if not fresh(paths["sample"]):
        logger.info("building the sample index %s", paths["sample"])
        build(ROOT / "corpus", paths["sample"])
    if not fresh(paths["big"]):
        logger.info("making the %d-issue index %s (random vectors)", n, paths["big"])
        generate(big / "corpus", n, seed=seed)
        build(big / "corpus", paths["big"], seed=seed)
    for i, key in enumerate(("first", "second")):  # issues N+1 and N+2
        shutil.rmtree(paths[key], ignore_errors=True)
        paths[key].mkdir(parents=True)
        paths[key] = write_issue(paths[key], n + i, seed)
    return paths


def copy_index(source: Path, work: Path, name: str) -> Path:
    dest = work / "copies" / name
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(source, dest, symlinks=True)  # `current` is a relative symlink
    return dest


def wall(*args: str) -> float:
    """Seconds a fresh `python -m rag ...` takes, interpreter start included."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "rag", *args], cwd=ROOT, check=True,
                   capture_output=True, text=True)
    return time.perf_counter() - start


def api_add(index: Path, file: Path) -> float:
    """Seconds of `add_files` in a fresh process whose imports are paid before the clock."""
    proc = subprocess.run([sys.executable, "-m", "bench.ops", "--time-add", str(index),
                           str(file)], cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(proc.stdout.splitlines()[-1])["seconds"]


def _time_add(index: Path, file: Path) -> None:
    """The child of `api_add`: one add, its seconds as JSON on stdout."""
    import rag.index.build  # noqa: F401  (what an add imports, paid before the clock)
    from rag import add_files

    settings = bench_settings()
    start = time.perf_counter()
    info = add_files([file], index, settings)
    seconds = time.perf_counter() - start
    if not info.get("added"):
        raise SystemExit(f"nothing added: {info.get('summary')}")
    print(json.dumps({"seconds": seconds, "timings": info.get("timings")}))


def measure(paths: dict[str, Path], work: Path, repeat: int) -> dict[str, list[float] | str]:
    """Each figure's times over `repeat` rounds (or why it failed); index copies are made
    outside the clock."""
    from tqdm import tqdm

    def second_add() -> float:
        index = copy_index(paths["big"], work, "second")
        api_add(index, paths["first"])  # leaves a build this code wrote
        return api_add(index, paths["second"])

    runs = {
        "help_s": lambda: wall("--help"),
        "ask_s": lambda: wall("ask", QUESTION, "--index", str(paths["sample"])),
        "add_api_s": lambda: api_add(copy_index(paths["big"], work, "api"), paths["first"]),
        "second_add_api_s": second_add,
        "add_cli_s": lambda: wall(
            "add", str(paths["first"]), "--index", str(copy_index(paths["big"], work, "cli"))),
    }
    times: dict[str, list[float] | str] = {key: [] for key in runs}
    for _ in tqdm(range(repeat), desc="rounds", unit="round"):
        for key, run in runs.items():  # interleaved, so a busy moment hits every figure
            if isinstance(times[key], list):
                try:
                    times[key].append(round(run(), 3))
                except subprocess.CalledProcessError as err:  # recorded, not fatal
                    lines = (err.stderr or "").strip().splitlines() or [f"exit {err.returncode}"]
                    times[key] = f"failed: {lines[-1][:200]}"
                    logger.warning("%s %s", LABELS[key], times[key])
    shutil.rmtree(work / "copies", ignore_errors=True)
    return times


def table(times: dict[str, list[float] | str], n: int) -> str:
    lines = [f"| N = {n} | best (s) | all runs (s) |", "|---|---:|---|"]
    lines += [f"| {LABELS[key]} | {min(ts):.2f} | {', '.join(f'{t:.2f}' for t in ts)} |"
              if isinstance(ts, list) else f"| {LABELS[key]} | – | {ts} |"
              for key, ts in times.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=1000, help="archive size N")
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per figure")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "ops",
                        help="where the indexes are kept between runs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="write the times here")
    parser.add_argument("--time-add", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.time_add:
        _time_add(*args.time_add)
        return 0
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    work = args.work.resolve()
    times = measure(prepare(work, args.issues, args.seed), work, args.repeat)
    print(table(times, args.issues))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"n_issues": args.issues, "seconds": times},
                                        ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if all(isinstance(ts, list) for ts in times.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
